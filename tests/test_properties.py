"""Property-based tests: over valid inputs the outputs stay finite and physically bounded.

Every example runs a short device session (ramp 5 s, hold 5-60 s, return 5 s) so that the
whole file stays fast. Hypothesis is derandomized so that CI sees the same examples on
every run.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import spinesim
from spinesim.core import layout as L

G = 9.81
RAMP_S = 5.0

PROPERTY_SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None)

#: Anchor force margin over body weight. Quasi-statically the ankle holder carries the
#: weight component along the table minus friction, W |sin(theta)| - friction <= W. When the
#: body breaks away, friction drops from static to kinetic and the spring-mass overshoot is
#: at most that drop, (mu_s - mu_k) W cos(theta); with mu_k = 0.8 mu_s the peak stays
#: below W (sin(theta) - 0.6 mu_s cos(theta) <= 1). 10 % covers damping and inertia of a
#: 5 s ramp.
ANCHOR_MARGIN = 0.10

#: Bound on every disc-space change (mm). In a session this short, creep and fluid flow
#: are negligible, so the change is elastic: body weight over the axial stiffness
#: (~1 kN/mm unloaded) is below 1 mm at the middle, and bending within the physiological
#: range of motion (a few degrees per level over a 30 mm disc depth) adds at most ~1.5 mm
#: at the edges. 3 mm leaves a factor of about two beyond that.
GAP_BOUND_MM = 3.0

angles = st.floats(min_value=-90.0, max_value=90.0, allow_nan=False)
holds = st.floats(min_value=5.0, max_value=60.0, allow_nan=False)
subjects = st.builds(
    spinesim.Subject,
    mass_kg=st.floats(min_value=40.0, max_value=120.0),
    height_m=st.floats(min_value=1.5, max_value=2.0),
    sex=st.sampled_from(["male", "female"]),
)
frictions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def table(friction_static: float) -> spinesim.InversionTable:
    return spinesim.InversionTable(
        friction_static=friction_static, friction_kinetic=0.8 * friction_static
    )


@functools.lru_cache(maxsize=64)
def model_for(subject: spinesim.Subject, device: spinesim.InversionTable) -> spinesim.Model:
    """Models are cached: hypothesis replays examples while shrinking."""
    return spinesim.spine_model(subject, device)


def session(model: spinesim.Model, angle: float, hold_s: float = 20.0) -> spinesim.Result:
    protocol = spinesim.Protocol.inversion(angle, ramp_s=RAMP_S, hold_s=hold_s)
    return spinesim.simulate(protocol, model=model)


def end_of_hold(result: spinesim.Result) -> int:
    return result.index_at(result.attrs["hold_end_s"])


def weight(subject: spinesim.Subject) -> float:
    return subject.mass_kg * G


def force_bound(model: spinesim.Model, subject: spinesim.Subject) -> np.ndarray:
    """Per level: 3 x body weight plus the largest muscle tension the protocol can ask for.

    Quasi-statically a level carries at most the weight of the body beyond it (< W) along
    its axis, and the ligament or muscle tension balancing the gravitational moment of that
    weight: its lever arm (centre of mass a few cm anterior) is no longer than the
    ligaments' and muscles' (>= 5 cm posterior), so that adds < W. The muscles' own tension
    (tone at most 1 plus the guarding amplitude, times the level's tension at activation 1)
    compresses the disc on top. 3 W leaves a full body weight for the dynamics of a 5 s
    ramp; in vivo only heavy lifting reaches ~3-4 W at L4-L5 (Wilke et al. 1999), which a
    passive subject on a table must not.
    """
    muscles = spinesim.MuscleProperties()
    activation = max(1.0, muscles.inverted_tone) + muscles.guard_amplitude
    idx = [model.level_index(name) for name in model.levels]
    return 3.0 * weight(subject) + activation * model.joint[idx, L.J_MUSCLE_FORCE]


def segment_force_bound(model: spinesim.Model, subject: spinesim.Subject) -> np.ndarray:
    """Per level: 1.3 x the weight of the bodies cranial of it plus 5 % of body weight.

    The force across a motion segment is what holds the body beyond it (the muscles are
    inside the segment): at rest at most that weight, less where the backrest carries part
    of it. On a table whose friction holds the body through a 5 s ramp to 90 deg, the
    backrest lets go at the top and the hanging chain overshoots: 1.16 x at C3-C4 of a
    120 kg subject, 1.25 x at C4-C5 of a 40 kg one (16 N over)."""
    masses = model.body[:, L.B_MASS]
    beyond = np.array([masses[model.level_index(name) + 1 :].sum() for name in model.levels])
    return 1.3 * G * beyond + 0.05 * weight(subject)


# ------------------------------------------------------------------ finiteness, forces
HEAVY_SHORT = spinesim.Subject(mass_kg=120.0, height_m=1.5)
LIGHT_TALL = spinesim.Subject(mass_kg=40.0, height_m=2.0, sex="female")


@PROPERTY_SETTINGS
@given(angle=angles, subject=subjects, friction=frictions, hold_s=holds)
# the corners, always: the heavy, short subject steeply head-up and head-down
@example(angle=-90.0, subject=HEAVY_SHORT, friction=0.0, hold_s=60.0)
@example(angle=90.0, subject=HEAVY_SHORT, friction=1.0, hold_s=60.0)
@example(angle=-90.0, subject=LIGHT_TALL, friction=1.0, hold_s=5.0)
def test_outputs_finite_and_level_forces_bounded(angle, subject, friction, hold_s):
    model = model_for(subject, table(friction))
    result = session(model, angle, hold_s)
    assert result.time_s[-1] == pytest.approx(2 * RAMP_S + hold_s)
    for name, values in result.data.items():
        assert np.all(np.isfinite(values)), name
    assert np.all(np.abs(result.axial_force) < force_bound(model, subject))
    assert np.all(np.abs(result.segment_force) < segment_force_bound(model, subject))


# --------------------------------------------------------------- anchor force and gaps
def assert_anchor_and_gaps_bounded(result: spinesim.Result, subject: spinesim.Subject) -> None:
    anchor = np.abs(result.anchor_force).max()
    assert anchor < (1.0 + ANCHOR_MARGIN) * weight(subject), f"anchor {anchor:.0f} N"
    gap = np.abs(result.gap_change).max()
    assert gap < GAP_BOUND_MM, f"disc-space change {gap:.2f} mm"


@PROPERTY_SETTINGS
@given(
    angle=st.floats(min_value=-60.0, max_value=90.0, allow_nan=False),
    subject=subjects,
    friction=frictions,
    hold_s=holds,
)
@example(angle=-60.0, subject=HEAVY_SHORT, friction=1.0, hold_s=60.0)
@example(angle=90.0, subject=HEAVY_SHORT, friction=0.0, hold_s=60.0)
def test_anchor_force_and_gap_changes_bounded(angle, subject, friction, hold_s):
    """Down to -60 deg (head-up); steeper head-up angles are tested below."""
    result = session(model_for(subject, table(friction)), angle, hold_s)
    assert_anchor_and_gaps_bounded(result, subject)


@PROPERTY_SETTINGS
@given(angle=st.floats(min_value=-60.0, max_value=90.0, allow_nan=False), subject=subjects)
def test_without_friction_the_ankles_carry_the_weight_along_the_table(angle, subject):
    """With a frictionless backrest only the ankle holder holds the body along the table:
    at rest at the end of the hold the body pulls it with the weight's component along the
    table, W sin(theta), head-ward when head-down (``anchor_force`` convention)."""
    result = session(model_for(subject, table(0.0)), angle, hold_s=30.0)
    expected = weight(subject) * np.sin(np.radians(angle))
    anchor = result.anchor_force[end_of_hold(result)]
    assert anchor == pytest.approx(expected, rel=0.005, abs=0.002 * weight(subject))


@pytest.mark.parametrize(
    ("angle", "subject"),
    [
        (-90.0, spinesim.Subject()),
        (-88.0, spinesim.Subject()),
        (-75.0, spinesim.Subject(mass_kg=120.0, height_m=1.5)),
    ],
    ids=["70kg-minus90", "70kg-minus88", "120kg-1.5m-minus75"],
)
def test_steep_head_up_keeps_anchor_force_and_gap_changes_bounded(angle, subject):
    result = session(model_for(subject, table(0.5)), angle)
    assert_anchor_and_gaps_bounded(result, subject)


# ---------------------------------------------------------------------- monotonicity
_LENGTHS: dict[float, float] = {}


def length_change_at_end_of_hold(model: spinesim.Model, angle: float) -> float:
    """Spine length change (mm) at the end of a 20 s hold; cached by angle (the default
    model is the only one used here)."""
    if angle not in _LENGTHS:
        result = session(model, angle)
        _LENGTHS[angle] = float(result.spine_length_change[end_of_hold(result)])
    return _LENGTHS[angle]


#: Solver noise between nearly equal angles is ~1e-5 mm (rtol 1e-4 of a few mm).
LENGTH_TOLERANCE_MM = 1e-3


@PROPERTY_SETTINGS
@given(
    pair=st.tuples(
        st.floats(min_value=20.0, max_value=90.0, allow_nan=False),
        st.floats(min_value=20.0, max_value=90.0, allow_nan=False),
    )
)
def test_spine_length_change_increases_with_head_down_angle(default_model, pair):
    low, high = sorted(pair)
    lengthening_low = length_change_at_end_of_hold(default_model, low)
    lengthening_high = length_change_at_end_of_hold(default_model, high)
    assert lengthening_high >= lengthening_low - LENGTH_TOLERANCE_MM


def test_spine_length_change_increases_over_the_head_down_range(default_model):
    """The same on a fixed grid, so the whole 20-90 deg range is always covered."""
    grid = [20.0, 35.0, 50.0, 65.0, 80.0, 90.0]
    lengths = [length_change_at_end_of_hold(default_model, a) for a in grid]
    assert np.all(np.diff(lengths) > 0.0)
    assert lengths[0] > 0.0  # traction at 20 deg already lengthens the spine


# --------------------------------------------------------------- head-down L3-L4 pull
@PROPERTY_SETTINGS
@given(
    angle=st.floats(min_value=5.0, max_value=90.0, allow_nan=False),
    subject=subjects,
    friction=frictions,
)
@example(angle=5.0, subject=LIGHT_TALL, friction=0.0)
def test_head_down_l3_l4_segment_force_is_not_compressive(angle, subject, friction):
    """Head-down, the body beyond L3-L4 pulls on it (W_beyond sin(theta)) and friction can
    at most hold that pull back. From 5 deg on: near horizontal, the normal load on the
    curved spine has a ~1 N component along the L3-L4 axis, which may be compressive."""
    result = session(model_for(subject, table(friction)), angle)
    assert result["L3-L4"].segment_force[end_of_hold(result)] >= 0.0
