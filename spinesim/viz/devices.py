"""Drawings of the devices (numpy only): parts on the table frame, and a stand in the room.

Chosen by the device's name (:attr:`Result.device_name`); a device without a drawing
gets none (the spine is still drawn). Dimensions are drawing assumptions (m), not model
parameters: the model only knows the backrest plane (table y = 0) and the ankle anchor.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from spinesim.viz.geometry import DEVICE, PartMesh, Ring, box, loft, merge
from spinesim.viz.vertebra import Skeleton

#: Backrest thickness and half width; how far it reaches beyond the hip and the head (m).
BACKREST = {"thickness": 0.04, "half_width": 0.26, "margin": 0.12}
#: Ankle holder: roller radius, half length, gap around the ankle (m).
ANKLE_ROLLER = {"radius": 0.03, "half_length": 0.14, "gap": 0.045}
#: Height of the pivot above the floor and half spread of the stand's feet (m).
PIVOT_HEIGHT = 1.05
STAND_SPREAD = 0.55
STAND_HALF_WIDTH = 0.33


def ankle_holder(skeleton: Skeleton) -> PartMesh:
    """Two rollers across the legs at the anchor point, in front of and behind the ankles,
    on a post down to the table's rail."""
    x, y = skeleton.anchor
    r, half, gap = ANKLE_ROLLER["radius"], ANKLE_ROLLER["half_length"], ANKLE_ROLLER["gap"]
    parts = [
        loft(
            [
                Ring(DEVICE, (x, y + dy, -half), r, r, (1, 0, 0), (0, 1, 0)),
                Ring(DEVICE, (x, y + dy, half), r, r, (1, 0, 0), (0, 1, 0)),
            ]
        )
        for dy in (-gap, gap)
    ]
    post_top = y + gap
    bottom = -BACKREST["thickness"]
    parts.append(
        box(
            DEVICE,
            (x - 0.5 * r, 0.5 * (post_top + bottom), 0.0),
            (0.012, 0.5 * (post_top - bottom), 0.02),
        )
    )
    return merge(parts)


def backrest(start: float, end: float) -> PartMesh:
    """The backrest board under the body from table x ``start`` to ``end`` (m); its surface
    is the model's backrest plane, y = 0."""
    t, half = BACKREST["thickness"], BACKREST["half_width"]
    return box(DEVICE, (0.5 * (start + end), -t / 2, 0.0), (0.5 * (end - start), t / 2, half))


def rail(skeleton: Skeleton, start: float) -> PartMesh:
    """The bar from the backrest's foot end to the ankle holder."""
    x = skeleton.anchor[0]
    t = BACKREST["thickness"]
    return box(DEVICE, (0.5 * (x + start), -1.5 * t, 0.0), (0.5 * (start - x), t / 2, 0.025))


def axle(pivot: tuple[float, float]) -> PartMesh:
    """The pivot axle across the table."""
    px, py = pivot
    r = 0.025
    return loft(
        [
            Ring(DEVICE, (px, py - 2 * BACKREST["thickness"], w), r, r, (1, 0, 0), (0, 1, 0))
            for w in (-STAND_HALF_WIDTH, STAND_HALF_WIDTH)
        ]
    )


def stand() -> PartMesh:
    """A-frame legs from the pivot to the floor (room frame, drawn untilted), and the floor."""
    parts = []
    for w in (-STAND_HALF_WIDTH, STAND_HALF_WIDTH):
        for sign in (-1.0, 1.0):
            length = float(np.hypot(STAND_SPREAD, PIVOT_HEIGHT))
            angle = float(np.arctan2(-PIVOT_HEIGHT, sign * STAND_SPREAD))
            centre = (0.5 * sign * STAND_SPREAD, 0.5 * PIVOT_HEIGHT, w)
            parts.append(box(DEVICE, centre, (length / 2, 0.02, 0.02), angle=angle))
    return merge(parts)


def table(skeleton: Skeleton, span: tuple[float, float], pivot: tuple[float, float]) -> PartMesh:
    """Inversion table: backrest (under the legs too, up to the ankle holder), rail, ankle
    holder and pivot axle (table frame)."""
    start = skeleton.anchor[0] + 2.0 * BACKREST["margin"]
    end = span[1] + BACKREST["margin"]
    return merge([backrest(start, end), rail(skeleton, start), ankle_holder(skeleton), axle(pivot)])


def boots(skeleton: Skeleton, span: tuple[float, float], pivot: tuple[float, float]) -> PartMesh:
    """Gravity boots: the ankle holder (boots on a bar); no backrest."""
    return ankle_holder(skeleton)


def hip_bench(
    skeleton: Skeleton, span: tuple[float, float], pivot: tuple[float, float]
) -> PartMesh:
    """Hip-supported bench: a pad from the thighs to the hip (x ``span[0]``) and the ankle
    holder on its rail."""
    x = skeleton.anchor[0]
    return merge(
        [
            backrest(0.5 * (x + span[0]), span[0] + 0.1),
            rail(skeleton, span[0]),
            ankle_holder(skeleton),
        ]
    )


#: Drawings by device name: ``f(skeleton, (hip x, head x), pivot) -> PartMesh`` on the
#: table frame; and whether the device stands on the A-frame.
DRAWINGS: dict[str, tuple[Callable[..., PartMesh], bool]] = {
    "table": (table, True),
    "boots": (boots, False),
    "hip_bench": (hip_bench, False),
}
