"""One batch of sweep cases: assemble (or reuse) their models, run them in one compiled
call, return the sweep's variables as arrays. Runs wherever the batch is sent: in the
calling process or on a dask worker.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinesim.assembly import spine_model
from spinesim.cases import Case, run_cases
from spinesim.core import layout as L
from spinesim.model import Model
from spinesim.outputs import time_series
from spinesim.protocol import Protocol
from spinesim.settling import settle_models
from spinesim.solver import SolverOptions
from spinesim.summary import in_units
from spinesim.sweeps.parameters import CaseInputs

#: Status of a case whose model could not be assembled or settled (solver codes are >= 0).
ASSEMBLY_FAILED = -1
#: Status of a case not run yet: every case of a new sweep store starts with it, so an
#: interrupted store shows which cases are missing; a finished sweep has none.
NOT_RUN = -2
#: ``reason`` of a case not run yet.
NOT_RUN_REASON = "not run: the sweep did not finish (resume it to run this case)"
#: What a case's ``status`` means (the ``long_name`` of the sweep's ``status`` variable).
STATUS_MEANING = (
    f"{L.OK}: success; > 0: the solver failed (see reason); {ASSEMBLY_FAILED}: the model "
    f"could not be assembled or settled; {NOT_RUN}: not run (unfinished sweep, resume it)"
)

#: Time series a sweep can return on its common time grid (see spinesim.result.VARIABLES).
SERIES = ("angle", "axial_force", "gap_change", "pressure", "fluid_change", "spine_length_change")


@dataclass(frozen=True)
class BatchSettings:
    """How every case of a sweep is run and sampled.

    ``samples`` is the number of output intervals over each session on which peaks and the
    rise time are taken (plus the end of every session phase, the hold's among them);
    ``series_times_s`` the common time grid of the requested time series (from 0), empty
    for none.
    """

    solver: SolverOptions
    samples: int
    series_times_s: tuple[float, ...] = ()


#: Settled models by (subject, device, tissues), reused across batches in one process.
_MODELS: dict[tuple, Model] = {}
_MODEL_CACHE_SIZE = 4096
#: Guards the cache when batches run in threads of one process (e.g. a dask worker).
_MODELS_LOCK = threading.Lock()


def _models(keys: Sequence[tuple]) -> tuple[dict[tuple, Model], dict[tuple, str]]:
    """Settled models of ``keys`` (built and settled together when new); failures by key."""
    with _MODELS_LOCK:
        found = {key: _MODELS[key] for key in dict.fromkeys(keys) if key in _MODELS}
    failed: dict[tuple, str] = {}
    new: dict[tuple, Model] = {}
    for key in dict.fromkeys(keys):
        if key in found:
            continue
        try:
            new[key] = spine_model(*key, settle=False)
        except Exception as exc:  # a case that fails is recorded, the sweep goes on
            failed[key] = f"model assembly failed: {exc}"
    settled = _settle(new, failed) if new else {}
    found.update(settled)
    with _MODELS_LOCK:
        if len(_MODELS) + len(settled) > _MODEL_CACHE_SIZE:
            _MODELS.clear()
        _MODELS.update(settled)
    return found, failed


def _settle(new: dict[tuple, Model], failed: dict[tuple, str]) -> dict[tuple, Model]:
    try:
        return dict(zip(new, settle_models(list(new.values())), strict=True))
    except Exception:  # settle one by one to find which model failed
        settled = {}
        for key, model in new.items():
            try:
                settled[key] = settle_models([model])[0]
            except Exception as exc:
                failed[key] = f"settling the model lying flat failed: {exc}"
        return settled


def output_times(
    protocol: Protocol, settings: BatchSettings
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """A case's output times, the index of its hold end among them, which of them the
    summaries read (the samples, not the series times: asking for a series does not change
    a summary) and the index of each series time (-1 beyond the session end)."""
    duration = protocol.session_duration_s
    grid = np.asarray(settings.series_times_s, dtype=float)
    inside = grid[grid <= duration]
    samples = protocol.output_times(np.linspace(0.0, duration, settings.samples + 1))
    times = np.union1d(samples, inside)  # the series' times exactly
    series = np.full(grid.size, -1, dtype=np.int64)
    series[: inside.size] = np.searchsorted(times, inside)
    hold = int(np.searchsorted(times, protocol.hold_end_s))
    return times, hold, np.isin(times, samples), series


def run_batch(inputs: Sequence[CaseInputs], settings: BatchSettings) -> dict[str, np.ndarray]:
    """Run ``inputs`` and return every sweep variable with a leading case axis:
    :data:`~spinesim.summary.LEVEL_SUMMARIES` ``(case, level[, side])``,
    :data:`~spinesim.summary.GLOBAL_SUMMARIES` and
    ``status``, ``reason``, ``steps`` ``(case,)``, and :data:`SERIES` ``(case, time[,
    level])`` when ``settings.series_times_s`` is set."""
    models, failed = _models([ci.model_key for ci in inputs])
    runnable = [k for k, ci in enumerate(inputs) if ci.model_key in models]
    keys = list(dict.fromkeys(inputs[k].model_key for k in runnable))
    cases, series_index = [], []
    for k in runnable:
        ci = inputs[k]
        times, hold, summarized, series = output_times(ci.protocol, settings)
        knots = ci.protocol.knots(ci.tissues.muscles, ci.device)
        sense = ci.protocol.load_sense_on(ci.device)
        cases.append(Case(keys.index(ci.model_key), knots, times, hold, summarized, sense))
        series_index.append(series)
    n = len(inputs)
    status = np.full(n, ASSEMBLY_FAILED, dtype=np.int64)
    reason = np.array([failed.get(ci.model_key, "") for ci in inputs], dtype=object)
    steps = np.zeros(n, dtype=np.int64)
    n_series = len(settings.series_times_s)
    arrays: dict[str, np.ndarray] = {}
    if runnable:
        out = run_cases(
            [models[key] for key in keys],
            cases,
            settings.solver,
            np.array(series_index).reshape(len(cases), n_series),
        )
        status[runnable] = out.status
        steps[runnable] = out.stats[:, L.STAT_STEPS]
        for i, k in enumerate(runnable):
            reason[k] = out.failure(i)
        arrays = _variables(out, models[keys[0]], n_series > 0)
    scattered = {name: _scatter(a, runnable, n) for name, a in arrays.items()}
    return {**scattered, "status": status, "reason": reason, "steps": steps}


def _variables(out, model: Model, with_series: bool) -> dict[str, np.ndarray]:
    arrays = in_units(out.level_summary, out.global_summary)
    if with_series:
        series = time_series(model, out.joint_series, out.body_series, out.global_series)
        arrays.update({f"series_{name}": series[name] for name in SERIES})
    return arrays


def _scatter(values: np.ndarray, rows: list[int], n: int) -> np.ndarray:
    full = np.full((n, *values.shape[1:]), np.nan)
    full[rows] = values
    return full
