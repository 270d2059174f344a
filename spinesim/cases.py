"""Sessions as cases of the batch kernel: flat arrays in, labelled outputs back.

:func:`run_cases` is the one Python entry into :func:`spinesim.core.batch.run_cases`;
:func:`~spinesim.simulate` runs one case through it and :func:`~spinesim.sweep` runs
thousands, so both give identical numbers for identical inputs, the saved times included
(by default a sweep samples a session at 200 intervals and ``simulate`` at 600, which moves
peaks and rise times slightly: ``sweep(..., samples=600)`` matches ``simulate``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinesim._numba import threads_for
from spinesim.core import batch as B
from spinesim.core import layout as L
from spinesim.core import observables as O
from spinesim.errors import ParameterError, SolverError, check_integer
from spinesim.solver import SolverOptions, SolverStats, check_times, failure_message


@dataclass(frozen=True)
class Case:
    """One session: the index of its model, its protocol knots (see
    :meth:`spinesim.Protocol.knots`), the session times at which observables are
    evaluated (sorted, within the knots' span; changes are measured from the first), the
    index among them of the end of the hold and which of them the summaries read
    (``summarized``, a mask; default: all of them). Times left out of the summaries (a
    sweep's series times) are returned as series only, so that asking for a series does
    not change a peak or a rise time. ``load_sense`` (+1 or -1,
    :meth:`spinesim.Protocol.load_sense_on`) says which way the peaks look: +1 for the
    largest values (a session that pulls the spine apart), -1 for the smallest."""

    model_index: int
    knots: np.ndarray
    output_times: np.ndarray
    hold_index: int
    summarized: np.ndarray | None = None
    load_sense: float = 1.0

    def __post_init__(self) -> None:
        check_times("Case.output_times", np.asarray(self.output_times), np.asarray(self.knots))
        check_integer("Case.hold_index", self.hold_index, 0, len(self.output_times) - 1)
        if self.load_sense not in (1.0, -1.0):
            raise ParameterError(f"Case.load_sense = {self.load_sense!r}; allowed: 1 or -1")
        if self.summarized is not None:
            mask = np.asarray(self.summarized)
            if mask.dtype != bool or mask.shape != np.shape(self.output_times):
                raise ParameterError(
                    f"Case.summarized: dtype {mask.dtype}, shape {mask.shape}; allowed: a "
                    f"boolean mask of the {len(self.output_times)} output times"
                )
            if not (mask[0] and mask[self.hold_index] and mask[-1]):
                raise ParameterError(
                    "Case.summarized leaves out the first output time, the end of the hold or "
                    "the session end; allowed: a mask that keeps all three (the baseline, the "
                    "summaries' end of the hold and their final values)"
                )

    @property
    def summary_mask(self) -> np.ndarray:
        """Which output times the summaries read (all, unless ``summarized`` says)."""
        if self.summarized is None:
            return np.ones(len(self.output_times), dtype=bool)
        return np.asarray(self.summarized, dtype=bool)


@dataclass(frozen=True)
class CaseOutputs:
    """What the kernel returns for a list of cases (SI units, see :mod:`spinesim.core.batch`).

    ``level_summary (n_case, n_level, N_SUM)`` and ``global_summary (n_case,
    N_SUM_GLOBAL)`` are NaN for failed cases; ``joint_series``, ``body_series`` and
    ``global_series`` hold the observables at the requested series times (NaN where a case
    has no such time); ``status`` is 0 for success, else a solver status code.
    """

    level_summary: np.ndarray
    global_summary: np.ndarray
    joint_series: np.ndarray
    body_series: np.ndarray
    global_series: np.ndarray
    final_state: np.ndarray
    status: np.ndarray
    stats: np.ndarray

    def solver_stats(self, case: int) -> SolverStats:
        return SolverStats.from_array(self.stats[case])

    def failure(self, case: int) -> str:
        """Why case ``case`` failed ('' if it succeeded)."""
        if self.status[case] == L.OK:
            return ""
        return failure_message(int(self.status[case]), self.stats[case])

    def raise_on_failure(self, case: int = 0) -> None:
        """Raise :class:`SolverError` if case ``case`` failed."""
        if self.status[case] != L.OK:
            raise SolverError(
                self.failure(case),
                time_s=float(self.stats[case, L.STAT_T_FAIL]),
                status=int(self.status[case]),
            )


def run_cases(
    models: Sequence,
    cases: Sequence[Case],
    solver: SolverOptions,
    series_index: np.ndarray | None = None,
) -> CaseOutputs:
    """Run ``cases`` (each naming one of ``models``) in parallel on all cores.

    ``series_index (n_case, n_series)`` selects, per case, which of its output times are
    returned as time series (-1: none); default: none. Every level is summarised. All models
    must have the same bodies.
    """
    first = models[0]
    if any(m.body.shape != first.body.shape for m in models):
        raise ParameterError("run_cases: all models of one call must have the same bodies")
    for k, case in enumerate(cases):
        check_integer(f"cases[{k}].model_index", case.model_index, 0, len(models) - 1)
    levels = first.levels
    n_case = len(cases)
    n_joint = first.n_body - 1
    series_index = (
        np.zeros((n_case, 0), dtype=np.int64)
        if series_index is None
        else np.ascontiguousarray(series_index, dtype=np.int64)
    )
    n_series = series_index.shape[1]
    # prange gives each thread a contiguous share of the cases; sessions next to each other
    # in a sweep often cost alike (e.g. sorted by angle), so they run in a fixed shuffled
    # order that spreads the cost evenly, and the outputs are put back in order
    order = np.random.default_rng(0).permutation(n_case)
    ordered = [cases[k] for k in order]
    knots = [np.ascontiguousarray(c.knots, dtype=float) for c in ordered]
    times = [np.ascontiguousarray(c.output_times, dtype=float) for c in ordered]
    shuffled = CaseOutputs(
        level_summary=np.full((n_case, len(levels), B.N_SUM), np.nan),
        global_summary=np.full((n_case, B.N_SUM_GLOBAL), np.nan),
        joint_series=np.full((n_case, n_series, n_joint, O.N_JOINT_OUT), np.nan),
        body_series=np.full((n_case, n_series, first.n_body, O.N_BODY_OUT), np.nan),
        global_series=np.full((n_case, n_series, O.N_GLOBAL_OUT), np.nan),
        final_state=np.full((n_case, first.y0.size), np.nan),
        status=np.zeros(n_case, dtype=np.int64),
        stats=np.zeros((n_case, L.NSTAT)),
    )
    with threads_for(n_case):
        B.run_cases(
            np.stack([m.y0 for m in models]),
            np.stack([m.body for m in models]),
            np.stack([m.joint for m in models]),
            np.stack([m.glob for m in models]),
            np.array([c.model_index for c in ordered], dtype=np.int64),
            np.concatenate(knots),
            _offsets(knots),
            np.concatenate(times),
            _offsets(times),
            np.array([c.hold_index for c in ordered], dtype=np.int64),
            np.array([c.load_sense for c in ordered], dtype=float),
            np.concatenate([c.summary_mask for c in ordered]),
            np.array([first.joint_names.index(name) for name in levels], dtype=np.int64),
            first.joint[:, L.J_SPINAL] > 0,
            solver.rtol,
            solver.absolute_tolerances(first.n_body),
            solver.initial_step_s,
            solver.max_step_s,
            solver.max_steps,
            np.ascontiguousarray(series_index[order]),
            *_arrays(shuffled),
        )
    back = np.argsort(order)
    out = CaseOutputs(*(array[back] for array in _arrays(shuffled)))
    return out


def _arrays(outputs: CaseOutputs) -> list[np.ndarray]:
    """The output arrays in field order (the kernel's argument order), not copies."""
    return [getattr(outputs, f.name) for f in dataclasses.fields(outputs)]


def _offsets(parts: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum([p.shape[0] for p in parts])]).astype(np.int64)
