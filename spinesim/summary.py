"""What a session comes down to: per level and for the whole spine, the end-of-hold, peak
and final values, the rise time, as computed by the kernel (:func:`spinesim.core.batch.summarize`).

One definition serves ``simulate`` (``Result.summary()``) and sweeps (their variables):
changes are against the session start (t = 0), "end" is the end of the hold, peaks and the
rise time are taken over the saved times.
"""

from __future__ import annotations

import math

import numpy as np

from spinesim.core import batch as B

#: Sides of a disc space, in the order of the ``end_gap_change`` columns.
SIDES = ("anterior", "middle", "posterior")

#: Per-level summaries: ``name: (summary columns, scale to the unit, unit, description)``.
LEVEL_SUMMARIES = {
    "end_axial_force": (B.SUM_FORCE_END, 1.0, "N", "disc axial force at the end of the hold"),
    "peak_axial_force": (
        B.SUM_FORCE_PEAK, 1.0, "N",
        "peak disc axial force up to the end of the hold (tension +; the largest, or the "
        "smallest where the session only tilts head-up)",
    ),
    "end_segment_force": (
        B.SUM_SEGMENT_FORCE_END, 1.0, "N", "axial force across the motion segment, end of hold",
    ),
    "end_gap_change": (
        [B.SUM_GAP_ANTERIOR_END, B.SUM_GAP_MIDDLE_END, B.SUM_GAP_POSTERIOR_END],
        1e3, "mm", "disc-space change at the end of the hold (per side)",
    ),
    "peak_gap_change": (
        B.SUM_GAP_PEAK, 1e3, "mm",
        "peak middle disc-space change up to the end of the hold (the largest, or the smallest "
        "where the session only tilts head-up)",
    ),
    "final_gap_change": (
        B.SUM_GAP_FINAL, 1e3, "mm",
        "middle disc-space change at the session end (after the return and any time after it)",
    ),
    "rise_time": (
        B.SUM_RISE_TIME,
        1.0,
        "s",
        "time to 90 % of the end-of-hold middle disc-space change (grows with the hold: the "
        "discs keep opening through it)",
    ),
    "end_pressure": (B.SUM_PRESSURE_END, 1e-6, "MPa", "nucleus pressure at the end of the hold"),
    "min_pressure": (B.SUM_PRESSURE_MIN, 1e-6, "MPa", "lowest nucleus pressure"),
    "end_fluid_change": (
        B.SUM_FLUID_END, 100.0, "%", "disc fluid volume change at the end of the hold",
    ),
}  # fmt: skip
#: Summaries of the whole spine, as :data:`LEVEL_SUMMARIES`.
GLOBAL_SUMMARIES = {
    "end_spine_length_change": (B.SUM_LENGTH_END, 1e3, "mm", "spine length change, end of hold"),
    "peak_spine_length_change": (
        B.SUM_LENGTH_PEAK, 1e3, "mm",
        "peak spine length change up to the end of the hold (the largest, or the smallest "
        "where the session only tilts head-up)",
    ),
    "final_spine_length_change": (
        B.SUM_LENGTH_FINAL, 1e3, "mm", "spine length change at the session end",
    ),
}  # fmt: skip


def in_units(level_summary: np.ndarray, global_summary: np.ndarray) -> dict[str, np.ndarray]:
    """Every summary of :data:`LEVEL_SUMMARIES` and :data:`GLOBAL_SUMMARIES` in its unit,
    from the kernel's ``level_summary (..., level, N_SUM)`` and ``global_summary (...,
    N_SUM_GLOBAL)`` (SI); leading axes (e.g. cases) are kept."""
    named = {
        name: scale * level_summary[..., column]
        for name, (column, scale, _, _) in LEVEL_SUMMARIES.items()
    }
    named.update(
        {
            name: scale * global_summary[..., column]
            for name, (column, scale, _, _) in GLOBAL_SUMMARIES.items()
        }
    )
    return named


def key(name: str, unit: str) -> str:
    """Key of a summary in a :meth:`spinesim.Result.summary` dictionary: its name and unit,
    e.g. ``end_gap_change_mm``, ``end_fluid_change_pct``."""
    return f"{name}_{unit.replace('%', 'pct')}"


def as_dict(levels: tuple[str, ...], named: dict[str, np.ndarray]) -> dict:
    """One session's summaries :func:`in_units` as plain JSON values: ``{"levels": {level:
    {key: value}}, key: value, ...}`` (keys from :func:`key`; gap changes by side; a value
    that is not a number, as in a failed sweep case, is ``None``)."""

    def plain(values: np.ndarray) -> float | dict[str, float | None] | None:
        if values.ndim:
            return dict(zip(SIDES, map(plain, values), strict=True))
        value = float(values)
        return None if math.isnan(value) else value

    per_level = {
        level: {
            key(name, unit): plain(named[name][j])
            for name, (_, _, unit, _) in LEVEL_SUMMARIES.items()
        }
        for j, level in enumerate(levels)
    }
    spine = {
        key(name, unit): plain(named[name]) for name, (_, _, unit, _) in GLOBAL_SUMMARIES.items()
    }
    return {"levels": per_level, **spine}
