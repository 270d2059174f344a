"""Solver options and the bare entry into the compiled time loop.

:func:`run` integrates a model's states and nothing else, for solver studies and
comparisons with other engines. :func:`spinesim.simulate` (through
:func:`spinesim.cases.run_cases`) also fastens holders (harness, seat) where the body is
when they start to act (:mod:`spinesim.core.holders`) and computes the outputs; for a
protocol in which a holder starts after the first knot the two differ.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from spinesim.core import layout as L
from spinesim.core.batch import first_nonfinite_time
from spinesim.core.integrator import integrate
from spinesim.errors import ParameterError, SolverError, bounded, validate_fields

if TYPE_CHECKING:
    from spinesim.model import Model

#: Absolute tolerance of each state entry relative to the position tolerance ``atol_m``:
#: angles per 0.1 m of lever, velocities per 10 ms, fluid strain per 0.1 m of height (a
#: disc is about 10 mm high, so its fluid's share of the disc height is held 10x tighter
#: than positions: the fluid state integrates over hours and its error accumulates).
_ATOL_FACTORS = {
    L.S_X: 1.0,
    L.S_Y: 1.0,
    L.S_PHI: 10.0,
    L.S_VX: 100.0,
    L.S_VY: 100.0,
    L.S_OMEGA: 1000.0,
    L.S_BRISTLE: 1.0,
    L.S_CREEP: 1.0,
    L.S_FLUID: 10.0,
}

_CAUSES = {
    L.STEP_TOO_SMALL: "the step size fell below max(1e-10 s, 100 ulp(t))",
    L.MAX_STEPS: "the maximum number of steps was reached",
    L.NONFINITE: "the model's derivatives are not finite (NaN or inf) at an accepted state",
    L.NONFINITE_OUTPUT: "a saved state or output is not finite (NaN or inf)",
    L.DISC_COLLAPSED: "a disc's middle height fell to zero or below (the vertebrae would "
    "overlap): the load is beyond what the model's tissues can carry; check the subject's "
    "build, the tissue parameters and the pull",
}
_LAST_CAUSE = {
    L.CAUSE_NEWTON_STALLED: "Newton iterations stalled",
    L.CAUSE_NONFINITE_TRIAL: "a trial step produced non-finite values",
    L.CAUSE_SINGULAR_MATRIX: "the iteration matrix was singular",
}


#: Most steps a session may take (``SolverOptions.max_steps``): about 10 hours of compute
#: at the full spine's ~40 us per step; beyond it a session is mis-specified, not long.
MAX_STEPS_LIMIT = 10**9


@dataclass(frozen=True)
class SolverOptions:
    """Accuracy and limits of the adaptive TR-BDF2 integrator.

    ``rtol`` is the relative tolerance of every state; ``atol_m`` the absolute tolerance of
    positions (m); other states use it scaled by their natural size (see ``_ATOL_FACTORS``).
    """

    rtol: float = bounded(1e-4, 1e-10, 0.1, low_open=True)
    atol_m: float = bounded(1e-6, 1e-12, 1e-2, low_open=True)
    max_step_s: float = bounded(np.inf, 1e-6, np.inf)
    initial_step_s: float = bounded(1e-3, 1e-9, 10.0, low_open=True)
    max_steps: int = 200_000

    def __post_init__(self) -> None:
        validate_fields(self, prefix="SolverOptions.")
        steps = self.max_steps
        if (
            isinstance(steps, bool)
            or not isinstance(steps, numbers.Integral)
            or not 1 <= steps <= MAX_STEPS_LIMIT
        ):
            raise ParameterError(
                f"SolverOptions.max_steps = {steps!r}; allowed: an integer in "
                f"[1, {MAX_STEPS_LIMIT:g}]"
            )
        object.__setattr__(self, "max_steps", int(steps))

    def absolute_tolerances(self, n_body: int) -> np.ndarray:
        """Absolute tolerance of every state entry of a chain of ``n_body`` bodies (SI units
        of each entry: ``atol_m`` times its factor in ``_ATOL_FACTORS``)."""
        atol = np.empty(n_body * L.BLOCK)
        for entry, factor in _ATOL_FACTORS.items():
            atol[entry :: L.BLOCK] = factor * self.atol_m
        return atol


@dataclass(frozen=True)
class SolverStats:
    """What the integrator did: accepted and rejected steps, work counts."""

    steps: int
    rejected: int
    rhs_evaluations: int
    jacobians: int
    factorizations: int
    newton_failures: int
    block_solves: int

    @classmethod
    def from_array(cls, stats: np.ndarray) -> SolverStats:
        return cls(*(int(stats[k]) for k in range(L.STAT_T_FAIL)))


def run(
    model: Model,
    knots: np.ndarray,
    save_times: np.ndarray,
    options: SolverOptions,
    y_start: np.ndarray | None = None,
) -> tuple[np.ndarray, SolverStats]:
    """Integrate ``model`` over the protocol ``knots``; states at ``save_times`` (s,
    sorted, within the knots' span), from ``y_start`` (default: the model's ``y0``).

    Holders stay where the model placed them (see the module docstring). Raises
    :class:`ParameterError` for inputs of the wrong shape or out of order, and
    :class:`SolverError` naming the simulated time and the cause if the integrator fails;
    never returns non-finite states.
    """
    y0 = np.ascontiguousarray(model.y0 if y_start is None else y_start, dtype=float)
    knots = np.ascontiguousarray(knots, dtype=float)
    save = np.ascontiguousarray(save_times, dtype=float)
    _check_inputs(model, knots, save, y0)
    out = np.empty((save.size, y0.size))
    stats = np.zeros(L.NSTAT)
    status = integrate(
        y0,
        model.body,
        model.joint,
        model.glob,
        knots,
        save,
        options.rtol,
        options.absolute_tolerances(model.n_body),
        options.initial_step_s,
        options.max_step_s,
        options.max_steps,
        out,
        stats,
    )
    if status != L.OK:
        raise SolverError(
            failure_message(status, stats), time_s=stats[L.STAT_T_FAIL], status=status
        )
    if not np.all(np.isfinite(out)):
        stats[L.STAT_T_FAIL] = first_nonfinite_time(save, out)
        raise SolverError(
            failure_message(L.NONFINITE_OUTPUT, stats),
            time_s=stats[L.STAT_T_FAIL],
            status=L.NONFINITE_OUTPUT,
        )
    return out, SolverStats.from_array(stats)


def _check_inputs(model: Model, knots: np.ndarray, save: np.ndarray, y0: np.ndarray) -> None:
    """Refuse what the compiled loop would read out of bounds or silently extrapolate."""
    n_state = model.n_body * L.BLOCK
    if y0.shape != (n_state,) or not np.all(np.isfinite(y0)):
        raise ParameterError(
            f"y_start has shape {y0.shape}; allowed: {n_state} finite states ({L.BLOCK} per body)"
        )
    check_times("save_times", save, knots)


#: Allowed ranges of the knot columns the compiled loop reads as fractions, codes or sizes.
_KNOT_RANGES = (
    (L.P_BACKREST, "backrest", 0.0, 1.0),
    (L.P_TONE, "tone", 0.0, np.inf),
    (L.P_GUARD, "guard", 0.0, np.inf),
    (L.P_POSTURE, "posture", 0.0, 1.0),
    (L.P_FRICTION, "friction", 0.0, 1.0),
    (L.P_KIND, "kind", L.K_DEVICE, L.K_LYING),
    (L.P_PULL, "pull", 0.0, np.inf),
)


def check_knots(knots: np.ndarray) -> None:
    """Refuse a protocol table the compiled loop cannot read (see :meth:`Protocol.knots`)."""
    if knots.ndim != 2 or knots.shape[0] < 2 or knots.shape[1] != L.NP:
        raise ParameterError(
            f"knots has shape {knots.shape}; allowed: (n >= 2, {L.NP}), from Protocol.knots"
        )
    if not np.all(np.isfinite(knots)) or np.any(np.diff(knots[:, L.P_TIME]) < 0.0):
        raise ParameterError("knots: allowed: finite values with non-decreasing times")
    for column, name, low, high in _KNOT_RANGES:
        values = knots[:, column]
        bad = (values < low) | (values > high)
        if np.any(bad):
            raise ParameterError(
                f"knots column {name} = {float(values[bad][0])!r}; allowed: [{low:g}, {high:g}]"
            )
    fractional = knots[:, L.P_KIND] != np.round(knots[:, L.P_KIND])
    if np.any(fractional):
        raise ParameterError(
            f"knots column kind = {float(knots[fractional, L.P_KIND][0])!r}; allowed: an "
            f"integer phase kind code {L.K_DEVICE}..{L.K_LYING}"
        )


def check_times(name: str, times: np.ndarray, knots: np.ndarray) -> None:
    """Refuse output ``times`` (s) that are not sorted within the span of valid ``knots``."""
    check_knots(knots)
    start, stop = knots[0, L.P_TIME], knots[-1, L.P_TIME]
    if (
        times.ndim != 1
        or times.size == 0
        or not np.all(np.isfinite(times))
        or np.any(np.diff(times) < 0.0)
        or times[0] < start
        or times[-1] > stop
    ):
        raise ParameterError(
            f"{name} = {times[:3].tolist()}...; allowed: sorted times within the knots' "
            f"span [{start:g}, {stop:g}] s"
        )


def failure_message(status: int, stats: np.ndarray) -> str:
    """Why the integrator returned ``status``, and when (from its ``stats`` array)."""
    cause = _CAUSES.get(status, f"status {status}")
    last = _LAST_CAUSE.get(int(stats[L.STAT_LAST_CAUSE]))
    detail = f" (last trial failure: {last})" if last else ""
    return f"integration failed at t = {stats[L.STAT_T_FAIL]:.6g} s: {cause}{detail}"
