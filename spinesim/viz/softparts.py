"""Discs that deform with the bodies, and a faint outline of the body (numpy only)."""

from __future__ import annotations

import numpy as np

from spinesim.viz.geometry import PartMesh, Ring, ellipsoid, loft, merge
from spinesim.viz.vertebra import HIP_HALF_WIDTH, WIDTH_RATIO, Skeleton


def discs(skeleton: Skeleton, levels: tuple[str, ...]) -> tuple[PartMesh, np.ndarray]:
    """One tube per disc level, its lower ring on the caudal body's endplate and its upper
    ring on the cranial body's, so it stretches, shears and wedges with them. Returns the
    mesh and, per point, the index of its level in ``levels``."""
    parts, level_of_point = [], []
    for k, name in enumerate(levels):
        j = skeleton.joints.index(name)
        d = skeleton.depth[j]
        half_width = WIDTH_RATIO * d / 2
        mesh = loft(
            [
                Ring(j, (skeleton.ax[j], skeleton.ay[j], 0.0), d / 2, half_width),
                Ring(j + 1, (skeleton.bx[j], skeleton.by[j], 0.0), d / 2, half_width),
            ]
        )
        parts.append(mesh)
        level_of_point.append(np.full(mesh.local.shape[0], k))
    return merge(parts), np.concatenate(level_of_point)


#: Half widths of the trunk outline (m, reference stature) per region; the shoulders at T1-T3.
#: Drawing assumptions from typical adult breadths.
OUTLINE_HALF_WIDTH = {"pelvis": 0.17, "L": 0.14, "T": 0.15, "shoulders": 0.19, "C": 0.055}
#: Head outline: semi-axes (u, v, w) and its centre in front of the head's centre of mass (m).
HEAD_RADII = (0.11, 0.095, 0.075)
HEAD_FORWARD = 0.015
#: Leg outline radii at the hip, knee and ankle (m).
LEG_RADII = (0.075, 0.048, 0.035)


def trunk_half_width(skeleton: Skeleton, i: int) -> float:
    """Half width of the trunk outline at body ``i`` (m, at the subject's stature)."""
    name = skeleton.bodies[i]
    if name in ("T1", "T2", "T3"):
        half = OUTLINE_HALF_WIDTH["shoulders"]
    else:
        half = OUTLINE_HALF_WIDTH.get(name, OUTLINE_HALF_WIDTH.get(name[:1], 0.0))
    return half * skeleton.scale


def outline(skeleton: Skeleton) -> PartMesh | None:
    """The body's skin as a tube through the trunk bodies (antero-posterior extent: the
    backrest contact depth on each side of the centre of mass), the head and two legs;
    None for a chain without any of them."""
    s = skeleton.scale
    rings = [
        Ring(i, (0.0, 0.0, 0.0), -skeleton.contact_y[i], trunk_half_width(skeleton, i))
        for i, name in enumerate(skeleton.bodies)
        if name == "pelvis" or skeleton.is_vertebra(i)
    ]
    parts = [loft(rings)] if len(rings) > 1 else []
    if "head" in skeleton.bodies:
        h = skeleton.index("head")
        parts.append(ellipsoid(h, (0.0, HEAD_FORWARD * s, 0.0), tuple(r * s for r in HEAD_RADII)))
    top, ankle = skeleton.ax[0], skeleton.anchor_lx
    for side in (-1.0, 1.0) if skeleton.bodies[0] == "legs" else ():
        w = side * HIP_HALF_WIDTH * s
        stations = np.linspace(top, ankle, 3)
        parts.append(
            loft(
                [
                    Ring(0, (u, 0.0, w * (1.0 - 0.2 * k)), r * s, r * s)
                    for k, (u, r) in enumerate(zip(stations, LEG_RADII, strict=True))
                ]
            )
        )
    return merge(parts) if parts else None
