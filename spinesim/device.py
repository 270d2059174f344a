"""Devices that hold the body: what holds it, what it rests on and what pulls on it.

Every device is a frozen, validated dataclass registered in :data:`DEVICES` under the name
used by the CLI and protocol files. A device says

- which parts of the body it holds (:class:`Hold`: the ankles, the pelvis or a thoracic
  vertebra, with the stiffness of the holder) and in which phase kinds the hold acts;
- whether the body rests on a backrest with friction (:attr:`has_backrest`), or hangs free
  at a fixed angle (:attr:`hang_deg`);
- whether it pulls on the pelvis (mechanical traction, :attr:`pulls`).

Outside the device's phases the body stands on its feet (upright), sits on a seat
(sitting) or lies in bed (lying); those supports are the ground holds of
:func:`ground_holds`, the same for every device.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from spinesim.errors import ParameterError, bounded, check_number, validate_fields

#: Phase kinds in the order of their codes (``K_*`` in :mod:`spinesim.core.layout`).
KINDS = ("device", "upright", "sitting", "lying")
#: Kinds whose phases stand at -90 deg (no backrest, postural control).
UPRIGHT_KINDS = ("upright", "sitting")

#: Kinetic / static friction of a backrest whose kinetic coefficient is not given [D]
#: (literature.md section 7).
KINETIC_FRICTION_RATIO = 0.8

#: Holder stiffness used where no measurement exists (N/m): the padding of a holder and the
#: soft tissue it grips, 7 mm at a full body-weight pull (assumption, as for the ankle
#: holder of the inversion table).
HOLDER_STIFFNESS = 1.0e5
#: Rotational stiffness of a holder (N m/rad), assumption as for the ankle holder; upright
#: it must exceed the toppling stiffness m g h of what stands on it (Loram & Lakie 2002) [M].
HOLDER_ROTATIONAL_STIFFNESS = 1500.0
#: Least rotational stiffness of a holder (N m/rad): its damping scales with it, and at 0 a
#: body hanging from gravity boots swung undamped about the ankles (45,000 steps for an
#: hour, max_steps reached in five; 675 steps at 100).
MIN_HOLDER_ROTATIONAL_STIFFNESS = 100.0
#: Thoracic vertebrae a chest harness can be fastened at (the rib cage).
THORACIC = tuple(f"T{k}" for k in range(1, 13))
#: Disc levels a split table can be split at: the free-rolling section carries every body
#: caudal to the level.
SPLIT_LEVELS = ("L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2", "T12-L1")
#: Positions on a traction table.
POSITIONS = ("supine", "prone")
#: Vertebrae that carry the arms (bodies.csv), where the hands' support acts.
ARM_BODIES = ("T1", "T2", "T3", "T4")
#: Largest pull of a traction device (N); clinical lumbar traction uses up to about body
#: weight (Judovich 1955; Pellecchia 1994 [M]).
MAX_PULL_N = 3000.0
#: Steepest pull above the table (deg) a TractionTable accepts (assumption: a traction
#: machine's pulley stands at most this high over the pelvis).
MAX_PULL_ANGLE_DEG = 60.0


@dataclass(frozen=True)
class Hold:
    """A holder on one part of the body: ``site`` is ``"ankles"``, ``"pelvis"`` or a
    vertebra name; stiffness in N/m and N m/rad; ``kinds`` the phase kinds it acts in."""

    site: str
    stiffness: float
    rotational_stiffness: float
    kinds: tuple[str, ...]


def ground_holds() -> tuple[Hold, ...]:
    """What holds the body off the device: the feet on the ground (upright and sitting)
    and the seat under the pelvis (sitting; it carries the pelvis along the spine only,
    ``B_SEAT``); in bed nothing holds it. Stiffnesses:
    :data:`HOLDER_STIFFNESS` and :data:`HOLDER_ROTATIONAL_STIFFNESS` (assumptions)."""
    return (
        Hold("ankles", HOLDER_STIFFNESS, HOLDER_ROTATIONAL_STIFFNESS, ("upright", "sitting")),
        Hold("pelvis", HOLDER_STIFFNESS, HOLDER_ROTATIONAL_STIFFNESS, ("sitting",)),
    )


def _stiffness(doc: str) -> float:
    return bounded(
        HOLDER_STIFFNESS,
        3e4,
        1e8,
        doc=f"N/m, {doc} (assumption: 7 mm at a full body-weight pull; at least 3e4 N/m, "
        "23 mm under a 70 kg body's weight: at 1e3 N/m the ankle holder, which upright also "
        "stands for the feet on the ground, let the standing body sink 0.69 m)",
    )


def _rotational_stiffness(doc: str, source: str = "assumption, as the ankle") -> float:
    return bounded(
        HOLDER_ROTATIONAL_STIFFNESS,
        MIN_HOLDER_ROTATIONAL_STIFFNESS,
        1e6,
        doc=f"N m/rad, {doc} ({source}); at least {MIN_HOLDER_ROTATIONAL_STIFFNESS:g}",
    )


class _Device:
    """Behaviour shared by the devices; subclasses are frozen dataclasses."""

    name: ClassVar[str]
    #: True: the body lies on a backrest with friction; False: it hangs free at hang_deg.
    has_backrest: ClassVar[bool] = True
    #: Angle (deg) at which a backrest-free device lets the body hang; None with a backrest.
    hang_deg: ClassVar[float | None] = None
    #: Angles (deg) allowed in the device's phases; None: any.
    fixed_deg: ClassVar[float | None] = None
    #: True if the device pulls on the pelvis with the protocol's pull force.
    pulls: ClassVar[bool] = False
    #: True if, on the device, the body below its holder's vertebra hangs from it (a
    #: suspension harness): a stable hanging chain, without postural control there.
    hangs_below_holder: ClassVar[bool] = False
    #: Friction coefficients of the backrest (overridden by fields where there is one).
    friction_static: float = 0.0
    friction_kinetic: float = 0.0

    def __post_init__(self) -> None:
        if self.friction_kinetic is None:  # not given: a fixed share of the static one
            static = self.friction_static
            real = isinstance(static, numbers.Real) and not isinstance(static, bool)
            kinetic = KINETIC_FRICTION_RATIO * static if real else static
            object.__setattr__(self, "friction_kinetic", kinetic)
        validate_fields(self, prefix=f"{type(self).__name__}.")
        if self.friction_kinetic > self.friction_static:
            raise ParameterError(
                f"{type(self).__name__}.friction_kinetic = {self.friction_kinetic!r} exceeds "
                f"friction_static = {self.friction_static!r}; allowed: kinetic <= static"
            )

    @property
    def prone(self) -> bool:
        """True if the body lies on its front (the table on its anterior side)."""
        return False

    def holds(self) -> tuple[Hold, ...]:
        """The device's holders (in device phases; the table's also off it)."""
        raise NotImplementedError

    def support(self, angle_deg: float) -> tuple[float, float]:
        """``(backrest, friction)`` factors at a knot of a device phase at ``angle_deg``
        (linear in time between knots): on a backrest with friction (1, 1). Backrest-free
        devices: hanging free at the hanging angle (0, 0); elsewhere guided without
        friction (1, 0), as when lowered into the boots by a frame or a helper (assumption:
        the transfer locks in no friction). On a ramp into or out of the hang the support
        therefore fades linearly while the load it must carry, ``cos(angle)``, vanishes,
        so the backrest neither disappears under the body nor reappears inside it."""
        if self.has_backrest:
            return 1.0, 1.0
        return (0.0 if angle_deg == self.hang_deg else 1.0), 0.0

    def check_sham(self, name: str = "sham") -> None:
        """Refuse a sham (:meth:`spinesim.Protocol.sham`, the session lying flat without
        a pull) on a device that holds the body at one angle; ``name`` is what the user
        asked for it with (``sham = True``, ``--sham``)."""
        if self.hang_deg is not None:
            raise ParameterError(
                f"{name}: device {self.name!r} holds the body at {self.hang_deg:g} deg, so it "
                "has no sham (a control lying flat on it); allowed: the devices 'table' and "
                "'traction'"
            )

    def check_phases(self, phases: Sequence) -> None:
        """Refuse device phases the device cannot do: a hold away from the hanging angle,
        an angle other than the device's fixed one, a pull on a device that does not pull."""
        for p in phases:
            if p.kind != "device":
                continue
            if self.fixed_deg is not None and (p.start_deg, p.end_deg) != (self.fixed_deg,) * 2:
                raise ParameterError(
                    f"{p.label}: device {self.name!r} works at {self.fixed_deg:g} deg; got "
                    f"start_deg = {p.start_deg:g}, end_deg = {p.end_deg:g}"
                )
            if self.hang_deg is not None and p.start_deg == p.end_deg != self.hang_deg:
                flat = (
                    "; a sham (Protocol.sham) or a rest lies flat at 0 deg, which this device "
                    "cannot do: shams and rests need the devices 'table' or 'traction'"
                    if p.start_deg == 0.0
                    else ""
                )
                raise ParameterError(
                    f"{p.label}: on device {self.name!r} the body hangs free at "
                    f"{self.hang_deg:g} deg; a constant angle of {p.start_deg:g} deg is not "
                    f"allowed (ramps to and from {self.hang_deg:g} deg are){flat}"
                )
            if not self.pulls and max(p.start_pull_N, p.end_pull_N) > 0.0:
                raise ParameterError(
                    f"{p.label}: pull_N > 0 needs a traction device; device {self.name!r} "
                    f"does not pull (allowed: {tuple(n for n, c in DEVICES.items() if c.pulls)})"
                )


