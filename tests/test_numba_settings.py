"""The one module of Numba settings: how many threads a parallel kernel may use, and
recompiling every kernel when a source they depend on changed."""

from __future__ import annotations

import os
from pathlib import Path

import numba

from spinesim._numba import refresh_stale_caches, threads_for

OLD_NS = 1_000_000_000_000_000_000  # a modification time long past (ns)


def test_threads_for_caps_the_threads_at_the_tasks_and_restores_them():
    before = numba.get_num_threads()
    with threads_for(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with threads_for(before + 5):
        assert numba.get_num_threads() == before  # never more than were set
    with threads_for(0):
        assert numba.get_num_threads() == 1  # no tasks still leaves one thread


def test_threads_for_restores_the_threads_after_an_error():
    before = numba.get_num_threads()
    try:
        with threads_for(1):
            raise RuntimeError("inside")
    except RuntimeError:
        pass
    assert numba.get_num_threads() == before


def fake_package(root: Path) -> Path:
    """A package with a ``core`` module, a module that compiles kernels and one that
    does not, all last modified long ago."""
    package = root / "pkg"
    (package / "core").mkdir(parents=True)
    (package / "core" / "layout.py").write_text("X = 1\n")
    (package / "kernels.py").write_text("from spinesim._numba import jit\n")
    (package / "cli.py").write_text("print('no kernels here')\n")
    age(package)
    return package


def age(package: Path) -> None:
    for path in package.rglob("*.py"):
        os.utime(path, ns=(OLD_NS, OLD_NS))


def touched(package: Path) -> set[str]:
    return {p.name for p in package.rglob("*.py") if p.stat().st_mtime_ns != OLD_NS}


def test_a_changed_kernel_source_makes_every_kernel_module_recompile(tmp_path):
    """Numba checks a cached kernel only against its own file, so a change in any source
    a kernel depends on must touch every such file (a kernel inlines other modules)."""
    package, record = fake_package(tmp_path), tmp_path / "cache" / "kernels.sha256"
    assert refresh_stale_caches(package, record)  # nothing recorded yet
    assert touched(package) == {"layout.py", "kernels.py"}
    age(package)
    assert not refresh_stale_caches(package, record)  # unchanged: caches stay valid
    (package / "cli.py").write_text("print('changed, but no kernel depends on it')\n")
    age(package)
    assert not refresh_stale_caches(package, record)
    assert touched(package) == set()
    (package / "core" / "layout.py").write_text("X = 2\n")  # e.g. a new column index
    age(package)
    assert refresh_stale_caches(package, record)
    assert touched(package) == {"layout.py", "kernels.py"}


def test_a_package_that_cannot_record_is_left_alone(tmp_path):
    package = fake_package(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert not refresh_stale_caches(package, blocker / "kernels.sha256")
