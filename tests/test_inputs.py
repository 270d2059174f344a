"""Bad inputs raise ParameterError naming the parameter and the offending value."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import sys
import warnings

import numpy as np
import pytest

import spinesim
from spinesim import ParameterError
from spinesim.core import layout as L
from spinesim.device import KINETIC_FRICTION_RATIO, device_from_name

NAN = float("nan")
INF = float("inf")


@contextlib.contextmanager
def raises_naming(*fragments: str):
    """``pytest.raises(ParameterError)`` whose message must contain every fragment."""
    with pytest.raises(ParameterError) as info:
        yield info
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.fixture(scope="module")
def short_result(default_model) -> spinesim.Result:
    protocol = spinesim.Protocol.inversion(30, ramp_s=5, hold_s=5, return_s=0)
    return spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)


def test_parameter_error_is_a_value_error():
    assert issubclass(ParameterError, ValueError)


# ------------------------------------------------------------------------------- angles
@pytest.mark.parametrize("angle", [-90.5, 90.001, 180.0, -1e6, INF, -INF])
def test_inversion_angle_outside_range(angle):
    with raises_naming("angle_deg", repr(angle)):
        spinesim.Protocol.inversion(angle, ramp_s=5, hold_s=20)


@pytest.mark.parametrize("angle", [-90.0, 90.0])
def test_inversion_angle_limits_are_allowed(angle):
    protocol = spinesim.Protocol.inversion(angle, ramp_s=5, hold_s=20)
    assert protocol.phases[-2].start_deg == angle


@pytest.mark.parametrize("field", ["start_deg", "end_deg"])
@pytest.mark.parametrize("angle", [-91.0, 95.0, NAN])
def test_phase_angle_outside_range_or_nan(field, angle):
    kwargs = {"duration_s": 10.0, "start_deg": 0.0, "end_deg": 0.0, "name": "tilt"}
    kwargs[field] = angle
    with raises_naming("tilt", field, repr(angle)):
        spinesim.Phase(**kwargs)


def test_nan_angle_in_inversion():
    with raises_naming("angle_deg", "nan", "not finite"):
        spinesim.Protocol.inversion(NAN, ramp_s=5, hold_s=20)


def test_nan_angle_in_samples():
    """NumPy's numbers are named as plain numbers (not ``np.float64(nan)``)."""
    with raises_naming("sample 1", "end_deg = nan is not finite"):
        spinesim.Protocol.from_samples([0.0, 5.0, 10.0], [0.0, 30.0, NAN])


@pytest.mark.parametrize("angle", ["60", None, True, [60.0]])
def test_angle_that_is_not_a_number(angle):
    with raises_naming("angle_deg", repr(angle), "not a number"):
        spinesim.Protocol.inversion(angle, ramp_s=5, hold_s=20)


@pytest.mark.parametrize(
    ("kind", "start", "expected"),
    [
        ("upright", 0.0, "-90 deg"),
        ("lying", 30.0, "0 deg"),
        ("sitting", 0.0, "-90 deg"),
        ("kneeling", 0.0, "'kneeling'"),
    ],
)
def test_phase_kind_and_angle_mismatch(kind, start, expected):
    with raises_naming("'bad'", expected):
        spinesim.Phase(10.0, start, start, kind=kind, name="bad")


@pytest.mark.parametrize(
    ("kind", "start", "end", "expected"),
    [
        ("upright", 10.0, 60.0, "stands at -90 deg; got start_deg = 10, end_deg = 60"),
        ("sitting", -90.0, -45.5, "sits at -90 deg; got start_deg = -90, end_deg = -45.5"),
        ("lying", 0.0, 30.0, "lies at 0 deg; got start_deg = 0, end_deg = 30"),
    ],
)
def test_a_posture_phase_at_another_angle_names_the_angles_given(kind, start, end, expected):
    with raises_naming(f"phase: {'an' if kind == 'upright' else 'a'} {kind} phase {expected}"):
        spinesim.Protocol([spinesim.Phase(10, start, end, kind=kind)])


# ---------------------------------------------------------------------------- durations
@pytest.mark.parametrize("value", [0.0, -5.0, NAN])
def test_non_positive_ramp(value):
    with raises_naming("ramp_s", repr(value)):
        spinesim.Protocol.inversion(30, ramp_s=value, hold_s=20)


@pytest.mark.parametrize("value", [0.0, -20.0, NAN, INF])
def test_non_positive_hold(value):
    with raises_naming("hold_s", repr(value)):
        spinesim.Protocol.inversion(30, ramp_s=5, hold_s=value)


@pytest.mark.parametrize("value", [-1.0, NAN])
def test_negative_return(value):
    with raises_naming("return_s", repr(value)):
        spinesim.Protocol.inversion(30, ramp_s=5, hold_s=20, return_s=value)


@pytest.mark.parametrize("value", [0.0, -10.0])
def test_non_positive_phase_duration(value):
    with raises_naming("phase", "duration_s", repr(value)):
        spinesim.Phase(value, 0.0, 30.0)


@pytest.mark.parametrize(
    ("factory", "name"), [(spinesim.upright, "upright_hours"), (spinesim.lying, "lying_hours")]
)
@pytest.mark.parametrize("hours", [0.0, -2.0, NAN, 49.0])
def test_non_positive_preceding_hours(factory, name, hours):
    with raises_naming(name, repr(hours)):
        factory(hours)