@dataclass(frozen=True)
class InversionTable(_Device):
    """Inversion table: ankles held in the ankle holder, back on the backrest.

    The backrest is a plane through the table's pivot; the body lies on it with friction
    (static until it breaks away, kinetic while sliding). At shallow angles, where
    ``tan(angle) < friction_static``, the body does not slide, but the skin's elastic
    pre-sliding deflection still lets part of the pull along the table reach the spine:
    friction never holds all of it back (at 30 deg after 2 h upright L4-L5's end-of-hold
    force is -57, -65 and -68 N for friction_static 0.3, 0.5 and 1, against -190 N lying
    flat, where the tone is higher too). The ankle holder also stands for the feet on the
    ground in upright phases.
    """

    friction_static: float = bounded(
        0.5,
        0.0,
        2.0,
        doc="Clothed back on a padded backrest: dry skin 'greater than 0.2 and typically around "
        "0.5', moist or wet skin 'typically >1' (review, Derler & Gerhardt 2012 Tribol Lett "
        "45:1 [V]); patient on a treatment table 0.5 (Judovich rule [V-sec])",
    )
    friction_kinetic: float | None = bounded(
        None,
        0.0,
        2.0,
        doc="default (None): KINETIC_FRICTION_RATIO = 0.8 x static [D] (literature.md "
        "section 7); must not exceed static",
    )
    ankle_stiffness: float = _stiffness("padding of the ankle holder and the soft tissue it grips")
    ankle_rotational_stiffness: float = _rotational_stiffness(
        "ankle holder plus ankle joint; upright it also stands for postural ankle stiffness, "
        "at least 2 m g h there (the feet; 1333 N m/rad for the default subject), so lower "
        "values act only outside upright and sitting phases",
        "must exceed m g h ~ 700 N m/rad, Loram & Lakie 2002 [M]",
    )

    name: ClassVar[str] = "table"

    def holds(self) -> tuple[Hold, ...]:
        return (Hold("ankles", self.ankle_stiffness, self.ankle_rotational_stiffness, KINDS),)


