"""The condensed iteration matrix solves the full system ``(I - hd J) x = b``.

The structure the condensation relies on (pose rows of ``J`` are the identity on the
velocities) is checked against differences of the right-hand side in test_jacobian.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.core import iteration_matrix
from spinesim.core import layout as L
from spinesim.core.jacobian import analytic
from tests.test_linalg import dense


def model_jacobian(model, t=5.0):
    """The kernel's block Jacobian of the full spine mid-way up a 60-degree ramp."""
    knots = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=60, return_s=10).knots(
        spinesim.MuscleProperties()
    )
    blocks = [np.zeros((model.n_body, L.BLOCK, L.BLOCK)) for _ in range(3)]
    analytic(t, model.y0, 0, model.body, model.joint, model.glob, knots, *blocks)
    return blocks


@pytest.mark.parametrize("hd", [1e-4, 1e-2, 1.0])
def test_condensed_solve_matches_the_full_dense_solve(default_model, hd):
    jl, jd, ju = model_jacobian(default_model)
    n_blk, m, mc = jd.shape[0], L.BLOCK, L.CONDENSED
    full = np.eye(n_blk * m) - hd * dense(jl, jd, ju)
    condensed = [np.zeros((n_blk, mc, mc)) for _ in range(5)]
    piv = np.zeros((n_blk, mc), dtype=np.int64)
    pattern = np.zeros((n_blk, 2, mc), dtype=np.bool_)
    ml, md, mu, lu, w = condensed
    ok = iteration_matrix.factor(hd, jl, jd, ju, ml, md, mu, lu, piv, w, np.empty(mc), pattern)
    assert ok
    b = np.random.default_rng(1).normal(size=n_blk * m)
    x = b.copy()
    iteration_matrix.solve(x, hd, jl, jd, ju, ml, lu, piv, w, pattern, np.empty(n_blk * mc))
    exact = np.linalg.solve(full, b)
    np.testing.assert_allclose(x, exact, rtol=1e-8, atol=1e-10 * np.abs(exact).max())
