"""spinesim: a Numba-accelerated planar multibody model of the spine under inversion.

Quick start::

    import spinesim
    result = spinesim.simulate(spinesim.Protocol.inversion(60, ramp_s=10, hold_s=300))
    result["L3-L4"].axial_force      # N, tension positive, over result.time_s
    print(result.summary_table())

Other devices and comparisons (docs/devices.md)::

    boots = spinesim.simulate(spinesim.Protocol.inversion(90), device=spinesim.GravityBoots())
    spinesim.compare({"table": protocol, "boots": (protocol_90, spinesim.GravityBoots())})

Angles: 0 deg horizontal, +90 fully inverted head-down, -90 upright standing. SI units
inside; names say where they are not (``angle_deg``, ``gap_change`` in mm).
"""

from spinesim.anatomy import Subject
from spinesim.assembly import spine_model
from spinesim.compare import Comparison, compare
from spinesim.device import (
    DEVICES,
    GravityBoots,
    HipBench,
    InversionTable,
    SuspensionHarness,
    TractionTable,
    device_from_name,
)
from spinesim.errors import ParameterError, SolverError, SpinesimWarning
from spinesim.model import Model, ModelBuilder
from spinesim.properties import (
    ContactProperties,
    DiscProperties,
    LigamentProperties,
    MuscleProperties,
    Tissues,
)
from spinesim.protocol import Phase, Protocol, lying, sitting, typical_day, upright
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
    "DEVICES",
    "Cohort",
    "Comparison",
    "ContactProperties",
    "DiscProperties",
    "GravityBoots",
    "Grid",
    "HipBench",
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
    "SpinesimWarning",
    "Subject",
    "SuspensionHarness",
    "Table",
    "Tissues",
    "TractionTable",
    "__version__",
    "compare",
    "device_from_name",
    "load_result",
    "lying",
    "open_sweep",
    "simulate",
    "sitting",
    "sobol_indices",
    "spine_model",
    "sweep",
    "typical_day",
    "upright",
]
