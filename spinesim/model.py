"""The model: named bodies and joints as the flat arrays the kernels run on.

:class:`Model` holds the parameter arrays, names and the state simulations start from;
:class:`ModelBuilder` assembles any planar chain by hand (closed-form tests, solver
studies, comparisons with other engines); :func:`spine_section` cuts a section out of a
model. The anatomical spine is assembled in :mod:`spinesim.assembly`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from spinesim.anatomy import Subject
from spinesim.core import layout as L
from spinesim.device import KINETIC_FRICTION_RATIO, Device, InversionTable
from spinesim.errors import ParameterError, check_number, check_type, plain
from spinesim.properties import ContactProperties, MuscleProperties

if TYPE_CHECKING:
    from spinesim.properties import Tissues

GRAVITY = 9.81  # m/s^2, standard gravity rounded
#: Smoothing length of the contact laws (m): the unilateral spring blends in over +-0.5 mm.
CONTACT_SMOOTHING = 5e-4
#: Half-width (rad) of the C1 blend in which the postural extensors and flexors take over
#: from each other at the rest angle, at the default postural stiffness K_p (numerical).
#: Both pull a little there, K_p w / (4 lever) each, an artefact of the blend: the width
#: is POSTURE_BLEND x K_p(default) / K_p (at most 10 x), so that the artefact does not
#: grow with K_p, whether the gain r_p or the bending stiffness raises it (with a fixed
#: width, r_p = 100 compressed L4-L5 standing by 210 N more, and a bending stiffness of
#: 5e4 N m/rad by 4.5 kN).
POSTURE_BLEND = 1e-3


@dataclass(frozen=True)
class Model:
    """A compiled-ready model: parameter arrays, names and the reference state.

    ``body`` is ``(n_body, NB)``, ``joint`` is ``(n_body - 1, NJ)`` and ``glob`` is
    ``(NG,)`` with columns named in :mod:`spinesim.core.layout`. ``y0`` is the state
    simulations start from: for a hand-built chain every joint at rest length and angle;
    for :func:`spine_model` the body settled lying flat on the support.
    ``levels`` lists the joints reported per level (the discs for the anatomical spine).
    """

    body: np.ndarray
    joint: np.ndarray
    glob: np.ndarray
    y0: np.ndarray
    body_names: tuple[str, ...]
    joint_names: tuple[str, ...]
    levels: tuple[str, ...]
    subject: Subject | None = None
    device: Device | None = None
    tissues: Tissues | None = None

    def __post_init__(self) -> None:
        """Refuse arrays the compiled kernels would read out of bounds."""
        n = self.body.shape[0] if self.body.ndim == 2 else 0
        expected = {
            "body": (self.body, (n, L.NB)),
            "joint": (self.joint, (n - 1, L.NJ)),
            "glob": (self.glob, (L.NG,)),
            "y0": (self.y0, (n * L.BLOCK,)),
        }
        if n < 1:
            raise ParameterError(
                f"Model.body has shape {self.body.shape}; allowed: (n_body >= 1, {L.NB})"
            )
        for name, (array, shape) in expected.items():
            if array.shape != shape or array.dtype != np.float64:
                raise ParameterError(
                    f"Model.{name} has shape {array.shape} ({array.dtype}); allowed: {shape} "
                    "float64 (columns in spinesim.core.layout)"
                )
        for name, names, count in (
            ("body_names", self.body_names, n),
            ("joint_names", self.joint_names, n - 1),
        ):
            if len(names) != count:
                raise ParameterError(f"Model.{name} has {len(names)} names; allowed: {count}")
        unknown = [level for level in self.levels if level not in self.joint_names]
        if unknown:
            raise ParameterError(
                f"Model.levels = {unknown}: not joints; allowed: {self.joint_names}"
            )

    @property
    def n_body(self) -> int:
        return self.body.shape[0]

    def level_index(self, name: str) -> int:
        """Row of level ``name`` (e.g. ``"L3-L4"``) in the model's ``joint`` array. Not its
        position in a result's ``level`` dimension, which leaves out the hip bushing: use
        ``result.levels.index(name)`` or ``result[name]`` there."""
        if name not in self.levels:
            raise ParameterError(f"level = {name!r} is unknown; allowed: {self.levels}")
        return self.joint_names.index(name)


@dataclass
class ModelBuilder:
    """Assemble a chain of bodies by hand, caudal first.

    The ``k``-th joint added links bodies ``k`` and ``k + 1``. :meth:`build` places the chain
    in its rest pose, starting from the first body's pose.
    """

    # the defaults (and their sources) of the inversion table, muscles and contact
    gravity: float = GRAVITY
    friction_static: float = InversionTable.friction_static
    friction_kinetic: float = KINETIC_FRICTION_RATIO * InversionTable.friction_static
    guard_time_constant_s: float = MuscleProperties.guard_time_constant_s
    guard_rise_s: float = MuscleProperties.guard_rise_s
    stribeck_velocity: float = ContactProperties.stribeck_velocity
    slip_time_s: float = ContactProperties.slip_time_s
    prone: bool = False
    _bodies: list[tuple[str, np.ndarray]] = field(default_factory=list, init=False, repr=False)
    _joints: list[tuple[str, np.ndarray]] = field(default_factory=list, init=False, repr=False)

    def add_body(self, name: str, mass: float, inertia: float, **columns: float) -> None:
        """Add a body of ``mass`` (kg) and ``inertia`` (kg m^2, about its centre of mass);
        ``columns`` sets body parameters (SI units, :mod:`spinesim.core.layout`) by
        lower-case name without the ``B_`` prefix, e.g. ``contact_y=-0.05, k_normal=1e4,
        anchor_k=1e5``."""
        check_number(f"body {name!r}: mass", mass, 0.0, 1e9, low_open=True)
        check_number(f"body {name!r}: inertia", inertia, 0.0, 1e9, low_open=True)
        row = np.zeros(L.NB)
        row[L.B_MASS] = mass
        row[L.B_INERTIA] = inertia
        _set_columns(row, "B_", columns, f"body {name!r}")
        self._bodies.append((name, row))

    def add_joint(self, name: str, **columns: float) -> None:
        """Add the next joint (the ``k``-th links bodies ``k`` and ``k + 1``); ``columns``
        sets joint parameters (SI units, :mod:`spinesim.core.layout`) by lower-case name
        without the ``J_`` prefix, e.g. ``height=0.01, k_axial=1e6, c_axial=1e3``. All
        default to 0 but ``posture_blend`` (:data:`POSTURE_BLEND`)."""
        if len(self._bodies) < len(self._joints) + 2:
            raise ParameterError(f"joint {name!r}: add a body on each side first")
        row = np.zeros(L.NJ)
        row[L.J_POSTURE_BLEND] = POSTURE_BLEND
        _set_columns(row, "J_", columns, f"joint {name!r}")
        self._joints.append((name, row))

    def build(
        self,
        x0: float = 0.0,
        y0: float = 0.0,
        phi0: float = 0.0,
        levels: Sequence[str] | None = None,
    ) -> Model:
        """The assembled chain, the first body at ``(x0, y0)`` (m) and angle ``phi0`` (rad);
        ``levels`` names the joints that results report (default: all)."""
        check_number("ModelBuilder.gravity", self.gravity, 0.0, 100.0)
        check_type("ModelBuilder.prone", self.prone, bool)
        check_number("ModelBuilder.friction_static", self.friction_static, 0.0, 2.0)
        check_number(
            "ModelBuilder.friction_kinetic", self.friction_kinetic, 0.0, self.friction_static
        )
        check_number(
            "ModelBuilder.stribeck_velocity", self.stribeck_velocity, 0.0, 1.0, low_open=True
        )
        check_number("ModelBuilder.slip_time_s", self.slip_time_s, 0.0, 10.0, low_open=True)
        check_number("ModelBuilder.guard_rise_s", self.guard_rise_s, 0.0, 60.0, low_open=True)
        check_number(
            "ModelBuilder.guard_time_constant_s",
            self.guard_time_constant_s,
            self.guard_rise_s,
            1e4,
            low_open=True,
        )
        for name, row in self._joints:
            if row[L.J_NUCLEUS_AREA] > 0.0 and row[L.J_HEIGHT] <= 0.0:
                raise ParameterError(
                    f"joint {name!r}: a nucleus (nucleus_area > 0) needs height > 0"
                )
            if row[L.J_NUCLEUS_AREA] > 0.0 and row[L.J_SWELL_P0] < 0.0:
                raise ParameterError(
                    f"joint {name!r}: swell_p0 = {row[L.J_SWELL_P0]:g} Pa; allowed: >= 0 with a "
                    "nucleus (a reference pressure below zero has no swelling to hold it)"
                )
            if row[L.J_PERMEABILITY] > 0.0 and (
                row[L.J_NUCLEUS_AREA] <= 0.0 or row[L.J_SWELL_EPS] <= 0.0
            ):
                raise ParameterError(
                    f"joint {name!r}: fluid flow (permeability > 0) needs a nucleus "
                    f"(nucleus_area > 0, got {row[L.J_NUCLEUS_AREA]:g}) and a swelling law "
                    f"(swell_eps > 0, got {row[L.J_SWELL_EPS]:g})"
                )
        if len(self._joints) != len(self._bodies) - 1:
            raise ParameterError("ModelBuilder: a chain needs one joint between each two bodies")
        body = np.array([r for _, r in self._bodies])
        joint = np.array([r for _, r in self._joints]).reshape(-1, L.NJ)
        glob = np.zeros(L.NG)
        glob[L.G_GRAVITY] = self.gravity
        glob[L.G_MU_STATIC] = self.friction_static
        glob[L.G_MU_KINETIC] = self.friction_kinetic
        glob[L.G_GUARD_TAU] = self.guard_time_constant_s
        glob[L.G_GUARD_RISE] = self.guard_rise_s
        glob[L.G_SMOOTH] = CONTACT_SMOOTHING
        glob[L.G_STRIBECK_VELOCITY] = self.stribeck_velocity
        glob[L.G_SLIP_TIME] = self.slip_time_s
        glob[L.G_PRONE] = 1.0 if self.prone else 0.0
        y = rest_pose(body, joint, x0, y0, phi0)
        names = tuple(n for n, _ in self._joints)
        return Model(
            body=body,
            joint=joint,
            glob=glob,
            y0=y,
            body_names=tuple(n for n, _ in self._bodies),
            joint_names=names,
            levels=tuple(levels) if levels is not None else names,
        )


#: Columns that are switches (0 or 1), shares of the pull (-1 to 1) and magnitudes that
#: cannot be negative (stiffnesses, dampings, lengths, areas, masses, forces); the others
#: (positions, offsets, angles) take any finite value.
_SWITCH_COLUMNS = frozenset(
    {
        "B_RELEASE_DEVICE", "B_RELEASE_UPRIGHT", "B_RELEASE_SITTING", "B_RELEASE_LYING",
        "B_FREE_SLIDING", "B_ANCHOR_FIXED_ANGLE", "B_SEAT", "J_SPINAL", "J_HANGS",
    }
)  # fmt: skip
_SHARE_COLUMNS = frozenset({"B_PULL_SHARE", "B_PULL_LIFT"})
_NON_NEGATIVE_COLUMNS = frozenset(
    {
        "B_K_NORMAL", "B_C_NORMAL", "B_K_TANGENT", "B_C_TANGENT", "B_ANCHOR_K", "B_ANCHOR_C",
        "B_ANCHOR_K_ROT", "B_ANCHOR_C_ROT", "B_SUPPORT_MASS", "B_FEET_K_ROT", "B_FEET_C_ROT",
        "B_CONTACT_LENGTH", "J_HEIGHT", "J_DEPTH", "J_NUCLEUS_AREA", "J_NUCLEUS_K",
        "J_NUCLEUS_E0", "J_SWELL_EPS", "J_PERMEABILITY", "J_K_AXIAL", "J_K_CREEP", "J_C_CREEP",
        "J_C_AXIAL", "J_K_SHEAR", "J_C_SHEAR", "J_K_BEND", "J_C_BEND", "J_LIG_ANT_LEN",
        "J_LIG_ANT_EA1", "J_LIG_ANT_EA2", "J_LIG_ANT_STRAIN", "J_LIG_POST_LEN",
        "J_LIG_POST_EA1", "J_LIG_POST_EA2", "J_LIG_POST_STRAIN", "J_POSTURE_STIFFNESS",
        "J_POSTURE_DAMPING", "J_PERMEABILITY_STRAIN",
    }
)  # fmt: skip
#: Columns that must be positive: the postural blend's width keeps the law C1 for Newton.
_POSITIVE_COLUMNS = frozenset({"J_POSTURE_BLEND"})


def _set_columns(row: np.ndarray, prefix: str, columns: dict[str, float], owner: str) -> None:
    for key, value in columns.items():
        name = prefix + key.upper()
        index = getattr(L, name, None)
        if index is None:
            raise ParameterError(f"{owner}: unknown parameter {key!r}")
        value = plain(value)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ParameterError(f"{owner}: {key} = {value!r} is not a number")
        if not math.isfinite(value):
            raise ParameterError(f"{owner}: {key} = {value!r} is not finite")
        if name in _SWITCH_COLUMNS and value not in (0.0, 1.0):
            raise ParameterError(f"{owner}: {key} = {value!r}; allowed: 0 or 1")
        if name in _SHARE_COLUMNS and abs(value) > 1.0:
            raise ParameterError(f"{owner}: {key} = {value!r}; allowed: [-1, 1]")
        if name in _NON_NEGATIVE_COLUMNS and value < 0.0:
            raise ParameterError(f"{owner}: {key} = {value!r}; allowed: >= 0")
        if name in _POSITIVE_COLUMNS and value <= 0.0:
            raise ParameterError(f"{owner}: {key} = {value!r}; allowed: > 0")
        row[index] = value


def rest_pose(body: np.ndarray, joint: np.ndarray, x0: float, y0: float, phi0: float) -> np.ndarray:
    """State with every joint at rest, the first body at ``(x0, y0, phi0)``, at rest."""
    n = body.shape[0]
    y = np.zeros(n * L.BLOCK)
    x, yy, phi = x0, y0, phi0
    for i in range(n):
        b = i * L.BLOCK
        y[b + L.S_X], y[b + L.S_Y], y[b + L.S_PHI] = x, yy, phi
        if i == n - 1:
            break
        j = joint[i]
        c, s = math.cos(phi), math.sin(phi)
        pax = x + c * j[L.J_AX] - s * j[L.J_AY]
        pay = yy + s * j[L.J_AX] + c * j[L.J_AY]
        phi_b = phi + j[L.J_REST_ANGLE]
        phi_m = 0.5 * (phi + phi_b)
        pbx = pax + j[L.J_HEIGHT] * math.cos(phi_m)
        pby = pay + j[L.J_HEIGHT] * math.sin(phi_m)
        cb, sb = math.cos(phi_b), math.sin(phi_b)
        x = pbx - (cb * j[L.J_BX] - sb * j[L.J_BY])
        yy = pby - (sb * j[L.J_BX] + cb * j[L.J_BY])
        phi = phi_b
    return y


def spine_section(model: Model, first: str, last: str) -> Model:
    """Bodies ``first`` to ``last`` of ``model`` and the joints between them, e.g. the
    lumbar spine ``spine_section(spine_model(), "pelvis", "L1")`` (model-size studies).

    The section starts from ``model.y0``. Unless it starts with the model's first body, its
    first body is held at its pose in ``y0`` (at its centre of mass) by springs and dampers
    equal to the anchor of the model's first body (the ankle holder), in the same phases.
    """
    names = model.body_names
    for label, name in (("first", first), ("last", last)):
        if name not in names:
            raise ParameterError(f"{label} = {name!r} is not a body; allowed: {names}")
    i0, i1 = names.index(first), names.index(last)
    if i1 <= i0:
        raise ParameterError(f"last = {last!r} must lie cranial to first = {first!r}")
    body = model.body[i0 : i1 + 1].copy()
    joint = model.joint[i0:i1].copy()
    y0 = model.y0[i0 * L.BLOCK : (i1 + 1) * L.BLOCK].copy()
    if i0 > 0:
        held = [L.B_ANCHOR_K, L.B_ANCHOR_C, L.B_ANCHOR_K_ROT, L.B_ANCHOR_C_ROT]
        held += [L.B_ANCHOR_FIXED_ANGLE, L.B_FEET_K_ROT, L.B_FEET_C_ROT]
        held += [L.B_RELEASE_DEVICE, L.B_RELEASE_UPRIGHT, L.B_RELEASE_SITTING, L.B_RELEASE_LYING]
        body[0, held] = model.body[0, held]
        body[0, [L.B_ANCHOR_LX, L.B_ANCHOR_LY]] = 0.0
        body[0, [L.B_ANCHOR_X, L.B_ANCHOR_Y, L.B_ANCHOR_PHI]] = y0[[L.S_X, L.S_Y, L.S_PHI]]
    joint_names = model.joint_names[i0:i1]
    return dataclasses.replace(
        model,
        body=body,
        joint=joint,
        y0=y0,
        body_names=names[i0 : i1 + 1],
        joint_names=joint_names,
        levels=tuple(level for level in model.levels if level in joint_names),
    )
