"""Protocols: equivalent descriptions give the same physics; summaries find the hold."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L
from spinesim.errors import ParameterError
from spinesim.protocol_file import protocol_from_dict
from spinesim.solver import SolverOptions, run
from spinesim.sweeps.execute import BatchSettings, output_times

from .conftest import knots


def test_samples_and_ramp_describe_the_same_session():
    """A 0 -> 60 deg ramp given as 21 samples is the same session as Protocol.inversion:
    guarding (here switched on for tilts) starts once per tilt, not at every sample."""
    muscles = spinesim.MuscleProperties(tilt_guard_amplitude=0.5)
    model = spinesim.spine_model(tissues=spinesim.Tissues(muscles=muscles))
    ramp = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=50, return_s=0)
    times = [*np.linspace(0.0, 10.0, 21), 60.0]
    angles = [*np.linspace(0.0, 60.0, 21), 60.0]
    sampled = spinesim.Protocol.from_samples(times, angles)
    onsets = sampled.knots(muscles)[:, L.P_GUARD]
    assert np.count_nonzero(onsets) == 1 and onsets.max() == muscles.tilt_guard_amplitude
    a = spinesim.simulate(ramp, model=model, output_interval_s=1.0)
    b = spinesim.simulate(sampled, model=model, output_interval_s=1.0)
    assert a.muscle_activation.max() > 1.2  # the guarding shows
    assert b.muscle_activation.max() == pytest.approx(a.muscle_activation.max(), rel=0.02)
    np.testing.assert_allclose(b["L3-L4"].axial_force[-10:], a["L3-L4"].axial_force[-10:], atol=2.0)


def test_guarding_at_a_traction_pull_peaks_at_its_amplitude_and_relaxes():
    muscles = spinesim.MuscleProperties()
    protocol = spinesim.Protocol.traction(200, ramp_s=1, hold_s=600, release_s=0)
    result = spinesim.simulate(protocol, device=spinesim.TractionTable(), output_interval_s=0.5)
    guard = result.muscle_activation - 1.0  # lying flat: tone 1
    after = result.time_s > 1.0
    tau, rise = muscles.guard_time_constant_s, muscles.guard_rise_s
    t_peak = tau * rise / (tau - rise) * np.log(tau / rise)
    assert guard[after].max() == pytest.approx(muscles.guard_amplitude, rel=0.01)
    assert result.time_s[after][np.argmax(guard[after])] == pytest.approx(t_peak, abs=1.0)
    k = result.index_at(t_peak + 3 * tau)
    assert guard[k] == pytest.approx(muscles.guard_amplitude * np.exp(-3), rel=0.05)


def test_guarding_compresses_the_discs_by_the_muscles_tension():
    """At the guarding's peak under a 200 N split-table pull, the extensors pull with
    ``guard_amplitude`` x ``F_max`` (0.5 x 176 N at L4-L5) more than without guarding. The
    pull across each motion segment is set by the table and stays put, so the disc and
    its ligaments take that tension as compression: the disc 84 of the 88 N at L4-L5 and
    75 of 83 N at L3-L4, the ligaments, relieved, the rest. (Reading the activation
    output alone could not see the muscles drop out of the equations of motion.)"""
    device = spinesim.TractionTable(split_table=True)
    protocol = spinesim.Protocol.traction(200, ramp_s=1, hold_s=60, release_s=0)
    loads = {}
    for amplitude in (0.0, 0.5):
        tissues = spinesim.Tissues(muscles=spinesim.MuscleProperties(guard_amplitude=amplitude))
        result = spinesim.simulate(protocol, device=device, tissues=tissues, output_interval_s=0.5)
        muscles = tissues.muscles
        tau, rise = muscles.guard_time_constant_s, muscles.guard_rise_s
        k = result.index_at(tau * rise / (tau - rise) * np.log(tau / rise))  # the peak
        loads[amplitude] = {
            level: (result[level].axial_force[k], result[level].segment_force[k])
            for level in ("L4-L5", "L3-L4")
        }
        assert result.muscle_activation[k] == pytest.approx(1.0 + amplitude, abs=1e-3)
    model = spinesim.spine_model(device=device, settle=False)
    for level in ("L4-L5", "L3-L4"):
        tension = 0.5 * model.joint[model.joint_names.index(level), L.J_MUSCLE_FORCE]
        (disc_0, segment_0), (disc_1, segment_1) = loads[0.0][level], loads[0.5][level]
        assert segment_1 == pytest.approx(segment_0, abs=2.0)
        assert 0.8 * tension < disc_0 - disc_1 < tension


def test_guarding_grows_with_the_rise_of_the_pull_so_more_pull_gives_more_traction():
    """A pull's onset guards in proportion to its rise up to ``guard_full_pull_N``: raising
    a held 300 N pull by 0.01 N starts (almost) no guarding, by 10 N a little, and the
    traction that reaches L4-L5 grows with the pull (with the full transient at every rise,
    310 N gave 76 N against 116 N at 300 N)."""
    muscles = spinesim.MuscleProperties()

    def session(bump_N: float) -> spinesim.Protocol:
        top = 300.0 + bump_N
        return spinesim.Protocol(
            (
                spinesim.upright(2.0),
                spinesim.Phase(30, 0, 0, start_pull_N=0, end_pull_N=300),
                spinesim.Phase(300, 0, 0, start_pull_N=300, end_pull_N=300),
                spinesim.Phase(1, 0, 0, start_pull_N=300, end_pull_N=top),
                spinesim.Phase(60, 0, 0, start_pull_N=top, end_pull_N=top),
                spinesim.Phase(30, 0, 0, start_pull_N=top, end_pull_N=0),
            )
        )

    onsets = {b: session(b).knots(muscles)[:, L.P_GUARD] for b in (0.0, 0.01, 85.0)}
    assert onsets[0.0].max() == muscles.guard_amplitude  # the first ramp: 300 N
    assert np.count_nonzero(onsets[0.0]) == 1
    assert sorted(onsets[0.01])[-2] == pytest.approx(0.5 * 0.01 / 170.0)
    assert sorted(onsets[85.0])[-2] == pytest.approx(0.25)
    forces = []
    for bump in (0.0, 0.01, 10.0):
        result = spinesim.simulate(
            session(bump), device=spinesim.TractionTable(split_table=True), output_interval_s=1
        )
        forces.append(result["L4-L5"].axial_force[result.index_at(391.0)])
    assert forces[1] == pytest.approx(forces[0], abs=0.1)
    assert forces[2] > forces[0] + 1.0


def ripple_phases(ripple_N: float, hold_s: float = 120.0) -> list[spinesim.Phase]:
    """A 30 s ramp to 300 N, held for ``hold_s`` as a trace sampled every 0.5 s with a
    0.5 Hz ripple of +-``ripple_N``, and a 30 s release."""
    t = np.arange(0.0, hold_s + 1e-9, 0.5)
    pull = 300.0 + ripple_N * np.sin(np.pi * t)
    phases = [spinesim.Phase(30, 0, 0, start_pull_N=0, end_pull_N=pull[0])]
    phases += [
        spinesim.Phase(0.5, 0, 0, start_pull_N=a, end_pull_N=b) for a, b in itertools.pairwise(pull)
    ]
    return [*phases, spinesim.Phase(30, 0, 0, start_pull_N=pull[-1], end_pull_N=0)]


def rippled_traction(ripple_N: float, hold_s: float = 120.0) -> spinesim.Protocol:
    """:func:`ripple_phases` after 2 h upright, summarised at the end of the hold."""
    phases = ripple_phases(ripple_N, hold_s)
    return spinesim.Protocol((spinesim.upright(2.0), *phases), end_of_hold_s=30 + hold_s)


def test_ripple_on_a_recorded_pull_neither_guards_again_nor_costs_steps(default_model):
    """Guarding answers load the muscles have not met: a +-5 N ripple on a held pull
    re-arms almost none of it (it started the transient at every rise, and its activation
    reached 2.4), and a sample that changes the pull by a few newtons forces few steps
    (each forced 40, 22 times the steps of the clean hold)."""
    twice = spinesim.Protocol(ripple_phases(5.0) * 2)  # released in between: re-armed once
    onsets = twice.knots(spinesim.MuscleProperties())[:, L.P_GUARD]
    assert 1.0 <= onsets.sum() < 1.3  # two full onsets (the second cycle's ripple: 30.5)
    device = spinesim.TractionTable(split_table=True)
    clean, rippled = (
        spinesim.simulate(rippled_traction(r), model=spinesim.spine_model(device=device))
        for r in (0.0, 5.0)
    )
    k = clean.index_at(150.0)
    assert rippled.muscle_activation[k] == pytest.approx(clean.muscle_activation[k], abs=0.1)
    assert rippled["L4-L5"].axial_force[k] > clean["L4-L5"].axial_force[k] - 20.0
    assert rippled.attrs["solver"]["steps"] < 4 * clean.attrs["solver"]["steps"]


def test_a_noisy_recorded_tilt_costs_a_few_steps_per_sample():
    """A 60 deg session recorded at 10 Hz with 0.3 deg of noise (6000 samples in 10 min
    exhausted the 200,000 steps at 488 s) gives the clean session's result."""
    rng = np.random.default_rng(0)
    t = np.arange(0.0, 120.01, 0.1)
    angle = np.clip(6.0 * t, 0.0, 60.0) * (t < 110) + (t >= 110) * 6.0 * (120.0 - t)
    angle += 0.3 * rng.standard_normal(t.size) * ((t > 10) & (t < 110))
    angle[0] = angle[-1] = 0.0
    noisy = spinesim.simulate(spinesim.Protocol.from_samples(t, angle, end_of_hold_s=110))
    clean = spinesim.simulate(spinesim.Protocol.inversion(60, ramp_s=10, hold_s=100))
    assert noisy.attrs["solver"]["steps"] < 5 * t.size
    end = [r.summary()["levels"]["L4-L5"]["end_gap_change_mm"]["middle"] for r in (noisy, clean)]
    assert end[0] == pytest.approx(end[1], abs=0.01)


