"""Parameter identification: known answers are recovered, bounds are enforced."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import spinesim
from spinesim.calibrate import calibrate
from spinesim.parameter_paths import parameter_range, with_parameters
from spinesim.validation.segment import load_history, motion_segment, run_segment

CREEP_TIMES = np.linspace(60.0, 3600.0, 30)
CREEP_KNOTS = load_history([0.0, 1.0, 3600.0], [0.0, -1.0, -1.0])
FITTED = ("disc.creep_time_constant_s", "disc.creep_stiffness_ratio")


def creep_curve(tissues: spinesim.Tissues) -> np.ndarray:
    """L4-L5 disc under 1000 N for 1 h (in vitro, no ligaments): opening in mm."""
    model = motion_segment("L4-L5", 1000.0, tissues, ligaments=False)
    return 1e3 * run_segment(model, CREEP_KNOTS, CREEP_TIMES)


def test_synthetic_creep_recovers_known_parameters_within_uncertainty():
    """Data generated with known creep parameters plus 2 um noise: the fit recovers them
    within 3 standard errors, and the errors are small against the values."""
    truth = {"disc.creep_time_constant_s": 400.0, "disc.creep_stiffness_ratio": 2.0}
    clean = creep_curve(with_parameters(spinesim.Tissues(), truth))
    sigma = 0.002
    noisy = clean + np.random.default_rng(1).normal(0.0, sigma, clean.size)
    fit = calibrate(creep_curve, noisy, FITTED, sigma=sigma)  # starts at the defaults
    for name, value, error in zip(fit.names, fit.values, fit.standard_errors, strict=True):
        assert abs(value - truth[name]) < 3.0 * error, (name, value, error)
        assert error < 0.02 * truth[name]
    assert fit.correlation.shape == (2, 2)
    assert fit.correlation[0, 0] == pytest.approx(1.0)
    assert abs(fit.correlation[0, 1]) < 1.0
    assert fit.degrees_of_freedom == CREEP_TIMES.size - 2
    assert np.sqrt(np.mean(fit.residuals**2)) < 2 * sigma  # residuals at the noise level
    assert fit.fitted.disc.creep_time_constant_s == pytest.approx(fit.values[0])


def test_standard_errors_follow_the_linear_least_squares_formula():
    """A model linear in its parameter: y = a x. The standard error equals the textbook
    s / sqrt(sum x^2) with s^2 = chi^2 / (m - 1)."""
    x = np.arange(1.0, 9.0)
    y = 0.3 * x + np.array([0.01, -0.02, 0.015, 0.0, -0.01, 0.02, -0.015, 0.005])
    fit = calibrate(lambda t: t.disc.annulus_fraction * x, y, ["disc.annulus_fraction"])
    a = (x @ y) / (x @ x)
    s2 = np.sum((y - a * x) ** 2) / (x.size - 1)
    assert fit.values[0] == pytest.approx(a, rel=1e-6)
    assert fit.standard_errors[0] == pytest.approx(np.sqrt(s2 / (x @ x)), rel=1e-3)


def test_standard_errors_without_a_degree_of_freedom_warn_or_come_from_sigma():
    """One value for one parameter: the residual variance is 0/0. The errors are NaN with
    a warning, or taken from sigma with absolute_sigma."""
    model = lambda t: [t.disc.annulus_fraction * 2.0]  # noqa: E731
    with pytest.warns(UserWarning, match="no degree of freedom"):
        fit = calibrate(model, [0.6], ["disc.annulus_fraction"])
    assert np.isnan(fit.standard_errors[0]) and fit.values[0] == pytest.approx(0.3, rel=1e-6)
    assert fit.correlation[0, 0] == pytest.approx(1.0)  # it does not depend on s^2
    fit = calibrate(model, [0.6], ["disc.annulus_fraction"], sigma=0.02, absolute_sigma=True)
    assert fit.standard_errors[0] == pytest.approx(0.01, rel=1e-3)  # sigma / (dy/da)


LINE_X = np.arange(1.0, 9.0)
LINE_Y = 0.3 * LINE_X + np.array([0.01, -0.02, 0.015, 0.0, -0.01, 0.02, -0.015, 0.005])
PAIR = ["disc.annulus_fraction", "ligaments.scale"]


def test_a_parameter_the_data_do_not_see_has_no_standard_error():
    """y = a x does not depend on the ligaments: their scale's standard error is NaN with a
    warning (the pseudo-inverse gave 0, "exactly determined"); a's is the textbook one."""
    with pytest.warns(spinesim.SpinesimWarning, match=r"cannot determine \['ligaments.scale'\]"):
        fit = calibrate(lambda t: t.disc.annulus_fraction * LINE_X, LINE_Y, PAIR)
    assert np.isnan(fit.standard_errors[1])
    a = (LINE_X @ LINE_Y) / (LINE_X @ LINE_X)
    s2 = np.sum((LINE_Y - a * LINE_X) ** 2) / (LINE_X.size - 2)
    assert fit.standard_errors[0] == pytest.approx(np.sqrt(s2 / (LINE_X @ LINE_X)), rel=1e-3)


