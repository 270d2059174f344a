"""Parameter identification: fit chosen tissue parameters to measured curves.

:func:`calibrate` adjusts parameters named by their dotted path in a frozen parameter
dataclass (``"disc.fluid_time_constant_h"`` in :class:`~spinesim.properties.Tissues`, or
``"ankle_stiffness"`` in an :class:`~spinesim.device.InversionTable`) so that a user
function of the parameters reproduces measured values in the least-squares sense
(``scipy.optimize.least_squares``). It reports the fitted values with standard errors and
correlations from the Jacobian at the optimum, and refuses a fit whose optimum lies on
the physical bounds declared on the dataclass fields (:func:`spinesim.errors.bounded`):
the data then ask for a value the model's parameter cannot physically take.

A trial value must also pass the dataclass's checks across fields: fitting
``friction_static`` alone stops with an error as soon as a trial falls below the fixed
``friction_kinetic``, and ``muscles.postural_stiffness_ratio`` as soon as it times
``disc.bending_stiffness`` falls below 1000 N m/rad (``Tissues``); the error names the
trial values. Fit both, or start further inside the constraint. A parameter the
measurements do not change gets a NaN standard error, with a warning.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from spinesim.errors import ParameterError, SpinesimWarning, check_integer, check_number
from spinesim.parameter_paths import parameter_range, parameter_value, with_parameters
from spinesim.properties import Tissues

#: Relative step of the finite-difference Jacobian; simulations are accurate to about
#: their solver tolerance, so the default of ``least_squares`` (1e-8) would difference noise.
DIFF_STEP = 1e-3
#: A fitted value closer to a bound than this fraction of its own size is "at" the bound.
BOUND_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`.

    ``values`` are the fitted parameters in the order of ``names``; ``standard_errors``
    their 1-sigma uncertainties from ``(J^T J)^-1 s^2`` at the optimum (``s^2`` the
    residual variance, or 1 with ``absolute_sigma``; NaN, with a warning, where there are
    as many measured values as parameters and no ``absolute_sigma``); ``correlation``
    the correlation matrix; ``residuals`` simulated minus measured, in the units of the
    data.
    """

    names: tuple[str, ...]
    values: np.ndarray
    standard_errors: np.ndarray
    correlation: np.ndarray
    residuals: np.ndarray
    residual_variance: float
    degrees_of_freedom: int
    fitted: Any
    evaluations: int

    def as_dict(self) -> dict[str, tuple[float, float]]:
        """``{name: (value, standard error)}``."""
        return {
            n: (float(v), float(e))
            for n, v, e in zip(self.names, self.values, self.standard_errors, strict=True)
        }

    def table(self) -> str:
        """Markdown table of the fitted values with their standard errors."""
        rows = ["| Parameter | Fitted value | Standard error |", "|---|---|---|"]
        for name, (value, error) in self.as_dict().items():
            rows.append(f"| `{name}` | {value:.4g} | {error:.2g} |")
        return "\n".join(rows)


