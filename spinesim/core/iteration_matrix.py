"""The implicit stages' iteration matrix ``M = I - hd J``, condensed onto the velocities.

Every body's pose rates are its velocities (``x' = vx, y' = vy, phi' = omega``): in each
block the first :data:`~spinesim.core.layout.POSE` rows of ``J`` are the identity on the
velocity columns and zero elsewhere (``core.mechanics.rhs`` sets them so). In ``M x = b``
those rows read ``q - hd v = b_q``, so the poses follow from the velocities,
``q = b_q + hd v``. Substituting them into the other rows leaves a block-tridiagonal
system in the velocities and internal states ``s = (v, rest)`` only, with square blocks of
:data:`~spinesim.core.layout.CONDENSED` entries:

    sum_c (I - hd J_ss - hd^2 J_sq)_c s_c = b_s + hd sum_c (J_sq)_c b_q,c

(``c`` runs over the block columns coupled to the row: the body and its two neighbours;
``J_sq`` are the columns of ``J`` on the poses, ``J_ss`` on the rest, the ``hd^2`` term
sits on the velocity columns that pair with the poses). The condensed matrix has
``(6/9)^2`` of the entries: on the full spine a factorisation costs a third (23 -> 7.4
us) and a solve 0.7 (3.4 -> 2.4 us, the condensation included), and the solutions are
those of the full system (``tests/test_iteration_matrix.py``).
This is the reduction of second-order systems used in implicit multibody integration
(e.g. Hairer & Wanner 1996, Solving ODEs II, sec. VII.1).
"""

from __future__ import annotations

from spinesim._numba import jit
from spinesim.core.layout import BLOCK, CONDENSED, POSE
from spinesim.core.linalg import block_factor, block_solve


@jit
def condense(hd, jl, jd, ju, ml, md, mu):
    """Fill the condensed blocks ``ml, md, mu`` (``(n, CONDENSED, CONDENSED)``) of
    ``M = I - hd J`` from the Jacobian's blocks ``jl, jd, ju`` (``(n, BLOCK, BLOCK)``)."""
    n_blk = jd.shape[0]
    hd2 = hd * hd
    for i in range(n_blk):
        for r in range(CONDENSED):
            row = POSE + r
            for c in range(CONDENSED):
                ml[i, r, c] = -hd * jl[i, row, POSE + c]
                md[i, r, c] = -hd * jd[i, row, POSE + c]
                mu[i, r, c] = -hd * ju[i, row, POSE + c]
            for c in range(POSE):  # velocity column c pairs with pose column c
                ml[i, r, c] -= hd2 * jl[i, row, c]
                md[i, r, c] -= hd2 * jd[i, row, c]
                mu[i, r, c] -= hd2 * ju[i, row, c]
            md[i, r, r] += 1.0


@jit
def factor(hd, jl, jd, ju, ml, md, mu, lu, piv, w, col, pattern):
    """Condense and factorise ``M = I - hd J``; False if a diagonal block is singular
    (arguments as in :func:`condense` and :func:`~spinesim.core.linalg.block_factor`)."""
    condense(hd, jl, jd, ju, ml, md, mu)
    return block_factor(ml, md, mu, lu, piv, w, col, pattern)


@jit
def solve(x, hd, jl, jd, ju, ml, lu, piv, w, pattern, condensed):
    """Solve ``M x = b`` in place (``x`` holds ``b``, flat, ``n * BLOCK``) with the
    factorisation from :func:`factor` (at the same ``hd``); ``condensed`` is scratch of
    length ``n * CONDENSED``."""
    n_blk = jd.shape[0]
    for i in range(n_blk):
        b = i * BLOCK
        for r in range(CONDENSED):
            row = POSE + r
            s = 0.0
            for k in range(POSE):
                s += jd[i, row, k] * x[b + k]
            if i > 0:
                for k in range(POSE):
                    s += jl[i, row, k] * x[b - BLOCK + k]
            if i + 1 < n_blk:
                for k in range(POSE):
                    s += ju[i, row, k] * x[b + BLOCK + k]
            condensed[i * CONDENSED + r] = x[b + row] + hd * s
    block_solve(ml, lu, piv, w, pattern, condensed)
    for i in range(n_blk):
        b = i * BLOCK
        for k in range(POSE):
            x[b + k] += hd * condensed[i * CONDENSED + k]
        for r in range(CONDENSED):
            x[b + POSE + r] = condensed[i * CONDENSED + r]
