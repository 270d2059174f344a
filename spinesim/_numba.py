"""The one place where spinesim's Numba settings live.

Every compiled kernel is decorated with :data:`jit` (serial) or :data:`jit_parallel`
(``prange`` batches). Compiled code is cached on disk (``cache=True``) so a new process
loads it instead of compiling again. ``fastmath`` stays off: the solver's error control
relies on IEEE semantics (NaN detection, exact comparisons at breakpoints).

Set the environment variable ``NUMBA_DISABLE_JIT=1`` to run every kernel as plain Python
(for debugging or line coverage); results agree, only slower, except that a float
division by zero then raises ``ZeroDivisionError`` where compiled code gives inf or NaN.

Numba checks a cached kernel only against its own source file, so a kernel that inlines
functions of another module (the batch kernel inlines the right-hand side of
``core/mechanics.py``) would load stale machine code after that module changed (an edit, a
``git pull``). :func:`refresh_stale_caches` therefore runs at import: when a source any
kernel depends on differs from the last import's, it deletes every cached kernel.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import numba
from numba.core import caching

_OPTIONS = {"cache": True, "fastmath": False, "error_model": "numpy", "nogil": True}

#: Serial compiled kernel: no Python objects inside, cached between processes.
jit = numba.njit(**_OPTIONS)

#: Compiled kernel whose ``numba.prange`` loops run on all cores (threads; set the number
#: with ``numba.set_num_threads`` or the ``NUMBA_NUM_THREADS`` environment variable).
jit_parallel = numba.njit(parallel=True, **_OPTIONS)

#: The parallel loop range of :data:`jit_parallel` kernels.
prange = numba.prange


@contextlib.contextmanager
def threads_for(n_tasks: int) -> Iterator[None]:
    """Run the :data:`jit_parallel` calls inside on at most ``n_tasks`` threads (and at
    most the threads set before): a ``prange`` over fewer tasks than threads would leave
    threads idle, yet its start and end still wait for them, which costs milliseconds
    when another process holds a core (on 2 cores with the other one busy, best of 30: a
    10-minute session through ``simulate`` 18.5 -> 10.3 ms, ``spine_model`` 11.1 -> 6.6
    ms)."""
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(before, n_tasks)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


#: What marks a module that compiles kernels: it decorates a function with this module's
#: decorators, however it imported them (``@jit``, ``@jit_parallel``, ``@_numba.jit``).
_COMPILING = re.compile(rb"^[ \t]*@(?:[\w.]+\.)?jit(?:_parallel)?\b", re.MULTILINE)


def _kernel_sources(package: Path) -> dict[Path, bytes]:
    """The modules whose source a compiled kernel depends on, with their sources: this
    one (the compile options), those that compile kernels and ``core/`` (kernels inline
    its functions and freeze its constants, e.g. the column indices of
    ``core/layout.py``)."""
    sources = {p: p.read_bytes() for p in sorted(package.rglob("*.py"))}
    fixed = {package / "_numba.py", *(package / "core").glob("*.py")}
    return {p: text for p, text in sources.items() if p in fixed or _COMPILING.search(text)}


def _cache_files(module: Path) -> list[Path]:
    """Numba's cache files of ``module``'s kernels: in ``__pycache__`` next to it and, if
    ``NUMBA_CACHE_DIR`` is set, in the folder mirroring its path there."""
    folders = [module.parent / "__pycache__"]
    locator = getattr(caching, "UserProvidedCacheLocator", None)
    if numba.config.CACHE_DIR and locator is not None:
        subpath = locator.get_suitable_cache_subpath(str(module))
        folders.append(Path(numba.config.CACHE_DIR) / subpath)
    return [p for folder in folders for p in folder.glob(f"{module.stem}.*.nb[ic]")]


def refresh_stale_caches(package: Path, record: Path) -> bool:
    """Delete the cached kernels of ``package`` if any source a kernel depends on
    (:func:`_kernel_sources`) changed since the digest kept in ``record``, and record the
    new digest: Numba checks a cached kernel only against its own file, so after a change
    elsewhere it would load the old machine code. True if it did; False if nothing changed
    or the cache cannot be written (then it tries again at the next import; an installed
    wheel's files change together on an upgrade, and Numba sees each change)."""
    modules = _kernel_sources(package)
    digest = hashlib.sha256(b"".join(modules.values())).hexdigest()
    try:
        if record.read_text("utf-8").strip() == digest:
            return False
    except OSError:
        pass  # no record yet
    try:
        for path in modules:
            for cached in _cache_files(path):
                cached.unlink(missing_ok=True)
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(digest, "utf-8")
    except OSError:
        return False
    return True


refresh_stale_caches(
    Path(__file__).parent, Path(__file__).parent / "__pycache__" / "kernels.sha256"
)
