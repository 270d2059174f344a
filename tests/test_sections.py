"""Sections of the spine (model-size studies): the first body is held like the legs."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.assembly import spine_section
from spinesim.core import layout as L
from spinesim.solver import SolverOptions, run


@pytest.mark.parametrize(("first", "last"), [("pelvis", "L1"), ("pelvis", "T1")])
def test_a_section_hangs_from_its_held_first_body(default_model, first, last):
    section = spine_section(default_model, first, last)
    assert section.body_names[0] == first and section.body_names[-1] == last
    protocol = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=60)
    knots = protocol.knots(spinesim.MuscleProperties())
    states, stats = run(section, knots, np.array([0.0, 40.0]), SolverOptions())
    moved = np.hypot(*(states[1, [L.S_X, L.S_Y]] - states[0, [L.S_X, L.S_Y]]))
    assert moved < 5e-3  # m: held by the ankle holder's springs, not sliding down the table
    assert stats.steps < 500
