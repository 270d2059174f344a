"""Global sensitivity analysis: which parameter drives decompression at each level.

Sobol' indices (Saltelli 2002; Jansen 1999 estimators as implemented in SALib, Herman &
Usher 2017 JOSS 2:97) from a Saltelli sample of ``n x (d + 2)`` cases run by
:func:`spinesim.sweep`. The first-order index ``S1`` is the share of an output's variance
explained by one parameter alone, the total index ``ST`` includes its interactions; both
come with bootstrap confidence half-widths.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._optional import import_optional
from spinesim.errors import ParameterError, check_integer
from spinesim.summary import LEVEL_SUMMARIES
from spinesim.sweeps.design import Table, _bounds, check_seed
from spinesim.sweeps.runner import sweep
from spinesim.sweeps.store import _import_xarray

if TYPE_CHECKING:
    import xarray as xr

#: Side of the disc space used for outputs that have one.
SIDE = "middle"


def sobol_indices(
    bounds: Mapping[str, Sequence[float]],
    n: int,
    *,
    outputs: Sequence[str] = ("end_gap_change", "end_axial_force"),
    fixed: Mapping[str, Any] | None = None,
    seed: int | None = 0,
    confidence: float = 0.95,
    **sweep_options: Any,
) -> tuple[xr.Dataset, xr.Dataset]:
    """Sobol' indices of per-level ``outputs`` with respect to the parameters in
    ``bounds`` (``{name: [low, high]}``, sampled uniformly).

    ``n`` (a power of 2) is the base sample size: the sweep runs ``n x (len(bounds) + 2)``
    cases. ``sweep_options`` go to :func:`spinesim.sweep` (``batch_size``, ``client``,
    ``out``, ...). ``confidence`` (in (0, 1)) is the level of the bootstrap confidence
    half-widths. Returns ``(indices, cases)``: an :class:`xarray.Dataset` with ``S1``,
    ``S1_conf``, ``ST`` and ``ST_conf`` over ``(output, level, parameter)``, and the sweep
    that computed them. Outputs with a disc side use its middle.
    """
    purpose = "Sobol' indices"
    analyze = import_optional("SALib.analyze.sobol", "sweep", purpose)
    sample = import_optional("SALib.sample.sobol", "sweep", purpose)
    xr = _import_xarray()
    n = check_integer("n", n, 2, 2**24)
    seed = check_seed("seed", seed)
    confidence = _confidence(confidence)
    if n & (n - 1):
        raise ParameterError(f"n = {n}; allowed: a power of 2 (Sobol' sequence balance)")
    unknown = [o for o in outputs if o not in LEVEL_SUMMARIES]
    if unknown or not outputs:
        raise ParameterError(f"outputs = {list(outputs)}; allowed: {list(LEVEL_SUMMARIES)}")
    names = list(bounds)
    if not names:
        raise ParameterError("bounds: give at least one parameter with [low, high]")
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(_bounds(name, bounds[name])) for name in names],
    }
    x = sample.sample(problem, n, calc_second_order=False, seed=seed)
    cases = sweep(Table(dict(zip(names, x.T, strict=True))), fixed=fixed, **sweep_options)
    failed = int((cases["status"] != 0).sum())
    if failed:
        error = ParameterError(
            f"{failed} of {cases.sizes['case']} cases failed; Sobol' indices need every case: "
            "narrow the bounds (the sweep with each case's 'reason' is this error's .cases)"
        )
        error.cases = cases
        raise error
    levels = list(cases["level"].values)
    shape = (len(outputs), len(levels), len(names))
    indices = {key: np.empty(shape) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    for i, output in enumerate(outputs):
        values = cases[output]
        if "side" in values.dims:
            values = values.sel(side=SIDE)
        for j, level in enumerate(levels):
            y = np.asarray(values.sel(level=level).values, dtype=float)
            result = analyze.analyze(
                problem, y, calc_second_order=False, conf_level=confidence, seed=seed
            )
            for key in indices:
                indices[key][i, j] = result[key]
    dims = ("output", "level", "parameter")
    return xr.Dataset(
        {key: (dims, value) for key, value in indices.items()},
        coords={
            "output": np.array(outputs, dtype=object),
            "level": np.array(levels, dtype=object),
            "parameter": np.array(names, dtype=object),
        },
        attrs={
            "method": "Sobol' indices, Saltelli sampling (SALib), first order and total",
            "confidence": confidence,
            "base_samples": n,
            "side": SIDE,
        },
    ), cases


def _confidence(value: Any) -> float:
    """The confidence level of the bootstrap half-widths, checked: a number in (0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < value < 1.0:
        raise ParameterError(
            f"confidence = {value!r}; allowed: a number in the open interval (0, 1)"
        )
    return float(value)
