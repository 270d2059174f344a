"""Protocols: the inversion angle, the support and the muscle state over time.

A :class:`Protocol` is a sequence of :class:`Phase` objects. On a device the body rests
on the backrest with friction; lying in bed it rests on a surface where it shifts freely
(no friction); upright it stands on its feet, balanced by the back muscles. Phases before
the session
("preceding phases": hours upright, lying) set the state the session starts from; the
session's *baseline* for every change is the state at the start of its first phase.

Angles are in degrees from horizontal: 0 lying flat, +90 fully inverted head-down,
-90 upright standing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinesim.core.layout import (
    NP,
    P_ANGLE,
    P_BACKREST,
    P_FRICTION,
    P_GUARD,
    P_POSTURE,
    P_TIME,
    P_TONE,
)
from spinesim.errors import ParameterError, check_number
from spinesim.properties import MuscleProperties

#: Phase kinds: on the device's backrest, upright standing (no backrest), lying in bed.
KINDS = ("device", "upright", "lying")


#: Seconds spent lying down on a device after standing, without friction (see
#: :func:`_with_lie_down`).
LIE_DOWN_S = 10.0


@dataclass(frozen=True)
class Phase:
    """One phase: the angle moves linearly from ``start_deg`` to ``end_deg`` over
    ``duration_s``.

    ``kind`` is ``"device"`` (on the backrest), ``"upright"`` (standing, the angle must be
    -90) or ``"lying"`` (flat on a bed, angle 0). ``session`` marks phases that belong to
    the session (after the baseline) rather than to its preparation.
    """

    duration_s: float
    start_deg: float
    end_deg: float
    kind: str = "device"
    session: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        check_number(f"{self.label}.duration_s", self.duration_s, 0.0, 1e7, low_open=True)
        check_number(f"{self.label}.start_deg", self.start_deg, -90.0, 90.0)
        check_number(f"{self.label}.end_deg", self.end_deg, -90.0, 90.0)
        if self.kind not in KINDS:
            raise ParameterError(f"{self.label}.kind = {self.kind!r} is unknown; allowed: {KINDS}")
        if self.kind == "upright" and (self.start_deg, self.end_deg) != (-90.0, -90.0):
            raise ParameterError(f"{self.label}: an upright phase stands at -90 deg")
        if self.kind == "lying" and (self.start_deg, self.end_deg) != (0.0, 0.0):
            raise ParameterError(f"{self.label}: a lying phase lies at 0 deg")

    @property
    def label(self) -> str:
        return f"phase {self.name!r}" if self.name else "phase"


def upright(hours: float) -> Phase:
    """Standing upright for ``hours`` before the session."""
    check_number("upright_hours", hours, 0.0, 48.0, low_open=True)
    return Phase(hours * 3600.0, -90.0, -90.0, kind="upright", session=False, name="upright")


def lying(hours: float) -> Phase:
    """Lying supine for ``hours`` before the session."""
    check_number("lying_hours", hours, 0.0, 48.0, low_open=True)
    return Phase(hours * 3600.0, 0.0, 0.0, kind="lying", session=False, name="lying")


@dataclass(frozen=True)
class Protocol:
    """A sequence of phases; build one with the class methods or from a list of phases."""

    phases: tuple[Phase, ...]

    def __post_init__(self) -> None:
        for k, phase in enumerate(self.phases):
            if not isinstance(phase, Phase):
                raise ParameterError(f"Protocol.phases[{k}] = {phase!r} is not a Phase")
        if not self.phases:
            raise ParameterError("Protocol.phases is empty; give at least one session phase")
        if not any(p.session for p in self.phases):
            raise ParameterError("Protocol has no session phase (all phases are preceding phases)")
        first = next(i for i, p in enumerate(self.phases) if p.session)
        if any(not p.session for p in self.phases[first:]):
            raise ParameterError("Protocol: preceding phases must come before the session phases")
        object.__setattr__(self, "phases", _with_lie_down(tuple(self.phases)))

    # ---------------------------------------------------------------- constructors
    @classmethod
    def inversion(
        cls,
        angle_deg: float,
        ramp_s: float | None = None,
        hold_s: float = 300.0,
        return_s: float | None = None,
        *,
        ramp_rate_deg_s: float | None = None,
        preceding: Sequence[Phase] = (),
    ) -> Protocol:
        """Ramp from horizontal to ``angle_deg`` in ``ramp_s`` (default 10 s) or at
        ``ramp_rate_deg_s`` (not both), hold ``hold_s``, return to horizontal in
        ``return_s`` (default: the ramp time; 0 for no return)."""
        check_number("angle_deg", angle_deg, -90.0, 90.0)
        check_number("hold_s", hold_s, 0.0, 1e7, low_open=True)
        if ramp_rate_deg_s is not None:
            if ramp_s is not None:
                raise ParameterError("give ramp_s or ramp_rate_deg_s, not both")
            rate = check_number("ramp_rate_deg_s", ramp_rate_deg_s, 0.0, 1e3, low_open=True)
            ramp_s = max(abs(angle_deg) / rate, 1e-3)
        ramp = check_number("ramp_s", 10.0 if ramp_s is None else ramp_s, 0.0, 1e5, low_open=True)
        ret = ramp if return_s is None else check_number("return_s", return_s, 0.0, 1e5)
        phases = [
            *preceding,
            Phase(ramp, 0.0, angle_deg, name="ramp"),
            Phase(hold_s, angle_deg, angle_deg, name="hold"),
        ]
        if ret > 0:
            phases.append(Phase(ret, angle_deg, 0.0, name="return"))
        return cls(tuple(phases))

    @classmethod
    def intermittent(
        cls,
        angle_deg: float,
        cycles: int,
        ramp_s: float = 10.0,
        hold_s: float = 60.0,
        rest_s: float = 60.0,
        *,
        preceding: Sequence[Phase] = (),
    ) -> Protocol:
        """``cycles`` repetitions of ramp up, hold at ``angle_deg``, ramp down, rest flat."""
        if isinstance(cycles, bool) or not isinstance(cycles, int) or not 1 <= cycles <= 1000:
            raise ParameterError(f"cycles = {cycles!r}; allowed: an integer in [1, 1000]")
        check_number("angle_deg", angle_deg, -90.0, 90.0)
        check_number("ramp_s", ramp_s, 0.0, 1e5, low_open=True)
        check_number("hold_s", hold_s, 0.0, 1e7, low_open=True)
        check_number("rest_s", rest_s, 0.0, 1e7, low_open=True)
        phases = list(preceding)
        for k in range(cycles):
            phases += [
                Phase(ramp_s, 0.0, angle_deg, name=f"ramp {k + 1}"),
                Phase(hold_s, angle_deg, angle_deg, name=f"hold {k + 1}"),
                Phase(ramp_s, angle_deg, 0.0, name=f"return {k + 1}"),
                Phase(rest_s, 0.0, 0.0, name=f"rest {k + 1}"),
            ]
        return cls(tuple(phases))

    @classmethod
    def from_samples(
        cls,
        times_s: Sequence[float],
        angles_deg: Sequence[float],
        *,
        preceding: Sequence[Phase] = (),
    ) -> Protocol:
        """Any angle history given as samples (linear in between); ``times_s[0]`` is the
        session start and must be 0."""
        t = np.asarray(times_s, dtype=float)
        a = np.asarray(angles_deg, dtype=float)
        if t.ndim != 1 or t.shape != a.shape or t.size < 2:
            raise ParameterError(
                "times_s and angles_deg must be 1-D of equal length >= 2; "
                f"got shapes {t.shape} and {a.shape}"
            )
        if not np.all(np.isfinite(t)) or t[0] != 0.0 or np.any(np.diff(t) <= 0):
            raise ParameterError(f"times_s = {t.tolist()} must start at 0 and increase strictly")
        phases = list(preceding)
        for k in range(t.size - 1):
            phases.append(Phase(t[k + 1] - t[k], a[k], a[k + 1], name=f"sample {k}"))
        return cls(tuple(phases))

    # ---------------------------------------------------------------- properties
    @property
    def session_duration_s(self) -> float:
        return float(sum(p.duration_s for p in self.phases if p.session))

    @property
    def preceding_duration_s(self) -> float:
        return float(sum(p.duration_s for p in self.phases if not p.session))

    @property
    def hold_end_s(self) -> float:
        """End of the steepest (largest ``|angle|``) constant-angle session phase on a
        device, the last one if several: where "end-of-hold" summaries are taken. The
        session end if there is none."""
        t = 0.0
        best, end = 0.0, self.session_duration_s
        for p in (p for p in self.phases if p.session):
            t += p.duration_s
            steep = abs(p.start_deg)
            if p.kind == "device" and p.start_deg == p.end_deg and steep > 0 and steep >= best:
                best, end = steep, t
        return end

    def boundaries(self) -> list[tuple[str, float, float]]:
        """``(name, start_s, end_s)`` of every phase, times from the session start."""
        out = []
        t = 0.0 - self.preceding_duration_s  # 0.0, not -0.0, without preceding phases
        for p in self.phases:
            out.append((p.name or p.kind, t, t + p.duration_s))
            t += p.duration_s
        return out

    def knots(self, muscle: MuscleProperties) -> np.ndarray:
        """Protocol table for the kernel, time measured from the session start (s).

        Rows are knots; the kernel interpolates linearly within a segment and steps exactly
        onto every knot, so a change of support or posture is a pair of knots at one time.
        """
        rows: list[list[float]] = []
        t = 0.0 - self.preceding_duration_s  # 0.0, not -0.0, without preceding phases
        was_tilting_down = False
        for phase in self.phases:
            backrest = 0.0 if phase.kind == "upright" else 1.0
            posture_start = _posture(phase, phase.start_deg)
            posture_end = _posture(phase, phase.end_deg)
            friction = 1.0 if phase.kind == "device" else 0.0
            tone_start = _tone(phase.start_deg, muscle)
            tone_end = _tone(phase.end_deg, muscle)
            tilting_down = phase.kind == "device" and phase.end_deg > max(phase.start_deg, 0.0)
            # guarding starts once per tilt, not again at every sample of the same ramp
            guard = muscle.guard_amplitude if tilting_down and not was_tilting_down else 0.0
            was_tilting_down = tilting_down
            start = [
                t,
                np.radians(phase.start_deg),
                backrest,
                tone_start,
                guard,
                posture_start,
                friction,
            ]
            rows.append(start)
            t += phase.duration_s
            rows.append(
                [t, np.radians(phase.end_deg), backrest, tone_end, 0.0, posture_end, friction]
            )
        table = np.array(rows, dtype=float)
        assert table.shape[1] == NP
        return _merge_continuous(table)


def _with_lie_down(phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    """Insert a :data:`LIE_DOWN_S` lying phase wherever an upright phase is followed by a
    phase on a device: lying down on the backrest, the body shifts freely, so friction does
    not lock in the compression of standing. It belongs to the phase before it."""
    out: list[Phase] = []
    for phase in phases:
        if out and out[-1].kind == "upright" and phase.kind == "device":
            out.append(
                Phase(LIE_DOWN_S, 0.0, 0.0, kind="lying", session=out[-1].session, name="lie down")
            )
        out.append(phase)
    return tuple(out)


def _posture(phase: Phase, angle_deg: float) -> float:
    """Postural control (0..1): full upright; on a device tilted head-up the body partly
    stands on its feet and balances in proportion to -sin(angle); none head-down or flat."""
    if phase.kind == "upright":
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
    """Drop the second of two equal knots (same time and values, no guard onset)."""
    keep = [0]
    for k in range(1, table.shape[0]):
        prev = table[keep[-1]]
        row = table[k]
        same = (
            row[P_TIME] == prev[P_TIME]
            and row[P_ANGLE] == prev[P_ANGLE]
            and row[P_BACKREST] == prev[P_BACKREST]
            and row[P_TONE] == prev[P_TONE]
            and row[P_POSTURE] == prev[P_POSTURE]
            and row[P_FRICTION] == prev[P_FRICTION]
        )
        if same:
            table[keep[-1], P_GUARD] = max(prev[P_GUARD], row[P_GUARD])
        else:
            keep.append(k)
    return table[keep]