@pytest.mark.parametrize(("upright", "asleep"), [(20.0, 10.0), (16, 8.5), (24.0, 0.5)])
def test_a_typical_day_longer_than_24_hours_is_refused(upright, asleep):
    with raises_naming(
        f"hours_upright = {upright!r} and hours_asleep = {asleep!r}",
        "hours_upright + hours_asleep <= 24",
    ):
        spinesim.typical_day(hours_upright=upright, hours_asleep=asleep)


def test_a_typical_day_of_24_hours_is_allowed():
    phases = spinesim.typical_day(hours_upright=16.5, hours_asleep=7.5, sitting_share=0.5)
    assert sum(p.duration_s for p in phases) == 24 * 3600.0


# ------------------------------------------------------------------------------ subject
@pytest.mark.parametrize("mass", [0.0, -70.0, 19.9, 300.1, NAN, INF])
def test_mass_out_of_range(mass):
    with raises_naming("mass_kg", repr(mass)):
        spinesim.Subject(mass_kg=mass)


@pytest.mark.parametrize("height", [0.0, -1.75, 0.99, 2.51, 175.0, NAN])
def test_height_out_of_range(height):
    with raises_naming("height_m", repr(height)):
        spinesim.Subject(height_m=height)


@pytest.mark.parametrize(("mass", "height"), [(300.0, 1.0), (20.0, 2.5), (39.0, 2.0)])
def test_a_build_outside_the_body_mass_index_range_is_refused(mass, height):
    """Mass and stature in range each, not together (a 300 kg, 1.0 m subject compressed
    its discs to negative heights before the check)."""
    with raises_naming("mass_kg", f"height_m = {height:g}", "body-mass index", "10 to 70"):
        spinesim.Subject(mass_kg=mass, height_m=height)


@pytest.mark.parametrize(("mass", "height"), [(40.0, 2.0), (70.0, 1.0), (214.375, 1.75)])
def test_a_build_at_the_body_mass_index_limits_is_allowed(mass, height):
    assert spinesim.Subject(mass_kg=mass, height_m=height).mass_kg == mass


@pytest.mark.parametrize("sex", ["other", "Male", "", None, "m"])
def test_unknown_sex(sex):
    with raises_naming("sex", repr(sex), "male", "female"):
        spinesim.Subject(sex=sex)


# ------------------------------------------------------------------------------- device
def test_kinetic_friction_above_static():
    with raises_naming("friction_kinetic", "0.6", "friction_static", "0.5"):
        spinesim.InversionTable(friction_static=0.5, friction_kinetic=0.6)


@pytest.mark.parametrize("cls", [spinesim.InversionTable, spinesim.TractionTable])
@pytest.mark.parametrize("static", [0.0, 0.3, 0.7])
def test_kinetic_friction_defaults_to_the_same_share_of_static_everywhere(cls, static):
    """The class, the CLI/protocol-file constructor and a sweep's device all take 0.8 x
    static when the kinetic coefficient is not given (a static 0.3 was refused before)."""
    device = cls(friction_static=static)
    assert device.friction_kinetic == pytest.approx(KINETIC_FRICTION_RATIO * static)
    assert device_from_name(cls.name, friction_static=static) == device


def test_kinetic_friction_equal_to_static_is_allowed():
    assert (
        spinesim.InversionTable(friction_static=0.3, friction_kinetic=0.3).friction_kinetic == 0.3
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("friction_static", -0.1),
        ("friction_static", NAN),
        ("ankle_stiffness", 0.0),
        ("ankle_stiffness", 1e4),  # the standing body sinks 69 mm into it
    ],
)
def test_device_out_of_range(field, value):
    kwargs = {field: value}
    if field == "friction_static":
        kwargs["friction_kinetic"] = 0.0
    with raises_naming(f"InversionTable.{field}", repr(value)):
        spinesim.InversionTable(**kwargs)


@pytest.mark.parametrize("value", [-5.0, 61.0, NAN, True])
def test_traction_pull_angle_out_of_range(value):
    with raises_naming("TractionTable.pull_angle_deg", repr(value), "[0, 60]"):
        spinesim.TractionTable(pull_angle_deg=value)


