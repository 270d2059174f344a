"""The protocol table the kernel runs on: a :class:`~spinesim.protocol.Protocol`'s phases
as knots in time, each with the angle, the support, the pull, the muscles' tone,
guarding and postural control, and the phase kind (columns ``P_*`` of
:mod:`spinesim.core.layout`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from spinesim.core.layout import (
    NP,
    P_ANGLE,
    P_BACKREST,
    P_FRICTION,
    P_GUARD,
    P_KIND,
    P_POSTURE,
    P_PULL,
    P_TIME,
    P_TONE,
)
from spinesim.device import KINDS, UPRIGHT_KINDS, Device
from spinesim.properties import MuscleProperties

if TYPE_CHECKING:
    from spinesim.protocol import Phase


def knot_table(
    phases: Sequence[Phase],
    phase_times: Sequence[tuple[float, float]],
    muscle: MuscleProperties,
    device: Device | None,
) -> np.ndarray:
    """Rows of knots for ``phases`` starting and ending at ``phase_times`` (s from the
    session start); the kernel interpolates linearly within a segment and steps exactly
    onto every knot, so a change of support or posture is a pair of knots at one time.
    ``device`` (default: one with a backrest, like the inversion table) decides the support
    in device phases."""
    guards = _guard_onsets(phases, muscle)
    rows: list[np.ndarray] = []
    for phase, (t, end), guard in zip(phases, phase_times, guards, strict=True):
        for time, angle, pull, onset in (
            (t, phase.start_deg, phase.start_pull_N, guard),
            (end, phase.end_deg, phase.end_pull_N, 0.0),
        ):
            backrest, friction = _support(phase, angle, device)
            row = np.zeros(NP)
            row[P_TIME], row[P_ANGLE], row[P_BACKREST] = time, np.radians(angle), backrest
            row[P_TONE], row[P_GUARD] = _tone(angle, muscle), onset
            row[P_POSTURE], row[P_FRICTION] = _posture(phase, angle), friction
            row[P_KIND], row[P_PULL] = KINDS.index(phase.kind), pull
            rows.append(row)
    table = np.array(rows, dtype=float)
    return _merge_continuous(table)


def _guard_onsets(phases: tuple[Phase, ...], muscle: MuscleProperties) -> list[float]:
    """Guarding amplitude started at each phase's first knot (docs/model.md §2.9).

    A loading run is a sequence of consecutive phases that each tilt head-down further or
    pull harder: guarding starts once, at the run's first knot (not again at every sample
    of one ramp). Its size is the load the run brings that the muscles have not met, in
    units of ``guard_full_pull_N`` of pull or of the weight along the table at
    ``guard_full_tilt_deg`` (full guarding from 1): the rise of the highest load of the run
    above a reference, the highest load so far less what the load fell since it was last
    reached or loaded again, d, times min(1, d). A release by a full unit or more re-arms
    the whole transient (each cycle of intermittent traction); a pull raised by a newton,
    or ripple and noise on a recorded trace, start almost none. Getting off the device
    forgets what it loaded: a second visit guards as the first."""

    def loading(phase: Phase) -> bool:
        tilting_down = phase.kind == "device" and phase.end_deg > max(phase.start_deg, 0.0)
        return tilting_down or phase.end_pull_N > phase.start_pull_N

    full_tilt = np.sin(np.radians(muscle.guard_full_tilt_deg))

    def loads(angle_deg: float, pull_N: float) -> np.ndarray:  # (tilt, pull), full = 1
        head_down = np.sin(np.radians(max(angle_deg, 0.0)))  # share of weight along table
        return np.array([head_down / full_tilt, pull_N / muscle.guard_full_pull_N])

    peak, trough = np.zeros(2), np.zeros(2)  # highest load so far, lowest since then

    def remember(phase: Phase) -> None:
        for value in (
            loads(phase.start_deg, phase.start_pull_N),
            loads(phase.end_deg, phase.end_pull_N),
        ):
            higher = value > peak
            peak[higher] = trough[higher] = value[higher]
            np.minimum(trough, value, out=trough)

    guards = [0.0] * len(phases)
    k = 0
    while k < len(phases):
        if phases[k].kind != "device":  # off the device the muscles forget its loads,
            peak[:] = trough[:] = 0.0  # as the guarding itself ends (mechanics.muscle_activation)
        if not loading(phases[k]):
            remember(phases[k])
            k += 1
            continue
        last = k
        while last + 1 < len(phases) and loading(phases[last + 1]):
            last += 1
        run = phases[k : last + 1]
        fall = peak - trough
        reference = peak - fall * np.minimum(1.0, fall)
        highest = np.max([loads(p.end_deg, p.end_pull_N) for p in run], axis=0)
        new = np.clip(highest - reference, 0.0, 1.0)
        guards[k] = max(muscle.tilt_guard_amplitude * new[0], muscle.guard_amplitude * new[1])
        for phase in run:
            remember(phase)
        # loaded again to where the run ends: a later fall counts from there
        end = loads(run[-1].end_deg, run[-1].end_pull_N)
        np.maximum(trough, np.minimum(end, peak), out=trough)
        k = last + 1
    return guards


def _support(phase: Phase, angle_deg: float, device: Device | None) -> tuple[float, float]:
    """``(backrest, friction)`` at a knot: upright and sitting without a backrest, lying in
    bed without friction, on the device as the device says (default: a backrest with
    friction, as the inversion table)."""
    if phase.kind in UPRIGHT_KINDS:
        return 0.0, 0.0
    if phase.kind == "lying":
        return 1.0, 0.0
    return (1.0, 1.0) if device is None else device.support(angle_deg)


def _posture(phase: Phase, angle_deg: float) -> float:
    """Postural control (0..1): full upright and sitting; on a device tilted head-up the body
    partly stands on its feet (or, hanging from a harness, balances the upper body on it) in
    proportion to -sin(angle); none head-down or flat."""
    if phase.kind in UPRIGHT_KINDS:
        return 1.0
    if phase.kind == "device" and angle_deg < 0.0:
        return float(-np.sin(np.radians(angle_deg)))
    return 0.0


def _tone(angle_deg: float, muscle: MuscleProperties) -> float:
    """Baseline activation: lying/upright 1, head-down scaled by ``inverted_tone``."""
    if angle_deg <= 0.0:
        return 1.0
    s = np.sin(np.radians(angle_deg))
    return 1.0 + (muscle.inverted_tone - 1.0) * s


def _merge_continuous(table: np.ndarray) -> np.ndarray:
    """Merge two equal knots (same time and values apart from the guard onset) into one
    that keeps the larger guard onset."""
    keep = [0]
    for k in range(1, table.shape[0]):
        prev = table[keep[-1]]
        row = table[k]
        others = [c for c in range(NP) if c != P_GUARD]
        same = bool(np.all(row[others] == prev[others]))
        if same:
            table[keep[-1], P_GUARD] = max(prev[P_GUARD], row[P_GUARD])
        else:
            keep.append(k)
    return table[keep]
