"""Sweep designs: which cases to run.

Every design turns into a table of cases (:meth:`Design.table`: parameter name → one
value per case) and says how results are laid out: a :class:`Grid` as one dimension per
parameter, every other design along a single ``case`` dimension with the parameters as
coordinates.
"""

from __future__ import annotations

import math
import secrets
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spinesim.anatomy import BMI_RANGE
from spinesim.errors import ParameterError, check_integer, check_number, check_type
from spinesim.sweeps.parameters import (
    CATEGORICAL,
    check_names,
    check_sampled,
    check_sampling_range,
)

#: Largest number of cases one sweep may hold: a sweep returns its results in memory, about
#: 2.3 kB per case (the per-level summaries of the full spine), so 2.3 GB at the most, plus
#: the case table; 1e8 cases ran out of memory building the case table.
MAX_CASES = 1_000_000
#: Largest seed of a sampled design: any unsigned 64-bit integer (numpy's generators and
#: scipy.stats.qmc take any non-negative integer; a TOML integer is at most 2**63 - 1).
MAX_SEED = 2**64 - 1


def check_seed(name: str, seed: Any) -> int:
    """Return ``seed`` as int if it is an integer in ``[0, MAX_SEED]``, or a freshly drawn
    one if it is None (kept in the design, its specification and a sweep's store, so the
    sample can be drawn again and a resumed sweep cannot mix two samples); otherwise raise
    :class:`ParameterError` naming ``name``."""
    if seed is None:
        return secrets.randbits(63)  # a TOML integer holds it
    return check_integer(name, seed, 0, MAX_SEED)


def _values(name: str, values: Any, *, missing: bool = False) -> np.ndarray:
    """``values`` as a 1-D array, checked: numbers (or names, switches for a categorical
    parameter). With ``missing``, None marks a case the parameter is not given for (an
    object array keeps it), as long as some case gives it."""
    check_names([name])
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ParameterError(f"sweep parameter {name!r}: give a non-empty 1-D list of values")
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)  # as given
    if not missing and None in items:
        raise ParameterError(
            f"sweep parameter {name!r} = {items!r}: None (not given) is allowed in a Table only"
        )
    if name not in CATEGORICAL and any(isinstance(v, bool) for v in items):
        raise ParameterError(f"sweep parameter {name!r} = {items!r}: values must be numbers")
    given = array
    if missing and array.dtype == object:
        given = np.asarray([v for v in array if v is not None])
        if given.size == 0:
            raise ParameterError(f"sweep parameter {name!r}: every value is None; leave it out")
        # None kept in an object array; a column without None gets its values' own type
        array = np.asarray(array.tolist(), dtype=object) if given.size < array.size else given
    numeric = np.issubdtype(given.dtype, np.number) and given.dtype != np.bool_
    if name not in CATEGORICAL and not numeric:
        hint = " (None where it is not given)" if missing else ""
        raise ParameterError(f"sweep parameter {name!r} = {values!r}: values must be numbers{hint}")
    if missing and numeric and np.isnan(given.astype(float)).any():
        cases = np.flatnonzero([v is not None and v != v for v in array.tolist()]).tolist()
        raise ParameterError(
            f"sweep parameter {name!r} is NaN in case(s) {cases[:10]}: give None where a "
            "case does not give it (a pandas DataFrame: df.astype(object).where(df.notna(), "
            "None))"
        )
    return array


def _bounds(name: str, bounds: Any) -> tuple[float, float]:
    """``(low, high)`` of a sampled parameter, checked: numbers, low below high, both within
    the parameter's allowed range."""
    check_sampled(name)
    if isinstance(bounds, np.ndarray) and bounds.ndim == 1:
        bounds = bounds.tolist()  # e.g. np.array([20.0, 90.0])
    if not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise ParameterError(f"sweep parameter {name!r} = {bounds!r}: give [low, high]")
    largest = sys.float_info.max  # finite bounds only

    def bound(which: str, value: Any) -> float:
        try:
            return check_number(f"{name} {which} bound", value, -largest, largest)
        except ParameterError:
            if not isinstance(value, float):
                raise
            try:  # NaN or inf: name the parameter's own range
                check_sampling_range(name, value, value)
            except ParameterError as named:
                raise ParameterError(
                    f"{name} {which} bound = {value:g} is not allowed: {named.__cause__}"
                ) from None
            raise

    low, high = (bound(which, value) for which, value in zip(("low", "high"), bounds, strict=True))
    if not low < high:
        raise ParameterError(f"{name} bounds = [{low:g}, {high:g}]: low must be below high")
    check_sampling_range(name, low, high)
    return low, high


