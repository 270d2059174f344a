"""scipy's ``solve_ivp`` on any spinesim model, with the kernel's analytic Jacobian.

The right-hand side is spinesim's compiled ``rhs`` called from Python, so scipy solves the
same equations as the compiled integrator; only the time stepping differs. The Jacobian
is the kernel's compiled analytic block-tridiagonal one (``core/jacobian.py``) handed to
scipy as a sparse matrix (Radau, BDF) or in LSODA's packed banded format (its band spans
the neighbouring bodies' blocks). Banded, LSODA factorises its iteration matrix in work
linear in the bodies; with the dense matrix it took about 3 times as long on the full
spine. scipy's own finite-difference Jacobian stalls on this problem at tight tolerances.

Like the kernel, the solve restarts at every protocol knot, where the inputs may have
kinks or jumps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

from spinesim.core import layout as L
from spinesim.core.jacobian import analytic
from spinesim.core.mechanics import rhs
from spinesim.errors import SolverError

if TYPE_CHECKING:
    from spinesim.model import Model

#: The implicit methods of ``solve_ivp`` that take a Jacobian.
METHODS = ("Radau", "BDF", "LSODA")


def _block_pattern(n_body: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of a block-tridiagonal matrix, in the order of
    :func:`_block_values`."""
    m = L.BLOCK
    rows, cols = [], []
    for i in range(n_body):
        for jb in (i - 1, i, i + 1):
            if 0 <= jb < n_body:
                r, c = np.meshgrid(
                    np.arange(i * m, (i + 1) * m), np.arange(jb * m, (jb + 1) * m), indexing="ij"
                )
                rows.append(r.ravel())
                cols.append(c.ravel())
    return np.concatenate(rows), np.concatenate(cols)


def _block_values(jl: np.ndarray, jd: np.ndarray, ju: np.ndarray) -> np.ndarray:
    n_body = jd.shape[0]
    values = []
    for i in range(n_body):
        if i > 0:
            values.append(jl[i].ravel())
        values.append(jd[i].ravel())
        if i < n_body - 1:
            values.append(ju[i].ravel())
    return np.concatenate(values)


#: Half-bandwidth of the block-tridiagonal Jacobian: an entry's row and column lie in
#: the same or neighbouring bodies' blocks.
HALF_BAND = 2 * L.BLOCK - 1


def block_jacobian(
    model: Model, knots: np.ndarray, segment: int, banded: bool = False
) -> Callable[[float, np.ndarray], sp.csc_matrix | np.ndarray]:
    """``jac(t, y)`` for ``solve_ivp`` within protocol segment ``segment``: the kernel's
    analytic block-tridiagonal Jacobian as a CSC matrix, or if ``banded`` in LSODA's
    packed format (``lband = uband =`` :data:`HALF_BAND`: entry ``(i, j)`` in row
    ``HALF_BAND + i - j`` of column ``j``)."""
    n, n_body, m = model.y0.size, model.n_body, L.BLOCK
    rows, cols = _block_pattern(n_body)
    jl, jd, ju = (np.zeros((n_body, m, m)) for _ in range(3))

    def jac(t: float, y: np.ndarray) -> sp.csc_matrix | np.ndarray:
        analytic(t, y, segment, model.body, model.joint, model.glob, knots, jl, jd, ju)
        values = _block_values(jl, jd, ju)
        if banded:
            packed = np.zeros((2 * HALF_BAND + 1, n))
            packed[HALF_BAND + rows - cols, cols] = values
            return packed
        return sp.csc_matrix((values, (rows, cols)), shape=(n, n))

    return jac


def solve(
    model: Model,
    knots: np.ndarray,
    save_times: np.ndarray,
    method: str,
    rtol: float,
    atol: np.ndarray,
) -> np.ndarray:
    """States ``(n_save, n_state)`` of ``model`` at ``save_times`` from ``solve_ivp``.

    ``atol`` is the per-entry absolute tolerance (e.g.
    ``SolverOptions(...).absolute_tolerances(model.n_body)``, the same weights as the
    compiled solver's). Raises :class:`SolverError` if scipy fails.
    """
    if method not in METHODS:
        raise ValueError(f"method = {method!r}; allowed: {METHODS}")
    n = model.y0.size
    save_times = np.asarray(save_times, dtype=float)
    y = model.y0.copy()
    saved: dict[float, np.ndarray] = {}
    for seg in range(knots.shape[0] - 1):
        ta, tb = knots[seg, L.P_TIME], knots[seg + 1, L.P_TIME]
        if tb <= ta:
            continue

        def f(t: float, state: np.ndarray, seg: int = seg) -> np.ndarray:
            out = np.empty(n)
            rhs(t, state, seg, model.body, model.joint, model.glob, knots, out)
            return out

        t_eval = np.union1d(save_times[(save_times >= ta) & (save_times <= tb)], [tb])
        banded = method == "LSODA"
        band = {"lband": HALF_BAND, "uband": HALF_BAND} if banded else {}
        jac = block_jacobian(model, knots, seg, banded=banded)
        sol = solve_ivp(
            f, (ta, tb), y, method=method, rtol=rtol, atol=atol, jac=jac, t_eval=t_eval, **band
        )
        if not sol.success:
            raise SolverError(f"scipy {method}: {sol.message}", time_s=float(ta), status=-1)
        saved.update(zip(sol.t, sol.y.T, strict=True))
        y = sol.y[:, -1]
    return np.array([saved[t] for t in save_times])