def test_parameters_that_act_only_together_have_no_standard_errors():
    """y = a b x: only the product is determined; both errors are NaN (before: small,
    minimum-norm errors with a correlation of 1 and no warning)."""
    model = lambda t: t.disc.annulus_fraction * t.ligaments.scale * LINE_X  # noqa: E731
    with pytest.warns(spinesim.SpinesimWarning, match="cannot determine"):
        fit = calibrate(model, LINE_Y, PAIR)
    assert np.all(np.isnan(fit.standard_errors))
    assert fit.values[0] * fit.values[1] == pytest.approx(0.3, rel=0.05)


def test_a_weak_but_real_effect_keeps_a_large_standard_error():
    """An effect a million times smaller than a's, of another shape (x^2, not x), is
    determined, poorly: no warning, and a standard error far larger than the value. (The
    same effect of the same shape, (a + 1e-6 b) x, is a and b acting only together: it
    passed as determined only through the finite differences' round-off.)"""
    model = lambda t: t.disc.annulus_fraction * LINE_X + 1e-6 * t.ligaments.scale * LINE_X**2  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error", spinesim.SpinesimWarning)
        fit = calibrate(model, LINE_Y, PAIR, initial={"ligaments.scale": 1.0})
    assert np.all(np.isfinite(fit.standard_errors)) and fit.standard_errors[1] > 100.0


def test_a_trial_that_breaks_a_constraint_between_fields_says_so():
    """Gain times bending stiffness must reach 1000 N m/rad (Tissues): a trial step below
    it is named as the fit's, not the user's."""
    model = lambda t: [t.muscles.postural_stiffness_ratio, 0.0]  # noqa: E731
    with pytest.raises(spinesim.ParameterError, match="calibrate: the trial values"):
        calibrate(model, [1.0, 0.0], "muscles.postural_stiffness_ratio")  # a name as a str


def test_fit_at_a_physical_bound_is_refused():
    """The data ask for a swelling pressure of 1.5 MPa; the field allows at most 1 MPa."""
    with pytest.raises(spinesim.ParameterError, match=r"swelling_pressure_MPa = .* \[0.01, 1\]"):
        calibrate(
            lambda t: [t.disc.swelling_pressure_MPa] * 3,
            [1.5, 1.5, 1.5],
            ["disc.swelling_pressure_MPa"],
        )


def test_fit_of_creep_data_beyond_the_creep_spring_range_is_refused():
    """Creep three times larger than the softest allowed creep spring can give: the fit
    runs into the lower bound of creep_stiffness_ratio and is refused."""
    soft = creep_curve(with_parameters(spinesim.Tissues(), {"disc.creep_stiffness_ratio": 0.2}))
    elastic = soft[0]
    data = elastic + 20.0 * (soft - elastic)
    with pytest.raises(spinesim.ParameterError, match="creep_stiffness_ratio"):
        calibrate(creep_curve, data, ["disc.creep_stiffness_ratio"])


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["disc.no_such_field"], "no_such_field"),
        (["nothing.swelling_strain"], "nothing"),
        ([], "distinct"),
        (["disc.swelling_strain", "disc.swelling_strain"], "distinct"),
    ],
)
def test_bad_parameter_names_are_rejected(names, message):
    with pytest.raises(spinesim.ParameterError, match=message):
        calibrate(lambda t: [0.0, 0.0], [0.0, 0.0], names)


@pytest.mark.parametrize(
    ("initial", "message"),
    [
        ({"disc.swelling_pressure_MPa": 0.2}, "not a fitted parameter"),
        ({"disc.swelling_strain": 0.9}, r"initial\['disc.swelling_strain'\] = 0.9"),
    ],
)
def test_bad_starting_values_are_rejected_not_clipped_or_ignored(initial, message):
    with pytest.raises(spinesim.ParameterError, match=message):
        calibrate(lambda t: [0.0, 0.0], [0.0, 0.0], ["disc.swelling_strain"], initial=initial)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sigma": [1.0, 1.0, 1.0]}, r"sigma has 3 values; allowed: one, or one per"),
        ({"max_evaluations": 0}, r"max_evaluations = 0; allowed"),
        ({"max_evaluations": 2.5}, r"max_evaluations = 2.5; allowed"),
        ({"diff_step": 0.0}, r"diff_step = 0.0"),
    ],
)
def test_bad_fit_options_are_rejected_before_any_simulation(options, message):
    def never(tissues):
        raise AssertionError("simulated despite bad options")

    with pytest.raises(spinesim.ParameterError, match=message):
        calibrate(never, [0.0, 0.0], ["disc.swelling_strain"], **options)


def test_ranges_come_from_the_dataclass_fields_and_work_on_devices():
    assert parameter_range(spinesim.Tissues(), "disc.swelling_strain") == (0.005, 0.5, True)
    table = spinesim.InversionTable()
    moved = with_parameters(table, {"friction_static": 0.7})
    assert moved.friction_static == 0.7
    assert dataclasses.replace(moved, friction_static=0.5) == table
    with pytest.raises(spinesim.ParameterError, match="friction_static"):
        with_parameters(table, {"friction_static": 5.0})
