"""spinesim: a Numba-accelerated planar multibody model of the spine under inversion.

Quick start::

    import spinesim
    result = spinesim.simulate(spinesim.Protocol.inversion(60, ramp_s=10, hold_s=300))
    result["L3-L4"].axial_force      # N, tension positive, over result.time_s
    print(result.summary_table())

Angles: 0 deg horizontal, +90 fully inverted head-down, -90 upright standing. SI units
inside; names say where they are not (``angle_deg``, ``gap_change`` in mm).
"""

from spinesim.anatomy import Subject
from spinesim.assembly import Model, ModelBuilder, Tissues, spine_model
from spinesim.device import InversionTable
from spinesim.errors import ParameterError, SolverError
from spinesim.properties import (
    ContactProperties,
    DiscProperties,
    LigamentProperties,
    MuscleProperties,
)
from spinesim.protocol import Phase, Protocol, lying, upright
from spinesim.result import Result, load_result
from spinesim.simulate import simulate
from spinesim.solver import SolverOptions
from spinesim.sweeps import (
    Cohort,
    Grid,
    LatinHypercube,
    RandomSample,
    Table,
    open_sweep,
    sobol_indices,
    sweep,
)

__version__ = "0.1.0"

__all__ = [
    "Cohort",
    "ContactProperties",
    "DiscProperties",
    "Grid",
    "InversionTable",
    "LatinHypercube",
    "LigamentProperties",
    "Model",
    "ModelBuilder",
    "MuscleProperties",
    "ParameterError",
    "Phase",
    "Protocol",
    "RandomSample",
    "Result",
    "SolverError",
    "SolverOptions",
    "Subject",
    "Table",
    "Tissues",
    "__version__",
    "load_result",
    "lying",
    "open_sweep",
    "simulate",
    "sobol_indices",
    "spine_model",
    "sweep",
    "upright",
]
