"""Floating-point lower bound of an implicit solve: the least arithmetic a 2nd-order,
L-stable one-step method needs for a given number of steps, over a machine's peak rate.

Counts are per step of TR-BDF2 with the kernel's block-tridiagonal algebra (the iteration
matrix condensed onto square blocks of ``CONDENSED`` entries, see
``core.iteration_matrix``) and the fewest evaluations it can do: two implicit stages with one
Newton iteration each (a right-hand side and a block solve), the right-hand side at the
second stage's solution (the first stage's derivative comes from its stage equation),
and the error estimate's block solve. Factorisations and Jacobians can be reused across
steps, so the bound leaves them out. The right-hand side's count is an estimate from the
operations in ``core.mechanics.rhs`` (transcendental functions counted as
:data:`TRANSCENDENTAL_FLOPS`). :func:`primitive_seconds` times what each of these
primitives actually costs in the kernel, to show where the gap to the bound lies.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import numpy as np

from spinesim.core import iteration_matrix, repeat
from spinesim.core.integrator import D
from spinesim.core.jacobian import analytic
from spinesim.core.layout import BLOCK, CONDENSED, POSE

if TYPE_CHECKING:
    from spinesim.model import Model

#: A sine, cosine or exponential counted as this many floating-point operations.
TRANSCENDENTAL_FLOPS = 20
#: Right-hand side per body (gravity, contact with friction, anchor; 1 sin/cos, 1 exp) and
#: per joint (kinematics, disc, fluid flow, 2 ligaments, muscles, force application; 3 exp:
#: nucleus, swelling pressure, conductance), estimated.
RHS_FLOPS_PER_BODY = 90 + 3 * TRANSCENDENTAL_FLOPS
RHS_FLOPS_PER_JOINT = 222 + 3 * TRANSCENDENTAL_FLOPS
#: Right-hand sides and block solves per step (see the module docstring).
RHS_PER_STEP = 3
SOLVES_PER_STEP = 3


def rhs_flops(n_body: int) -> int:
    """Floating-point operations (flop) of one right-hand side of ``n_body`` bodies."""
    return n_body * RHS_FLOPS_PER_BODY + (n_body - 1) * RHS_FLOPS_PER_JOINT


def solve_flops(n_body: int, m: int = CONDENSED, pose: int = POSE) -> int:
    """A condensed solve: per block, the right-hand side's pose terms (2 m pose flop for
    each of the 3 coupled blocks), forward and back substitution (2 m^2 for the block's
    LU, 2 m^2 each for the lower and upper couplings) and the poses (2 pose)."""
    return n_body * (6 * m * pose + 6 * m * m + 2 * pose)


def step_flops(n_body: int) -> int:
    """Floating-point operations (flop) of the least work of one step (module docstring)."""
    return RHS_PER_STEP * rhs_flops(n_body) + SOLVES_PER_STEP * solve_flops(n_body)


_PEAK_PROBE = """
import time, numpy as np
n = 1024
a, b = np.random.rand(n, n), np.random.rand(n, n)
a @ b
best = min(
    (lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(7)
)
print(2.0 * n**3 / best)
"""


def single_core_peak() -> float:
    """Floating-point rate (flop/s) of one core on a large matrix product (BLAS limited to
    one thread, in a fresh process): the practical peak the serial kernel is held to."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_PROBE], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def primitive_seconds(
    model: Model, knots: np.ndarray, t: float, repeats: int = 2000
) -> dict[str, float]:
    """Seconds per call of the kernel's primitives on ``model`` at its initial state and
    time ``t`` of the protocol ``knots`` (compiled loops, best of 3): ``rhs``, ``jacobian``
    (analytic), ``factorization`` and ``block_solve`` (condensed iteration matrix at a step
    of 0.1 s)."""
    y = np.ascontiguousarray(model.y0, dtype=float)
    segment = min(int(np.searchsorted(knots[:, 0], t, side="right")) - 1, len(knots) - 2)
    n_blk, m, mc = model.n_body, BLOCK, CONDENSED
    common = (t, y, segment, model.body, model.joint, model.glob, knots)
    jl, jd, ju = (np.zeros((n_blk, m, m)) for _ in range(3))
    ml, md, mu, lu, w = (np.zeros((n_blk, mc, mc)) for _ in range(5))
    piv = np.zeros((n_blk, mc), dtype=np.int64)
    pattern = np.zeros((n_blk, 2, mc), dtype=np.bool_)
    analytic(*common, jl, jd, ju)
    hd = D * 0.1  # TR-BDF2's d h at a step of 0.1 s
    factor_args = (hd, jl, jd, ju, ml, md, mu, lu, piv, w, np.empty(mc), pattern)
    iteration_matrix.factor(*factor_args)
    b = np.ones(y.size)
    x = np.empty(y.size)
    solve_args = (hd, jl, jd, ju, ml, lu, piv, w, pattern, np.empty(n_blk * mc))
    calls = {
        "rhs": lambda n: repeat.repeat_rhs(n, *common, np.empty(y.size)),
        "jacobian": lambda n: repeat.repeat_jacobian(n, *common, jl, jd, ju),
        "factorization": lambda n: repeat.repeat_factor(n, *factor_args),
        "block_solve": lambda n: repeat.repeat_solve(n, x, b, *solve_args),
    }
    seconds = {}
    for name, call in calls.items():
        call(1)
        best = np.inf
        for _ in range(3):
            start = time.perf_counter()
            call(repeats)
            best = min(best, (time.perf_counter() - start) / repeats)
        seconds[name] = best
    return seconds