@pytest.mark.parametrize("tilt_guard", [0.0, 0.4])
def test_a_head_down_tilt_guards_only_when_asked(tilt_guard):
    """Nosse 1978: paraspinal EMG falls as soon as the body is inverted, so by default a
    tilt adds no guarding; ``tilt_guard_amplitude`` models an apprehensive user."""
    muscles = spinesim.MuscleProperties(tilt_guard_amplitude=tilt_guard)
    model = spinesim.spine_model(tissues=spinesim.Tissues(muscles=muscles))
    protocol = spinesim.Protocol.inversion(60, ramp_s=1, hold_s=120, return_s=0)
    result = spinesim.simulate(protocol, model=model, output_interval_s=0.5)
    tone = 1.0 + (muscles.inverted_tone - 1.0) * np.sin(np.radians(60))
    after = result.time_s > 1.0
    peak = (result.muscle_activation[after] - tone).max()
    assert peak == pytest.approx(tilt_guard, rel=0.01, abs=1e-9)


def test_hold_end_is_the_steepest_hold_head_up_or_down():
    assert spinesim.Protocol.intermittent(-30, 2).hold_end_s == pytest.approx(210.0)
    assert spinesim.Protocol.intermittent(60, 2).hold_end_s == pytest.approx(210.0)
    assert spinesim.Protocol.inversion(45, ramp_s=5, hold_s=20).hold_end_s == pytest.approx(25.0)