# ---------------------------------------------------------------------------- tissues
TISSUE_CLASSES = [
    spinesim.DiscProperties,
    spinesim.MuscleProperties,
    spinesim.ContactProperties,
    spinesim.LigamentProperties,
]
TISSUE_FIELDS = [(cls, f.name) for cls in TISSUE_CLASSES for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("value", [-1.0, -1e-9, NAN])
@pytest.mark.parametrize(
    ("cls", "field"), TISSUE_FIELDS, ids=[f"{c.__name__}.{f}" for c, f in TISSUE_FIELDS]
)
def test_negative_or_nan_tissue_property(cls, field, value):
    with raises_naming(f"{cls.__name__}.{field}", repr(value)):
        cls(**{field: value})


def test_guard_rise_not_shorter_than_relaxation():
    with raises_naming("guard_rise_s", "60", "guard_time_constant_s", "30"):
        spinesim.MuscleProperties(guard_rise_s=60.0, guard_time_constant_s=30.0)


@pytest.mark.parametrize(("ratio", "bending"), [(2.0, 458.4), (10.0, 99.0), (0.25, 3e3)])
def test_a_postural_control_too_weak_to_stand_is_refused(ratio, bending):
    """Gain times bending stiffness below MIN_POSTURAL_STIFFNESS: the standing trunk
    buckles forward (results jumped with small changes of either)."""
    muscles = spinesim.MuscleProperties(postural_stiffness_ratio=ratio)
    disc = spinesim.DiscProperties(bending_stiffness=bending)
    with raises_naming("postural_stiffness_ratio", "bending_stiffness", repr(ratio), "1000"):
        spinesim.Tissues(muscles=muscles, disc=disc)
    spinesim.Tissues(muscles=muscles, disc=dataclasses.replace(disc, bending_stiffness=5e3))


def test_a_bending_stiffness_the_solver_cannot_carry_is_refused():
    """At 1e5 N m/rad (the earlier limit) with the default gain, and at 2e4 with a gain of
    25, a 150 kg subject's two hours upright exhausted the solver's steps; 5000 with the
    largest gain (100) stands a 200 kg subject."""
    with raises_naming("DiscProperties.bending_stiffness", "20000", "5000"):
        spinesim.DiscProperties(bending_stiffness=2e4)
    spinesim.Tissues(
        disc=spinesim.DiscProperties(bending_stiffness=5e3),
        muscles=spinesim.MuscleProperties(postural_stiffness_ratio=100.0),
    )


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: spinesim.DiscProperties(annulus_fraction=0.0), "annulus_fraction"),
        (lambda: spinesim.DiscProperties(axial_damping=0.0), "axial_damping"),
        (lambda: spinesim.DiscProperties(bending_damping_ratio=0.0), "bending_damping_ratio"),
        (lambda: spinesim.GravityBoots(ankle_rotational_stiffness=0.0), "ankle_rotational"),
    ],
)
def test_edges_the_solver_cannot_carry_are_refused(make, name):
    """At these edges a fuzzing of accepted inputs found discs pulled apart by metres (no
    annulus, no ligaments) and undamped modes that exhausted the solver's steps."""
    with raises_naming(name):
        make()


def test_zero_swelling_pressure_is_rejected():
    """Its range is open at 0 (the swelling strain divides it)."""
    with raises_naming("DiscProperties.swelling_pressure_MPa", "0"):
        spinesim.DiscProperties(swelling_pressure_MPa=0.0)


@pytest.mark.parametrize(
    ("cls", "field", "value"),
    [
        # softer, the vertebrae slide out of line under their own weight (60 mm at 1 N/mm)
        (spinesim.DiscProperties, "shear_stiffness", 1e4),
        # stiffer, an hour upright exceeds the solver's step limit
        (spinesim.MuscleProperties, "postural_stiffness_ratio", 300.0),
        # stiffer bristles drag as they slip: the frictionless lie-down stuck (-374 N at L4-L5)
        (spinesim.ContactProperties, "presliding_m", 1e-4),
    ],
)
def test_tissue_values_the_model_cannot_carry_are_refused(cls, field, value):
    with raises_naming(f"{cls.__name__}.{field}", repr(value)):
        cls(**{field: value})


def test_a_split_level_without_a_split_table_is_refused():
    """It would change nothing: only a split table has a section that rolls."""
    with raises_naming("TractionTable.split_level", "'L3-L4'", "split_table = True"):
        spinesim.TractionTable(split_level="L3-L4")
    assert spinesim.TractionTable(split_table=True, split_level="L3-L4").split_level == "L3-L4"


# ----------------------------------------------------------------------------- solver
@pytest.mark.parametrize("rtol", [0.0, -1e-4, NAN, 0.5])
def test_solver_rtol(rtol):
    with raises_naming("SolverOptions.rtol", repr(rtol)):
        spinesim.SolverOptions(rtol=rtol)


@pytest.mark.parametrize("max_steps", [0, -1, 1.5, True, "100", 10**9 + 1, 2**63])
def test_solver_max_steps(max_steps):
    with raises_naming("SolverOptions.max_steps", repr(max_steps)):
        spinesim.SolverOptions(max_steps=max_steps)


@pytest.mark.parametrize(("field", "value"), [("atol_m", 0.0), ("max_step_s", 0.0)])
def test_solver_other_options(field, value):
    with raises_naming(f"SolverOptions.{field}", repr(value)):
        spinesim.SolverOptions(**{field: value})


# ----------------------------------------------------------------------------- levels
@pytest.mark.parametrize("level", ["L9-L10", "l3-l4", "L3L4", ""])
def test_unknown_level_in_result(short_result, level):
    with raises_naming("level", repr(level), "L3-L4"):
        short_result[level]


def test_known_level_in_result(short_result):
    """A level's view holds every per-level variable, the result's own column."""
    level = short_result["L3-L4"]
    assert level.name == "L3-L4"
    fields = {f.name for f in dataclasses.fields(level)}
    assert fields == {"name", "time_s", *spinesim.result.LEVEL_VARIABLES}
    j = short_result.levels.index("L3-L4")
    for name in spinesim.result.LEVEL_VARIABLES:
        np.testing.assert_array_equal(getattr(level, name), short_result.data[name][:, j])


def test_unknown_level_in_model(default_model):
    with raises_naming("level", "'L9-L10'", "L3-L4"):
        default_model.level_index("L9-L10")
    assert default_model.joint_names[default_model.level_index("L3-L4")] == "L3-L4"


# --------------------------------------------------------------------------- protocols
def test_protocol_without_phases():
    with raises_naming("Protocol", "empty"):
        spinesim.Protocol(())


def test_protocol_without_session_phase():
    with raises_naming("Protocol", "no session phase"):
        spinesim.Protocol((spinesim.upright(1.0), spinesim.lying(1.0)))