def calibrate(
    simulate: Callable[[Any], Any],
    measured: Any,
    parameters: Sequence[str],
    *,
    sigma: Any = None,
    base: Any = None,
    initial: Mapping[str, float] | None = None,
    absolute_sigma: bool = False,
    diff_step: float = DIFF_STEP,
    max_evaluations: int = 200,
) -> Calibration:
    """Fit ``parameters`` so that ``simulate(params)`` matches ``measured``.

    Parameters
    ----------
    simulate
        Function of a parameter object (``base`` with the trial values) returning the
        simulated values at the measured points, same shape as ``measured``.
    measured, sigma
        Measured values and their standard deviations (default 1: unweighted).
    parameters
        Dotted names of the fitted fields in ``base``, e.g. ``"disc.swelling_strain"`` (a
        single name may be given as a str).
    base
        The frozen parameter dataclass the names refer to (default: ``Tissues()``).
    initial
        Starting values (default: the values in ``base``).
    absolute_sigma
        Take ``sigma`` as absolute (covariance ``(J^T J)^-1``) instead of scaling it by
        the residual variance (``(J^T J)^-1 s^2``, ``s^2 = chi^2 / (m - n)``).
    diff_step, max_evaluations
        Relative step of the finite-difference Jacobian, and the most trial points the
        fit evaluates (``least_squares``' ``max_nfev``): the finite-difference simulations
        around each (one per parameter) come on top, so ``Calibration.evaluations`` counts
        more simulations.

    Raises
    ------
    ParameterError
        If a name is unknown or has no declared range, or if the optimum lies at (within
        :data:`BOUND_TOLERANCE` of the range) or beyond a physical bound; the message
        names the parameter, its fitted value and the allowed range.
    """
    base = Tissues() if base is None else base
    names = (parameters,) if isinstance(parameters, str) else tuple(parameters)
    if not names or len(set(names)) != len(names):
        raise ParameterError(f"parameters = {names!r}; allowed: distinct dotted field names")
    ranges = [parameter_range(base, n) for n in names]
    y = np.asarray(measured, dtype=float).ravel()
    s = np.ones_like(y) if sigma is None else np.asarray(sigma, dtype=float)
    if s.size not in (1, y.size):
        raise ParameterError(
            f"sigma has {s.size} values; allowed: one, or one per measured value ({y.size})"
        )
    s = np.broadcast_to(s.ravel(), y.shape)
    if np.any(~np.isfinite(y)) or np.any(~(s > 0)):
        raise ParameterError("measured values must be finite and sigma positive")
    max_evaluations = check_integer("max_evaluations", max_evaluations, 1, 1_000_000)
    check_number("diff_step", diff_step, 0.0, 0.5, low_open=True)
    if y.size < len(names):
        raise ParameterError(f"{y.size} measured values cannot determine {len(names)} parameters")
    start = {n: parameter_value(base, n) for n in names}
    for name, value in (initial or {}).items():
        if name not in start:
            raise ParameterError(f"initial[{name!r}]: not a fitted parameter; allowed: {names}")
        lo, hi, low_open = ranges[names.index(name)]
        start[name] = check_number(f"initial[{name!r}]", value, lo, hi, low_open=low_open)
    x0 = np.array([start[n] for n in names], dtype=float)
    low, high = _strict_bounds(ranges)
    x0 = np.clip(x0, low, high)  # only an open lower bound moves it, by 1e-9 of the range
    evaluations = 0

    def residuals(x: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        evaluations += 1
        values = {name: float(v) for name, v in zip(names, x, strict=True)}
        try:
            trial = with_parameters(base, values)
        except ParameterError as exc:  # a constraint between fields, e.g. Tissues'
            what = "the starting values" if evaluations == 1 else "the trial values"
            raise ParameterError(
                f"calibrate: {what} {values} break a constraint: {exc}; start further inside "
                "it (initial=...) or fit fewer parameters"
            ) from exc
        simulated = np.asarray(simulate(trial), dtype=float).ravel()
        if simulated.shape != y.shape:
            raise ParameterError(
                f"simulate returned {simulated.size} values for {y.size} measured values"
            )
        if not np.all(np.isfinite(simulated)):
            raise ParameterError(
                f"calibrate: simulate returned non-finite values at the trial values {values}"
            )
        return (simulated - y) / s

    fit = least_squares(
        residuals,
        x0,
        bounds=(low, high),
        x_scale=np.maximum(np.abs(x0), 1e-12),
        diff_step=diff_step,
        max_nfev=max_evaluations,
    )
    if not fit.success:
        raise ParameterError(
            f"calibrate: the fit did not converge after {evaluations} simulations "
            f"({fit.message}; max_evaluations = {max_evaluations} trial points, besides the "
            "finite-difference simulations); raise max_evaluations or start closer"
        )
    _refuse_bounds(names, fit.x, ranges, fit.active_mask)
    dof = y.size - len(names)
    chi2 = float(fit.fun @ fit.fun)
    variance = 1.0 if absolute_sigma else (chi2 / dof if dof > 0 else float("nan"))
    if math.isnan(variance):
        warnings.warn(
            f"{y.size} measured values for {len(names)} parameters leave no degree of freedom "
            "to estimate the residual variance: the standard errors are NaN; give sigma with "
            "absolute_sigma=True to take them from the measurements' uncertainty",
            SpinesimWarning,
            stacklevel=2,
        )
    # the correlation needs no s^2
    unscaled, blind = _unscaled_covariance(fit.jac, fit.x, diff_step)
    if np.any(blind):
        unseen = [name for name, b in zip(names, blind, strict=True) if b]
        warnings.warn(
            f"the measurements cannot determine {unseen} at the fitted values (they do not "
            "change with it, or only together with another fitted parameter): standard "
            "error NaN; fix it, or add measurements that depend on it",
            SpinesimWarning,
            stacklevel=2,
        )
    errors = np.sqrt(np.abs(np.diag(unscaled)) * variance)
    scale = np.sqrt(np.abs(np.diag(unscaled)))
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = unscaled / np.outer(scale, scale)
    return Calibration(
        names=names,
        values=fit.x.copy(),
        standard_errors=errors,
        correlation=correlation,
        residuals=fit.fun * s,
        residual_variance=variance,
        degrees_of_freedom=dof,
        fitted=with_parameters(base, dict(zip(names, fit.x, strict=True))),
        evaluations=evaluations,
    )


def _unscaled_covariance(
    jac: np.ndarray, x: np.ndarray, diff_step: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(J^T J)^-1`` at the optimum ``x``, from the singular values of the Jacobian with
    its columns scaled by ``|x|``, and which parameters it cannot determine: those with
    weight in a direction whose singular value is below the round-off of the
    finite-difference Jacobian (relative step ``diff_step``: ``eps / diff_step max(m, n)``
    of the largest; a parameter the measurements do not change, or two that act only
    together), whose rows and columns are NaN. With ``eps max(m, n)`` alone, two
    parameters that act only together were taken as determined (a singular value of 1.6e-14
    of the largest, with standard errors of 1e10). A merely weak parameter keeps a large
    standard error."""
    if not np.all(np.isfinite(jac)):
        raise ParameterError("calibrate: the Jacobian at the fitted values is not finite")
    scale = np.maximum(np.abs(x), 1e-12)
    _, singular, vt = np.linalg.svd(jac * scale, full_matrices=False)
    round_off = np.finfo(float).eps / diff_step * max(jac.shape)
    kept = singular > round_off * singular[0]
    directions = vt[kept] / singular[kept, None]
    covariance = (directions.T @ directions) * np.outer(scale, scale)
    # weight above round-off in an undetermined direction (its components are unit-scaled)
    blind = np.any(np.abs(vt[~kept]) > 1e-6, axis=0) if singular[0] > 0 else np.ones(x.size, bool)
    covariance[blind, :] = covariance[:, blind] = np.nan
    return covariance, blind


def _strict_bounds(ranges) -> tuple[np.ndarray, np.ndarray]:
    """Bounds for the optimiser; an open lower bound is nudged inside the range."""
    low = np.array([lo for lo, _, _ in ranges], dtype=float)
    high = np.array([hi for _, hi, _ in ranges], dtype=float)
    open_low = np.array([op for _, _, op in ranges])
    width = np.where(np.isfinite(high - low), high - low, np.abs(low) + 1.0)
    low = np.where(open_low, low + 1e-9 * width, low)
    return low, high


def _refuse_bounds(names, values, ranges, active_mask) -> None:
    """Refuse an optimum on a bound: the optimiser says so (``active_mask``), or the value
    lies within :data:`BOUND_TOLERANCE` of the bound relative to the value's own size (not
    to the range, which may span decades)."""
    for name, x, (lo, hi, _), active in zip(names, values, ranges, active_mask, strict=True):
        scale = max(abs(x), np.finfo(float).tiny)
        at_low = active < 0 or x - lo <= BOUND_TOLERANCE * scale
        at_high = active > 0 or hi - x <= BOUND_TOLERANCE * scale
        if at_low or at_high:
            bound = lo if at_low else hi
            raise ParameterError(
                f"calibrate: {name} = {x:.6g} is at its physical bound {bound:g} (allowed "
                f"range [{lo:g}, {hi:g}]); the data ask for a value outside what the "
                "parameter can physically take, so the fit is refused"
            )
