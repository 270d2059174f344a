"""The compiled TR-BDF2 solver against scipy's Radau on the same equations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L
from spinesim.peers.scipy_reference import solve
from spinesim.solver import SolverOptions, run

PROTOCOL = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=60, return_s=10)
TIMES = np.linspace(0.0, PROTOCOL.session_duration_s, 41)


@pytest.fixture(scope="module")
def scipy_reference(default_model):
    """Radau (rtol 1e-9) on the full spine, segment by segment like the kernel."""
    table = PROTOCOL.knots(spinesim.MuscleProperties())
    atol = SolverOptions(atol_m=1e-11).absolute_tolerances(default_model.n_body)
    return solve(default_model, table, TIMES, "Radau", 1e-9, atol)


def position_error(states: np.ndarray, reference: np.ndarray) -> float:
    """Largest position error of any body (m) over the saved times."""
    diff = states - reference
    return float(
        max(np.abs(diff[:, L.S_X :: L.BLOCK]).max(), np.abs(diff[:, L.S_Y :: L.BLOCK]).max())
    )


def test_agrees_with_scipy_radau_over_a_session(default_model, scipy_reference):
    """Default tolerances: every body within 5 um of Radau at rtol 1e-9 over a session
    with a ramp, a hold and a return (disc-space changes are ~0.1-0.3 mm)."""
    table = PROTOCOL.knots(spinesim.MuscleProperties())
    states, _ = run(default_model, table, TIMES, SolverOptions())
    assert position_error(states, scipy_reference) < 5e-6


def test_error_falls_as_tolerance_tightens(default_model, scipy_reference):
    table = PROTOCOL.knots(spinesim.MuscleProperties())
    errors, steps = [], []
    for rtol in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
        states, stats = run(
            default_model, table, TIMES, SolverOptions(rtol=rtol, atol_m=rtol * 1e-2)
        )
        errors.append(position_error(states, scipy_reference))
        steps.append(stats.steps)
    assert all(b < a for a, b in itertools.pairwise(errors)), errors
    assert errors[-1] < 1e-7
    assert errors[0] / errors[-1] > 50
    assert steps == sorted(steps)


def test_identical_inputs_give_identical_outputs(default_model):
    protocol = spinesim.Protocol.inversion(45, ramp_s=5, hold_s=30)
    a = spinesim.simulate(protocol, model=default_model)
    b = spinesim.simulate(protocol, model=default_model)
    for name in a.data:
        np.testing.assert_array_equal(a.data[name], b.data[name])


def test_failure_names_time_cause_and_phase(default_model):
    """A failure says when, why and in which phase: in the hours before the session the
    time is negative, which alone read like a mistake (a fuzzing of inputs)."""
    with pytest.raises(spinesim.SolverError, match=r"failed at t = .* maximum number of steps"):
        spinesim.simulate(
            spinesim.Protocol.inversion(60, ramp_s=10, hold_s=30),
            model=default_model,
            solver=SolverOptions(max_steps=5),
        )
    before = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=30, preceding=spinesim.upright(2.0))
    with pytest.raises(spinesim.SolverError) as info:
        spinesim.simulate(before, model=default_model, solver=SolverOptions(max_steps=5))
    assert info.value.time_s < 0.0
    assert str(info.value).endswith("in phase 1 of 5, 'upright', of the phases before the session")


def test_nonfinite_model_is_reported_not_returned(default_model):
    import dataclasses

    joint = default_model.joint.copy()
    joint[3, L.J_K_AXIAL] = np.nan
    broken = dataclasses.replace(default_model, joint=joint)
    with pytest.raises(spinesim.SolverError, match="not finite"):
        spinesim.simulate(spinesim.Protocol.inversion(30, ramp_s=5, hold_s=5), model=broken)


def test_a_collapsed_disc_is_reported_not_returned():
    """A subject and tissues each within their ranges, together too soft for the load: a
    200 kg subject with three times the muscle tone on discs with a fiftieth of the
    swelling pressure, after 4 h upright, leaves a disc's height below zero. That is a
    failure with its time, in simulate and in a sweep, never a result."""
    soft = {"muscles.tone_stress_MPa": 0.3, "disc.swelling_pressure_MPa": 0.02,
            "disc.swelling_strain": 0.5, "mass_kg": 200.0}  # fmt: skip
    tissues = spinesim.Tissues(
        disc=spinesim.DiscProperties(swelling_pressure_MPa=0.02, swelling_strain=0.5),
        muscles=spinesim.MuscleProperties(tone_stress_MPa=0.3),
    )
    protocol = spinesim.Protocol.inversion(0.0, hold_s=60.0, preceding=spinesim.upright(4.0))
    with pytest.raises(spinesim.SolverError, match="middle height fell to zero") as info:
        spinesim.simulate(protocol, tissues=tissues, subject=spinesim.Subject(mass_kg=200.0))
    assert info.value.status == L.DISC_COLLAPSED
    ds = spinesim.sweep(
        spinesim.Table({name: [value, None] for name, value in soft.items()}),
        fixed={"angle_deg": 0.0, "hold_s": 60.0, "upright_hours": 4.0},
        progress=False,
    )
    assert ds["status"].values.tolist() == [L.DISC_COLLAPSED, L.OK]
    assert "middle height fell to zero" in str(ds["reason"].values[0])


def test_the_first_saved_time_with_a_collapsed_disc_is_found():
    from spinesim.core.batch import first_collapse_time
    from spinesim.core.observables import N_JOINT_OUT, O_GAP_MIDDLE

    joint = np.zeros((3, L.NJ))
    joint[:, L.J_HEIGHT] = 0.0, 0.01, 0.01  # a bushing, a spring without a nucleus, a disc
    joint[2, L.J_NUCLEUS_AREA] = 1e-3
    out = np.zeros((3, 3, N_JOINT_OUT))
    out[:, :2, O_GAP_MIDDLE] = -0.5  # the bushing's and the spring's overlaps are no collapse
    times = np.array([0.0, 1.0, 2.0])
    assert first_collapse_time(times, out, joint) == np.inf
    out[1:, 2, O_GAP_MIDDLE] = -0.01  # the disc's height exactly 0 from t = 1 s
    assert first_collapse_time(times, out, joint) == 1.0


def with_column(knots: np.ndarray, column: int, value: float) -> np.ndarray:
    """``knots`` with ``value`` in ``column`` of its last row."""
    changed = knots.copy()
    changed[-1, column] = value
    return changed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda y, k, t: (y[:-1], k, t), "y_start has shape"),
        (lambda y, k, t: (y, k[:, :-1], t), "knots has shape"),
        (lambda y, k, t: (y, k[::-1], t), "non-decreasing"),
        (lambda y, k, t: (y, k, t[::-1]), "sorted times"),
        (lambda y, k, t: (y, k, t + 1.0), "within the knots' span"),
        (lambda y, k, t: (y, with_column(k, L.P_KIND, 9.0), t), "kind = 9.0"),
        (lambda y, k, t: (y, with_column(k, L.P_KIND, 2.5), t), "kind = 2.5"),
        (lambda y, k, t: (y, with_column(k, L.P_BACKREST, -5.0), t), "backrest = -5.0"),
        (lambda y, k, t: (y, with_column(k, L.P_POSTURE, 1.5), t), "posture = 1.5"),
        (lambda y, k, t: (y, with_column(k, L.P_FRICTION, 2.0), t), "friction = 2.0"),
        (lambda y, k, t: (y, with_column(k, L.P_PULL, -1.0), t), "pull = -1.0"),
        (lambda y, k, t: (y, with_column(k, L.P_TONE, -0.1), t), "tone = -0.1"),
    ],
)
def test_run_refuses_inputs_the_compiled_loop_would_misread(default_model, change, message):
    knots = PROTOCOL.knots(spinesim.MuscleProperties())
    y, k, t = change(default_model.y0, knots, TIMES)
    with pytest.raises(spinesim.ParameterError, match=message):
        run(default_model, k, t, SolverOptions(), y_start=y)


@pytest.mark.parametrize(
    ("times", "hold_index", "summarized", "message"),
    [
        ([], 0, None, "output_times"),
        ([5.0, 0.0], 0, None, "output_times"),
        ([0.0, 5.0], 2, None, "hold_index"),
        ([0.0, 5.0], 1, [1, 1], "boolean mask"),
        ([0.0, 5.0], 1, [True], "boolean mask"),
        ([0.0, 5.0], 1, [True, False], "end of the hold"),
        ([0.0, 5.0], 1, [False, True], "first output time"),
        ([0.0, 5.0, 9.0], 1, [True, True, False], "the session end"),
    ],
)
def test_a_case_the_kernel_would_misread_is_refused(times, hold_index, summarized, message):
    from spinesim.cases import Case

    knots = PROTOCOL.knots(spinesim.MuscleProperties())
    mask = None if summarized is None else np.array(summarized)
    with pytest.raises(spinesim.ParameterError, match=message):
        Case(0, knots, np.array(times), hold_index, mask)


@pytest.mark.parametrize(
    ("status", "cause", "text"),
    [
        (L.STEP_TOO_SMALL, L.CAUSE_SINGULAR_MATRIX, "iteration matrix was singular"),
        (L.MAX_STEPS, L.CAUSE_NEWTON_STALLED, "Newton iterations stalled"),
        (L.NONFINITE_OUTPUT, 0, "saved state or output is not finite"),
        (L.DISC_COLLAPSED, 0, "disc's middle height fell to zero or below"),
    ],
)
def test_failure_message_gives_the_time_and_the_cause(status, cause, text):
    from spinesim.solver import failure_message

    stats = np.zeros(L.NSTAT)
    stats[L.STAT_T_FAIL], stats[L.STAT_LAST_CAUSE] = 12.5, cause
    message = failure_message(status, stats)
    assert message.startswith("integration failed at t = 12.5 s") and text in message


def test_small_initial_step_after_hours_of_preceding_phases(default_model):
    """The step-size floor follows the resolution of t, not a fixed share of it: a
    microsecond first step at t = -16 h (and at the jump to the session) is fine."""
    protocol = spinesim.Protocol.inversion(
        30, ramp_s=5, hold_s=10, preceding=[spinesim.protocol.upright(16)]
    )
    result = spinesim.simulate(
        protocol, model=default_model, solver=SolverOptions(initial_step_s=1e-6)
    )
    reference = spinesim.simulate(protocol, model=default_model)
    np.testing.assert_allclose(result.gap_change, reference.gap_change, atol=2e-3)


def test_a_failed_settle_says_it_was_the_settle(default_model):
    """The settle's times (0-30 s) are not the session's: the message says which ran."""
    import dataclasses

    from spinesim.settling import settle_models

    joint = default_model.joint.copy()
    joint[3, L.J_K_AXIAL] = np.nan
    broken = dataclasses.replace(default_model, joint=joint)
    with pytest.raises(spinesim.SolverError, match=r"^settling the model lying flat .* not finite"):
        settle_models([broken])


def test_predictors_reproduce_quadratics():
    """Newton's starting points are exact for a quadratic solution: the BDF2 stage's
    extrapolation through three states, and the previous step's interpolant. A wrong
    coefficient would only cost Newton iterations, which no accuracy test sees."""
    from spinesim.core.integrator import GAMMA, dense_output, extrapolate

    coefficients = np.array([[1.0, -2.0, 0.5], [-3.0, 0.25, 4.0]])

    def quadratic(t):
        return coefficients @ np.array([1.0, t, t * t])

    h_back, h = 0.3, 0.7  # the previous step and this one, from t = 0
    out = np.empty(2)
    extrapolate(h_back, GAMMA * h, h, quadratic(-h_back), quadratic(0.0), quadratic(GAMMA * h), out)
    np.testing.assert_allclose(out, quadratic(h), rtol=1e-12)
    t0 = -h_back
    stage, end = quadratic(t0 + GAMMA * h_back), quadratic(0.0)
    dense_output(GAMMA * h, t0, h_back, quadratic(t0), stage, end, out)
    np.testing.assert_allclose(out, quadratic(GAMMA * h), rtol=1e-12)


def test_step_sizes_do_not_oscillate_on_a_long_lightly_damped_chain():
    """A 192-body chain (11 m, its lowest axial mode damped at about 1 %) hanging in a
    10-minute traction session: with the error-per-step controller alone the step size
    oscillated through the hold, each growth rejected (6,324 steps and 3,920 rejections);
    Gustafsson's predictive controller settles it (about 360 steps)."""
    from spinesim.peers import chain as C

    session = C.TractionSession(600.0)
    model = C.build_model(C.uniform_chain(192))
    _, stats = run(model, session.knots(), session.sample_times(), SolverOptions())
    assert stats.steps < 600 and stats.rejected < 0.5 * stats.steps


def test_step_size_prediction_does_not_cross_a_knot():
    """Standing up after a night in bed (a jump at t = 0) with a slightly changed creep
    stiffness: the predictive controller once weighed the first step after the jump
    against the night's last step (4,650 s) and shrank the next below the smallest
    allowed step. The prediction now starts afresh in every segment."""
    import dataclasses

    hour = 3600.0
    tissues = spinesim.Tissues(
        disc=dataclasses.replace(spinesim.DiscProperties(), creep_stiffness_ratio=1.29129)
    )
    protocol = spinesim.Protocol(
        (
            spinesim.upright(16.0),
            spinesim.lying(8.0),
            spinesim.Phase(16 * hour, -90.0, -90.0, kind="upright", name="day"),
            spinesim.Phase(7 * hour, 0.0, 0.0, kind="lying", name="night"),
        )
    )
    model = spinesim.spine_model(tissues=tissues)
    result = spinesim.simulate(protocol, model=model, output_interval_s=300.0)
    assert result.attrs["solver"]["steps"] < 2000  # 990
    day, night = result.spine_length_change[[result.index_at(16 * hour), -1]]
    assert day < -15.0 and night > 0.1 * day  # mm: the day's loss, 90 % regained at night