class Design(ABC):
    """Base of all designs."""

    def dims(self) -> tuple[str, ...]:
        """Dimensions of the results: the parameter names (grid) or ``("case",)``."""
        return ("case",)

    @abstractmethod
    def table(self) -> dict[str, np.ndarray]:
        """Parameter name → one value per case."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """JSON-ready description (stored with the results, checked on resume)."""


@dataclass(frozen=True)
class Grid(Design):
    """Full factorial grid: every combination of the listed values.

    ``Grid(angle_deg=[30, 60, 90], hold_s=[60, 300])`` gives 6 cases; results have one
    dimension per parameter, in the order given, its values in the order listed.
    """

    values: dict[str, np.ndarray]

    def __init__(self, values: Mapping[str, Sequence] | None = None, **more: Sequence) -> None:
        merged = {**(values or {}), **more}
        if not merged:
            raise ParameterError("Grid: give at least one parameter with its values")
        object.__setattr__(self, "values", {k: _values(k, v) for k, v in merged.items()})
        for name, v in self.values.items():
            if np.unique(v).size != v.size:
                raise ParameterError(
                    f"Grid: {name} = {v.tolist()} repeats a value; a grid dimension lists "
                    "each value once (use a Table for repeated cases)"
                )
        n = math.prod(v.size for v in self.values.values())
        if n > MAX_CASES:
            raise ParameterError(f"Grid has {n} cases; allowed: at most {MAX_CASES}")

    def dims(self) -> tuple[str, ...]:
        return tuple(self.values)

    def table(self) -> dict[str, np.ndarray]:
        mesh = np.meshgrid(*self.values.values(), indexing="ij")
        return {name: m.ravel() for name, m in zip(self.values, mesh, strict=True)}

    def describe(self) -> dict[str, Any]:
        return {"grid": {k: v.tolist() for k, v in self.values.items()}}


@dataclass(frozen=True)
class Table(Design):
    """Explicit cases: equal-length columns, one value per case (a dict of lists or a
    pandas DataFrame). None leaves a parameter out of a case, which then takes its default:
    cases on different devices or protocols can share a table, each giving only its own
    parameters (``{"device": ["table", "traction"], "angle_deg": [60, None], "pull_N":
    [None, 300]}``)."""

    columns: dict[str, np.ndarray]

    def __init__(self, columns: Mapping[str, Sequence]) -> None:
        cols = {str(k): _values(str(k), v, missing=True) for k, v in dict(columns).items()}
        if not cols:
            raise ParameterError("Table: give at least one column")
        sizes = {k: v.size for k, v in cols.items()}
        if len(set(sizes.values())) != 1:
            raise ParameterError(f"Table: columns must have equal lengths; got {sizes}")
        object.__setattr__(self, "columns", cols)

    def table(self) -> dict[str, np.ndarray]:
        return dict(self.columns)

    def describe(self) -> dict[str, Any]:
        return {"table": {k: v.tolist() for k, v in self.columns.items()}}


@dataclass(frozen=True)
class LatinHypercube(Design):
    """``n`` cases Latin-hypercube sampled (scipy.stats.qmc) within ``bounds`` =
    ``{name: [low, high]}``; reproducible with ``seed``."""

    bounds: dict[str, tuple[float, float]]
    n: int
    seed: int | None = 0

    def __post_init__(self) -> None:
        kind = type(self).__name__
        if not self.bounds:
            raise ParameterError(f"{kind}: give at least one parameter with [low, high]")
        object.__setattr__(self, "bounds", {k: _bounds(k, v) for k, v in self.bounds.items()})
        object.__setattr__(self, "n", check_integer(f"{kind}.n", self.n, 1, MAX_CASES))
        object.__setattr__(self, "seed", check_seed(f"{kind}.seed", self.seed))

    def _unit_samples(self) -> np.ndarray:
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=len(self.bounds), seed=self.seed).random(self.n)

    def table(self) -> dict[str, np.ndarray]:
        unit = self._unit_samples()
        return {
            name: low + (high - low) * unit[:, k]
            for k, (name, (low, high)) in enumerate(self.bounds.items())
        }

    def describe(self) -> dict[str, Any]:
        kind = type(self).__name__
        return {kind: {"bounds": self.bounds, "n": self.n, "seed": self.seed}}


@dataclass(frozen=True)
class RandomSample(LatinHypercube):
    """``n`` cases drawn uniformly at random within ``bounds``; reproducible with ``seed``."""

    def _unit_samples(self) -> np.ndarray:
        return np.random.default_rng(self.seed).random((self.n, len(self.bounds)))


#: Least share of a :class:`Normal`'s draws within its bounds (redrawing the rest).
MIN_NORMAL_MASS = 0.01


@dataclass(frozen=True)
class Normal:
    """A normal distribution ``mean ± sd``, truncated to ``[low, high]``."""

    mean: float
    sd: float
    low: float
    high: float

    def __post_init__(self) -> None:
        largest = sys.float_info.max
        check_number("Normal.mean", self.mean, -largest, largest)
        check_number("Normal.sd", self.sd, 0.0, largest, low_open=True)
        check_number("Normal.low", self.low, -largest, self.mean)
        check_number("Normal.high", self.high, self.mean, largest)
        inside = 0.5 * (
            math.erf((self.high - self.mean) / (self.sd * math.sqrt(2.0)))
            - math.erf((self.low - self.mean) / (self.sd * math.sqrt(2.0)))
        )
        if inside < MIN_NORMAL_MASS:
            raise ParameterError(
                f"Normal({self.mean!r}, {self.sd!r}) keeps {inside:.2g} of its draws within "
                f"[{self.low!r}, {self.high!r}]; allowed: at least {MIN_NORMAL_MASS:g} "
                "(widen the bounds or the sd)"
            )

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        out = rng.normal(self.mean, self.sd, n)
        bad = (out < self.low) | (out > self.high)
        while bad.any():  # redraw outside the bounds (truncated normal)
            out[bad] = rng.normal(self.mean, self.sd, int(bad.sum()))
            bad = (out < self.low) | (out > self.high)
        return out


#: Adult stature (m) by sex: NHANES 2015-2018, age >= 20 (Fryar et al. 2021, Anthropometric
#: reference data for children and adults: United States, 2015-2018, Vital Health Stat 3(46)):
#: means men 1.753 m, women 1.613 m [V-sec]; SDs from the 5th-95th percentile spread
#: (assumption: normal within it) [V-sec].
STATURE = {
    "male": Normal(1.753, 0.075, 1.45, 2.10),
    "female": Normal(1.613, 0.071, 1.35, 1.95),
}
#: Body-mass index (kg/m^2) by sex, same source: means 29.1 (men) / 29.6 (women) [V-sec]; SDs
#: ~6 / 7 from the percentile spread (assumption, the distribution is right-skewed);
#: mass = BMI x stature^2.
BMI = {
    "male": Normal(29.1, 6.0, 17.0, 50.0),
    "female": Normal(29.6, 7.0, 17.0, 50.0),
}


@dataclass(frozen=True)
class Cohort(Design):
    """A virtual cohort of ``n`` adults: sex drawn with ``female_fraction``, stature and
    body-mass index drawn per sex from ``stature`` and ``bmi`` (defaults: US adults,
    :data:`STATURE`, :data:`BMI`), mass = BMI x stature². Combine with other parameters
    with :func:`spinesim.sweep` 's ``fixed`` or by crossing in a :class:`Table`."""

    n: int
    seed: int | None = 0
    female_fraction: float = 0.5
    stature: Mapping[str, Normal] = field(default_factory=lambda: dict(STATURE))
    bmi: Mapping[str, Normal] = field(default_factory=lambda: dict(BMI))

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_integer("Cohort.n", self.n, 1, MAX_CASES))
        object.__setattr__(self, "seed", check_seed("Cohort.seed", self.seed))
        check_number("Cohort.female_fraction", self.female_fraction, 0.0, 1.0)
        for name, dist in (("stature", self.stature), ("bmi", self.bmi)):
            if set(dist) != {"male", "female"}:
                raise ParameterError(f"Cohort.{name}: give distributions for male and female")
            for sex, normal in dist.items():
                check_type(f"Cohort.{name}[{sex!r}]", normal, Normal)
        for sex in ("male", "female"):  # the supports of the truncated distributions
            stature, bmi = self.stature[sex], self.bmi[sex]
            check_sampling_range(
                "height_m", stature.low, stature.high, label=f"Cohort.stature[{sex!r}]"
            )
            for which, value in (("low", bmi.low), ("high", bmi.high)):
                check_number(f"Cohort.bmi[{sex!r}] {which} bound", value, *BMI_RANGE)
            check_sampling_range(
                "mass_kg",
                bmi.low * stature.low**2,
                bmi.high * stature.high**2,
                label=f"Cohort.bmi[{sex!r}] x stature^2 (mass_kg)",
            )

    def table(self) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        female = rng.random(self.n) < self.female_fraction
        sex = np.where(female, "female", "male")
        height = np.empty(self.n)
        bmi = np.empty(self.n)
        for s, mask in (("female", female), ("male", ~female)):
            height[mask] = self.stature[s].draw(rng, int(mask.sum()))
            bmi[mask] = self.bmi[s].draw(rng, int(mask.sum()))
        return {"sex": sex, "height_m": height, "mass_kg": bmi * height**2}

    def describe(self) -> dict[str, Any]:
        return {
            "cohort": {
                "n": self.n,
                "seed": self.seed,
                "female_fraction": self.female_fraction,
                "stature": {k: vars(v) for k, v in self.stature.items()},
                "bmi": {k: vars(v) for k, v in self.bmi.items()},
            }
        }
