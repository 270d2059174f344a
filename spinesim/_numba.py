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

import numba

_OPTIONS = {"cache": True, "fastmath": False, "error_model": "numpy", "nogil": True}

#: Serial compiled kernel: no Python objects inside, cached between processes.
jit = numba.njit(**_OPTIONS)

#: Compiled kernel whose ``numba.prange`` loops run on all cores (threads; set the number
#: with ``numba.set_num_threads`` or the ``NUMBA_NUM_THREADS`` environment variable).
jit_parallel = numba.njit(parallel=True, **_OPTIONS)

#: The parallel loop range of :data:`jit_parallel` kernels.
prange = numba.prange
