"""Plausibility against physiology: intradiscal pressure by posture, traction by angle."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim

G = 9.81


def pressure_l45(result: spinesim.Result, time_s: float) -> float:
    return float(result["L4-L5"].pressure[result.index_at(time_s)])


def test_standing_and_lying_pressures_in_wilke_range(default_model):
    """Wilke et al. 1999 (L4-L5, 70 kg): relaxed standing 0.50 MPa; lying 0.10 MPa rising to
    0.24 MPa overnight. A day upright, then the night in bed."""
    protocol = spinesim.Protocol(
        (
            spinesim.upright(2.0),
            spinesim.Phase(7 * 3600.0, 0.0, 0.0, kind="lying", name="night"),
        )
    )
    result = spinesim.simulate(protocol, model=default_model, output_interval_s=600)
    standing = pressure_l45(result, 0.0)
    lying_early = pressure_l45(result, 600.0)
    lying_late = pressure_l45(result, 7 * 3600.0)
    assert 0.40 <= standing <= 0.60
    assert 0.08 <= lying_early <= 0.25
    assert lying_late > lying_early  # the disc takes up fluid overnight (Wilke: 0.10 -> 0.24)
    assert 0.15 <= lying_late <= 0.30
    assert result["L4-L5"].fluid_change[-1] > 0.0


def test_a_day_upright_shortens_the_spine_by_about_a_centimetre(default_model):
    """Diurnal stature loss is 1-2 cm (review statement, Liu et al. 2022 [V]); the lumbar
    discs lose height and fluid (Martin et al. 2022: -6 to -8% height, [V])."""
    protocol = spinesim.Protocol((spinesim.Phase(16 * 3600.0, -90.0, -90.0, kind="upright"),))
    result = spinesim.simulate(protocol, model=default_model, output_interval_s=3600)
    assert -25.0 < result.spine_length_change[-1] < -5.0
    lumbar = [result.levels.index(n) for n in ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")]
    assert np.all(result.fluid_change[-1, lumbar] < -1.0)
    assert np.all(result.gap_change[-1, lumbar, 1] < -0.3)


@pytest.fixture(scope="module")
def inversion_60(default_model):
    return spinesim.simulate(
        spinesim.Protocol.inversion(60, ramp_s=10, hold_s=300), model=default_model
    )


def test_traction_at_60_deg_is_between_zero_and_weight_beyond(default_model, inversion_60):
    """At 60 deg for 5 min (70 kg, 1.75 m) the pull through L3-L4 is positive and below the
    weight of the body beyond it; every lumbar disc space opens."""
    result = inversion_60
    k = result.index_at(result.attrs["hold_end_s"])
    names = default_model.body_names
    beyond = default_model.body[names.index("L3") :, 0].sum() * G
    segment = result["L3-L4"].segment_force[k]
    assert 0.0 < segment < beyond
    assert 0.0 < result["L3-L4"].axial_force[k] < segment  # muscles and ligaments take a share
    for level in ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"):
        assert result[level].gap_change[k, 1] > 0.05  # mm, opening
    assert result.spine_length_change[k] > 1.0


def test_shallow_angle_effect_is_a_small_fraction_of_60_deg(default_model, inversion_60):
    """At 15 deg, tan(15) = 0.27 < mu = 0.5: friction holds most of the pull back."""
    shallow = spinesim.simulate(
        spinesim.Protocol.inversion(15, ramp_s=10, hold_s=300), model=default_model
    )
    k = shallow.index_at(shallow.attrs["hold_end_s"])
    gap_15 = shallow["L3-L4"].gap_change[k, 1]
    gap_60 = inversion_60["L3-L4"].gap_change[k, 1]
    assert abs(gap_15) < 0.25 * gap_60
    assert shallow.spine_length_change[k] < 0.25 * inversion_60.spine_length_change[k]


def test_more_friction_holds_back_more_traction():
    low = spinesim.simulate(
        spinesim.Protocol.inversion(40, ramp_s=10, hold_s=60),
        device=spinesim.InversionTable(friction_static=0.2, friction_kinetic=0.16),
    )
    high = spinesim.simulate(
        spinesim.Protocol.inversion(40, ramp_s=10, hold_s=60),
        device=spinesim.InversionTable(friction_static=0.8, friction_kinetic=0.64),
    )
    k = low.index_at(low.attrs["hold_end_s"])
    assert low["L3-L4"].segment_force[k] > high["L3-L4"].segment_force[k] + 25.0