@dataclass(frozen=True)
class GravityBoots(_Device):
    """Gravity boots: hanging free from the ankles, head-down at 90 deg, no backrest.

    Ramps into and out of the hang are guided without friction (see :meth:`support`)."""

    ankle_stiffness: float = _stiffness("padding of the boots' ankle cuffs and the tissue")
    ankle_rotational_stiffness: float = _rotational_stiffness("boots' cuffs plus ankle joint")

    name: ClassVar[str] = "boots"
    has_backrest: ClassVar[bool] = False
    hang_deg: ClassVar[float | None] = 90.0

    def holds(self) -> tuple[Hold, ...]:
        return (Hold("ankles", self.ankle_stiffness, self.ankle_rotational_stiffness, KINDS),)


@dataclass(frozen=True)
class HipBench(_Device):
    """Hip-supported decompression bench (Teeter DEX type): the pelvis and thighs held by
    pads, the legs on leg pads, the upper body hanging free head-down at 90 deg.

    The hands may hold handles and carry ``hand_support`` (0..1) of the weight of the
    hanging upper body (everything cranial to the pelvis); that force acts on the
    arm-carrying vertebrae T1-T4, shared in proportion to their masses, against gravity's
    component along the table (``Result.hand_force``).
    The flexion of the hips on the bench is not modelled: the legs and the pelvis are both
    held, so the hip carries (almost) nothing and the spine's load does not depend on it.
    """

    pad_stiffness: float = _stiffness("hip and thigh pads on the pelvis")
    pad_rotational_stiffness: float = _rotational_stiffness("hip pads on the pelvis")
    hand_support: float = bounded(
        0.0,
        0.0,
        1.0,
        doc="share of the hanging upper body's weight carried by the hands on the handles "
        "(user's choice; assumption: applied at T1-T4, which carry the arms)",
    )

    name: ClassVar[str] = "hip_bench"
    has_backrest: ClassVar[bool] = False
    hang_deg: ClassVar[float | None] = 90.0

    def holds(self) -> tuple[Hold, ...]:
        return (
            Hold("ankles", HOLDER_STIFFNESS, HOLDER_ROTATIONAL_STIFFNESS, KINDS),
            Hold("pelvis", self.pad_stiffness, self.pad_rotational_stiffness, ("device",)),
        )


