"""Procedural bones: vertebrae scaled per level, the pelvis and the femurs (numpy only).

Each vertebra is built in its body's local frame (u cranial, v anterior, w lateral; m, from
the body's centre of mass) from the model's own dimensions: the vertebral body's height
(between its two joint attachments), its antero-posterior depth (the adjacent discs'
depth) and its position behind the centre of mass. The posterior elements (pedicles,
laminae, spinous, transverse and articular processes) take typical adult proportions of
the body depth per region (cervical, thoracic, lumbar). Those proportions only shape the
picture; none enters the mechanics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from spinesim.viz.geometry import PartMesh, Ring, box, ellipsoid, loft, merge

#: Vertebral body and disc width (lateral) / antero-posterior depth: lumbar endplates
#: about 50 x 33 mm, cervical 25 x 17 mm (drawing proportion).
WIDTH_RATIO = 1.5

#: Drawing proportions of the posterior elements per region, in units of the body depth:
#: canal radius, pedicle radius, spinous process length, its tilt towards caudal (deg) and
#: its cranio-caudal height (in units of the body height), transverse process length.
REGION_SHAPE = {
    "C": {"canal": 0.42, "pedicle": 0.12, "spinous": 0.8, "tilt": 20.0, "spine_h": 0.35, "tp": 0.5},
    "T": {"canal": 0.26, "pedicle": 0.12, "spinous": 1.2, "tilt": 50.0, "spine_h": 0.3, "tp": 0.7},
    "L": {"canal": 0.26, "pedicle": 0.14, "spinous": 0.95, "tilt": 8.0, "spine_h": 0.6, "tp": 0.9},
}


@dataclass(frozen=True)
class Skeleton:
    """What the pictures need of a result's model: body names and the geometry written by
    :func:`spinesim.simulate.drawing_geometry` (m)."""

    bodies: tuple[str, ...]
    joints: tuple[str, ...]
    ax: np.ndarray
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    disc_height: np.ndarray
    depth: np.ndarray
    contact_x: np.ndarray
    contact_y: np.ndarray
    anchor: tuple[float, float]
    anchor_lx: float
    scale: float

    @classmethod
    def from_attrs(cls, bodies: tuple[str, ...], geometry: dict[str, Any]) -> Skeleton:
        arrays = {
            k: np.asarray(geometry[k], float)
            for k in ("ax", "ay", "bx", "by", "depth", "contact_x", "contact_y")
        }
        return cls(
            bodies=tuple(bodies),
            joints=tuple(geometry["joint_names"]),
            disc_height=np.asarray(geometry["height"], float),
            anchor=(float(geometry["anchor_x"]), float(geometry["anchor_y"])),
            anchor_lx=float(geometry["anchor_lx"]),
            scale=float(geometry["length_scale"]),
            **arrays,
        )

    def index(self, name: str) -> int:
        return self.bodies.index(name)

    def is_vertebra(self, i: int) -> bool:
        name = self.bodies[i]
        return 0 < i < len(self.bodies) - 1 and name[:1] in REGION_SHAPE and name[1:].isdigit()

    def vertebral_body(self, i: int) -> tuple[float, float, float]:
        """Height, depth (m) and antero-posterior position (local v, m) of body ``i``'s
        vertebral body: between the joint below (cranial attachment) and the one above."""
        height = self.ax[i] - self.bx[i - 1]
        depths = [d for d in (self.depth[i - 1], self.depth[i]) if d > 0.0]
        if not depths:  # the atlas: between two disc-less joints, as deep as the axis
            return height, self.vertebral_body(i - 1)[1], self.ay[i]
        return height, float(np.mean(depths)), self.ay[i]


def vertebra(owner: int, region: str, height: float, depth: float, centre_v: float) -> PartMesh:
    """A vertebra on body ``owner`` (local frame, m): the body an elliptic cylinder of
    ``height`` and ``depth`` centred at ``v = centre_v``, posterior elements behind it."""
    shape = REGION_SHAPE[region]
    d, h = depth, height
    width = WIDTH_RATIO * d
    back = centre_v - d / 2.0  # posterior wall of the body
    waist = 0.92
    body = loft(
        [
            Ring(owner, (-h / 2, centre_v, 0.0), d / 2, width / 2),
            Ring(owner, (0.0, centre_v, 0.0), waist * d / 2, waist * width / 2),
            Ring(owner, (h / 2, centre_v, 0.0), d / 2, width / 2),
        ]
    )
    canal = shape["canal"] * d
    ped_r = shape["pedicle"] * d
    ped_w = canal + 0.6 * ped_r
    ped_u = 0.15 * h
    canal_back = back - 2.0 * canal
    parts = [body]
    for side in (-1.0, 1.0):  # pedicles: from the body's back wall to the lamina
        parts.append(
            loft(
                [
                    Ring(
                        owner,
                        (ped_u, back + 0.1 * d, side * ped_w),
                        ped_r * 1.2,
                        ped_r,
                        (1, 0, 0),
                        (0, 0, 1),
                    ),
                    Ring(
                        owner,
                        (ped_u, canal_back, side * ped_w),
                        ped_r * 1.2,
                        ped_r,
                        (1, 0, 0),
                        (0, 0, 1),
                    ),
                ]
            )
        )
    lamina_t = 0.12 * d
    lamina_v = canal_back - lamina_t / 2
    parts.append(box(owner, (0.0, lamina_v, 0.0), (0.45 * h, lamina_t / 2, ped_w + ped_r)))
    for side in (-1.0, 1.0):  # articular processes, up and down from the pedicle-lamina corner
        for end in (-1.0, 1.0):
            parts.append(
                box(owner, (end * 0.55 * h, lamina_v, side * ped_w), (0.2 * h, 0.07 * d, 0.07 * d))
            )
    tilt = math.radians(shape["tilt"])
    length = shape["spinous"] * d
    # spinous process: backwards from the lamina, tilted towards caudal (-u)
    direction = np.array([-math.sin(tilt), -math.cos(tilt)])
    centre = np.array([0.0, lamina_v]) + direction * length / 2
    spine_angle = math.atan2(direction[1], direction[0])  # box u axis along the process
    parts.append(
        box(
            owner,
            (centre[0], centre[1], 0.0),
            (length / 2, shape["spine_h"] * h / 2, 0.07 * d),
            angle=spine_angle,
        )
    )
    tp_len = shape["tp"] * d
    for side in (-1.0, 1.0):  # transverse processes: sideways and a little backwards
        parts.append(
            box(
                owner,
                (ped_u, canal_back + 0.1 * d, side * (ped_w + tp_len / 2)),
                (0.14 * h, 0.08 * d, tp_len / 2),
            )
        )
    return merge(parts)


#: Pelvis drawing dimensions at the reference stature (m): sacrum length, iliac wing
#: semi-axes (u, v, w) and lateral position, femoral head radius and hip width.
SACRUM_LENGTH = 0.11
ILIAC_WING = ((0.065, 0.06, 0.018), 0.075)
FEMORAL_HEAD = 0.024
HIP_HALF_WIDTH = 0.085


def pelvis(skeleton: Skeleton) -> PartMesh:
    """Sacrum (from the S1 endplate down and back), iliac wings and femoral heads."""
    i = skeleton.index("pelvis")
    s = skeleton.scale
    s1_u, s1_v = skeleton.ax[i], skeleton.ay[i]
    d = skeleton.depth[i]
    sacrum = loft(
        [
            Ring(i, (s1_u, s1_v, 0.0), d / 2, WIDTH_RATIO * d / 2),
            Ring(i, (s1_u - 0.5 * SACRUM_LENGTH * s, s1_v - 0.25 * d, 0.0), 0.35 * d, 0.5 * d),
            Ring(i, (s1_u - SACRUM_LENGTH * s, s1_v - 0.6 * d, 0.0), 0.1 * d, 0.1 * d),
        ]
    )
    radii, wing_w = ILIAC_WING
    hip_u, hip_v = skeleton.bx[i - 1], skeleton.by[i - 1]
    parts = [sacrum]
    for side in (-1.0, 1.0):
        parts.append(
            ellipsoid(
                i,
                (0.5 * (s1_u + hip_u), 0.5 * (s1_v + hip_v), side * wing_w * s),
                tuple(r * s for r in radii),
            )
        )
        parts.append(
            ellipsoid(i, (hip_u, hip_v, side * HIP_HALF_WIDTH * s), (FEMORAL_HEAD * s,) * 3)
        )
    return merge(parts)


#: Femur and tibia radius (m, reference stature).
LEG_BONE_RADIUS = 0.014


def leg_bones(skeleton: Skeleton) -> PartMesh:
    """Femur and tibia of both legs along the legs' body, hip to ankle."""
    s = skeleton.scale
    top, ankle = skeleton.ax[0], skeleton.anchor_lx
    r = LEG_BONE_RADIUS * s
    parts = []
    for side in (-1.0, 1.0):
        w = side * HIP_HALF_WIDTH * s
        parts.append(loft([Ring(0, (ankle, 0.0, w * 0.6), r, r), Ring(0, (top, 0.0, w), r, r)]))
    return merge(parts)