def test_phases_after_a_session_join_it_and_leave_the_hold_where_it_was():
    """``after=`` appends session phases (the baseline stays at the ramp's start); the
    end of the hold stays that of the device, also where the device has no hold."""
    alone = spinesim.Protocol.inversion(45, ramp_s=5, hold_s=20, preceding=spinesim.upright(1))
    after = spinesim.Protocol.inversion(
        45, ramp_s=5, hold_s=20, preceding=spinesim.upright(1),
        after=[spinesim.upright(0.5), spinesim.lying(0.25)],
    )  # fmt: skip
    assert after.phases[: len(alone.phases)] == alone.phases
    assert [(p.kind, p.session) for p in after.phases[len(alone.phases) :]] == [
        ("upright", True),
        ("lying", True),
    ]
    assert after.preceding_duration_s == alone.preceding_duration_s
    assert after.session_duration_s == pytest.approx(alone.session_duration_s + 2700.0)
    assert after.hold_end_s == alone.hold_end_s == pytest.approx(25.0)
    assert after.device_end_s == alone.device_end_s == alone.session_duration_s
    up_and_down = spinesim.Protocol.from_samples(
        [0, 10, 20], [0, 30, 0], after=spinesim.upright(0.1)
    )
    assert up_and_down.hold_end_s == up_and_down.device_end_s == pytest.approx(20.0)


