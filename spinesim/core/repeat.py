"""Compiled loops that call one of the kernel's primitives many times, so that its cost
per call can be timed without Python's call overhead (``peers.lower_bound``)."""

from __future__ import annotations

from spinesim._numba import jit
from spinesim.core import iteration_matrix
from spinesim.core.jacobian import analytic
from spinesim.core.mechanics import rhs


@jit
def repeat_rhs(repeats, t, y, segment, body, joint, glob, protocol, out):
    """``repeats`` right-hand sides (:func:`~spinesim.core.mechanics.rhs`) into ``out``."""
    for _ in range(repeats):
        rhs(t, y, segment, body, joint, glob, protocol, out)


@jit
def repeat_jacobian(repeats, t, y, segment, body, joint, glob, protocol, jl, jd, ju):
    """``repeats`` analytic Jacobians (:func:`~spinesim.core.jacobian.analytic`)."""
    for _ in range(repeats):
        analytic(t, y, segment, body, joint, glob, protocol, jl, jd, ju)


@jit
def repeat_factor(repeats, hd, jl, jd, ju, ml, md, mu, lu, piv, w, col, pattern):
    """``repeats`` factorisations of the condensed iteration matrix."""
    for _ in range(repeats):
        iteration_matrix.factor(hd, jl, jd, ju, ml, md, mu, lu, piv, w, col, pattern)


@jit
def repeat_solve(repeats, x, b, hd, jl, jd, ju, ml, lu, piv, w, pattern, condensed):
    """``repeats`` block solves with the factorised iteration matrix (``x`` = M^-1 ``b``)."""
    for _ in range(repeats):
        x[:] = b
        iteration_matrix.solve(x, hd, jl, jd, ju, ml, lu, piv, w, pattern, condensed)
