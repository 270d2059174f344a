"""The analytic Jacobian against central differences of the right-hand side.

States come from simulations on every device and posture, at times spread over the
session (ramps, holds, returns; contact sticking and sliding, ligaments slack and taut,
postural control; guarding, whose activation depends on time only and adds no term of
its own but shifts the states sampled), so that every element law's derivative is
exercised.
"""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L
from spinesim.core.jacobian import analytic, contact_spring_slopes, nucleus_slope
from spinesim.core.mechanics import contact_spring, nucleus_pressure_rise, rhs
from spinesim.device import GravityBoots, HipBench, SuspensionHarness, TractionTable
from spinesim.protocol import typical_day
from spinesim.solver import SolverOptions, run
from tests.test_linalg import dense

Protocol = spinesim.Protocol
#: Relative step of the central differences and the agreement asked of them. Their
#: truncation error (1e-3 at a step of 1e-6 where a position of ~0.5 m moves a disc of
#: ~1 cm; 1e-4 at 1e-7 on a compressed nucleus' exponential law) is removed by Richardson
#: extrapolation from the steps STEP and STEP / 2.
STEP = 1e-7
TOLERANCE = 1e-4

#: Muscles that guard at the onset of a head-down tilt (the default does not).
GUARDING = spinesim.Tissues(muscles=spinesim.MuscleProperties(tilt_guard_amplitude=0.5))

CASES = {
    "table 60 deg": (None, Protocol.inversion(60, ramp_s=10, hold_s=60, return_s=10)),
    "table 90 deg, guarding": (
        None,
        Protocol.inversion(90, ramp_s=2, hold_s=30, return_s=2),
        GUARDING,
    ),
    "boots": (GravityBoots(), Protocol.inversion(90, hold_s=30)),
    "hip bench, hands": (HipBench(hand_support=0.4), Protocol.inversion(90, hold_s=30)),
    "harness": (SuspensionHarness(), Protocol.inversion(-90, hold_s=30)),
    "traction, supine": (TractionTable(), Protocol.traction(300, hold_s=30)),
    "traction, prone, split": (
        TractionTable(position="prone", split_table=True),
        Protocol.traction(300, hold_s=30),
    ),
    "traction, prone, split, 700 N: the nucleus cavitates": (
        TractionTable(position="prone", split_table=True),
        Protocol.traction(700, hold_s=60),
    ),
    "a day: upright, sitting, lying": (
        None,
        Protocol.inversion(30, hold_s=10, preceding=typical_day(sitting_share=0.5)),
    ),
    "a day at ten times the postural gain (a narrower postural blend)": (
        None,
        Protocol.inversion(30, hold_s=10, preceding=typical_day(sitting_share=0.5)),
        spinesim.Tissues(muscles=spinesim.MuscleProperties(postural_stiffness_ratio=100.0)),
    ),
}


def central_differences(model, knots, t, y, segment, scale, relative_step=STEP):
    """Dense ``df/dy`` by central differences, step ``relative_step * max(|y_k|, scale_k)``."""
    n = y.size
    jac = np.empty((n, n))
    f_plus, f_minus = np.empty(n), np.empty(n)
    args = (segment, model.body, model.joint, model.glob, knots)
    for k in range(n):
        step = relative_step * max(abs(y[k]), scale[k])
        y_plus, y_minus = y.copy(), y.copy()
        y_plus[k] += step
        y_minus[k] -= step
        rhs(t, y_plus, *args, f_plus)
        rhs(t, y_minus, *args, f_minus)
        jac[:, k] = (f_plus - f_minus) / (2.0 * step)
    return jac


def extrapolated_differences(model, knots, t, y, segment, scale):
    """Richardson extrapolation of :func:`central_differences` at STEP and STEP / 2: its
    O(step^2) truncation error cancels."""
    coarse = central_differences(model, knots, t, y, segment, scale, STEP)
    fine = central_differences(model, knots, t, y, segment, scale, STEP / 2.0)
    return (4.0 * fine - coarse) / 3.0