def test_outputs_where_the_person_gets_off_belong_to_the_phase_that_ends(default_model):
    """A head-up hold that ends by getting off (no return): the outputs saved at the end
    of the hold are the hold's own (angle, forces continuous with just before), not the
    standing phase's, and so are the end-of-hold summaries; the session start keeps its
    first phase's inputs."""
    session = spinesim.Protocol.inversion(
        -30, ramp_s=10, hold_s=50, return_s=0, after=spinesim.upright(0.05)
    )
    result = spinesim.simulate(session, model=default_model, output_interval_s=0.5)
    end = result.index_at(session.hold_end_s)
    assert result.time_s[end] == session.hold_end_s == 60.0
    assert result.angle[end] == pytest.approx(-30.0)
    assert result.normal_force[end].sum() > 100.0  # still on the backrest
    level = result["L3-L4"]
    assert level.segment_force[end] == pytest.approx(level.segment_force[end - 1], abs=1.0)
    summary = result.summary()["levels"]["L3-L4"]
    assert summary["end_segment_force_N"] == level.segment_force[end] < 0.0
    assert result.angle[end + 1] == -90.0  # standing after it
    # the session start takes its first phase's inputs: a table at 30 deg after lying down
    after_lying = spinesim.Protocol((spinesim.upright(1.0), spinesim.Phase(60, 30, 30)))
    with pytest.warns(spinesim.SpinesimWarning, match="starts at 30 deg right after"):
        start = spinesim.simulate(after_lying, model=default_model, output_interval_s=1.0)
    assert start.angle[0] == pytest.approx(30.0)  # not the lie-down's 0 deg


def test_a_sham_keeps_the_phases_and_times_and_drops_the_load():
    """The control of a session: the device flat and without a pull, everything else
    (history before and after, every phase's times) as it was."""
    for session in (
        spinesim.Protocol.inversion(60, preceding=spinesim.upright(2), after=spinesim.upright(1)),
        spinesim.Protocol.traction(300, cycles=2, rest_s=20, rest_pull_N=100),
    ):
        sham = session.sham()
        assert sham.boundaries() == session.boundaries()
        for real, flat in zip(session.phases, sham.phases, strict=True):
            load = (flat.start_deg, flat.end_deg, flat.start_pull_N, flat.end_pull_N)
            assert load == (0.0,) * 4 if real.kind == "device" else flat == real
    standing_start = spinesim.Protocol((spinesim.upright(1), spinesim.Phase(60, -90, -90)))
    with pytest.raises(ParameterError, match="no sham"):
        standing_start.sham()
    with pytest.raises(ParameterError, match="boots"):
        spinesim.simulate(spinesim.Protocol.inversion(90).sham(), device=spinesim.GravityBoots())