#: Radius of the rod drawn for a body of a hand-built chain (m).
ROD_RADIUS = 0.01


def rod(skeleton: Skeleton, i: int) -> PartMesh:
    """A body of a hand-built chain: a rod between its joint attachments (or around its
    centre of mass at an end of the chain)."""
    lower = (skeleton.bx[i - 1], skeleton.by[i - 1]) if i > 0 else (-ROD_RADIUS, 0.0)
    upper = (skeleton.ax[i], skeleton.ay[i]) if i < len(skeleton.joints) else (ROD_RADIUS, 0.0)
    return loft([Ring(i, (*end, 0.0), ROD_RADIUS, ROD_RADIUS) for end in (lower, upper)])


def skeleton_bones(skeleton: Skeleton) -> PartMesh:
    """All bones of the chain: legs, pelvis and every vertebra (C1 to L5); a rod for each
    other body except the head (drawn by the outline)."""
    parts = []
    for i, name in enumerate(skeleton.bodies):
        if skeleton.is_vertebra(i):
            height, depth, centre_v = skeleton.vertebral_body(i)
            parts.append(vertebra(i, name[0], height, depth, centre_v))
        elif name == "legs" and i == 0:
            parts.append(leg_bones(skeleton))
        elif name == "pelvis":
            parts.append(pelvis(skeleton))
        elif name != "head":
            parts.append(rod(skeleton, i))
    return merge(parts)