@pytest.mark.parametrize(
    ("second", "fragments"),
    [
        (spinesim.Phase(30.0, 6.0, 6.0, name="hold"), ("phase[2]", "'hold'", "start_deg = 6")),
        (
            spinesim.Phase(30.0, 60.0, 60.0, start_pull_N=300.0, end_pull_N=300.0),
            ("phase[2]", "start_pull_N = 300", "phase[1] (phase 'ramp') ends at 0 N"),
        ),
    ],
)
def test_device_phases_that_do_not_join_up_are_refused(second, fragments):
    """A table cannot jump from 60 to 6 deg (a typo in a protocol file), nor a pull from
    0 to 300 N; a posture phase in between, or a ramp, is fine."""
    ramp = spinesim.Phase(10.0, 0.0, 60.0, name="ramp")
    with raises_naming(*fragments, "ramp"):
        spinesim.Protocol((ramp, second))
    between = spinesim.Phase(
        5.0, 60.0, second.start_deg, start_pull_N=0.0, end_pull_N=second.start_pull_N
    )
    spinesim.Protocol((ramp, between, second))
    back = spinesim.Phase(5.0, 60.0, 0.0)
    spinesim.Protocol((ramp, back, spinesim.Phase(60.0, 0.0, 0.0, kind="lying"), second))


@pytest.mark.parametrize(("cycles", "rest_s"), [(3, 0.0), (1, 20.0)])
def test_traction_without_a_release_before_a_cycle_or_rest_is_refused(cycles, rest_s):
    """The pull would drop to the rest value at once."""
    with raises_naming("release_s = 0", f"cycles = {cycles}", "release_s > 0"):
        spinesim.Protocol.traction(300.0, release_s=0.0, cycles=cycles, rest_s=rest_s)
    assert spinesim.Protocol.traction(300.0, release_s=0.0).phases[-1].end_pull_N == 300.0
    # a rest at the full pull is no drop
    steady = spinesim.Protocol.traction(300.0, release_s=0.0, cycles=2, rest_pull_N=300.0)
    assert steady.phases[-1].end_pull_N == 300.0


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda after: spinesim.Protocol.traction(300.0, release_s=0.0, after=after), "release_s"),
        (lambda after: spinesim.Protocol.inversion(60.0, return_s=0.0, after=after), "return_s"),
    ],
)
def test_getting_off_the_device_at_the_load_is_refused(make, fragment):
    """Phases after the session follow a release or a return: nobody gets off head-down or
    while being pulled."""
    with raises_naming(f"{fragment} = 0", "1 phase(s) after"):
        make(spinesim.upright(1.0))
    assert make(()).phases[-1].kind == "device"


def test_a_posture_right_after_a_head_down_device_phase_is_refused():
    """Any protocol, not only the constructors': nobody gets off head-down."""
    standing = spinesim.Phase(60.0, -90.0, -90.0, kind="upright", name="upright")
    with raises_naming(
        "session phase[2] (phase 'upright', upright) follows session phase[1]",
        "allowed: a device phase ending",
    ):
        spinesim.Protocol((spinesim.Phase(10.0, 0.0, 60.0), standing))
    with raises_naming("phase[3] (", "phase[2] (phase 'sample 1'), which ends head-down at 60"):
        spinesim.Protocol.from_samples([0, 10, 20], [0, 60, 60], after=spinesim.upright(0.5))
    with raises_naming("session phase[2]"):  # the preceding phases are not counted
        spinesim.Protocol((spinesim.lying(1.0), spinesim.Phase(10.0, 0.0, 60.0), standing))
    tilted = spinesim.Phase(10.0, 0.0, 60.0, session=False)  # a device phase before it
    with raises_naming("preceding[2] (phase 'upright', upright) follows preceding[1]"):
        spinesim.Protocol((tilted, dataclasses.replace(standing, session=False), standing))
    with raises_naming("session phase[1] (phase).start_deg = 0 deg, but preceding[1]"):
        spinesim.Protocol((tilted, spinesim.Phase(10.0, 0.0, 0.0)))
    head_up = spinesim.Phase(10.0, 0.0, -60.0)  # stepping off a table tilted head-up is fine
    assert spinesim.Protocol((head_up, standing)).phases[-1] == standing


#: Every protocol constructor, as a function of its keyword arguments (the phases
#: ``preceding`` and ``after`` the session).
CONSTRUCTORS = [
    lambda **phases: spinesim.Protocol.inversion(60, **phases),
    lambda **phases: spinesim.Protocol.intermittent(30, 2, **phases),
    lambda **phases: spinesim.Protocol.traction(200, **phases),
    lambda **phases: spinesim.Protocol.from_samples([0.0, 10.0, 20.0], [0.0, 30.0, 0.0], **phases),
]


@pytest.mark.parametrize("make", CONSTRUCTORS)
def test_a_session_phase_given_as_preceding_is_refused(make):
    """It would silently move the baseline (t = 0) to its own start."""
    standing = spinesim.Phase(7200.0, -90.0, -90.0, kind="upright")  # session=True
    with raises_naming("preceding[1]", "not a preceding phase"):
        make(preceding=[spinesim.lying(1.0), standing])


@pytest.mark.parametrize("make", CONSTRUCTORS)
def test_a_device_phase_given_as_after_is_refused(make):
    """The phases after a session are off the device."""
    with raises_naming("after[1]", "on the device", "upright"):
        make(after=[spinesim.lying(0.5), spinesim.Phase(60.0, 30.0, 30.0)])