def test_a_given_end_of_the_hold_is_saved_and_summarised_there(default_model):
    """``end_of_hold_s`` between two phase ends: the summaries are read there, at a saved
    time, not at the saved time after it."""
    session = spinesim.Protocol.inversion(60, hold_s=300)
    moved = spinesim.Protocol(session.phases, end_of_hold_s=123.4)
    result = spinesim.simulate(moved, model=default_model, output_interval_s=50.0)
    assert 123.4 in result.time_s
    summary = result.summary()
    assert summary["end_of_hold_s"] == 123.4
    k = result.index_at(123.4)
    assert summary["end_spine_length_change_mm"] == pytest.approx(result.spine_length_change[k])


def test_the_end_of_every_session_phase_is_saved_however_coarse_the_output():
    """Summaries see every change of phase: the end of the ramp, the hold, the return and
    the standing after, in ``simulate`` and in sweeps."""
    protocol = spinesim.Protocol.inversion(
        60, ramp_s=7, hold_s=33, preceding=spinesim.upright(1), after=spinesim.upright(0.25)
    )
    assert protocol.phase_ends_s == pytest.approx((7.0, 40.0, 47.0, 947.0))
    result = spinesim.simulate(protocol, output_interval_s=100.0)
    assert set(protocol.phase_ends_s) <= set(result.time_s)
    assert result.time_s[1] == 7.0 and result.time_s[-1] == 947.0
    settings = BatchSettings(SolverOptions(), samples=3, series_times_s=())
    times, hold, _, _ = output_times(protocol, settings)
    assert set(protocol.phase_ends_s) <= set(times) and times[hold] == protocol.hold_end_s
    # a grid point a rounding error from a phase end (0.3 x 2 against 0.1 + 0.2 + 0.3) is
    # left out rather than saved twice
    short = spinesim.Protocol.intermittent(60, 3, ramp_s=0.1, hold_s=0.2, rest_s=0.3)
    saved = spinesim.simulate(short, output_interval_s=0.3).time_s
    assert set(short.phase_ends_s) <= set(saved)
    assert np.diff(saved).min() > 0.09


def test_intermittent_sessions_without_rest_go_straight_into_the_next_cycle():
    for protocol in (
        spinesim.Protocol.intermittent(30, 2, ramp_s=5, hold_s=10, rest_s=0),
        spinesim.Protocol.traction(200, ramp_s=5, hold_s=10, cycles=2, rest_s=0),
    ):
        assert not any(p.name.startswith("rest") for p in protocol.phases)
        assert protocol.session_duration_s == pytest.approx(2 * 20.0)


def test_a_lie_down_follows_standing_only_where_the_device_phase_is_not_upright():
    tilt = spinesim.Protocol.inversion(60, preceding=[spinesim.upright(1.0)])
    hang = spinesim.Protocol(
        (spinesim.upright(1.0), spinesim.Phase(60.0, -90.0, -90.0, name="hanging"))
    )
    assert [p.name for p in tilt.phases][:2] == ["upright", "lie down"]
    assert "lie down" not in [p.name for p in hang.phases]


def test_model_carries_its_tissues_into_simulate():
    calm = spinesim.Tissues(
        muscles=spinesim.MuscleProperties(tilt_guard_amplitude=0.0, inverted_tone=1.0)
    )
    model = spinesim.spine_model(tissues=calm)
    result = spinesim.simulate(spinesim.Protocol.inversion(60, ramp_s=5, hold_s=20), model=model)
    np.testing.assert_allclose(result.muscle_activation, 1.0)
    assert result.attrs["tissues"]["muscles"]["inverted_tone"] == 1.0
    with pytest.raises(spinesim.ParameterError, match="either model or"):
        spinesim.simulate(spinesim.Protocol.inversion(60), model=model, tissues=calm)


