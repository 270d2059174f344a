"""The per-level anatomy table shipped with spinesim, and the subject it is scaled to.

``spinesim/data/bodies.csv`` and ``spinesim/data/joints.csv`` hold the reference values
with a source for every column (in their header comments). :func:`load_anatomy` returns
them in SI units scaled to a :class:`Subject`: lengths with stature relative to the
reference stature of the subject's sex (de Leva 1996: 1.741 m male, 1.735 m female
[V-sec]), areas with its square, masses with body mass.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np

from spinesim.data import read_table
from spinesim.errors import ParameterError, check_number

#: Body mass (kg) of the subject the tissue tables describe: the default subject, as
#: Wilke's 1999 volunteer (70 kg), on whom the muscle tone is calibrated.
REFERENCE_MASS_KG = 70.0
#: The lumbar disc levels, cranial to caudal.
LUMBAR = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")
#: Allowed body mass (kg) and stature (m) of a subject, each on its own.
SUBJECT_RANGES = {"mass_kg": (20.0, 300.0), "height_m": (1.0, 2.5)}
#: Body-mass indices (kg/m^2) a subject may have: mass and stature are each checked
#: against their own range and together against this one. An assumption, to refuse builds
#: no adult has, not a validated range: from about the lowest BMI survived in anorexia
#: nervosa (10) to well into WHO obesity class III (from 40). The segment masses (de Leva
#: 1996) and tissues are those of ordinary builds, so results at the ends are extrapolations.
BMI_RANGE = (10.0, 70.0)
#: Reference statures of de Leva (1996) for each sex (m) [V-sec].
REFERENCE_STATURE = {"male": 1.741, "female": 1.735}

#: Hip-to-ankle length / stature: hip height 0.530 H minus ankle height 0.039 H
#: (Drillis & Contini 1966, as tabulated by Winter 2009; the values seen in code that
#: transcribes Winter's figure [V-sec]).
LEG_LENGTH_FRACTION = 0.491
#: Leg centre of mass from the hip / hip-to-ankle length [D] from de Leva 1996 thigh,
#: shank and foot masses and centre-of-mass positions.
LEG_COM_FRACTION = 0.37


@dataclass(frozen=True)
class Subject:
    """The person on the device: body mass (kg), stature (m) and sex."""

    mass_kg: float = REFERENCE_MASS_KG
    height_m: float = 1.75
    sex: str = "male"

    def __post_init__(self) -> None:
        for name, (low, high) in SUBJECT_RANGES.items():
            object.__setattr__(self, name, check_number(name, getattr(self, name), low, high))
        bmi = self.mass_kg / self.height_m**2
        if not BMI_RANGE[0] <= bmi <= BMI_RANGE[1]:
            raise ParameterError(
                f"mass_kg = {self.mass_kg:g} with height_m = {self.height_m:g} is a body-mass "
                f"index of {bmi:.4g} kg/m^2; allowed: {BMI_RANGE[0]:g} to {BMI_RANGE[1]:g} "
                "kg/m^2 (the segment masses and tissues are those of an adult build)"
            )
        if not isinstance(self.sex, str) or self.sex not in REFERENCE_STATURE:
            raise ParameterError(
                f"sex = {self.sex!r} is unknown; allowed: {tuple(REFERENCE_STATURE)}"
            )

    @property
    def length_scale(self) -> float:
        """Stature over the reference stature of the subject's sex (-)."""
        return self.height_m / REFERENCE_STATURE[self.sex]


@dataclass(frozen=True)
class Anatomy:
    """Per-body and per-joint anatomy in SI units, caudal to cranial.

    Body arrays have one entry per body, joint arrays one per joint; joint ``j`` links
    bodies ``j`` and ``j + 1``.
    """

    body_names: tuple[str, ...]
    mass: np.ndarray  # kg
    body_height: np.ndarray  # m (0 for non-vertebrae)
    com_anterior: np.ndarray  # m
    posterior_depth: np.ndarray  # m
    leg_length: float  # m
    joint_names: tuple[str, ...]
    joint_kind: tuple[str, ...]
    disc_middle: np.ndarray  # m
    disc_depth: np.ndarray  # m
    endplate_area: np.ndarray  # m^2
    rest_angle: np.ndarray  # rad, kyphosis +
    axial_stiffness: np.ndarray  # N/m
    subject_mass_kg: float  # kg, the whole body (the tone scales with it)

    @property
    def disc_levels(self) -> tuple[str, ...]:
        pairs = zip(self.joint_names, self.joint_kind, strict=True)
        return tuple(n for n, k in pairs if k == "disc")


@cache
def _reference_tables() -> tuple[tuple[dict[str, str], ...], tuple[dict[str, str], ...]]:
    return tuple(read_table("bodies.csv")), tuple(read_table("joints.csv"))


def load_anatomy(subject: Subject) -> Anatomy:
    """The anatomy table scaled to ``subject``."""
    bodies, joints = _reference_tables()
    s = subject.length_scale
    col = lambda rows, key: np.array([float(r[key]) for r in rows])  # noqa: E731
    mass = col(bodies, f"mass_pct_{subject.sex}") / 100.0 * subject.mass_kg
    names = tuple(r["body"] for r in bodies)
    for r, (a, b) in zip(joints, itertools.pairwise(names), strict=True):
        if (r["caudal"], r["cranial"]) != (a, b):
            raise RuntimeError(f"joints.csv row {r['name']} does not link {a} to {b}")
    mm = 1e-3 * s
    return Anatomy(
        body_names=names,
        mass=mass,
        body_height=col(bodies, "body_height_mm") * mm,
        com_anterior=col(bodies, "com_anterior_mm") * mm,
        posterior_depth=col(bodies, "posterior_depth_mm") * mm,
        leg_length=LEG_LENGTH_FRACTION * subject.height_m,
        joint_names=tuple(r["name"] for r in joints),
        joint_kind=tuple(r["kind"] for r in joints),
        disc_middle=col(joints, "disc_middle_mm") * mm,
        disc_depth=col(joints, "disc_depth_mm") * mm,
        endplate_area=col(joints, "endplate_area_mm2") * 1e-6 * s * s,
        rest_angle=np.radians(col(joints, "sagittal_angle_deg")),
        axial_stiffness=col(joints, "axial_stiffness_kN_per_mm") * 1e6 * s,
        subject_mass_kg=subject.mass_kg,
    )