@pytest.mark.parametrize("argument", ["preceding", "after"])
@pytest.mark.parametrize("make", CONSTRUCTORS)
def test_one_phase_needs_no_list_and_other_values_are_named(make, argument):
    one = make(**{argument: spinesim.upright(1.0)})
    assert one.phases == make(**{argument: [spinesim.upright(1.0)]}).phases
    for bad in (5, "upright", None):
        with raises_naming(argument, repr(bad), "not a phase or a sequence of phases"):
            make(**{argument: bad})


@pytest.mark.parametrize("hours", [False, True, "0", float("nan"), -1.0])
def test_posture_hours_take_numbers_only(hours):
    """0 (a number) leaves a posture out; anything else that is not hours is refused."""
    phases = spinesim.protocol.posture_phases
    with raises_naming("after_upright_hours"):
        phases({"after_upright_hours": hours}, "after_")
    assert phases({"after_upright_hours": np.float64(0.0)}, "after_") == []


def test_preceding_phase_after_session_phase():
    with raises_naming("Protocol", "preceding", "before the session"):
        spinesim.Protocol((spinesim.Phase(10.0, 0.0, 30.0), spinesim.upright(1.0)))


@pytest.mark.parametrize(
    "times",
    [
        [0.0, 10.0, 10.0],  # repeated
        [0.0, 10.0, 5.0],  # decreasing
        [1.0, 10.0, 20.0],  # does not start at 0
        [0.0, NAN, 20.0],
    ],
)
def test_samples_with_bad_times(times):
    with raises_naming("times_s", "increase strictly"):
        spinesim.Protocol.from_samples(times, [0.0, 30.0, 30.0])


def test_samples_message_shows_the_times():
    with raises_naming("times_s", "[0.0, 10.0, 10.0]"):
        spinesim.Protocol.from_samples([0.0, 10.0, 10.0], [0.0, 30.0, 30.0])


@pytest.mark.parametrize(
    ("times", "angles"), [([0.0, 10.0], [0.0]), ([0.0], [0.0]), ([[0.0, 1.0]], [[0.0, 1.0]])]
)
def test_samples_with_bad_shapes(times, angles):
    with raises_naming("times_s", "angles_deg", "shapes"):
        spinesim.Protocol.from_samples(times, angles)


@pytest.mark.parametrize("cycles", [0, -1, 1001, 2.0, True])
def test_intermittent_cycles(cycles):
    with raises_naming("cycles", repr(cycles)):
        spinesim.Protocol.intermittent(30, cycles)


# --------------------------------------------------------------------------- builder
def test_builder_unknown_body_column():
    builder = spinesim.ModelBuilder()
    with raises_naming("'trunk'", "'stiffnes'"):
        builder.add_body("trunk", 10.0, 1.0, stiffnes=1e4)


def test_builder_unknown_joint_column():
    builder = spinesim.ModelBuilder()
    builder.add_body("a", 1.0, 0.1)
    builder.add_body("b", 1.0, 0.1)
    with raises_naming("'disc'", "'k_axiall'"):
        builder.add_joint("disc", height=0.01, k_axiall=1e6)


def test_builder_joint_column_must_be_finite():
    builder = spinesim.ModelBuilder()
    builder.add_body("a", 1.0, 0.1)
    builder.add_body("b", 1.0, 0.1)
    with raises_naming("'disc'", "k_axial", "nan"):
        builder.add_joint("disc", k_axial=NAN)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"c_axial": -2000.0}, "c_axial = -2000.0; allowed: >= 0"),
        ({"k_bend": -1.0}, "k_bend = -1.0; allowed: >= 0"),
        ({"hangs": 0.5}, "hangs = 0.5; allowed: 0 or 1"),
        ({"posture_blend": 0.0}, "posture_blend = 0.0; allowed: > 0"),
    ],
)
def test_builder_joint_columns_in_their_range(columns, message):
    builder = spinesim.ModelBuilder()
    builder.add_body("a", 1.0, 0.1)
    builder.add_body("b", 1.0, 0.1)
    with raises_naming("'disc'", message):
        builder.add_joint("disc", height=0.01, **columns)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"release_device": 0.5}, "release_device = 0.5; allowed: 0 or 1"),
        ({"free_sliding": 2.0}, "free_sliding = 2.0; allowed: 0 or 1"),
        ({"pull_share": -1.5}, "pull_share = -1.5; allowed: [-1, 1]"),
        ({"anchor_k": -1e4}, "anchor_k = -10000.0; allowed: >= 0"),
    ],
)
def test_builder_body_columns_in_their_range(columns, message):
    with raises_naming("'trunk'", message):
        spinesim.ModelBuilder().add_body("trunk", 10.0, 1.0, **columns)


def test_every_range_names_a_column():
    from spinesim import model

    ranged = (
        model._SWITCH_COLUMNS
        | model._SHARE_COLUMNS
        | model._NON_NEGATIVE_COLUMNS
        | model._POSITIVE_COLUMNS
    )
    assert all(isinstance(getattr(L, name, None), int) for name in ranged)


def test_builder_nucleus_needs_a_reference_pressure_of_zero_or_more():
    """Below zero the nucleus law's cavitation floor (p0 + 1 atm) would not be a floor."""
    builder = spinesim.ModelBuilder()
    builder.add_body("a", 1.0, 0.1)
    builder.add_body("b", 1.0, 0.1)
    builder.add_joint("disc", height=0.01, nucleus_area=1e-3, nucleus_k=8e6, swell_p0=-2e5)
    with raises_naming("'disc'", "swell_p0 = -200000"):
        builder.build()


