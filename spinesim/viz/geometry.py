"""Meshes that ride on the model's bodies, and where the bodies are in the room (numpy only).

A :class:`PartMesh` stores each point in the local frame of the body that carries it:
``u`` along the body's cranial axis, ``v`` anterior, ``w`` lateral (m, from the body's
centre of mass; see :mod:`spinesim.core.layout`). Owner :data:`DEVICE` means the table
frame itself (the device). Each picture places the points with the bodies' poses, then
tilts the table frame about the pivot into the room.

Room frame: ``X`` horizontal, towards the head at 0 deg; ``Y`` lateral; ``Z`` up. The table
frame's x axis points along ``(cos angle, -sin angle)`` in ``(X, Z)``, so +90 deg is
head-down; gravity then acts along +x of the table, as in the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Owner index of points fixed to the table frame (the device).
DEVICE = -1
#: Points around each ring of a tube or ellipsoid.
RING_POINTS = 20


@dataclass(frozen=True)
class PartMesh:
    """Points in their owner's local frame (``local``: (n, 3), m; ``owner``: (n,) body
    index or :data:`DEVICE`), triangles (``triangles``: (m, 3) point indices), and a value
    per point in [-1, 1] from posterior to anterior across a disc (``side``; 0 elsewhere)."""

    local: np.ndarray
    owner: np.ndarray
    triangles: np.ndarray
    side: np.ndarray

    @property
    def vtk_faces(self) -> np.ndarray:
        """Faces in VTK's flat layout ``[3, i, j, k, 3, ...]``."""
        n = self.triangles.shape[0]
        return np.column_stack([np.full(n, 3), self.triangles]).ravel()


def merge(parts: list[PartMesh]) -> PartMesh:
    """One mesh of all ``parts``."""
    offsets = np.cumsum([0] + [p.local.shape[0] for p in parts[:-1]])
    return PartMesh(
        local=np.concatenate([p.local for p in parts]),
        owner=np.concatenate([p.owner for p in parts]),
        triangles=np.concatenate([p.triangles + o for p, o in zip(parts, offsets, strict=True)]),
        side=np.concatenate([p.side for p in parts]),
    )


@dataclass(frozen=True)
class Ring:
    """An ellipse: ``centre`` (3,), semi-axes ``r1`` along ``axis1`` and ``r2`` along
    ``axis2`` (unit 3-vectors), on body ``owner``."""

    owner: int
    centre: tuple[float, float, float]
    r1: float
    r2: float
    axis1: tuple[float, float, float] = (0.0, 1.0, 0.0)
    axis2: tuple[float, float, float] = (0.0, 0.0, 1.0)


def loft(rings: list[Ring], *, caps: bool = True, n: int = RING_POINTS) -> PartMesh:
    """A tube through ``rings`` in order (each may ride on another body), closed at both
    ends with flat caps when ``caps``. ``side`` is the position along ``axis1`` in units of
    ``r1`` (for discs: posterior -1 to anterior +1)."""
    angle = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    c, s = np.cos(angle), np.sin(angle)
    points, owners, sides = [], [], []
    for ring in rings:
        a1, a2 = np.asarray(ring.axis1), np.asarray(ring.axis2)
        points.append(
            np.asarray(ring.centre) + np.outer(ring.r1 * c, a1) + np.outer(ring.r2 * s, a2)
        )
        owners.append(np.full(n, ring.owner))
        sides.append(c)
    i = np.arange(n)
    nxt = (i + 1) % n
    triangles = []
    for k in range(len(rings) - 1):
        lo, hi = k * n, (k + 1) * n
        triangles += [np.column_stack([lo + i, lo + nxt, hi + nxt])]
        triangles += [np.column_stack([lo + i, hi + nxt, hi + i])]
    if caps:
        for end, k in enumerate((0, len(rings) - 1)):
            centre_index = len(rings) * n + end
            triangles.append(np.column_stack([np.full(n, centre_index), k * n + nxt, k * n + i]))
        points += [np.asarray([rings[0].centre]), np.asarray([rings[-1].centre])]
        owners += [np.array([rings[0].owner]), np.array([rings[-1].owner])]
        sides += [np.zeros(1), np.zeros(1)]
    return PartMesh(
        local=np.concatenate(points).astype(float),
        owner=np.concatenate(owners).astype(int),
        triangles=np.concatenate(triangles).astype(int),
        side=np.concatenate(sides),
    )


