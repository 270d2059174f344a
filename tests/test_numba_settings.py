"""The one module of Numba settings: how many threads a parallel kernel may use, and
recompiling every kernel when a source they depend on changed."""

from __future__ import annotations

from pathlib import Path

import numba
import pytest

import spinesim
from spinesim._numba import _kernel_sources, refresh_stale_caches, threads_for


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
    """A package with a ``core`` module, a module that compiles kernels and one that does
    not, each with a cached kernel in its ``__pycache__``."""
    package = root / "pkg"
    (package / "core").mkdir(parents=True)
    (package / "core" / "layout.py").write_text("X = 1\n")
    (package / "kernels.py").write_text(
        "from spinesim._numba import jit\n\n\n@jit\ndef kernel(x):\n    return x\n"
    )
    (package / "cli.py").write_text("print('no kernels here')\n")
    cache(package)
    return package


def cache(package: Path) -> None:
    for module in package.rglob("*.py"):
        folder = module.parent / "__pycache__"
        folder.mkdir(exist_ok=True)
        for suffix in ("nbi", "1.nbc"):
            (folder / f"{module.stem}.kernel-1.py311.{suffix}").write_text("")


def cached(package: Path) -> set[str]:
    return {p.name.split(".")[0] for p in package.rglob("*.nb[ic]")}


def test_a_changed_kernel_source_deletes_every_cached_kernel(tmp_path):
    """Numba checks a cached kernel only against its own file, so a change in any source
    a kernel depends on must drop every cached kernel (a kernel inlines other modules)."""
    package, record = fake_package(tmp_path), tmp_path / "cache" / "kernels.sha256"
    assert refresh_stale_caches(package, record)  # nothing recorded yet
    assert cached(package) == {"cli"}
    cache(package)
    assert not refresh_stale_caches(package, record)  # unchanged: the caches stay
    (package / "cli.py").write_text("print('changed, but no kernel depends on it')\n")
    assert not refresh_stale_caches(package, record)
    assert cached(package) == {"cli", "layout", "kernels"}
    (package / "core" / "layout.py").write_text("X = 2\n")  # e.g. a new column index
    assert refresh_stale_caches(package, record)
    assert cached(package) == {"cli"}


@pytest.mark.parametrize(
    "source",
    [
        "from spinesim._numba import jit\n\n\n@jit\ndef f(x):\n    return x\n",
        "from spinesim._numba import OPTIONS, jit_parallel\n\n@jit_parallel\ndef f(x): ...\n",
        "from spinesim import _numba\n\n\nclass A:\n    @_numba.jit\n    def f(x): ...\n",
        "from ._numba import (\n    OPTIONS,\n    jit,\n)\n@jit\ndef f(x): ...\n",
        "import spinesim._numba as nb\n@nb.jit\ndef f(x): ...\n",
    ],
)
def test_every_way_of_importing_the_decorators_marks_a_kernel_module(tmp_path, source):
    package, record = fake_package(tmp_path), tmp_path / "cache" / "kernels.sha256"
    (package / "cli.py").write_text(source)
    refresh_stale_caches(package, record)
    cache(package)
    (package / "cli.py").write_text(source + "# changed\n")
    assert refresh_stale_caches(package, record)


@pytest.mark.parametrize(
    "source",
    ["from spinesim._numba import threads_for\n", "import spinesim._numba\n# jit\n"],
)
def test_a_module_that_only_sets_threads_is_no_kernel_module(tmp_path, source):
    package, record = fake_package(tmp_path), tmp_path / "cache" / "kernels.sha256"
    (package / "cli.py").write_text(source)
    refresh_stale_caches(package, record)
    (package / "cli.py").write_text(source + "x = 1  # changed\n")
    assert not refresh_stale_caches(package, record)


def test_a_cache_that_cannot_be_recorded_is_retried(tmp_path):
    package = fake_package(tmp_path)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert not refresh_stale_caches(package, blocker / "kernels.sha256")
    assert refresh_stale_caches(package, tmp_path / "kernels.sha256")  # not recorded before


def test_every_compiled_kernel_lives_in_core():
    """Kernels in one place: outside ``core/`` only this settings module counts as a source
    of compiled code (a kernel elsewhere would also make every edit of its module
    recompile the whole package)."""
    package = Path(spinesim.__file__).parent
    outside = {p for p in _kernel_sources(package) if "core" not in p.relative_to(package).parts}
    assert outside == {package / "_numba.py"}