@pytest.mark.parametrize("case", list(CASES))
def test_analytic_jacobian_matches_central_differences(case):
    device, protocol, *tissues = CASES[case]
    model = spinesim.spine_model(device=device, tissues=tissues[0] if tissues else None)
    knots = protocol.knots(model.tissues.muscles, model.device)
    if tissues and tissues[0].muscles.tilt_guard_amplitude > 0.0:  # states under guarding
        assert knots[:, L.P_GUARD].max() > 0.0
    times = np.linspace(knots[0, 0], knots[-1, 0], 12)[1:-1]
    states, _ = run(model, knots, times, SolverOptions())
    options = SolverOptions()
    scale = options.absolute_tolerances(model.n_body) / options.rtol
    n, m = model.n_body, L.BLOCK
    blocks = [np.zeros((n, m, m)) for _ in range(3)]
    for t, y in zip(times, states, strict=True):
        segment = min(int(np.searchsorted(knots[:, 0], t, side="right")) - 1, len(knots) - 2)
        analytic(t, y, segment, model.body, model.joint, model.glob, knots, *blocks)
        exact = dense(*blocks)
        approx = extrapolated_differences(model, knots, t, y, segment, scale)
        # compare in the units the solver weighs: columns scaled by the states' sizes,
        # each row relative to its largest entry
        columns = np.maximum(np.abs(y), scale)
        diff = np.abs(exact - approx) * columns
        row_size = (np.abs(approx) * columns).max(axis=1, keepdims=True)
        worst = (diff / np.maximum(row_size, 1e-300)).max()
        assert worst < TOLERANCE, f"{case}, t = {t:.1f} s: relative error {worst:.2e}"
        # each state's own rate derivative, relative to itself: the rows above are
        # dominated by their position entries and would hide an error in a small diagonal
        # entry (e.g. the fluid conductance's own strain dependence)
        own_exact, own_approx = np.diag(exact), np.diag(approx)
        own = np.abs(own_exact - own_approx) / np.maximum(np.abs(own_approx), 1e-300)
        own[own_approx == 0.0] = np.abs(own_exact[own_approx == 0.0])
        # a bristle deflection within a difference step of zero: the slip rate's own slope
        # is proportional to |z| there (a kink at z = 0, where it vanishes), and the
        # differences straddling the kink average the two sides of a near-zero entry
        kinked = np.zeros(y.size, dtype=bool)
        kinked[L.S_BRISTLE :: L.BLOCK] = True
        own[kinked & (np.abs(y) < STEP * np.maximum(np.abs(y), scale))] = 0.0
        worst_own = f"state {own.argmax()}: relative error {own.max():.2e}"
        assert own.max() < TOLERANCE, f"{case}, t = {t:.1f} s: {worst_own}"


@pytest.mark.parametrize(
    ("depth", "tilt"),
    [(0.01, 0.005), (0.01, -0.005), (0.002, 0.02), (-0.002, -0.02), (0.0, 0.03), (0.004, 0.0)],
)
def test_spread_contact_slopes_match_central_differences(depth, tilt):
    """The slopes of a spread contact's force and torque in depth and tilt, on the whole
    length, with one end lifted (either tilt), and flat: against central differences."""
    body = np.zeros((1, L.NB))
    body[0, L.B_K_NORMAL], body[0, L.B_CONTACT_LENGTH] = 3e4, 0.8
    w, h = 5e-4, 1e-8

    def spring(d, t):
        return np.array(contact_spring(d, t, body, 0, w)[:2])

    by_depth = (spring(depth + h, tilt) - spring(depth - h, tilt)) / (2 * h)
    by_tilt = (spring(depth, tilt + h) - spring(depth, tilt - h)) / (2 * h)
    force_depth, force_tilt, torque_depth, torque_tilt = contact_spring_slopes(
        depth, tilt, body, 0, w
    )
    np.testing.assert_allclose([force_depth, torque_depth], by_depth, rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose([force_tilt, torque_tilt], by_tilt, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("e", [-0.2, -0.037, -0.035, -0.03, -0.01, -1e-6, 1e-6, 0.01, 0.05])
def test_nucleus_slope_matches_central_differences(e):
    """The nucleus law's slope in tension, through the blend into the cavitation floor
    (here from e = -0.036 to -0.029), on it, and in compression (either side of e = 0,
    where only the first derivative is continuous)."""
    k0, e0, limit = 8e6, 0.04, 2.6e5
    h = 1e-7
    by_e = nucleus_pressure_rise(e + h, k0, e0, limit) - nucleus_pressure_rise(e - h, k0, e0, limit)
    assert nucleus_slope(e, k0, e0, limit) == pytest.approx(by_e / (2 * h), rel=1e-6, abs=1e-3)
