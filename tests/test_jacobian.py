"""The analytic Jacobian against central differences of the right-hand side.

States come from simulations on every device and posture, at times spread over the
session (ramps, holds, returns; contact sticking and sliding, ligaments slack and taut,
postural control, guarding), so that every element law's derivative is exercised.
"""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L
from spinesim.core.jacobian import analytic
from spinesim.core.mechanics import rhs
from spinesim.device import GravityBoots, HipBench, SuspensionHarness, TractionTable
from spinesim.protocol import typical_day
from spinesim.solver import SolverOptions, run
from tests.test_linalg import dense

Protocol = spinesim.Protocol
#: Relative step of the central differences (at 1e-6 their truncation error reaches 1e-3
#: where a position of ~0.5 m moves a disc of ~1 cm) and the agreement asked of them.
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
    "a day: upright, sitting, lying": (
        None,
        Protocol.inversion(30, hold_s=10, preceding=typical_day(sitting_share=0.5)),
    ),
}


def central_differences(model, knots, t, y, segment, scale):
    """Dense ``df/dy`` by central differences, step ``STEP * max(|y_k|, scale_k)``."""
    n = y.size
    jac = np.empty((n, n))
    f_plus, f_minus = np.empty(n), np.empty(n)
    args = (segment, model.body, model.joint, model.glob, knots)
    for k in range(n):
        step = STEP * max(abs(y[k]), scale[k])
        y_plus, y_minus = y.copy(), y.copy()
        y_plus[k] += step
        y_minus[k] -= step
        rhs(t, y_plus, *args, f_plus)
        rhs(t, y_minus, *args, f_minus)
        jac[:, k] = (f_plus - f_minus) / (2.0 * step)
    return jac


@pytest.mark.parametrize("case", list(CASES))
def test_analytic_jacobian_matches_central_differences(case):
    device, protocol, *tissues = CASES[case]
    model = spinesim.spine_model(device=device, tissues=tissues[0] if tissues else None)
    knots = protocol.knots(model.tissues.muscles, model.device)
    if tissues:  # the case exercises guarding
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
        approx = central_differences(model, knots, t, y, segment, scale)
        # compare in the units the solver weighs: columns scaled by the states' sizes,
        # each row relative to its largest entry
        columns = np.maximum(np.abs(y), scale)
        diff = np.abs(exact - approx) * columns
        row_size = (np.abs(approx) * columns).max(axis=1, keepdims=True)
        worst = (diff / np.maximum(row_size, 1e-300)).max()
        assert worst < TOLERANCE, f"{case}, t = {t:.1f} s: relative error {worst:.2e}"
