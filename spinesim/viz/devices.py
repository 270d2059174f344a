"""Drawings of the devices (numpy only): parts on the table frame, and a stand in the room.

Chosen by the device's name (:attr:`Result.device_name`); a device without a drawing
gets none (the spine is still drawn). Dimensions are drawing assumptions (m), not model
parameters: the model only knows the backrest plane (table y = 0), the ankle anchor, the
harness' vertebra and the pull on the pelvis. Harness belts ride on their vertebra or the
pelvis, and the straps between them and the device stretch as the body moves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from spinesim.device import SuspensionHarness
from spinesim.viz.geometry import DEVICE, PartMesh, Ring, box, loft, merge
from spinesim.viz.softparts import trunk_half_width
from spinesim.viz.vertebra import Skeleton


@dataclass(frozen=True)
class Placement:
    """What a drawing is fitted to: the ``skeleton``, the bodies' ``pose`` at t = 0 as the
    model has it (``(n_body, 3)``: table x, y (m), phi (rad); prone the mirror image, see
    :func:`spinesim.viz.geometry.prone_view`) and the device's parameters
    (``Result.attrs["device"]``). Parts riding on a body are drawn in its local frame, as
    the model has it; parts on the device in the table frame as one sees it
    (:meth:`seen_y`)."""

    skeleton: Skeleton
    pose: np.ndarray
    options: Mapping[str, Any]

    @property
    def prone(self) -> bool:
        """Whether the body lies prone (mirrored in the model, turned over to be drawn)."""
        return self.options.get("position") == "prone"

    def seen_y(self, body: str) -> float:
        """Table y (m) of ``body``'s centre of mass at t = 0 as one sees it: above the table
        also prone."""
        y = float(self.pose[self.skeleton.index(body), 1])
        return -y if self.prone else y

    @property
    def pivot(self) -> tuple[float, float]:
        """Where the table tilts (table x, y; m): under the hip at the start, in the
        backrest plane (drawing assumption)."""
        return (self.hip_x, 0.0)

    @property
    def hip_x(self) -> float:
        """Table x of the hip joint at t = 0 (m)."""
        return self.joint_x(0)

    @property
    def head_x(self) -> float:
        """Table x of the head's centre of mass at t = 0 (m)."""
        return float(self.pose[-1, 0])

    @property
    def harness_level(self) -> str:
        """The vertebra a chest harness holds (the device's ``level``; its default if the
        result does not say)."""
        return self.options.get("level", SuspensionHarness.level)

    def joint_x(self, j: int) -> float:
        """Table x of joint ``j`` (its attachment on the caudal body) at t = 0 (m)."""
        x, _, phi = self.pose[j]
        return float(x + np.cos(phi) * self.skeleton.ax[j] - np.sin(phi) * self.skeleton.ay[j])


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


def board_start(skeleton: Skeleton) -> float:
    """Table x (m) of the foot end of a board under the whole body, short of the ankles."""
    return skeleton.anchor[0] + 2.0 * BACKREST["margin"]


def whole_board(place: Placement) -> PartMesh:
    """A backrest board under the whole body, from the ankles to beyond the head."""
    return backrest(board_start(place.skeleton), place.head_x + BACKREST["margin"])


def table(place: Placement) -> dict[str, PartMesh]:
    """Inversion table: backrest (under the legs too, up to the ankle holder), rail, ankle
    holder and pivot axle (table frame)."""
    skeleton = place.skeleton
    rail_part = rail(skeleton, board_start(skeleton))
    parts = [whole_board(place), rail_part, ankle_holder(skeleton), axle(place.pivot)]
    return {"device": merge(parts)}


def boots(place: Placement) -> dict[str, PartMesh]:
    """Gravity boots: the ankle holder (boots on a bar); no backrest, but a ``guide``: what
    guides the body into and out of the hang (a frame or a helper; the model's backrest
    plane while its support fades, :meth:`spinesim.device.Device.support`), drawn as a
    board under the whole body and shown as much as it still carries
    (:func:`spinesim.viz.scene.guide_share`)."""
    return {"device": ankle_holder(place.skeleton), "guide": whole_board(place)}


def hip_bench(place: Placement) -> dict[str, PartMesh]:
    """Hip-supported bench: a pad from the thighs to the hip and the ankle holder on its
    rail; a ``guide`` on the ramps, as for :func:`boots`."""
    skeleton, hip = place.skeleton, place.hip_x
    pad = backrest(0.5 * (skeleton.anchor[0] + hip), hip + 0.1)
    device = merge([pad, rail(skeleton, hip), ankle_holder(skeleton)])
    return {"device": device, "guide": whole_board(place)}


#: Harness belts: width along the body and how far they stand off the body outline (m);
#: strap and cable radius (m); spreader bar half length (m).
BELT = {"half_width": 0.045, "clearance": 0.012}
STRAP_RADIUS = 0.008
SPREADER_HALF_LENGTH = 0.2


def belt(place: Placement, body: str) -> PartMesh:
    """A harness belt around ``body`` (riding on it), just outside the body outline,
    across the table as it was fastened at t = 0 (the pelvis lies tilted)."""
    skeleton = place.skeleton
    i = skeleton.index(body)
    depth = -skeleton.contact_y[i] + BELT["clearance"]
    half = trunk_half_width(skeleton, i) + BELT["clearance"]
    h = BELT["half_width"] * skeleton.scale
    c, s = np.cos(place.pose[i, 2]), np.sin(place.pose[i, 2])  # table x and y, body-local
    across = (s, c, 0.0)
    return loft([Ring(i, (u * c, -u * s, 0.0), depth, half, across) for u in (-h, h)], caps=False)


