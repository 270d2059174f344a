"""The one place where spinesim's Numba settings live.

Every compiled kernel is decorated with :data:`jit` (serial) or :data:`jit_parallel`
(``prange`` batches). Compiled code is cached on disk (``cache=True``) so a new process
loads it instead of compiling again. ``fastmath`` stays off: the solver's error control
relies on IEEE semantics (NaN detection, exact comparisons at breakpoints).

Set the environment variable ``NUMBA_DISABLE_JIT=1`` to run every kernel as plain Python
(for debugging or line coverage); results agree, only slower, except that a float
division by zero then raises ``ZeroDivisionError`` where compiled code gives inf or NaN.

Developers: Numba checks only the cached function's own source file, so after editing
``core/mechanics.py`` the cached ``core/integrator.py`` kernels would still inline the old
physics. Delete the cache after editing a kernel module:
``find spinesim -name '*.nb[ic]' -delete``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numba

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