@pytest.mark.parametrize(("mass", "inertia"), [(0.0, 1.0), (-1.0, 1.0), (1.0, 0.0)])
def test_builder_non_positive_mass_or_inertia(mass, inertia):
    builder = spinesim.ModelBuilder()
    bad, value = ("mass", mass) if mass <= 0 else ("inertia", inertia)
    with raises_naming("'a'", bad, repr(value)):
        builder.add_body("a", mass, inertia)


@pytest.mark.parametrize(("mass", "inertia"), [(NAN, 1.0), (1.0, NAN), (INF, 1.0)])
def test_builder_non_finite_mass_or_inertia(mass, inertia):
    builder = spinesim.ModelBuilder()
    bad = "inertia" if math.isfinite(mass) else "mass"
    with raises_naming("'a'", bad):
        builder.add_body("a", mass, inertia)


# --------------------------------------------------------------------------- simulate
@pytest.mark.parametrize("interval", [0.0, -1.0, NAN, 11.0, 1e-4])
def test_simulate_output_interval(default_model, interval):
    """Outside (duration / MAX_OUTPUTS, duration]: 1e-4 s over 10 s would save 10^5 + 1
    times, about 0.8 GB."""
    protocol = spinesim.Protocol.inversion(30, ramp_s=5, hold_s=5, return_s=0)
    with raises_naming("output_interval_s", repr(interval)):
        spinesim.simulate(protocol, model=default_model, output_interval_s=interval)


# ------------------------------------------------------------------ numpy scalar inputs
@pytest.mark.parametrize("angle", [np.int64(60), np.float32(60.0)], ids=["int64", "float32"])
def test_numpy_scalar_angle_is_accepted(angle):
    protocol = spinesim.Protocol.inversion(angle, ramp_s=5, hold_s=20)
    assert math.isclose(protocol.phases[1].start_deg, 60.0)


def test_numpy_float64_is_accepted():
    protocol = spinesim.Protocol.inversion(np.float64(60.0), ramp_s=5, hold_s=20)
    assert protocol.phases[1].start_deg == 60.0
    assert spinesim.Subject(mass_kg=np.float64(80.0)).mass_kg == 80.0


def test_ramp_rate_sets_the_ramp_time():
    protocol = spinesim.Protocol.inversion(60, ramp_rate_deg_s=4.0, hold_s=30)
    assert protocol.phases[0].duration_s == pytest.approx(15.0)
    assert protocol.phases[-1].duration_s == pytest.approx(15.0)  # return at the same rate
    with raises_naming("ramp_rate_deg_s", "0.0"):
        spinesim.Protocol.inversion(60, ramp_rate_deg_s=0.0)


def test_disc_properties_leave_the_nucleus_a_positive_stiffness():
    with raises_naming("annulus_fraction", "preload_stiffening"):
        spinesim.DiscProperties(annulus_fraction=0.4, preload_stiffening=2.5)


def test_muscle_lever_arm_cannot_switch_off_postural_control():
    with raises_naming("lever_arm_m", "0.0"):
        spinesim.MuscleProperties(lever_arm_m=0.0)


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        ({"height": 0.0, "nucleus_area": 1e-3}, "height > 0"),
        ({"height": 0.01, "permeability": 1e-11, "swell_eps": 0.1}, "nucleus_area > 0"),
        ({"height": 0.01, "permeability": 1e-11, "nucleus_area": 1e-3}, "swell_eps > 0"),
    ],
)
def test_builder_refuses_joints_whose_laws_would_divide_by_zero_or_grow_unbounded(columns, named):
    b = spinesim.ModelBuilder()
    b.add_body("a", 1.0, 0.01)
    b.add_body("b", 1.0, 0.01)
    b.add_joint("disc", **columns)
    with raises_naming("joint 'disc'", named):
        b.build()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: {"y0": m.y0[:-9]}, "Model.y0 has shape"),
        (lambda m: {"joint": m.joint[:-1]}, "Model.joint has shape"),
        (lambda m: {"body": m.body[:, :-1]}, "Model.body has shape"),
        (lambda m: {"glob": m.glob.astype(np.float32)}, "Model.glob has shape"),
        (lambda m: {"body_names": m.body_names[:-1]}, "Model.body_names has"),
        (lambda m: {"levels": ("L9-L10",)}, "not joints"),
    ],
)
def test_a_model_the_kernels_would_misread_is_refused(default_model, change, message):
    """A mismatched model used to crash the interpreter (free(): invalid pointer)."""
    with pytest.raises(ParameterError, match=message):
        dataclasses.replace(default_model, **change(default_model))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: spinesim.simulate(p, device="boots"), r"device = 'boots' \(type str\)"),
        (lambda p: spinesim.simulate(p, subject=70), r"subject = 70 \(type int\)"),
        (lambda p: spinesim.simulate(p, solver={}), r"solver = \{\} \(type dict\)"),
        (lambda p: spinesim.simulate(p, tissues=5), r"tissues = 5 \(type int\)"),
        (lambda p: spinesim.simulate([p]), r"protocol = \[.*\(type list\)"),
        (lambda p: spinesim.Tissues(disc=5), r"Tissues.disc = 5 \(type int\)"),
        (lambda p: spinesim.Phase(10.0, 0.0, 30.0, session="no"), r"session = 'no'"),
        (lambda p: spinesim.Protocol(p.phases[0]), "a sequence of Phase objects"),
    ],
)
def test_arguments_of_the_wrong_type_are_named(call, message):
    """They used to fail deep inside with an AttributeError."""
    with pytest.raises(ParameterError, match=message):
        call(spinesim.Protocol.inversion(30.0, hold_s=10.0))