def _check_choice(owner: str, name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"{owner}.{name} = {value!r} is unknown; allowed: {allowed}")


@dataclass(frozen=True)
class _ChestHarness(_Device):
    """A harness around the rib cage, fastened to the device: one holder on the thoracic
    vertebra ``level``, acting in device phases. Where the rib cage passes the load to the
    spine is lumped into that vertebra (assumption: the lumbar loads do not depend on how
    the harness spreads its grip over the thorax, only the thoracic ones do)."""

    # T10: the lower rib cage, where a chest harness or corset grips (assumption)
    level: str = "T10"
    harness_stiffness: float = _stiffness("harness padding and chest tissue")
    harness_rotational_stiffness: float = _rotational_stiffness("harness on the rib cage")

    def __post_init__(self) -> None:
        _check_choice(type(self).__name__, "level", self.level, THORACIC)
        super().__post_init__()

    def holds(self) -> tuple[Hold, ...]:
        return (
            Hold(
                self.level, self.harness_stiffness, self.harness_rotational_stiffness, ("device",)
            ),
        )


@dataclass(frozen=True)
class SuspensionHarness(_ChestHarness):
    """Upright suspension from the thorax (suspension corset or chest harness): the body
    hangs at -90 deg (upright) from a harness around the rib cage, the feet off the
    ground; the lower body pulls on the lumbar spine."""

    name: ClassVar[str] = "harness"
    has_backrest: ClassVar[bool] = False
    hang_deg: ClassVar[float | None] = -90.0
    hangs_below_holder: ClassVar[bool] = True


