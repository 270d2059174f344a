"""Block-tridiagonal linear algebra for the implicit solver (cost linear in the bodies).

A matrix with square blocks of size ``m`` on ``n`` block rows is stored as three arrays
of shape ``(n, m, m)``, ``m`` being the condensed block of the state layout,
:data:`~spinesim.core.layout.CONDENSED` (the solver's linear systems, see
:mod:`spinesim.core.iteration_matrix`; a compile-time constant, so that the compiler
unrolls and vectorises the block loops: a quarter less time than with ``m`` read from
the arrays): ``lower[i]`` couples row block ``i`` to column block ``i - 1``, ``diag[i]``
to ``i`` and ``upper[i]`` to ``i + 1`` (``lower[0]`` and ``upper[n-1]`` are unused). The
factorisation is block LU without pivoting between blocks and with partial pivoting
inside each diagonal block (zero rows of ``lower`` and zero columns of ``upper``, as
most are in a chain, are skipped):

    A = L U,  L = [D'_i on the diagonal, lower_i below],  U = [I on the diagonal, W_i above]
    D'_0 = diag_0,  W_i = D'_i^{-1} upper_i,  D'_i = diag_i - lower_i W_{i-1}
"""

from __future__ import annotations

import numpy as np

from spinesim._numba import jit
from spinesim.core.layout import CONDENSED


@jit
def lu_factor_dense(a, piv):
    """In-place LU with partial pivoting of the square matrix ``a``; False if singular.

    The diagonal of ``U`` is stored inverted: the solves multiply instead of dividing
    (a division's latency sits on the triangular solve's dependency chain).
    """
    m = CONDENSED
    for k in range(m):
        p = k
        big = abs(a[k, k])
        for r in range(k + 1, m):
            if abs(a[r, k]) > big:
                big = abs(a[r, k])
                p = r
        piv[k] = p
        if big == 0.0 or not np.isfinite(big):
            return False
        if p != k:
            for c in range(m):
                tmp = a[k, c]
                a[k, c] = a[p, c]
                a[p, c] = tmp
        inv = 1.0 / a[k, k]
        a[k, k] = inv
        for r in range(k + 1, m):
            a[r, k] *= inv
            f = a[r, k]
            if f != 0.0:
                for c in range(k + 1, m):
                    a[r, c] -= f * a[k, c]
    return True


@jit
def lu_solve_dense(lu, piv, x):
    """Solve ``A x = b`` in place (``x`` holds ``b``) from :func:`lu_factor_dense` output."""
    m = CONDENSED
    for k in range(m):
        p = piv[k]
        if p != k:
            tmp = x[k]
            x[k] = x[p]
            x[p] = tmp
    for r in range(1, m):
        s = x[r]
        for c in range(r):
            s -= lu[r, c] * x[c]
        x[r] = s
    for r in range(m - 1, -1, -1):
        s = x[r]
        for c in range(r + 1, m):
            s -= lu[r, c] * x[c]
        x[r] = s * lu[r, r]


@jit
def block_factor(lower, diag, upper, lu, piv, w, col, pattern):
    """Factorise the block-tridiagonal matrix; fills ``lu``, ``piv`` and ``w``.

    ``col`` is scratch of length ``m``; ``pattern`` (``(n, 2, m)`` booleans) records which
    rows of ``lower`` (``pattern[i, 0]``) and columns of ``w`` (``pattern[i, 1]``) are
    nonzero, for :func:`block_solve`. Returns False if a diagonal block is singular.
    """
    n = diag.shape[0]
    m = CONDENSED
    lu[0, :, :] = diag[0]
    if not lu_factor_dense(lu[0], piv[0]):
        return False
    for i in range(1, n):
        for c in range(m):
            nonzero = False
            for r in range(m):
                col[r] = upper[i - 1, r, c]
                if col[r] != 0.0:
                    nonzero = True
            pattern[i - 1, 1, c] = nonzero
            if nonzero:
                lu_solve_dense(lu[i - 1], piv[i - 1], col)
            for r in range(m):
                w[i - 1, r, c] = col[r]
        for r in range(m):
            nonzero = False
            for k in range(m):
                if lower[i, r, k] != 0.0:
                    nonzero = True
                    break
            pattern[i, 0, r] = nonzero
            for c in range(m):
                s = diag[i, r, c]
                if nonzero:
                    for k in range(m):
                        s -= lower[i, r, k] * w[i - 1, k, c]
                lu[i, r, c] = s
        if not lu_factor_dense(lu[i], piv[i]):
            return False
    return True


@jit
def block_solve(lower, lu, piv, w, pattern, x):
    """Solve ``A x = b`` in place for the factorised matrix; ``x`` is flat, length ``n*m``."""
    n = lu.shape[0]
    m = CONDENSED
    lu_solve_dense(lu[0], piv[0], x[0:m])
    for i in range(1, n):
        xi = x[i * m : (i + 1) * m]
        xp = x[(i - 1) * m : i * m]
        for r in range(m):
            if pattern[i, 0, r]:
                s = 0.0
                for k in range(m):
                    s += lower[i, r, k] * xp[k]
                xi[r] -= s
        lu_solve_dense(lu[i], piv[i], xi)
    for i in range(n - 2, -1, -1):
        xi = x[i * m : (i + 1) * m]
        xn = x[(i + 1) * m : (i + 2) * m]
        for k in range(m):
            if pattern[i, 1, k]:
                xk = xn[k]
                for r in range(m):
                    xi[r] -= w[i, r, k] * xk
