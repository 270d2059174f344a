"""Validation against published measurements (docs/validation.md).

``spinesim/data/measurements.csv`` lists every measured value with its study, conditions,
spread and whether it was used to set a parameter (calibration) or not (validation);
:mod:`spinesim.validation.experiments` reproduces each experiment. :func:`run_validation`
runs them all and pairs every measurement with its simulated value::

    from spinesim.validation import run_validation
    for result in run_validation(reduced=True):
        for c in result.comparisons:
            print(c.measurement.id, c.simulated, c.status)
"""

from __future__ import annotations

from dataclasses import dataclass

from spinesim.properties import Tissues
from spinesim.validation.experiments import EXPERIMENTS, Context, Outcome
from spinesim.validation.measurements import Measurement, MeasurementCheck, load_measurements

__all__ = [
    "ExperimentResult",
    "Measurement",
    "MeasurementCheck",
    "load_measurements",
    "run_validation",
]


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment's outcome with the comparison of each of its measurements."""

    name: str
    outcome: Outcome
    comparisons: tuple[MeasurementCheck, ...]


def run_validation(reduced: bool = False, tissues: Tissues | None = None) -> list[ExperimentResult]:
    """Run every experiment (``reduced``: coarser outputs, for CI) with ``tissues``
    (default: ``Tissues()``)."""
    ctx = Context(reduced=reduced, tissues=tissues)
    results = []
    for name, experiment in EXPERIMENTS.items():
        outcome = experiment(ctx)
        rows = [m for m in load_measurements() if m.experiment == name]
        comparisons = tuple(MeasurementCheck(m, outcome.values[m.id]) for m in rows)
        results.append(ExperimentResult(name, outcome, comparisons))
    return results
