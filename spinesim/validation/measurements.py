"""The measurement table ``spinesim/data/measurements.csv`` and its comparison with the model.

Each :class:`Measurement` is one published value (mean and band, unit, study, conditions)
with what it was used for: ``"calibration"`` (it set the parameter named in ``sets``, so
comparing with it checks the calibration) or ``"validation"`` (not used to set anything).
:class:`MeasurementCheck` holds a simulated value with its measurement: error and agreement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from spinesim.data import read_table
from spinesim.errors import ParameterError

USES = ("calibration", "validation")


@dataclass(frozen=True)
class Measurement:
    """One published value; ``mean`` is ``nan`` when only the sign was published, and
    ``low``/``high`` are the measured band (``-inf``/``inf`` where open)."""

    id: str
    experiment: str
    study: str
    citation: str
    url: str
    tag: str
    quantity: str
    conditions: str
    subjects: str
    mean: float
    low: float
    high: float
    spread: str
    unit: str
    use: str
    sets: str
    tolerance: float
    tolerance_basis: str
    requires: str
    known_mismatch: str

    @property
    def accepted(self) -> tuple[float, float]:
        """The interval within which a simulated value agrees: the band +- tolerance."""
        return self.low - self.tolerance, self.high + self.tolerance

    @property
    def measured_text(self) -> str:
        """The measured value as printed in the report, e.g. ``1.8 (0.6 to 3.0)``."""
        if math.isnan(self.mean):  # no mean published: a range, a bound or a sign
            if math.isfinite(self.low) and math.isfinite(self.high):
                return f"{self.low:g} to {self.high:g}"
            if self.high == 0.0 or self.low == 0.0:
                return "decrease" if self.high == 0.0 else "increase"
            return f"below {self.high:g}" if math.isfinite(self.high) else f"above {self.low:g}"
        if self.low == self.high == self.mean:
            return f"{self.mean:g}"
        return f"{self.mean:g} ({self.low:g} to {self.high:g})"


@dataclass(frozen=True)
class MeasurementCheck:
    """A measurement with its simulated value."""

    measurement: Measurement
    simulated: float

    @property
    def error(self) -> float:
        """Simulated minus measured mean (``nan`` where no mean was published)."""
        return self.simulated - self.measurement.mean

    @property
    def agrees(self) -> bool:
        """Whether the simulated value lies in the accepted interval. A sign-only
        measurement (an increase or a decrease) needs a nonzero change of that sign: its
        zero bound is excluded."""
        low, high = self.measurement.accepted
        if self.measurement.spread == "sign only":
            return bool(low < self.simulated < high)
        return bool(low <= self.simulated <= high)

    @property
    def status(self) -> str:
        return "agrees" if self.agrees else "does not match"


@cache
def load_measurements() -> tuple[Measurement, ...]:
    """Every row of ``spinesim/data/measurements.csv``, checked."""
    rows = tuple(_measurement(row) for row in read_table("measurements.csv"))
    ids = [m.id for m in rows]
    if len(set(ids)) != len(ids):
        raise ParameterError("measurements.csv: ids must be unique")
    return rows


def measurement(measurement_id: str) -> Measurement:
    """The measurement called ``measurement_id``."""
    for m in load_measurements():
        if m.id == measurement_id:
            return m
    raise ParameterError(f"measurement = {measurement_id!r} is not in measurements.csv")


def _number(text: str, empty: float) -> float:
    return float(text) if text.strip() else empty


def _measurement(row: dict[str, str]) -> Measurement:
    values = dict(row)
    values["mean"] = _number(row["mean"], math.nan)
    values["low"] = _number(row["low"], -math.inf)
    values["high"] = _number(row["high"], math.inf)
    values["tolerance"] = _number(row["tolerance"], 0.0)
    m = Measurement(**values)
    if m.use not in USES:
        raise ParameterError(f"measurements.csv {m.id}: use = {m.use!r}; allowed: {USES}")
    if m.use == "calibration" and not m.sets:
        raise ParameterError(f"measurements.csv {m.id}: a calibration row must name `sets`")
    if not m.low <= m.high or not (math.isnan(m.mean) or m.low <= m.mean <= m.high):
        raise ParameterError(f"measurements.csv {m.id}: need low <= mean <= high")
    return m