def test_a_protocol_from_a_generator_keeps_its_phases():
    phases = (spinesim.Phase(10.0, 0.0, 30.0), spinesim.Phase(20.0, 30.0, 30.0))
    protocol = spinesim.Protocol(p for p in phases)
    assert protocol.phases == phases
    assert protocol.session_duration_s == 30.0


def test_numpy_numbers_in_a_phase_become_plain_floats():
    """A phase built from NumPy scalars (e.g. a sweep's table) simulates and saves."""
    phase = spinesim.Phase(np.float32(30.0), np.int64(0), np.float32(0.0), kind="lying")
    assert all(type(v) is float for v in (phase.duration_s, phase.start_deg, phase.end_deg))
    result = spinesim.simulate(spinesim.Protocol((phase,)))
    assert result.attrs["phases"][0][2] == 30.0


# ------------------------------------------------------------------------------- compare
@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            (spinesim.Protocol.inversion(60), spinesim.GravityBoots()),
            "cases['b']: phase 'hold': on device 'boots' the body hangs free at 90 deg",
        ),
        (spinesim.Protocol.traction(100), "cases['b']: phase 'ramp': pull_N > 0 needs a traction"),
        ((spinesim.Protocol.inversion(60), "boots"), "cases['b']: device = 'boots' (type str)"),
    ],
)
def test_compare_names_the_invalid_case_before_running_any(case, message, monkeypatch):
    def no_simulation(*args, **kwargs):
        raise AssertionError("a case ran")

    monkeypatch.setattr(sys.modules["spinesim.compare"], "simulate", no_simulation)
    with raises_naming(message):
        spinesim.compare({"a": spinesim.Protocol.inversion(60), "b": case})


def test_compare_names_the_case_whose_simulation_refuses_an_input():
    """An input refused only when a case is simulated (an output interval longer than that
    case's session) names the case too."""
    short = spinesim.Protocol.inversion(30, ramp_s=1, hold_s=1, return_s=0)
    with raises_naming("cases['short']: ", "output_interval_s = 5"):
        spinesim.compare({"short": short}, output_interval_s=5.0)


def test_compare_table_takes_a_single_level_as_a_string(short_result):
    comparison = spinesim.Comparison({"a": short_result, "b": short_result})
    text = comparison.table_text(levels="L4-L5")
    rows = [line.split()[0] for line in text.splitlines() if line.strip().startswith("L")]
    assert rows == ["L4-L5"] * 3  # segment force, disc force, disc space: one row each
    with raises_naming("levels = 'L9'", "['L9'] unknown"):
        comparison.table_text(levels="L9")


def test_a_tilt_faster_than_the_model_covers_warns(default_model):
    """The model neglects the fictitious forces of the tilting (2 % of g at 20 deg/s): a
    faster ramp is simulated, with a warning naming its rate; the default ramps are not."""
    fast = spinesim.Protocol.inversion(90, ramp_s=2, hold_s=10)
    assert fast.fastest_tilt_deg_s == 45.0
    with pytest.warns(spinesim.SpinesimWarning, match="up to 45 deg/s; above 20 deg/s"):
        spinesim.simulate(fast, model=default_model)
    # the rate is the tilting's over a second, not the noise between a trace's samples
    t = np.arange(0.0, 60.001, 0.01)
    angle = np.clip(6.0 * t, 0.0, 60.0) * (t < 50) + (t >= 50) * 6.0 * (60.0 - t)
    angle[1:-1] += 0.05 * np.random.default_rng(0).standard_normal(t.size - 2)  # 30 deg/s
    traced = spinesim.Protocol.from_samples(t, angle, end_of_hold_s=50.0)
    assert traced.fastest_tilt_deg_s == pytest.approx(6.0, rel=0.05)
    # a second that ends at a knot counts too (18 deg/s from the knots, 21 over 3.5-4.5 s)
    phase = spinesim.Phase
    late = spinesim.Protocol((phase(4, 0, 72), phase(0.5, 72, 84), phase(30, 84, 84)))
    assert late.fastest_tilt_deg_s == pytest.approx(21.0)
    usual = spinesim.Protocol.inversion(90, hold_s=10)  # 10 s ramp: 9 deg/s
    with warnings.catch_warnings():
        warnings.simplefilter("error", spinesim.SpinesimWarning)
        spinesim.simulate(usual, model=default_model)


def test_a_device_phase_that_starts_away_from_the_posture_before_it_warns(default_model):
    """Lying (0 deg) or standing (-90 deg), then a device phase at another angle: the model
    tilts the body there at once (L4-L5 -177 to +18 N in 0.18 s), which no device does."""
    jump = spinesim.Protocol.from_samples([0, 5, 100, 110], [40, 60, 60, 0])
    assert jump.tilts_at_once == ((0.0, 0.0, 40.0),)
    with pytest.warns(spinesim.SpinesimWarning, match="starts at 40 deg right after a phase at 0"):
        spinesim.simulate(jump, model=default_model)
    standing = spinesim.Protocol(
        (spinesim.upright(1.0), spinesim.Phase(30, -90, -90), spinesim.Phase(10, -90, 0))
    )
    assert standing.tilts_at_once == ()  # strapped in standing: no jump
    assert spinesim.Protocol.inversion(60, preceding=spinesim.upright(1.0)).tilts_at_once == ()