def straps(place: Placement, body: str, to_x: float, to_y: float) -> PartMesh:
    """Two straps from the sides of ``body``'s belt (riding on it) to a spreader bar across
    the device at table (``to_x``, ``to_y``), which they stretch to as the body moves."""
    skeleton = place.skeleton
    i = skeleton.index(body)
    half = trunk_half_width(skeleton, i) + BELT["clearance"]
    r = STRAP_RADIUS
    parts = [
        loft([Ring(i, (0.0, 0.0, w), r, r), Ring(DEVICE, (to_x, to_y, w), r, r)])
        for w in (-half, half)
    ]
    parts.append(
        loft(
            [
                Ring(DEVICE, (to_x, to_y, w), 1.5 * r, 1.5 * r, (1, 0, 0), (0, 1, 0))
                for w in (-SPREADER_HALF_LENGTH, SPREADER_HALF_LENGTH)
            ]
        )
    )
    return merge(parts)


def cable(start: tuple[float, float], end: tuple[float, float]) -> PartMesh:
    """A cable on the device from table (x, y) ``start`` to ``end`` (m)."""
    r = STRAP_RADIUS
    return loft([Ring(DEVICE, (x, y, 0.0), r, r) for x, y in (start, end)])


#: Traction table: board half thickness, leg height below the board, pull unit and post
#: half sizes (m), gap of a split table (m).
TRACTION_TABLE = {"half_thickness": 0.03, "leg": 0.3, "unit": (0.08, 0.1, 0.12), "gap": 0.02}


def board_sections(place: Placement) -> list[tuple[float, float]]:
    """Table x ranges (m) of a traction table's board: one from beyond the feet to beyond
    the head; on a split table two, parted at the split level's joint (the caudal section
    rolls freely in the model)."""
    foot = place.pose[0, 0] + place.skeleton.anchor_lx - BACKREST["margin"]
    head = place.head_x + BACKREST["margin"]
    if not place.options.get("split_table"):
        return [(foot, head)]
    split = place.joint_x(place.skeleton.joints.index(place.options["split_level"]))
    gap = TRACTION_TABLE["gap"]
    return [(foot, split - gap), (split + gap, head)]


def traction(place: Placement) -> dict[str, PartMesh]:
    """Mechanical traction table: the board under the body (:func:`board_sections`), its
    legs, a pelvic belt pulled towards the feet by a cable from the pull unit at the foot
    end, and a thoracic belt at the harness' vertebra strapped to a post at the head end
    (counter-traction)."""
    skeleton = place.skeleton
    t, leg = TRACTION_TABLE["half_thickness"], TRACTION_TABLE["leg"]
    sections = board_sections(place)
    foot, head = sections[0][0], sections[-1][1]
    half_w = BACKREST["half_width"]
    parts = [box(DEVICE, (0.5 * (a + b), -t, 0.0), (0.5 * (b - a), t, half_w)) for a, b in sections]
    for x in (foot + 0.05, head - 0.05):
        for w in (-0.8 * half_w, 0.8 * half_w):
            parts.append(box(DEVICE, (x, -2 * t - 0.5 * leg, w), (0.025, 0.5 * leg, 0.025)))
    unit = TRACTION_TABLE["unit"]
    pelvis_y = place.seen_y("pelvis")
    unit_x = foot - unit[0]
    parts.append(box(DEVICE, (unit_x, pelvis_y, 0.0), unit))
    bar_x = place.pose[0, 0] + 0.6 * skeleton.anchor_lx
    parts += [
        straps(place, "pelvis", bar_x, pelvis_y),
        cable((bar_x, pelvis_y), (unit_x + unit[0], pelvis_y)),
    ]
    level = place.harness_level
    level_y = place.seen_y(level)
    post_x = head + 0.04
    parts += [
        straps(place, level, post_x, level_y),
        box(
            DEVICE,
            (post_x, 0.5 * level_y - t, 0.0),
            (0.02, 0.5 * level_y + t, half_w),
        ),
    ]
    return {"device": merge(parts), "belts": merge([belt(place, "pelvis"), belt(place, level)])}


#: Suspension harness: how far above the head the spreader bar hangs, and the length of
#: the rope above it (m).
HANGER = {"above_head": 0.3, "rope": 0.35}


def harness(place: Placement) -> dict[str, PartMesh]:
    """Suspension harness: a belt around the rib cage at the harness' vertebra, strapped to
    a spreader bar above the head that hangs from a rope (table frame, i.e. overhead when
    the body hangs upright)."""
    skeleton = place.skeleton
    level = place.harness_level
    y = place.seen_y(level)
    bar_x = place.head_x + HANGER["above_head"] * skeleton.scale
    device = merge([straps(place, level, bar_x, y), cable((bar_x, y), (bar_x + HANGER["rope"], y))])
    return {"device": device, "belts": belt(place, level)}


#: Drawings by device name: ``f(placement)`` -> the device's parts on the table frame
#: (``"device"``; harness belts, drawn see-through: ``"belts"``); and whether the device
#: stands on the A-frame.
DRAWINGS: dict[str, tuple[Callable[[Placement], dict[str, PartMesh]], bool]] = {
    "table": (table, True),
    "boots": (boots, False),
    "hip_bench": (hip_bench, False),
    "harness": (harness, False),
    "traction": (traction, False),
}