def test_a_hand_built_model_records_which_tissue_values_were_used():
    b = spinesim.ModelBuilder()
    for name in ("a", "b"):
        b.add_body(name, 1.0, 0.01)
    b.add_joint("joint", height=0.01, k_axial=1e6, c_axial=1e3)
    result = spinesim.simulate(spinesim.Protocol.inversion(30, hold_s=5), model=b.build())
    assert set(result.attrs["tissues"]) == {"muscles", "note"}
    assert "built by hand" in result.attrs["tissues"]["note"]


def test_long_preceding_phases_do_not_stall_the_step_control():
    """Stepping onto a knot far from t = 0 leaves no sliver step below the resolution of t."""
    b = spinesim.ModelBuilder()
    b.add_body(
        "block", 1.0, 0.01, anchor_k=1e4, anchor_c=100.0, anchor_k_rot=10.0, anchor_c_rot=1.0
    )
    model = b.build()
    table = knots((-1e5, 30, 0, 0, 0), (0.0, 30, 0, 0, 0), (10.0, 30, 0, 0, 0))
    states, stats = run(
        model, table, np.array([10.0]), SolverOptions(max_step_s=1.0, max_steps=500_000)
    )
    assert stats.steps == pytest.approx(1e5, rel=0.01)  # max_step_s, no sliver steps
    assert stats.steps >= 1e5
    assert states[0, L.S_X] == pytest.approx(9.81 * np.sin(np.radians(30)) / 1e4, rel=1e-3)


@pytest.mark.parametrize("sitting_share", [0.0, 0.33, 0.7])
def test_session_knots_start_at_zero_and_end_at_the_session_duration(sitting_share):
    """Times are exact at the session's ends whatever the preceding hours, so the last
    saved time is inside the integrated span (no unobserved row)."""
    day = spinesim.typical_day(16, 8, sitting_share)
    protocol = spinesim.Protocol.inversion(60, ramp_s=5, hold_s=30, preceding=day)
    table = protocol.knots(spinesim.MuscleProperties())
    assert table[-1, L.P_TIME] == protocol.session_duration_s
    assert 0.0 in table[:, L.P_TIME]
    result = spinesim.simulate(protocol)
    gap = result["L3-L4"].gap_change[:, 1]
    assert abs(gap[-1] - gap[-2]) < 0.01  # mm: smooth to the very end (NaN fails it too)


# ------------------------------------------------------------------------ protocol files
@pytest.mark.parametrize(
    ("phase", "message"),
    [
        (
            {"kind": "upright", "duration_s": 10, "angle_deg": 60},
            "phase[1]: an upright phase stands at -90 deg; got start_deg = 60, end_deg = 60",
        ),
        (
            {"kind": "lying", "duration_s": 10, "pull_N": 50},
            "phase[1]: a pull (pull_N) acts only in device phases; this phase is 'lying'",
        ),
    ],
)
def test_a_phase_error_in_a_file_is_prefixed_once(phase, message):
    with pytest.raises(ParameterError) as info:
        protocol_from_dict({"phase": [phase]})
    assert str(info.value) == message


