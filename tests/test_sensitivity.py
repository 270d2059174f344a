"""Sobol' indices: which parameter drives decompression."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.errors import ParameterError

pytest.importorskip("SALib", reason="needs the sweep extra (SALib)")


def test_angle_drives_lumbar_decompression_mass_adds_to_it_and_an_inert_parameter_does_not():
    """Total-effect indices of the lumbar openings: the angle dominates (0.9-1.1 at n = 16),
    the body mass has a share of its own (0.16-0.18: the weight beyond a level grows with
    it, and at steep angles heavier discs reach the cavitation floor), the ankle hinge's
    stiffness none (0.000). A parameter that the sweep failed to pass on would read as
    inert as the control (the friction coefficient tested here before was nearly so,
    0.008, and let such a fault through)."""
    indices, cases = spinesim.sobol_indices(
        {
            "angle_deg": [20.0, 90.0],
            "mass_kg": [50.0, 110.0],
            "ankle_rotational_stiffness": [1000.0, 3000.0],  # the ankle hinge: inert here
        },
        16,
        outputs=("end_gap_change",),
        fixed={"ramp_s": 5.0, "hold_s": 20.0},
        progress=False,
    )
    assert cases.sizes["case"] == 16 * (3 + 2)
    st = indices["ST"].sel(output="end_gap_change")
    for level in ("L4-L5", "L3-L4", "L1-L2"):
        at = st.sel(level=level)
        assert at.sel(parameter="angle_deg") > 0.6
        assert at.sel(parameter="mass_kg") > 0.08
        assert at.sel(parameter="ankle_rotational_stiffness") < 0.01
        assert at.sel(parameter="angle_deg") > at.sel(parameter="mass_kg")
    s1 = indices["S1"].sel(output="end_gap_change", level="L3-L4")
    assert float(s1.sum()) == pytest.approx(1.0, abs=0.2)  # nearly additive
    assert np.isfinite(indices["ST_conf"]).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 12}, "power of 2"),
        ({"seed": -1}, "seed = -1"),
        ({"outputs": ("status",)}, "outputs"),
        ({"bounds": {}}, "at least one"),
        ({"bounds": {"angle_deg": [10.0, 120.0]}}, "angle_deg"),
    ],
)
def test_bad_sensitivity_requests_are_refused(kwargs, message):
    args = {"bounds": {"angle_deg": [10.0, 90.0]}, "n": 8, **kwargs}
    with pytest.raises(ParameterError, match=message):
        spinesim.sobol_indices(args.pop("bounds"), args.pop("n"), progress=False, **args)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, float("nan"), "0.95", True])
def test_a_bad_confidence_is_refused_before_the_sweep_runs(confidence, monkeypatch):
    def no_sweep(*args, **kwargs):
        raise AssertionError("the sweep ran")

    monkeypatch.setattr("spinesim.sweeps.sensitivity.sweep", no_sweep)
    with pytest.raises(ParameterError, match=r"confidence = .*open interval \(0, 1\)"):
        spinesim.sobol_indices({"angle_deg": [10.0, 90.0]}, 8, confidence=confidence)


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ({"angle_deg": [-120, 20]}, r"angle_deg low bound = -120 is not allowed: .*\[-90, 90\]"),
        ({"angle_deg": [90, 20]}, r"angle_deg bounds = \[90, 20\]: low must be below high"),
    ],
)
def test_bounds_outside_the_allowed_range_are_refused_before_sampling(bounds, message, monkeypatch):
    def no_sample(*args, **kwargs):
        raise AssertionError("the bounds were sampled")

    monkeypatch.setattr("SALib.sample.sobol.sample", no_sample)
    with pytest.raises(ParameterError, match=message):
        spinesim.sobol_indices(bounds, 8, progress=False)
