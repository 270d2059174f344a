"""Sections of the spine (model-size studies): the first body is held like the legs."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L
from spinesim.model import spine_section
from spinesim.solver import SolverOptions, run


@pytest.mark.parametrize(("first", "last"), [("pelvis", "L1"), ("pelvis", "T1")])
def test_a_section_hangs_from_its_held_first_body(default_model, first, last):
    """On a frictionless backrest at 60 deg the held first body carries the section's
    weight along the table on the ankle holder's spring: it moves by W sin(60) / k."""
    section = spine_section(default_model, first, last)
    assert section.body_names[0] == first and section.body_names[-1] == last
    protocol = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=60)
    knots = protocol.knots(spinesim.MuscleProperties())
    knots[:, L.P_FRICTION] = 0.0
    states, _ = run(section, knots, np.array([0.0, 60.0]), SolverOptions())
    weight = section.body[:, L.B_MASS].sum() * section.glob[L.G_GRAVITY]
    expected = weight * np.sin(np.radians(60.0)) / section.body[0, L.B_ANCHOR_K]
    moved = states[1, L.S_X] - states[0, L.S_X]  # along the table, head-ward
    assert moved == pytest.approx(expected, rel=0.01)
