"""Sweeps from a TOML file: :func:`load_sweep_file` (used by ``spinesim sweep``).

Schema (``examples/sweep.toml`` is a complete example)::

    [fixed]                    # optional: values shared by every case
    hold_s = 300
    device = "table"

    # exactly one design table:
    [grid]                     # every combination
    angle_deg = [30, 45, 60, 75, 90]
    friction_static = [0.3, 0.5, 0.7]
    # [table]                  # explicit cases: equal-length lists
    # [latin_hypercube]        # or [random]: n, seed and [<design>.bounds]
    # n = 1000
    # seed = 0
    # [latin_hypercube.bounds]
    # angle_deg = [10, 90]
    # [cohort]                 # virtual cohort: n, seed, female_fraction
    # n = 500

    [run]                      # optional
    samples = 200              # output intervals per session for peaks
    batch_size = 256           # cases per compiled call / chunk / dask task
    series_times_s = [0, 60, 120, 180, 240, 300]   # time series on this grid

Parameter names are those of :mod:`spinesim.sweeps.parameters`. Anything wrong raises
:class:`~spinesim.errors.ParameterError` naming the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from spinesim import _toml
from spinesim.errors import ParameterError
from spinesim.sweeps.design import Cohort, Design, Grid, LatinHypercube, RandomSample, Table

SAMPLED = {"latin_hypercube": LatinHypercube, "random": RandomSample}
DESIGNS = ("grid", "table", *SAMPLED, "cohort")
RUN_KEYS = ("samples", "batch_size", "series_times_s")
TOP_LEVEL_KEYS = ("fixed", *DESIGNS, "run")


@dataclass(frozen=True)
class SweepFile:
    """A parsed sweep file: the design, the fixed values and the run options."""

    design: Design
    fixed: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)


def load_sweep_file(path: str | os.PathLike) -> SweepFile:
    """Read and check a sweep file (schema in the module docstring)."""
    return _toml.load_toml(path, sweep_from_dict)


def sweep_from_dict(doc: dict[str, Any]) -> SweepFile:
    """Like :func:`load_sweep_file`, from an already parsed document."""
    _toml.check_keys("", doc, TOP_LEVEL_KEYS, TOP_LEVEL_KEYS)
    given = [key for key in DESIGNS if key in doc]
    if len(given) != 1:
        raise ParameterError(f"give exactly one design table of {DESIGNS}; found {given or 'none'}")
    kind = given[0]
    options = dict(_toml.table(doc, kind))
    if kind == "grid":
        design: Design = Grid(options)
    elif kind == "table":
        design = Table(options)
    elif kind == "cohort":
        _toml.check_keys(kind, options, ("n", "seed", "female_fraction"), TOP_LEVEL_KEYS)
        if "n" not in options:
            raise ParameterError("cohort.n is missing")
        design = Cohort(**options)
    else:
        _toml.check_keys(kind, options, ("n", "seed", "bounds"), TOP_LEVEL_KEYS)
        for key in ("n", "bounds"):
            if key not in options:
                raise ParameterError(f"{kind}.{key} is missing")
        design = SAMPLED[kind](
            bounds=dict(_toml.table(options, "bounds")), **_without(options, "bounds")
        )
    run = dict(_toml.table(doc, "run"))
    _toml.check_keys("run", run, RUN_KEYS, TOP_LEVEL_KEYS)
    return SweepFile(design=design, fixed=dict(_toml.table(doc, "fixed")), run=run)


def _without(options: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k != key}