def test_traction_phases_in_a_file_default_to_the_flat_angle():
    doc = {
        "device": {"type": "traction"},
        "phase": [
            {"duration_s": 10, "start_pull_N": 0, "end_pull_N": 200},
            {"duration_s": 30, "pull_N": 200},
            {"duration_s": 5, "kind": "lying"},
        ],
    }
    protocol, _, device = protocol_from_dict(doc)
    assert device.name == "traction"
    assert [(p.start_deg, p.end_deg) for p in protocol.phases] == [(0.0, 0.0)] * 3
    assert [p.end_pull_N for p in protocol.phases] == [200.0, 200.0, 0.0]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (  # the angle stays required where a device takes several
            {"phase": [{"duration_s": 10, "pull_N": 100}]},
            "phase[1].start_deg is missing; give start_deg and end_deg, or angle_deg for a "
            "constant angle",
        ),
        (  # an angle given on a traction device is still checked, naming the phase
            {"device": {"type": "traction"}, "phase": [{"duration_s": 10, "angle_deg": 10}]},
            "phase[1]: device 'traction' works at 0 deg; got start_deg = 10, end_deg = 10",
        ),
    ],
)
def test_phase_angles_in_a_file_outside_the_traction_default(doc, message):
    with pytest.raises(ParameterError) as info:
        protocol_from_dict(doc)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "build",
    [
        lambda load: spinesim.Protocol.inversion(load, hold_s=300),
        lambda load: spinesim.Protocol.intermittent(load, 3, rest_s=30),
        lambda load: spinesim.Protocol.traction(load, cycles=2, rest_s=20, rest_pull_N=0),
    ],
    ids=["inversion", "intermittent", "traction"],
)
def test_a_session_at_zero_load_ends_its_hold_where_its_neighbours_do(build):
    """At 0 deg (or 0 N) no phase is a hold, so the end of the hold fell where the person
    got off the device, 10 s later than at 0.1 deg: in a sweep over the angle its natural
    control was read after the return. The constructors now name their hold's end."""
    assert build(0.0).hold_end_s == build(0.1).hold_end_s == build(1.0).hold_end_s
    assert build(0.0).hold_end_s < build(0.0).session_duration_s
    assert build(0.1).end_of_hold_s is None  # under a load the steepest hold is found


def test_guarding_ends_when_the_person_gets_off_so_the_effect_only_fades():
    """The guarding of a short traction hold (60 s: still 1.23 x tone at the release)
    guards against the device's pull and ends with getting off. Carried on in bed, it
    compressed the discs more than the sham's: the spine's gain over the control read
    -0.37 mm 10 s after getting off and turned positive only after 4 min."""
    device = spinesim.TractionTable(split_table=True)
    protocol = spinesim.Protocol.traction(
        300, ramp_s=10, hold_s=60, preceding=[spinesim.upright(2.0)], after=spinesim.lying(0.5)
    )
    loaded = spinesim.simulate(protocol, device=device, output_interval_s=2.0)
    control = spinesim.simulate(protocol.sham(), device=device, output_interval_s=2.0)
    off = loaded.time_s > protocol.device_end_s
    assert loaded.muscle_activation[loaded.index_at(protocol.device_end_s)] > 1.2
    np.testing.assert_array_equal(loaded.muscle_activation[off], 1.0)  # lying: tone 1
    effect = (loaded.spine_length_change - control.spine_length_change)[off]
    assert effect[0] > 0.05
    assert np.all(np.diff(effect) <= 1e-4)  # mm: wiggles within the solver's accuracy


def test_a_second_visit_to_the_device_guards_as_the_first():
    """Getting off forgets the device's loads as it ends the guarding: a 100 N pull after an
    hour in bed guards as much as the first one did (it guarded 41 % less, remembering a
    load met an hour before)."""
    muscles = spinesim.MuscleProperties()
    visit = [
        spinesim.Phase(10, 0, 0, start_pull_N=0, end_pull_N=100),
        spinesim.Phase(60, 0, 0, start_pull_N=100, end_pull_N=100),
        spinesim.Phase(10, 0, 0, start_pull_N=100, end_pull_N=0),
    ]
    bed = spinesim.Phase(3600, 0, 0, kind="lying")
    onsets = spinesim.Protocol((*visit, bed, *visit)).knots(muscles)[:, L.P_GUARD]
    first, second = onsets[onsets > 0]
    assert first == pytest.approx(muscles.guard_amplitude * 100.0 / muscles.guard_full_pull_N)
    assert second == pytest.approx(first)
