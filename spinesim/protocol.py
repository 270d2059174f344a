"""Protocols: the inversion angle, the support, the pull and the muscle state over time.

A :class:`Protocol` is a sequence of :class:`Phase` objects. On a device the body rests
on the backrest with friction or hangs from the device (see :mod:`spinesim.device`), and
a traction device may pull on it; lying in bed it rests on a surface where it shifts
freely (no friction); upright it stands on its feet, balanced by the back muscles;
sitting it sits on a seat, balanced the same way. Phases before the session
("preceding phases": hours upright, lying) set the state the session starts from; the
session's *baseline* for every change is the state at the start of its first phase.

Angles are in degrees from horizontal: 0 lying flat, +90 fully inverted head-down,
-90 upright standing.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from spinesim.device import KINDS, MAX_PULL_N, UPRIGHT_KINDS, Device, check_pull
from spinesim.errors import ParameterError, check_integer, check_number, check_type
from spinesim.properties import MuscleProperties
from spinesim.protocol_knots import knot_table

#: The angle of each posture kind (deg): its phases start and end there.
POSTURE_ANGLES = {"upright": -90.0, "sitting": -90.0, "lying": 0.0}
#: How a phase of each posture kind is at its angle (for messages).
POSTURE_WORDS = {
    "upright": "an upright phase stands",
    "sitting": "a sitting phase sits",
    "lying": "a lying phase lies",
}
#: Default ramp of a tilt from horizontal to the session's angle (s).
TILT_RAMP_S = 10.0
#: Saved times closer than this share of the session's duration count as one (-): a grid
#: point that a phase end repeats up to rounding (numerical, not physical).
SAVED_TIME_MERGE = 1e-9
#: Share (-) of the session's largest angle or pull on the device below which a hold is
#: taken for a pause, not the hold: Protocol.lacks_hold then warns (a recorded trace that
#: stops on the way up). A choice for the warning, not physics: it changes no result.
HOLD_PEAK_SHARE = 0.9
#: Smallest tilt (deg) from the angle before the device that counts as tilting the body that
#: way (head-down or head-up; Protocol.load_sense), and the spread of the tilts that count
#: as one hold (Protocol.hold_end_s): the noise of a recorded trace does not (a choice for
#: the summaries, not physics).
TILT_NOISE_DEG = 1.0
#: Fastest tilt (deg/s) within the model: it neglects the fictitious forces of the tilting
#: itself, which at 20 deg/s reach 2 % of g 1.5 m from the pivot (docs/model.md §2.1);
#: ``simulate`` warns about a faster device phase.
MODELLED_TILT_RATE_DEG_S = 20.0
#: Time (s) over which the tilt's rate is measured for that warning: the tilting, not the
#: noise between the samples of a recorded trace (a choice for the warning, not physics).
TILT_RATE_WINDOW_S = 1.0
#: Consecutive device phases join up within this share of the angle or pull (-, at least
#: of 1 deg or 1 N): rounding, not a jump (numerical, not physical).
CONTINUITY_TOLERANCE = 1e-9
#: Most repetitions of an intermittent session.
MAX_CYCLES = 1000
#: Longest preceding phase (h).
MAX_PRECEDING_HOURS = 48.0
#: Allowed range ``(low, high, low_open)`` of every real-valued argument of the protocol
#: constructors and of the preceding phases' hours (:func:`check_argument`); a sweep checks
#: its sampling bounds against them. ``rest_pull_N`` must also be at most ``pull_N``.
ARGUMENT_RANGES: dict[str, tuple[float, float, bool]] = {
    "angle_deg": (-90.0, 90.0, False),
    "ramp_s": (0.0, 1e5, True),
    "ramp_rate_deg_s": (0.0, 1e3, True),
    "hold_s": (0.0, 1e7, True),
    "return_s": (0.0, 1e5, False),
    "release_s": (0.0, 1e5, False),
    "rest_s": (0.0, 1e7, False),
    "pull_N": (0.0, MAX_PULL_N, False),
    "rest_pull_N": (0.0, MAX_PULL_N, False),
    "lying_hours": (0.0, MAX_PRECEDING_HOURS, True),
    "sitting_hours": (0.0, MAX_PRECEDING_HOURS, True),
    "upright_hours": (0.0, MAX_PRECEDING_HOURS, True),
    "after_lying_hours": (0.0, MAX_PRECEDING_HOURS, True),
    "after_sitting_hours": (0.0, MAX_PRECEDING_HOURS, True),
    "after_upright_hours": (0.0, MAX_PRECEDING_HOURS, True),
}


def check_argument(name: str, value: Any) -> float:
    """Return ``value`` as float if it is a number in the allowed range of the argument
    ``name`` (:data:`ARGUMENT_RANGES`); otherwise raise :class:`ParameterError` naming it."""
    low, high, low_open = ARGUMENT_RANGES[name]
    return check_number(name, value, low, high, low_open=low_open)


def _phase_list(name: str, phases: Phase | Sequence[Phase], builders: str) -> list[Phase]:
    """``phases`` (one phase or a sequence of them) as a list; refuses anything else,
    naming the argument ``name`` and the functions that build its phases, ``builders``."""
    if isinstance(phases, Phase):
        return [phases]
    if not isinstance(phases, Iterable) or isinstance(phases, str):
        raise ParameterError(
            f"{name} = {phases!r} is not a phase or a sequence of phases; build them "
            f"with {builders}"
        )
    phases = list(phases)
    for k, phase in enumerate(phases):
        if not isinstance(phase, Phase):
            raise ParameterError(
                f"{name}[{k}] = {phase!r} is not a phase; build them with {builders}"
            )
    return phases


def _preceding_phases(preceding: Phase | Sequence[Phase]) -> list[Phase]:
    """``preceding`` as a list, refusing a session phase: it would silently move the
    baseline (t = 0) to its own start."""
    phases = _phase_list("preceding", preceding, "upright(), sitting(), lying() or typical_day()")
    for k, phase in enumerate(phases):
        if phase.session:
            raise ParameterError(
                f"preceding[{k}] = {phase!r} is not a preceding phase; build them with "
                "upright(), sitting(), lying() or typical_day() (Phase(..., session=False))"
            )
    return phases


def _real_array(name: str, values: Sequence[float]) -> np.ndarray:
    """``values`` as a float array; :class:`ParameterError` naming ``name`` if they are
    not real numbers (strings, complex numbers, None)."""
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise ParameterError(f"{name} = {values!r}; allowed: real numbers")
    return array.astype(float)


def _unloaded_hold_end(load: float, device: Sequence[Phase], hold: int) -> float | None:
    """``end_of_hold_s`` for a constructor's session at zero load (``load``: its angle or
    pull): the end of its hold phase ``device[hold]`` (s from the session start). Without
    a load no phase counts as a hold (:attr:`Protocol.hold_end_s`), and its end-of-hold
    values would be read where the person gets off the device: in a sweep over the angle
    its 0 deg, the natural control, 10 s later than at 0.1 deg. None under a load: the
    steepest hold is found as usual."""
    return sum(p.duration_s for p in device[: hold + 1]) if load == 0.0 else None


def _after_phases(after: Phase | Sequence[Phase]) -> list[Phase]:
    """``after`` (off the device: upright, sitting or lying phases) as session phases that
    follow the device phases, so that the change after the session is followed against
    the same baseline."""
    phases = _phase_list("after", after, "upright(), sitting() or lying()")
    for k, phase in enumerate(phases):
        if phase.kind not in POSTURE_ANGLES:
            raise ParameterError(
                f"after[{k}] = {phase!r} is on the device; the phases after a session are "
                f"off it: one of the kinds {tuple(POSTURE_ANGLES)}, e.g. upright(0.5)"
            )
    return [dataclasses.replace(phase, session=True) for phase in phases]


#: Seconds spent lying down on a device after standing, without friction (see
#: :func:`_with_lie_down`).
LIE_DOWN_S = 10.0


@dataclass(frozen=True)
class Phase:
    """One phase: the angle moves linearly from ``start_deg`` to ``end_deg`` and the pull
    of a traction device from ``start_pull_N`` to ``end_pull_N`` (N) over ``duration_s``.

    ``kind`` is ``"device"`` (on the device), ``"upright"`` (standing, the angle must be
    -90), ``"sitting"`` (on a seat, -90) or ``"lying"`` (flat on a bed, angle 0).
    ``session`` marks phases that belong to the session (after the baseline) rather than to
    its preparation.
    """

    duration_s: float
    start_deg: float
    end_deg: float
    kind: str = "device"
    session: bool = True
    name: str = ""
    start_pull_N: float = 0.0
    end_pull_N: float = 0.0

    def __post_init__(self) -> None:
        check_type("phase.name", self.name, str)
        check_type(f"{self.label}.session", self.session, bool)
        checked = {
            "duration_s": check_number(
                f"{self.label}.duration_s", self.duration_s, 0.0, 1e7, low_open=True
            ),
            "start_deg": check_number(f"{self.label}.start_deg", self.start_deg, -90.0, 90.0),
            "end_deg": check_number(f"{self.label}.end_deg", self.end_deg, -90.0, 90.0),
            "start_pull_N": check_pull(f"{self.label}.start_pull_N", self.start_pull_N),
            "end_pull_N": check_pull(f"{self.label}.end_pull_N", self.end_pull_N),
        }
        for name, value in checked.items():  # plain floats (also from NumPy scalars)
            object.__setattr__(self, name, value)
        if self.kind not in KINDS:
            raise ParameterError(f"{self.label}.kind = {self.kind!r} is unknown; allowed: {KINDS}")
        if self.kind != "device" and max(self.start_pull_N, self.end_pull_N) > 0.0:
            raise ParameterError(
                f"{self.label}: a pull (pull_N) acts only in device phases; "
                f"this phase is {self.kind!r}"
            )
        angle = POSTURE_ANGLES.get(self.kind)
        if angle is not None and (self.start_deg, self.end_deg) != (angle, angle):
            raise ParameterError(
                f"{self.label}: {POSTURE_WORDS[self.kind]} at {angle:g} deg; got "
                f"start_deg = {self.start_deg:g}, end_deg = {self.end_deg:g}"
            )

    @property
    def label(self) -> str:
        return f"phase {self.name!r}" if self.name else "phase"


def upright(hours: float) -> Phase:
    """Standing upright for ``hours``: before the session (``preceding=``) or after it
    (``after=``)."""
    check_argument("upright_hours", hours)
    return Phase(hours * 3600.0, -90.0, -90.0, kind="upright", session=False, name="upright")


def lying(hours: float) -> Phase:
    """Lying for ``hours`` before the session (``preceding=``) or after it (``after=``):
    supine (prone with a prone traction table, on which the model lies prone in every
    phase)."""
    check_argument("lying_hours", hours)
    return Phase(hours * 3600.0, 0.0, 0.0, kind="lying", session=False, name="lying")


def sitting(hours: float) -> Phase:
    """Sitting for ``hours`` before the session (``preceding=``) or after it (``after=``):
    the trunk upright and balanced by the muscles, the pelvis on the seat and the legs'
    weight on the seat and floor. The lumbar flexion of sitting is not modelled (the spine
    keeps its standing shape)."""
    check_argument("sitting_hours", hours)
    return Phase(hours * 3600.0, -90.0, -90.0, kind="sitting", session=False, name="sitting")


#: The posture phases' builders, in the order a sequence of them comes: before a session
#: a night lying, then sitting, then on one's feet; after it lying, sitting up, standing.
POSTURE_BUILDERS = {"lying": lying, "sitting": sitting, "upright": upright}


def posture_phases(hours: Mapping[str, Any], prefix: str = "") -> list[Phase]:
    """Phases of the postures given in ``hours`` (``{"<prefix><kind>_hours": h}`` for the
    kinds of :data:`POSTURE_BUILDERS`, in their order; a missing key, None or 0 leaves the
    posture out), e.g. the CLI's and sweeps' ``upright_hours`` before a session and
    ``after_upright_hours`` after it. A value out of range is refused naming its key."""
    phases = []
    for kind, build in POSTURE_BUILDERS.items():
        name = f"{prefix}{kind}_hours"
        value = hours.get(name)
        left_out = isinstance(value, numbers.Real) and not isinstance(value, bool) and value == 0
        if value is not None and not left_out:
            try:
                phases.append(build(check_argument(name, value)))
            except ParameterError as error:  # here 0 is allowed too: it leaves the phase out
                raise ParameterError(f"{error}, or 0 for none") from error
    return phases


def typical_day(
    hours_upright: float = 16.0, hours_asleep: float = 8.0, sitting_share: float = 0.0
) -> tuple[Phase, ...]:
    """Preceding phases of a typical day: ``hours_asleep`` lying in bed, then
    ``hours_upright`` on one's feet, of which the share ``sitting_share`` (0..1) seated
    (sitting first, then standing), together at most 24 h. Use as
    ``preceding=typical_day()``; the session then starts at the end of the day."""
    check_number("hours_upright", hours_upright, 0.0, 24.0, low_open=True)
    check_number("hours_asleep", hours_asleep, 0.0, 24.0, low_open=True)
    if hours_upright + hours_asleep > 24.0:
        raise ParameterError(
            f"hours_upright = {hours_upright!r} and hours_asleep = {hours_asleep!r} make a "
            f"{hours_upright + hours_asleep:g}-hour day; allowed: hours_upright + hours_asleep "
            "<= 24"
        )
    share = check_number("sitting_share", sitting_share, 0.0, 1.0)
    phases = [lying(hours_asleep)]
    if share > 0.0:
        phases.append(sitting(share * hours_upright))
    if share < 1.0:
        phases.append(upright((1.0 - share) * hours_upright))
    return tuple(phases)


@dataclass(frozen=True)
class Protocol:
    """A sequence of phases; build one with the class methods or from a list of phases.

    Every class method takes ``preceding``, the phases before the session (e.g.
    ``upright(2.0)`` or ``typical_day()``: they set the state it starts from), and
    ``after``, phases off the device after it (``upright(0.5)``, ``sitting(...)``,
    ``lying(...)``, in order): they belong to the session, so its changes are followed
    against the same baseline while the person stands, sits or lies after getting off
    the device (``examples/how_long_it_lasts.py`` compares that with a control).

    ``end_of_hold_s`` (s from the session start) is where end-of-hold summaries are taken;
    by default (None) the end of the steepest constant phase on the device
    (:attr:`hold_end_s`). ``peak_sense`` says which way the summaries' peaks look (+1 the
    largest values, -1 the smallest); by default (None) the way the session loads the
    spine (:attr:`load_sense`). A :meth:`sham` keeps its session's ``end_of_hold_s`` and
    ``peak_sense``; :meth:`inversion`, :meth:`intermittent` and :meth:`traction` at 0 deg
    or 0 N set ``end_of_hold_s`` at the end of their (last) hold phase, where it lies under
    any load (no constant phase then stands out as the hold). A protocol built from
    another's ``phases`` starts without them.
    """

    phases: tuple[Phase, ...]
    end_of_hold_s: float | None = None
    peak_sense: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.phases, Phase | str) or not isinstance(self.phases, Iterable):
            raise ParameterError(
                f"Protocol.phases = {self.phases!r}; allowed: a sequence of Phase objects"
            )
        object.__setattr__(self, "phases", tuple(self.phases))  # a generator is read once
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
        _check_continuity(self.phases)
        _check_getting_off(self.phases)
        object.__setattr__(self, "phases", _with_lie_down(tuple(self.phases)))
        if self.end_of_hold_s is not None:
            end = check_number(
                "Protocol.end_of_hold_s", self.end_of_hold_s, 0.0, self.session_duration_s
            )
            object.__setattr__(self, "end_of_hold_s", end)
        sense = self.peak_sense
        if sense is not None and (isinstance(sense, bool) or sense not in (1, -1)):
            raise ParameterError(
                f"Protocol.peak_sense = {self.peak_sense!r}; allowed: 1, -1 or None"
            )

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
        preceding: Phase | Sequence[Phase] = (),
        after: Phase | Sequence[Phase] = (),
    ) -> Protocol:
        """Ramp from horizontal to ``angle_deg`` in ``ramp_s`` (default 10 s) or at
        ``ramp_rate_deg_s`` (not both), hold ``hold_s``, return to horizontal in
        ``return_s`` (default: the ramp time; 0 for no return, not allowed head-down with
        phases ``after``: nobody gets off head-down)."""
        check_argument("angle_deg", angle_deg)
        check_argument("hold_s", hold_s)
        if ramp_rate_deg_s is not None:
            if ramp_s is not None:
                raise ParameterError("give ramp_s or ramp_rate_deg_s, not both")
            rate = check_argument("ramp_rate_deg_s", ramp_rate_deg_s)
            ramp_s = max(abs(angle_deg) / rate, 1e-3)
        ramp = check_argument("ramp_s", TILT_RAMP_S if ramp_s is None else ramp_s)
        ret = ramp if return_s is None else check_argument("return_s", return_s)
        after_phases = _after_phases(after)
        if ret == 0.0 and after_phases and angle_deg > 0.0:
            raise ParameterError(
                f"return_s = 0 (no return: the session ends head-down at {angle_deg:g} deg) "
                f"with {len(after_phases)} phase(s) after it; allowed: return_s > 0 (nobody "
                "gets off head-down)"
            )
        device = [
            Phase(ramp, 0.0, angle_deg, name="ramp"),
            Phase(hold_s, angle_deg, angle_deg, name="hold"),
        ]
        if ret > 0:
            device.append(Phase(ret, angle_deg, 0.0, name="return"))
        return cls(
            (*_preceding_phases(preceding), *device, *after_phases),
            end_of_hold_s=_unloaded_hold_end(angle_deg, device, 1),
        )

    @classmethod
    def intermittent(
        cls,
        angle_deg: float,
        cycles: int,
        ramp_s: float = TILT_RAMP_S,
        hold_s: float = 60.0,
        rest_s: float = 60.0,
        *,
        preceding: Phase | Sequence[Phase] = (),
        after: Phase | Sequence[Phase] = (),
    ) -> Protocol:
        """``cycles`` repetitions of ramp up, hold at ``angle_deg``, ramp down, rest flat
        (``rest_s`` 0: none)."""
        cycles = check_integer("cycles", cycles, 1, MAX_CYCLES)
        check_argument("angle_deg", angle_deg)
        check_argument("ramp_s", ramp_s)
        check_argument("hold_s", hold_s)
        check_argument("rest_s", rest_s)
        device = []
        for k in range(cycles):
            device += [
                Phase(ramp_s, 0.0, angle_deg, name=f"ramp {k + 1}"),
                Phase(hold_s, angle_deg, angle_deg, name=f"hold {k + 1}"),
            ]
            last_hold = len(device) - 1
            device.append(Phase(ramp_s, angle_deg, 0.0, name=f"return {k + 1}"))
            if rest_s > 0.0:
                device.append(Phase(rest_s, 0.0, 0.0, name=f"rest {k + 1}"))
        return cls(
            (*_preceding_phases(preceding), *device, *_after_phases(after)),
            end_of_hold_s=_unloaded_hold_end(angle_deg, device, last_hold),
        )

    @classmethod
    def traction(
        cls,
        pull_N: float,
        ramp_s: float = 30.0,
        hold_s: float = 600.0,
        release_s: float | None = None,
        *,
        cycles: int = 1,
        rest_s: float = 0.0,
        rest_pull_N: float = 0.0,
        preceding: Phase | Sequence[Phase] = (),
        after: Phase | Sequence[Phase] = (),
    ) -> Protocol:
        """Mechanical traction lying flat (for :class:`~spinesim.device.TractionTable`):
        the pull rises from ``rest_pull_N`` (first cycle: 0) to ``pull_N`` in ``ramp_s``,
        holds ``hold_s`` and falls back to ``rest_pull_N`` in ``release_s`` (default: the
        ramp time; 0, ending the session at the pull, only where no lower pull, rest or
        phase ``after`` follows), then rests ``rest_s``; ``cycles`` > 1 gives intermittent
        traction (e.g. 60 s on, 20 s at a third of the force). Constant traction:
        ``cycles=1``."""
        cycles = check_integer("cycles", cycles, 1, MAX_CYCLES)
        check_argument("pull_N", pull_N)
        rest = check_number("rest_pull_N", rest_pull_N, 0.0, pull_N)
        ramp = check_argument("ramp_s", ramp_s)
        check_argument("hold_s", hold_s)
        release = ramp if release_s is None else check_argument("release_s", release_s)
        check_argument("rest_s", rest_s)
        after_phases = _after_phases(after)
        drops = (cycles > 1 and rest < pull_N) or rest_s > 0.0 or bool(after_phases)
        if release == 0.0 and drops:
            raise ParameterError(
                f"release_s = 0 (no release: the session ends at the pull) with cycles = "
                f"{cycles}, rest_s = {rest_s:g} and {len(after_phases)} phase(s) after; "
                "allowed: release_s > 0 where a lower pull, a rest or a phase off the device "
                "follows the hold (the pull cannot drop at once)"
            )
        device = []
        low = 0.0
        for k in range(cycles):
            n = f" {k + 1}" if cycles > 1 else ""
            device += [
                Phase(ramp, 0.0, 0.0, name=f"ramp{n}", start_pull_N=low, end_pull_N=pull_N),
                Phase(hold_s, 0.0, 0.0, name=f"hold{n}", start_pull_N=pull_N, end_pull_N=pull_N),
            ]
            last_hold = len(device) - 1
            low = rest if k < cycles - 1 else 0.0
            if release > 0.0:
                device.append(
                    Phase(
                        release, 0.0, 0.0, name=f"release{n}", start_pull_N=pull_N, end_pull_N=low
                    )
                )
            if rest_s > 0.0:
                device.append(
                    Phase(rest_s, 0.0, 0.0, name=f"rest{n}", start_pull_N=low, end_pull_N=low)
                )
        return cls(
            (*_preceding_phases(preceding), *device, *after_phases),
            end_of_hold_s=_unloaded_hold_end(pull_N, device, last_hold),
        )

    @classmethod
    def from_samples(
        cls,
        times_s: Sequence[float],
        angles_deg: Sequence[float],
        *,
        preceding: Phase | Sequence[Phase] = (),
        after: Phase | Sequence[Phase] = (),
        end_of_hold_s: float | None = None,
    ) -> Protocol:
        """Any angle history given as samples (linear in between); ``times_s[0]`` is the
        session start and must be 0. A recorded trace rarely holds an angle exactly:
        ``end_of_hold_s`` (s from the session start) says where its "end-of-hold" values
        are read; without it they are read at the end of the steepest constant stretch (two
        equal samples), or, if there is none, where the person gets off the device."""
        t = _real_array("times_s", times_s)
        a = _real_array("angles_deg", angles_deg)
        if t.ndim != 1 or t.shape != a.shape or t.size < 2:
            raise ParameterError(
                "times_s and angles_deg must be 1-D of equal length >= 2; "
                f"got shapes {t.shape} and {a.shape}"
            )
        if not np.all(np.isfinite(t)) or t[0] != 0.0 or np.any(np.diff(t) <= 0):
            raise ParameterError(f"times_s = {t.tolist()} must start at 0 and increase strictly")
        phases = _preceding_phases(preceding)
        for k in range(t.size - 1):
            phases.append(Phase(t[k + 1] - t[k], a[k], a[k + 1], name=f"sample {k}"))
        return cls((*phases, *_after_phases(after)), end_of_hold_s=end_of_hold_s)

    def sham(self) -> Protocol:
        """The control for what this session does: the same phases and times with every
        device phase flat (0 deg) and without a pull, so the person lies on the device as
        long and has the same history before and after. A session's effect is its change
        minus the sham's at the same times (``examples/how_long_it_lasts.py``; in sweeps the
        parameter ``sham``, on the command line ``run --sham``). Its end-of-hold summaries
        are taken at the session's :attr:`hold_end_s` (``end_of_hold_s``), so they subtract
        too. Devices that hold the body at one angle (gravity boots, hip bench, harness)
        refuse it when it is simulated; a session whose device phase starts standing (at
        -90 deg) right after an upright or sitting phase has none, since lying on it would
        add a lie-down and move every later time."""
        flat = tuple(
            dataclasses.replace(p, start_deg=0.0, end_deg=0.0, start_pull_N=0.0, end_pull_N=0.0)
            if p.kind == "device"
            else p
            for p in self.phases
        )
        sham = Protocol(flat, end_of_hold_s=self.hold_end_s, peak_sense=self.load_sense)
        if len(sham.phases) != len(self.phases):
            raise ParameterError(
                "this protocol has no sham: a device phase starts standing (-90 deg) after "
                "an upright or sitting one, and lying flat there would add a lie-down"
            )
        return sham

    # ---------------------------------------------------------------- properties
    @property
    def session_duration_s(self) -> float:
        """End of the last phase (s from the session start), as in the knots."""
        return self._phase_times()[-1][1]

    @property
    def preceding_duration_s(self) -> float:
        """Time before the session start (s), as in the knots."""
        return 0.0 - self._phase_times()[0][0]  # 0.0, not -0.0, without preceding phases

    @property
    def device_end_s(self) -> float:
        """End of the last session phase on the device (s from the session start): when
        the person gets off it; the session end if no session phase is on the device."""
        ends = [end for p, end in self._session_ends() if p.kind == "device"]
        return ends[-1] if ends else self.session_duration_s

    @property
    def device_spans_s(self) -> tuple[tuple[float, float], ...]:
        """``(start_s, end_s)`` of every stretch of the session on the device: its device
        phases, each with a lie-down onto it that comes right before."""
        spans: list[tuple[float, float]] = []
        rows = list(zip(self.phases, self._phase_times(), strict=True))
        for k, (p, (start, end)) in enumerate(rows):
            following = rows[k + 1][0].kind if k + 1 < len(rows) else None
            on_device = p.kind == "device" or (p.kind == "lying" and following == "device")
            if p.session and on_device:
                if spans and spans[-1][1] == start:
                    start = spans.pop()[0]
                spans.append((start, end))
        return tuple(spans)

    @property
    def hold_end_s(self) -> float:
        """End of the steepest (largest tilt, then largest pull) session phase on a device
        at a constant angle and pull, the last one if several: where "end-of-hold"
        summaries are taken. Tilts count from the angle before the device, the way the
        device tilts the body (:meth:`_tilt_side`): standing on the table held upright
        before a tilt is no hold. If there is none, :attr:`device_end_s`;
        ``end_of_hold_s`` if given."""
        if self.end_of_hold_s is not None:
            return self.end_of_hold_s
        hold = self._steepest_hold(self._tilt())
        return self.device_end_s if hold is None else hold[1]

    @property
    def lacks_hold(self) -> bool:
        """Whether the device loads the body (an angle or a pull) but never holds its
        largest load constant (within :data:`HOLD_PEAK_SHARE`), and no ``end_of_hold_s`` is
        given: e.g. a recorded trace from :meth:`from_samples`, which rarely repeats a
        sample at its plateau but may pause on the way. "End-of-hold" values are then read
        where the person gets off the device or at a lower hold (``simulate`` warns)."""
        device = self._session_device_phases()
        tilt = self._tilt()
        peak = (
            max((max(tilt(p.start_deg, e), tilt(p.end_deg, e)) for p, _, e in device), default=0.0),
            max((max(p.start_pull_N, p.end_pull_N) for p, _, _ in device), default=0.0),
        )
        if self.end_of_hold_s is not None or peak == (0.0, 0.0):
            return False
        hold = self._steepest_hold(tilt)
        return hold is None or any(
            held < HOLD_PEAK_SHARE * top for held, top in zip(hold[0], peak, strict=True)
        )

    @property
    def load_sense(self) -> float:
        """Which way the peaks of the session's summaries look (the largest or the smallest
        values): ``peak_sense`` if given; else +1 if the device pulls, or tilts the body
        head-down of the angle it lay or stood at before getting on (:meth:`_tilt_side`:
        tilting down from lying, or up from standing on the table, unloads the spine), or
        neither (a harness hangs the body at the angle it stood at), and -1 if it only
        tilts the body head-up of it (from lying), which loads the spine."""
        if self.peak_sense is not None:
            return float(self.peak_sense)
        pulls = any(
            max(p.start_pull_N, p.end_pull_N) > 0.0 for p, _, _ in self._session_device_phases()
        )
        return 1.0 if pulls else self._tilt_side()

    def load_sense_on(self, device: Device | None) -> float:
        """:attr:`load_sense` on ``device``: +1 on a device from which the body hangs below
        its holder (a suspension harness: the spine below it carries the lower body in
        tension, whatever the angle), unless ``peak_sense`` is given."""
        if self.peak_sense is None and device is not None and device.hangs_below_holder:
            return 1.0
        return self.load_sense

    @property
    def fastest_tilt_deg_s(self) -> float:
        """The fastest change of angle (deg/s) on the device over any second (or over a
        shorter stretch on the device), 0 without device phases: the tilting itself, not
        the noise between the samples of a recorded trace."""
        fastest = 0.0
        for times, angles in self._device_stretches():
            # windows of a second that start or end at a knot, within the stretch
            width = min(TILT_RATE_WINDOW_S, times[-1] - times[0])
            starts = np.clip(np.concatenate([times, times - width]), times[0], times[-1] - width)
            change = np.interp(starts + width, times, angles) - np.interp(starts, times, angles)
            fastest = max(fastest, float(np.max(np.abs(change))) / width)
        return fastest

    @property
    def tilts_at_once(self) -> tuple[tuple[float, float, float], ...]:
        """``(time_s, from_deg, to_deg)`` wherever a device phase starts at another angle
        than the phase before it (lying, standing or sitting) ends, or than the model's
        settled state lying flat (0 deg) if it comes first: the model tilts the body there
        at once (``simulate`` warns)."""
        return tuple(
            (start, entry, phase.start_deg)
            for phase, start, _, entry, enters in self._device_phases()
            if enters and phase.start_deg != entry
        )

    def _device_phases(self) -> list[tuple[Phase, float, float, float, bool]]:
        """``(phase, start_s, end_s, entry_deg, enters)`` of every device phase:
        ``entry_deg`` is the angle the body was at when its stretch of device phases began
        (the end angle of the phase before the stretch, lying, standing or sitting, or 0
        deg, the model's settled state lying flat, if the stretch comes first); ``enters``
        whether the phase begins its stretch."""
        out = []
        entry, before_deg, before_kind = 0.0, 0.0, "lying"
        for phase, (start, end) in zip(self.phases, self._phase_times(), strict=True):
            if phase.kind == "device":
                enters = before_kind != "device"
                entry = before_deg if enters else entry
                out.append((phase, start, end, entry, enters))
            before_deg, before_kind = phase.end_deg, phase.kind
        return out

    def _session_device_phases(self) -> list[tuple[Phase, float, float]]:
        """``(phase, end_s, entry_deg)`` of the session's device phases
        (:meth:`_device_phases`)."""
        return [(p, end, entry) for p, _, end, entry, _ in self._device_phases() if p.session]

    def _device_stretches(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Knot times (s) and angles (deg) of each stretch of device phases that follow
        each other without a gap (phases of zero duration left out)."""
        stretches: list[tuple[list[float], list[float]]] = []
        previous_end = None
        for phase, start, end, _, enters in self._device_phases():
            if end <= start:
                previous_end = None
                continue
            if enters or start != previous_end:
                stretches.append(([start], [phase.start_deg]))
            stretches[-1][0].append(end)
            stretches[-1][1].append(phase.end_deg)
            previous_end = end
        return [(np.array(t), np.array(a)) for t, a in stretches]

    def _tilt_side(self) -> float:
        """+1 if a session phase on the device tilts the body head-down of the angle it
        was at when it got on (its stretch's entry angle, :meth:`_device_phases`; by more
        than :data:`TILT_NOISE_DEG`), else -1 if one tilts it head-up by more than that;
        if every tilt is within it, the side of the largest (+1 if there is none): the way
        the tilts of :meth:`_tilt` count."""
        changes = [
            a - entry
            for p, _, entry in self._session_device_phases()
            for a in (p.start_deg, p.end_deg)
        ]
        down, up = max(changes, default=0.0), -min(changes, default=0.0)
        if down > TILT_NOISE_DEG:
            return 1.0
        return -1.0 if up > TILT_NOISE_DEG or up > down else 1.0

    def _tilt(self) -> Callable[[float, float], float]:
        """``tilt(angle_deg, entry_deg)``: how far (deg, >= 0) an angle tilts the body from
        the angle it got on the device at, the way the device tilts it
        (:meth:`_tilt_side`)."""
        side = self._tilt_side()
        return lambda angle_deg, entry_deg: max(side * (angle_deg - entry_deg), 0.0)

    def _steepest_hold(
        self, tilt: Callable[[float, float], float]
    ) -> tuple[tuple[float, float], float] | None:
        """Load ``(tilt, pull)`` (:meth:`_tilt`) and end of the steepest session phase on
        a device at a constant angle and pull with a load; of several, the last one at its
        pull and within :data:`TILT_NOISE_DEG` of its tilt (the plateau of a recorded
        trace, whose noise rarely repeats its top sample: on a 60-deg plateau of 190 s with
        0.3 deg of noise rounded to 0.5 deg, the top pair fell anywhere from 34 to 199 s).
        None if there is none. ``tilt`` is :meth:`_tilt`'s."""
        holds = [
            ((tilt(p.start_deg, entry), p.start_pull_N), end)
            for p, end, entry in self._session_device_phases()
            if p.start_deg == p.end_deg and p.start_pull_N == p.end_pull_N
        ]
        holds = [(load, t) for load, t in holds if load > (0.0, 0.0)]
        if not holds:
            return None
        top_tilt, top_pull = max(load for load, _ in holds)
        return next(
            (load, t)
            for load, t in reversed(holds)
            if load[1] == top_pull and load[0] >= top_tilt - TILT_NOISE_DEG
        )

    @property
    def phase_ends_s(self) -> tuple[float, ...]:
        """End of every session phase (s from the session start), the end of the hold
        among them: output times include them, so that summaries see every change of
        phase however coarsely the rest is saved."""
        return tuple(end for _, end in self._session_ends())

    def output_times(self, grid: np.ndarray) -> np.ndarray:
        """Saved times (s, sorted): ``grid`` (within the session), every end of a session
        phase (:attr:`phase_ends_s`; a :meth:`from_samples` protocol saves every sample) and
        the end of the hold (:attr:`hold_end_s`, also where ``end_of_hold_s`` puts it between
        phase ends). A grid point within :data:`SAVED_TIME_MERGE` of the session's duration
        of one of those (a rounding error) is left out, so that no two saved times are
        almost equal."""
        ends = np.union1d(self.phase_ends_s, [self.hold_end_s])
        grid = np.asarray(grid, dtype=float)
        k = np.searchsorted(ends, grid)
        below, above = ends[np.maximum(k - 1, 0)], ends[np.minimum(k, ends.size - 1)]
        gap = np.minimum(np.abs(grid - below), np.abs(grid - above))
        return np.union1d(grid[gap > SAVED_TIME_MERGE * self.session_duration_s], ends)

    def boundaries(self) -> list[tuple[str, float, float]]:
        """``(name, start_s, end_s)`` of every phase, times from the session start."""
        return [
            (p.name or p.kind, start, end)
            for p, (start, end) in zip(self.phases, self._phase_times(), strict=True)
        ]

    def _session_ends(self) -> list[tuple[Phase, float]]:
        """``(phase, end_s)`` of every session phase, in order."""
        times = self._phase_times()
        return [(p, end) for p, (_, end) in zip(self.phases, times, strict=True) if p.session]

    def _phase_times(self) -> list[tuple[float, float]]:
        """``(start_s, end_s)`` of every phase from the session start: session phases
        forwards from 0, preceding ones backwards, so that the session starts at exactly 0
        and ends at exactly :attr:`session_duration_s` (no rounding in between)."""
        times: list[tuple[float, float]] = []
        t = 0.0
        for p in reversed([p for p in self.phases if not p.session]):
            times.append((t - p.duration_s, t))
            t -= p.duration_s
        times.reverse()
        t = 0.0
        for p in (p for p in self.phases if p.session):
            times.append((t, t + p.duration_s))
            t += p.duration_s
        return times

    def knots(self, muscle: MuscleProperties, device: Device | None = None) -> np.ndarray:
        """Protocol table for the kernel, time measured from the session start (s)
        (:func:`spinesim.protocol_knots.knot_table`). ``device`` (default: one with a
        backrest, like the inversion table) decides the support in device phases and
        refuses phases it cannot do."""
        if device is not None:
            device.check_phases(self.phases)
        return knot_table(self.phases, self._phase_times(), muscle, device)


def _check_continuity(phases: tuple[Phase, ...]) -> None:
    """Refuse a device phase that does not start where the device phase before it ends:
    a table cannot jump from one angle to another, and a pull that drops at once is more
    often a typo than meant (a ramp of a second gives a fast change)."""
    for k in range(1, len(phases)):
        before, phase = phases[k - 1], phases[k]
        if before.kind != "device" or phase.kind != "device":
            continue
        for what, start, end, unit in (
            ("start_deg", phase.start_deg, before.end_deg, "deg"),
            ("start_pull_N", phase.start_pull_N, before.end_pull_N, "N"),
        ):
            if abs(start - end) > CONTINUITY_TOLERANCE * max(1.0, abs(end)):
                raise ParameterError(
                    f"{_numbered(phases, k)} ({phase.label}).{what} = {start:g} {unit}, but "
                    f"{_numbered(phases, k - 1)} ({before.label}) ends at {end:g} {unit}; "
                    f"allowed: {end:g} (phases counted from 1; device phases join up; for a "
                    "fast change put a short ramp between them)"
                )


def _check_getting_off(phases: tuple[Phase, ...]) -> None:
    """Refuse a posture phase (upright, sitting, lying in bed) right after a device phase
    that ends head-down: nobody gets off a table tilted head-down; the return comes first.
    A pull still on is released at once where a posture phase follows (a change of phase
    kind is a jump, model.md §2.16), as the validation's stadiometer readings right after
    traction are modelled; :meth:`Protocol.traction` refuses that (``release_s = 0`` before
    phases ``after``), a hand-built phase list may do it."""
    for k in range(1, len(phases)):
        before, phase = phases[k - 1], phases[k]
        if before.kind == "device" and phase.kind != "device" and before.end_deg > 0.0:
            raise ParameterError(
                f"{_numbered(phases, k)} ({phase.label}, {phase.kind}) follows "
                f"{_numbered(phases, k - 1)} ({before.label}), which ends head-down at "
                f"{before.end_deg:g} deg; allowed: a device phase ending flat or head-up "
                "before getting off (a return; phases counted from 1)"
            )


def _numbered(phases: tuple[Phase, ...], k: int) -> str:
    """``phases[k]`` numbered from 1 among its kind, as a protocol file counts its
    ``[[preceding]]`` and ``[[phase]]`` tables: ``preceding[i]`` (the preceding phases
    come first) or ``session phase[n]``."""
    preceding = sum(not p.session for p in phases)
    if not phases[k].session:
        return f"preceding[{k + 1}]"
    return f"session phase[{k + 1 - preceding}]"


def _with_lie_down(phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    """Insert a :data:`LIE_DOWN_S` lying phase wherever an upright or sitting phase is
    followed by a phase on a device that does not start upright: lying down on the
    backrest, the body shifts freely, so friction does not lock in the compression of
    standing. A device phase that starts at -90 deg (strapped into a harness standing, on
    the table held upright) follows the standing directly. It belongs to the phase before
    it."""
    out: list[Phase] = []
    for phase in phases:
        lies_down = phase.kind == "device" and phase.start_deg > -90.0
        if out and out[-1].kind in UPRIGHT_KINDS and lies_down:
            out.append(
                Phase(LIE_DOWN_S, 0.0, 0.0, kind="lying", session=out[-1].session, name="lie down")
            )
        out.append(phase)
    return tuple(out)