def ellipsoid(
    owner: int,
    centre: tuple[float, float, float],
    radii: tuple[float, float, float],
    *,
    n: int = RING_POINTS,
) -> PartMesh:
    """An ellipsoid with semi-axes ``radii`` along u, v, w, on body ``owner``."""
    polar = np.linspace(0.0, np.pi, n // 2 + 1)[1:-1]
    rings = [
        Ring(
            owner,
            (centre[0] - radii[0] * np.cos(p), centre[1], centre[2]),
            radii[1] * np.sin(p),
            radii[2] * np.sin(p),
        )
        for p in polar
    ]
    tube = loft(rings, caps=False, n=n)
    ends = np.array(
        [[centre[0] - radii[0], centre[1], centre[2]], [centre[0] + radii[0], *centre[1:]]]
    )
    m = tube.local.shape[0]
    i = np.arange(n)
    nxt = (i + 1) % n
    fans = [
        np.column_stack([np.full(n, m), nxt, i]),
        np.column_stack([np.full(n, m + 1), m - n + i, m - n + nxt]),
    ]
    return PartMesh(
        local=np.concatenate([tube.local, ends]),
        owner=np.full(m + 2, owner),
        triangles=np.concatenate([tube.triangles, *fans]),
        side=np.zeros(m + 2),
    )


def box(
    owner: int,
    centre: tuple[float, float, float],
    half: tuple[float, float, float],
    *,
    angle: float = 0.0,
) -> PartMesh:
    """A box with half sizes ``half`` (u, v, w) about ``centre``, turned by ``angle`` (rad)
    about the lateral axis (from +u towards +v), on body ``owner``."""
    corners = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float)
    corners *= np.asarray(half, float)
    c, s = np.cos(angle), np.sin(angle)
    u = c * corners[:, 0] - s * corners[:, 1]
    v = s * corners[:, 0] + c * corners[:, 1]
    local = np.column_stack([u, v, corners[:, 2]]) + np.asarray(centre, float)
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    triangles = [t for a, b, cc, d in quads for t in ((a, b, cc), (a, cc, d))]
    return PartMesh(local, np.full(8, owner), np.array(triangles), np.zeros(8))


# ------------------------------------------------------------------------------ placement
def table_points(mesh: PartMesh, poses: np.ndarray) -> np.ndarray:
    """Points of ``mesh`` in the table frame (x, y, lateral; m) for body ``poses``
    ``(n_body, 3)``: x, y (m), phi (rad)."""
    frames = np.vstack([poses, np.zeros((1, 3))])  # DEVICE (-1): the table frame itself
    x, y, phi = frames[mesh.owner].T
    c, s = np.cos(phi), np.sin(phi)
    u, v, w = mesh.local.T
    return np.column_stack([x + c * u - s * v, y + s * u + c * v, w])


def prone_view(points: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Table-frame ``points`` of a body lying prone as one sees it. The model lies prone as
    the mirror image (the table on its anterior side, :func:`spinesim.core.mechanics.
    table_side`); half a turn about the table's x axis (y and lateral negated) puts the
    points of the bodies (``owner`` >= 0) on the table, face down. The device's stay."""
    flip = np.where(owner[:, None] == DEVICE, 1.0, np.array([1.0, -1.0, -1.0]))
    return points * flip


def to_room(
    points: np.ndarray, angle_deg: float, pivot: tuple[float, float], pivot_height: float
) -> np.ndarray:
    """Table-frame ``points`` (n, 3) in the room, the table tilted by ``angle_deg`` about
    ``pivot`` (table x, y; m) which stands ``pivot_height`` (m) above the floor."""
    a = np.radians(angle_deg)
    dx, dy = points[:, 0] - pivot[0], points[:, 1] - pivot[1]
    c, s = np.cos(a), np.sin(a)
    return np.column_stack([c * dx + s * dy, points[:, 2], -s * dx + c * dy + pivot_height])


def _rotate(phi: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Vectors ``v`` (n, 2) in frames turned by ``phi`` (n,) (rad), in the table frame."""
    c, s = np.cos(phi), np.sin(phi)
    return np.column_stack([c * v[:, 0] - s * v[:, 1], s * v[:, 0] + c * v[:, 1]])


def disc_spans(poses: np.ndarray, caudal: np.ndarray, cranial: np.ndarray) -> np.ndarray:
    """Each joint's span across its disc (m): from its attachment on the caudal body
    (``caudal``, (n_joint, 2) in that body's frame) to the one on the cranial body, in the
    caudal body's frame: ``(n_joint, 2)``, x along the body's axis (the opening), y across
    it (the shear)."""
    phi = poses[:, 2]
    a = poses[:-1, :2] + _rotate(phi[:-1], caudal)
    b = poses[1:, :2] + _rotate(phi[1:], cranial)
    return _rotate(-phi[:-1], b - a)


def magnified_poses(
    poses: np.ndarray,
    baseline: np.ndarray,
    factor: float,
    caudal: np.ndarray,
    cranial: np.ndarray,
) -> np.ndarray:
    """``poses`` with every disc's opening and shear since ``baseline``
    (:func:`disc_spans`) multiplied by ``factor``; the bodies keep their true angles, and
    the first body (the legs) its true pose. Magnifying the joints' bending as well would
    turn the chain through the backrest: a few degrees of bending along the spine become
    tens."""
    if factor == 1.0:
        return poses
    span0 = disc_spans(baseline, caudal, cranial)
    span = span0 + factor * (disc_spans(poses, caudal, cranial) - span0)
    phi = poses[:, 2]
    out = poses.copy()
    for j in range(span.shape[0]):
        a = out[j, :2] + _rotate(phi[j : j + 1], caudal[j : j + 1])[0]
        b = a + _rotate(phi[j : j + 1], span[j : j + 1])[0]
        out[j + 1, :2] = b - _rotate(phi[j + 1 : j + 2], cranial[j : j + 1])[0]
    return out