@dataclass(frozen=True)
class TractionTable(_ChestHarness):
    """Mechanical lumbar traction lying supine on a flat table (0 deg): a pelvic harness
    pulls towards the feet with the protocol's pull force (``pull_N`` of the phases:
    constant, ramped or intermittent), a thoracic harness fixed to the table head holds
    the chest (counter-traction). The body's friction on the table resists the pull; on a
    split table the section under the bodies caudal to ``split_level`` rolls freely, so
    their friction vanishes (supine the lumbar bodies barely touch the table, so every
    split level frees the legs and pelvis alike, L1 adding 1-2 N of traction at T12-L1;
    prone it matters). The pull acts at the
    pelvis' centre of mass, ``pull_angle_deg`` above the table plane (default 0: the
    harness straps parallel to the table); an angled pull also lifts the pelvis off the
    table, which lowers its friction (Lee & Evans 2001). Through the centre of mass the
    lift extends the lumbar spine supine and flexes it prone; the flexion moment that
    clinical set-ups add with the hips flexed and the harness's line of pull is not
    modelled (docs/model.md §7.1). ``position = "prone"``: lying on the front, the
    anterior skin on the table (modelled as the mirror image, see
    :func:`spinesim.core.mechanics.table_side`); the model then lies prone in every phase
    on the table or in bed. Prone the abdomen carries the trunk as stiffly as the back
    does supine and flexes the lumbar spine (a limitation, docs/model.md §7.1)."""

    friction_static: float = bounded(
        0.5, 0.0, 2.0, doc="patient on a treatment table: 0.5 (Judovich rule [V-sec])"
    )
    friction_kinetic: float | None = bounded(
        None, 0.0, 2.0, doc="default (None): KINETIC_FRICTION_RATIO = 0.8 x static [D]"
    )
    split_table: bool = False
    # L5-S1: the caudal section carries the pelvis and the legs (assumption: the usual split
    # under the lumbosacral junction, Judovich 1955 [M])
    split_level: str = "L5-S1"
    position: str = "supine"
    pull_angle_deg: float = bounded(
        0.0,
        0.0,
        MAX_PULL_ANGLE_DEG,
        doc="angle of the pull above the table plane (deg; 0: along the table; the machine "
        "or pulley above the table lifts the pelvis as it pulls)",
    )

    name: ClassVar[str] = "traction"
    fixed_deg: ClassVar[float | None] = 0.0
    pulls: ClassVar[bool] = True

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.split_table, bool | np.bool_):
            raise ParameterError(
                f"{owner}.split_table = {self.split_table!r}; allowed: true or false"
            )
        object.__setattr__(self, "split_table", bool(self.split_table))  # also NumPy's
        _check_choice(owner, "split_level", self.split_level, SPLIT_LEVELS)
        if not self.split_table and self.split_level != type(self).split_level:  # its default
            raise ParameterError(
                f"{owner}.split_level = {self.split_level!r} applies to a split table only; "
                "allowed: with split_table = True (or leave split_level out)"
            )
        _check_choice(owner, "position", self.position, POSITIONS)
        super().__post_init__()

    @property
    def prone(self) -> bool:
        return self.position == "prone"


#: Any device.
Device = InversionTable | GravityBoots | HipBench | SuspensionHarness | TractionTable

#: Devices by the name used in the CLI and protocol files.
DEVICES: dict[str, type[Device]] = {
    cls.name: cls
    for cls in (InversionTable, GravityBoots, HipBench, SuspensionHarness, TractionTable)
}


#: Every device class (``device`` arguments are checked against them).
DEVICE_TYPES = tuple(DEVICES.values())


def device_class(name: str, option: str = "device") -> type[Device]:
    """The device class called ``name`` in :data:`DEVICES`; :class:`ParameterError`
    naming ``option`` for any other name (or a value that is no name)."""
    if not isinstance(name, str) or name not in DEVICES:
        raise ParameterError(f"{option} = {name!r} is unknown; allowed: {tuple(DEVICES)}")
    return DEVICES[name]


def device_options(name: str) -> tuple[str, ...]:
    """The options (field names) of the device called ``name``."""
    return tuple(f.name for f in fields(DEVICES[name]))


def device_from_name(
    name: str,
    friction_static: float | None = None,
    friction_kinetic: float | None = None,
    **options: float | str | bool,
) -> Device:
    """The device called ``name`` in the CLI and protocol files, with the given options
    (``friction_kinetic`` defaults, as in the device classes, to
    :data:`KINETIC_FRICTION_RATIO` x ``friction_static``). Unknown names, options the
    device does not have (e.g. a friction on gravity boots, which have no backrest) and
    invalid values raise :class:`ParameterError`."""
    cls = device_class(name)
    if friction_static is not None:
        options["friction_static"] = friction_static
    if friction_kinetic is not None:
        options["friction_kinetic"] = friction_kinetic
    allowed = device_options(name)
    for key in options:
        if key not in allowed:
            why = " (it has no backrest)" if key.startswith("friction") else ""
            raise ParameterError(
                f"{key} is not an option of device {name!r}{why}; allowed: {allowed}"
            )
    return cls(**options)


def check_pull(name: str, value: float) -> float:
    """A pull force (N) in ``[0, MAX_PULL_N]``."""
    return check_number(name, value, 0.0, MAX_PULL_N)