def test_a_trace_saving_more_times_than_the_cap_is_refused_before_it_runs():
    """Every phase end is saved, so a recorded trace saves each sample: past MAX_OUTPUTS
    (about 0.8 GB) it is refused, not run (150,001 samples took 1.46 GB)."""
    from spinesim.simulate import MAX_OUTPUTS

    t = np.linspace(0.0, 600.0, MAX_OUTPUTS + 1)
    trace = spinesim.Protocol.from_samples(t, np.clip(t, 0.0, 60.0), end_of_hold_s=500.0)
    with raises_naming("the session saves 1004", "MAX_OUTPUTS = 100000", "resample"):
        spinesim.simulate(trace)


def test_a_recorded_trace_without_a_hold_warns_and_end_of_hold_s_sets_it():
    """A sampled 60 deg session with noise holds no angle exactly: without end_of_hold_s
    its end-of-hold values would be read after the return, flat (L4-L5 about -140 N
    instead of +88 N), so simulate says so; from_samples' end_of_hold_s reads them at the
    hold's end."""
    t = np.arange(0.0, 41.0)
    angles = np.interp(t, [0, 10, 30, 40], [0, 60, 60, 0])
    angles[1:-1] += np.random.default_rng(0).normal(0.0, 0.2, t.size - 2)
    with pytest.warns(UserWarning, match=r"read at t = 40 s \(where the person gets off"):
        spinesim.simulate(spinesim.Protocol.from_samples(t, angles))
    paused = spinesim.Protocol.from_samples(range(8), [0, 10, 10, 58, 61, 59, 60.5, 0])
    assert paused.hold_end_s == 2.0 and paused.lacks_hold  # a pause at 10 deg on the way up
    # standing on the table held upright before the tilt is no hold (model.md §2.16)
    phase = spinesim.Phase
    upright_first = spinesim.Protocol(
        (phase(30, -90, -90), phase(15, -90, 60), phase(300, 60, 60), phase(10, 60, 0))
    )
    assert upright_first.hold_end_s == 345.0 and not upright_first.lacks_hold
    head_up = spinesim.Protocol.inversion(-60.0, hold_s=60.0)
    assert head_up.hold_end_s == 70.0 and not head_up.lacks_hold
    # a hold within TILT_NOISE_DEG of the entry angle keeps its side: its hold ends at the
    # end of the hold, not after the return, and a head-up one peaks where it loads
    for angle in (-1.01, -1.0, -0.5, 0.5, 1.0):
        small = spinesim.Protocol.inversion(angle, hold_s=300.0)
        assert small.hold_end_s == 310.0 and small.load_sense == np.sign(angle)
    protocol = spinesim.Protocol.from_samples(t, angles, end_of_hold_s=30.0)
    assert protocol.hold_end_s == 30.0 and not protocol.lacks_hold
    with raises_naming("Protocol.end_of_hold_s = 50"):
        spinesim.Protocol.from_samples(t, angles, end_of_hold_s=50.0)
    flat = spinesim.Protocol.inversion(0.0, hold_s=10.0)  # nothing loaded: nothing to say
    steady = spinesim.Protocol.from_samples([0, 10, 30, 40], [0, 60, 60, 0])  # a hold
    assert not flat.lacks_hold and not steady.lacks_hold and steady.hold_end_s == 30.0


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        # each was accepted silently (a default used instead, or a wrong physics) or raised a
        # bare TypeError/ValueError/AttributeError naming nothing (a code review)
        (lambda: spinesim.simulate(spinesim.Protocol.inversion(30), tissues=0), ["tissues = 0"]),
        (lambda: spinesim.sweep(spinesim.Grid(angle_deg=[10.0]), solver="x"), ["solver = 'x'"]),
        (lambda: spinesim.sweep(spinesim.Grid(angle_deg=[10.0]), progress="no"), ["progress"]),
        (lambda: spinesim.sweep(spinesim.Grid(angle_deg=[10.0]), resume="no"), ["resume"]),
        (lambda: spinesim.spine_model(settle="no"), ["settle = 'no'"]),
        (lambda: spinesim.ModelBuilder(prone="no").build(), ["ModelBuilder.prone = 'no'"]),
        (
            lambda: spinesim.ModelBuilder().add_body("a", 1.0, 1.0, k_normal=None),
            ["body 'a': k_normal = None", "not a number"],
        ),
        (lambda: spinesim.ModelBuilder().add_body("a", 1.0, 1.0, seat=True), ["seat = True"]),
        (lambda: spinesim.Subject(sex=["male"]), ["sex = ['male']", "'female'"]),
        (lambda: spinesim.device_from_name(["table"]), ["device = ['table']", "'boots'"]),
        (lambda: spinesim.Protocol.from_samples(["a", "b"], [0, 1]), ["times_s = ['a', 'b']"]),
        (lambda: spinesim.Protocol.from_samples([0, 1], [0, 1j]), ["angles_deg = [0, 1j]"]),
        (lambda: spinesim.load_result(None), ["path = None"]),
    ],
)
def test_values_of_the_wrong_kind_are_refused_by_name(call, fragments):
    with raises_naming(*fragments):
        call()


def test_a_result_is_not_written_to_a_path_of_the_wrong_kind(short_result):
    with raises_naming("path = 5", "allowed: str or PathLike"):
        short_result.to_netcdf(5)
