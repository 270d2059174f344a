"""Parameter sweeps: designs of cases, the batched run, storage and sensitivity analysis.

``spinesim.sweep(Grid(angle_deg=[30, 60, 90], hold_s=[60, 300]))`` runs every case through
the same compiled kernel as :func:`spinesim.simulate` (many cases per call, on all cores)
and returns an :class:`xarray.Dataset` with the swept parameters as coordinates.
"""

from spinesim.sweeps.design import (
    Cohort,
    Design,
    Grid,
    LatinHypercube,
    Normal,
    RandomSample,
    Table,
)
from spinesim.sweeps.parameters import parameter_names
from spinesim.sweeps.runner import open_sweep, sweep
from spinesim.sweeps.sensitivity import sobol_indices

__all__ = [
    "Cohort",
    "Design",
    "Grid",
    "LatinHypercube",
    "Normal",
    "RandomSample",
    "Table",
    "open_sweep",
    "parameter_names",
    "sobol_indices",
    "sweep",
]
