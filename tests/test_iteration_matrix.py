"""The condensed iteration matrix solves the full system ``(I - hd J) x = b``."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.core import iteration_matrix
from spinesim.core import layout as L
from spinesim.core.integrator import jacobian
from spinesim.solver import SolverOptions
from tests.test_linalg import dense


def model_jacobian(model, t=5.0):
    """The kernel's block Jacobian of the full spine mid-way up a 60-degree ramp."""
    knots = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=60, return_s=10).knots(
        spinesim.MuscleProperties()
    )
    n_blk, m = model.n_body, L.BLOCK
    y = model.y0.copy()
    f0 = np.empty(y.size)
    spinesim.core.mechanics.rhs(t, y, 0, model.body, model.joint, model.glob, knots, f0)
    blocks = [np.zeros((n_blk, m, m)) for _ in range(3)]
    atol = SolverOptions().absolute_tolerances(n_blk)
    args = (model.body, model.joint, model.glob, knots, 1e-6, atol)
    jacobian(t, y, f0, 0, *args, *blocks, np.empty(y.size), np.empty(y.size))
    return blocks


def test_pose_rows_of_the_jacobian_are_the_velocities(default_model):
    """The structure the condensation relies on: q' = v, in every block."""
    jl, jd, ju = model_jacobian(default_model)
    pose = slice(0, L.POSE)
    expected = np.zeros((L.POSE, L.BLOCK))
    expected[:, L.POSE : 2 * L.POSE] = np.eye(L.POSE)
    np.testing.assert_allclose(jd[:, pose], np.broadcast_to(expected, jd[:, pose].shape))
    assert not jl[1:, pose].any() and not ju[:-1, pose].any()


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
