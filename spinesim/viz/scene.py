"""The 3D scene of a result: bones, discs coloured by a result variable, body outline and
device; camera presets; still pictures.

:class:`Scene` computes everything in numpy (:meth:`Scene.frame`); :class:`SceneActors`
puts it into a PyVista plotter and moves it from frame to frame.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._files import atomic_output, check_output
from spinesim.device import DEVICES
from spinesim.errors import ParameterError, check_integer, check_number
from spinesim.result import Result
from spinesim.viz import devices
from spinesim.viz._pyvista import plotter as new_plotter
from spinesim.viz.geometry import (
    PartMesh,
    magnified_poses,
    prone_view,
    table_points,
    to_room,
)
from spinesim.viz.softparts import discs, outline
from spinesim.viz.vertebra import Skeleton, skeleton_bones

if TYPE_CHECKING:  # PyVista is imported only to draw
    from pyvista import Camera, Plotter

#: Disc colourings: result variable -> (scalar-bar title with unit, colour map, symmetric
#: colour range about 0).
COLOR_BY = {
    "gap_change": ("disc-space change\n(mm, + opening)", "coolwarm", True),
    "pressure": ("intradiscal\npressure (MPa)", "viridis", False),
    "fluid_change": ("disc fluid\nchange (%)", "BrBG", True),
    "axial_force": ("disc axial force\n(N, + tension)", "coolwarm", True),
}
#: Camera presets: direction from the focal point to the camera (room frame), and whether
#: the view is a close-up of the lumbar spine.
CAMERAS = {
    "side": ((0.0, -1.0, 0.0), False),
    "oblique": ((0.55, -1.0, 0.45), False),
    "lumbar": ((0.12, -1.0, 0.1), True),
}
LUMBAR_BODIES = ("L1", "L2", "L3", "L4", "L5")
#: Camera distance for the lumbar close-up (m).
CLOSE_UP_DISTANCE = 0.75
#: Depth in front of the lumbar spine that the close-up still shows (m).
CLOSE_UP_DEPTH = 0.06
#: Share of the picture's height (and of its width left of the colour bar) that a view of
#: the whole scene fills: the rest is margin, and the headline's line at the top.
FILL = 0.88
#: Fraction of the picture's width kept free at its right for the disc colour bar: the
#: scene is fitted to the rest of the picture.
COLOUR_BAR_ROOM = 0.17
#: Opacity of the white box behind the picture's texts (the scene may run under them).
TEXT_BOX_OPACITY = 0.7
#: Largest displacement magnification.
MAX_MAGNIFY = 100.0
COLOURS = {
    "bones": "#efe6cf",
    "outline": "#c8a27a",
    "device": "#9aabbb",
    "guide": "#9aabbb",
    "belts": "#3a6ea5",
    "stand": "#4a5560",
    "background": "white",
    "text": "black",
    "warning": "#b22222",
}
#: Opacity of the body outline and of harness belts (see-through, to show the spine), and
#: of the guide of a device without a backrest while it carries the whole body (it fades
#: with its share, :func:`guide_share`).
OPACITY = {"outline": 0.18, "belts": 0.45, "guide": 0.35}


@dataclass(frozen=True)
class Frame:
    """One moment of the scene: room points of each part, disc colours and readouts."""

    time_s: float
    angle_deg: float
    points: dict[str, np.ndarray]
    disc_values: np.ndarray
    readout: str
    #: The share of the backrest a device without one still has (its guide, 0..1).
    guide: float = 0.0
    #: False while the person is off the device (standing before or after it, in bed): the
    #: device is not drawn then.
    on_device: bool = True


class Scene:
    """The spine of ``result`` in the room, ready to draw at any saved time.

    ``color_by`` names the disc colouring (:data:`COLOR_BY`); ``magnify`` multiplies every
    disc's opening and shear since t = 0, the bodies keeping their true angles
    (:func:`~spinesim.viz.geometry.magnified_poses`; a factor other than 1 is written on
    the picture);
    ``outline_body``, ``device``, ``stand`` and ``belts`` switch the body outline, the
    device drawing, the device's stand and its harness belts.
    """

    def __init__(
        self,
        result: Result,
        *,
        color_by: str = "gap_change",
        magnify: float = 1.0,
        outline_body: bool = True,
        device: bool = True,
        stand: bool = True,
        belts: bool = True,
    ) -> None:
        if not isinstance(result, Result):
            raise ParameterError(f"result = {type(result).__name__} is not a spinesim Result")
        if color_by not in COLOR_BY:
            raise ParameterError(f"color_by = {color_by!r} is unknown; allowed: {tuple(COLOR_BY)}")
        self.magnify = check_number("magnify", magnify, 0.0, MAX_MAGNIFY, low_open=True)
        if result.body_pose is None or "geometry" not in result.attrs:
            raise ParameterError(
                "the result has no body poses (written by an older spinesim or built by "
                "hand); simulate it again to draw it"
            )
        self.result = result
        self.color_by = color_by
        self.skeleton = skel = Skeleton.from_attrs(result.bodies, result.attrs["geometry"])
        self.parts: dict[str, PartMesh] = {"bones": skeleton_bones(skel)}
        self.parts["discs"], self._disc_level = discs(skel, result.levels)
        skin = outline(skel) if outline_body else None
        if skin is not None:
            self.parts["outline"] = skin
        options = result.attrs.get("device") or {}  # none for a hand-built chain
        place = devices.Placement(skel, result.body_pose[0], options)
        self.prone = place.prone
        self.pivot = place.pivot
        self.stand: PartMesh | None = None
        #: The device's parts (its stand too), hidden while the person is off it.
        self.device_parts: set[str] = set()
        #: When the person is on the device (none for a session without a device phase;
        #: always for a result written before they were recorded).
        spans = result.attrs.get("device_spans_s")
        self.device_spans_s = [(-np.inf, np.inf)] if spans is None else [tuple(s) for s in spans]
        device_class = DEVICES.get(result.device_name or "")
        self.hang_deg = device_class.hang_deg if device_class is not None else None
        drawing = devices.DRAWINGS.get(result.device_name) if device else None
        if drawing is not None:
            draw, on_stand = drawing
            self.parts.update(draw(place))
            if not belts:
                self.parts.pop("belts", None)
            self.stand = devices.stand() if on_stand and stand else None
            body = {"bones", "discs", "outline"}
            self.device_parts = {n for n in self.parts if n not in body} | {"stand"}
        self._values = np.asarray(result.data[color_by])
        self.clim = _colour_range(self._values, COLOR_BY[color_by][2])

    @property
    def n_frames(self) -> int:
        return self.result.time_s.size

    def frame(self, k: int) -> Frame:
        """The scene at saved time index ``k``."""
        r = self.result
        skel = self.skeleton
        poses = magnified_poses(
            r.body_pose[k],
            r.body_pose[0],
            self.magnify,
            np.column_stack([skel.ax, skel.ay]),
            np.column_stack([skel.bx, skel.by]),
        )
        angle = float(r.data["angle"][k])
        points = {}
        for name, part in self.parts.items():
            table = table_points(part, poses)
            if self.prone:
                table = prone_view(table, part.owner)
            points[name] = to_room(table, angle, self.pivot, devices.PIVOT_HEIGHT)
        if self.stand is not None:
            u, v, w = self.stand.local.T
            points["stand"] = np.column_stack([u, w, v])
        guide = guide_share(angle, self.hang_deg) if "guide" in self.parts else 0.0
        time_s = float(r.time_s[k])
        on_device = any(start <= time_s <= end for start, end in self.device_spans_s)
        return Frame(
            time_s, angle, points, self._disc_values(k), self._readout(k), guide, on_device
        )

    def _disc_values(self, k: int) -> np.ndarray:
        values = self._values[k]
        if values.ndim == 2:  # anterior, middle, posterior: across the disc's depth
            side = self.parts["discs"].side
            v = values[self._disc_level]
            return np.where(
                side >= 0.0,
                v[:, 1] + side * (v[:, 0] - v[:, 1]),
                v[:, 1] - side * (v[:, 2] - v[:, 1]),
            )
        return values[self._disc_level]

    def _readout(self, k: int) -> str:
        """Disc-space change and axial force of the lumbar levels (of the first five
        levels in a chain without lumbar levels)."""
        r = self.result
        shown = [lv for lv in r.levels if lv[0] == "L"] or list(r.levels[:5])
        rows = ["level    gap (mm)  disc F (N)"]
        for level in shown:
            j = r.levels.index(level)
            rows.append(f"{level:<7} {r.gap_change[k, j, 1]:+8.2f} {r.axial_force[k, j]:+11.0f}")
        return "\n".join(rows)

    def headline(self, frame: Frame) -> str:
        return f"t = {frame.time_s:7.1f} s    angle = {frame.angle_deg:+5.1f} deg"

    @property
    def magnify_label(self) -> str:
        """What is written on a picture whose displacements are magnified ('' for 1)."""
        if self.magnify == 1.0:
            return ""
        return f"disc openings and shear x{self.magnify:g} (not to scale)"

    def bounds(self, frames: list[Frame], lumbar: bool = False) -> np.ndarray:
        """Room bounds ``(xmin, xmax, ymin, ymax, zmin, zmax)`` of the body (and device),
        or of the lumbar vertebrae, over ``frames``."""
        if lumbar:
            owners = [self.skeleton.index(n) for n in LUMBAR_BODIES if n in self.skeleton.bodies]
            mask = np.isin(self.parts["bones"].owner, owners)
            pts = np.concatenate([f.points["bones"][mask] for f in frames])
        else:
            names = [n for n in ("bones", "outline", "device", "belts") if n in self.parts]
            names += ["stand"] if self.stand is not None else []
            pts = np.concatenate([f.points[n] for f in frames for n in names])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        return np.column_stack([lo, hi]).ravel()


def guide_share(angle_deg: float, hang_deg: float | None) -> float:
    """The share (0..1) of the backrest that guides the body at ``angle_deg`` on a device
    that hangs at ``hang_deg``: the model fades it linearly in time over a ramp from lying
    (0 deg) into the hang and back (:meth:`spinesim.device.Device.support`), i.e. with the
    angle, ``1 - angle / hang``; 1 without a hanging angle."""
    if not hang_deg:
        return 1.0
    return float(np.clip(1.0 - angle_deg / hang_deg, 0.0, 1.0))


def _colour_range(values: np.ndarray, symmetric: bool) -> tuple[float, float]:
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    if symmetric:
        m = max(abs(lo), abs(hi), 1e-3)
        return -m, m
    if hi - lo < 1e-9:
        return lo - 0.5, hi + 0.5
    return lo, hi


class SceneActors:
    """A :class:`Scene` drawn in a plotter (or one of its subplots), with its disc colour
    bar if ``scalar_bar``; :meth:`show_frame` moves it to another time."""

    def __init__(
        self,
        plotter: Plotter,
        scene: Scene,
        k: int = 0,
        *,
        title: str = "",
        scalar_bar: bool = True,
    ) -> None:
        from spinesim.viz._pyvista import pyvista

        pv = pyvista()
        self.plotter = plotter
        self.scene = scene
        frame = scene.frame(k)
        self.meshes = {}
        self.device_actors = []
        points = max(8, round(plotter.window_size[1] / 50))  # text size follows the picture
        self._label = COLOR_BY[scene.color_by][0]
        plotter.set_background(COLOURS["background"])
        for name, pts in frame.points.items():
            part = scene.parts.get(name) or scene.stand
            mesh = pv.PolyData(pts, part.vtk_faces)
            self.meshes[name] = mesh
            if name == "discs":
                label, cmap, _ = COLOR_BY[scene.color_by]
                mesh.point_data[label] = frame.disc_values
                plotter.add_mesh(
                    mesh,
                    scalars=label,
                    cmap=cmap,
                    clim=scene.clim,
                    smooth_shading=True,
                    show_scalar_bar=scalar_bar,
                    scalar_bar_args={
                        "title": f"{label}\n",  # a blank line above the top label
                        "color": COLOURS["text"],
                        "vertical": True,
                        "position_x": 0.84,
                        "position_y": 0.25,
                        "width": 0.06,
                        "height": 0.5,
                        "title_font_size": points,
                        "label_font_size": points - 1,
                        "fmt": "%.2g",
                    },
                )
            elif name in OPACITY:
                opacity = OPACITY[name] * (frame.guide if name == "guide" else 1.0)
                actor = plotter.add_mesh(mesh, color=COLOURS[name], opacity=opacity)
                if name == "guide":
                    self._guide = actor
            else:
                actor = plotter.add_mesh(mesh, color=COLOURS[name], smooth_shading=name == "bones")
            if name in scene.device_parts:
                self.device_actors.append(actor)
        self._show_device(frame.on_device)
        self.title = title
        self.scalar_bar = scalar_bar
        text = {"color": COLOURS["text"]}
        self.headline = plotter.add_text(
            self._headline(frame), position="upper_left", font_size=points, **text
        )
        self.readout = plotter.add_text(
            frame.readout, position="lower_left", font_size=points - 1, font="courier", **text
        )
        labels = [self.headline, self.readout]
        if scene.magnify_label:
            labels.append(
                plotter.add_text(
                    scene.magnify_label,
                    position="lower_right",
                    font_size=points - 1,
                    color=COLOURS["warning"],
                )
            )
        for label in labels:  # readable where the scene runs under them
            label.prop.background_color = COLOURS["background"]
            label.prop.background_opacity = TEXT_BOX_OPACITY

    def _show_device(self, on_device: bool) -> None:
        """Draw the device while the person is on it, not while they are off it."""
        for actor in self.device_actors:
            actor.visibility = on_device

    def _headline(self, frame: Frame) -> str:
        line = self.scene.headline(frame)
        return f"{self.title}\n{line}" if self.title else line

    def show_frame(self, k: int) -> None:
        frame = self.scene.frame(k)
        for name, mesh in self.meshes.items():
            mesh.points = frame.points[name]
        self.meshes["discs"].point_data[self._label] = frame.disc_values
        if "guide" in self.meshes:
            self._guide.prop.opacity = OPACITY["guide"] * frame.guide
        self._show_device(frame.on_device)
        self.headline.set_text("upper_left", self._headline(frame))
        self.readout.set_text("lower_left", frame.readout)


def set_camera(
    plotter: Plotter,
    scene: Scene,
    frames: list[Frame],
    camera: str,
    *,
    colour_bar: bool = True,
) -> None:
    """Point the (active) camera of ``plotter`` at ``frames`` of ``scene`` from preset
    ``camera`` (:data:`CAMERAS`); with ``colour_bar``, a view of the whole scene leaves the
    bar's strip at the right free (:data:`COLOUR_BAR_ROOM`; a close-up is centred on the
    lumbar spine)."""
    if camera not in CAMERAS:
        raise ParameterError(f"camera = {camera!r} is unknown; allowed: {tuple(CAMERAS)}")
    direction, close_up = CAMERAS[camera]
    bounds = scene.bounds(frames, lumbar=close_up)
    focal = bounds.reshape(3, 2).mean(axis=1)
    unit = np.asarray(direction) / np.linalg.norm(direction)
    plotter.camera.focal_point = focal
    plotter.camera.up = (0.0, 0.0, 1.0)
    if close_up:
        plotter.camera.position = focal + CLOSE_UP_DISTANCE * unit
        plotter.camera.view_angle = 30.0
        # near plane just in front of the spine: the outline and stand do not hide it
        plotter.camera.clipping_range = (CLOSE_UP_DISTANCE - CLOSE_UP_DEPTH, 100.0)
    else:
        plotter.camera.position = focal + unit
        plotter.reset_camera(bounds=bounds)  # the distance at which the bounding sphere fits
        width_share = 1.0 - COLOUR_BAR_ROOM if colour_bar else 1.0
        plotter.camera.view_angle = _fitting_view_angle(plotter, bounds, width_share)
        if colour_bar:  # the scene moves left (the window centre, in -1..1 across, right)
            plotter.camera.SetWindowCenter(COLOUR_BAR_ROOM, 0.0)


def _fitting_view_angle(plotter: Plotter, bounds: np.ndarray, width_share: float) -> float:
    """View angle (deg) at which the box ``bounds`` (room, m), seen in perspective from the
    camera's position, fills :data:`FILL` of the picture's height or of ``width_share`` of
    its width, whichever binds."""
    camera = plotter.camera
    focal, position = np.asarray(camera.focal_point), np.asarray(camera.position)
    distance = float(np.linalg.norm(focal - position))
    view = (focal - position) / distance
    up = np.asarray(camera.up, float)
    up = up - (up @ view) * view
    up /= np.linalg.norm(up)
    right = np.cross(view, up)
    corners = np.array(np.meshgrid(*bounds.reshape(3, 2), indexing="ij")).reshape(3, -1).T
    offset = corners - focal
    scale = distance / (distance + offset @ view)  # perspective: nearer looks larger
    half_height = np.max(np.abs(offset @ up) * scale)
    half_width = np.max(np.abs(offset @ right) * scale)
    x0, y0, x1, y1 = plotter.renderer.GetViewport()
    width, height = plotter.window_size
    aspect = (x1 - x0) * width / ((y1 - y0) * height)
    visible = max(half_height, half_width / (aspect * width_share)) / FILL
    return view_angle_showing(visible, distance)


def view_angle_showing(half_height: float, distance: float) -> float:
    """View angle (deg) of a perspective camera that sees ``half_height`` (m) above and
    below its focal point ``distance`` (m) away; the inverse of :func:`half_height_seen`."""
    return float(np.degrees(2.0 * np.arctan(half_height / distance)))


def half_height_seen(camera: Camera) -> float:
    """Half the height (m) a perspective ``camera`` sees at its focal point."""
    return camera.distance * float(np.tan(np.radians(camera.view_angle) / 2.0))


def scene_for(result: Result, camera: str, **options: Any) -> Scene:
    """The :class:`Scene` of ``result`` for camera preset ``camera``: a close-up leaves out
    the body outline, the stand and harness belts, which would hide the spine."""
    if camera not in CAMERAS:
        raise ParameterError(f"camera = {camera!r} is unknown; allowed: {tuple(CAMERAS)}")
    if CAMERAS[camera][1]:
        options["outline_body"] = False
        options["stand"] = False
        options["belts"] = False
    return Scene(result, **options)


def frame_index(result: Result, time_s: float | None) -> int:
    """Saved time index at ``time_s`` (s; default: the end of the hold)."""
    if time_s is None:
        time_s = result.attrs.get("hold_end_s", result.time_s[-1])
    check_number("time_s", time_s, float(result.time_s[0]), float(result.time_s[-1]))
    return result.index_at(time_s)


#: Default picture size (pixels).
WINDOW_SIZE = (800, 600)
#: Smallest and largest width or height of a picture (pixels).
PIXELS = (16, 4096)


def check_window_size(window_size: Sequence[int]) -> tuple[int, int]:
    """``window_size`` as two whole pixel counts in :data:`PIXELS`."""
    try:
        w, h = window_size
    except (TypeError, ValueError):
        raise ParameterError(
            f"window_size = {window_size!r} is not (width, height) in pixels"
        ) from None
    # whole pixels: 800.9 is refused, not cut to 800
    return check_integer("window_size width", w, *PIXELS), check_integer(
        "window_size height", h, *PIXELS
    )


def render(
    result: Result,
    *,
    time_s: float | None = None,
    camera: str = "side",
    color_by: str = "gap_change",
    magnify: float = 1.0,
    outline_body: bool = True,
    device: bool = True,
    window_size: tuple[int, int] = WINDOW_SIZE,
) -> np.ndarray:
    """A picture of ``result`` at ``time_s`` (default: the end of the hold) as an RGB array
    ``(height, width, 3)``. See :class:`Scene` for the options."""
    scene = scene_for(
        result,
        camera,
        color_by=color_by,
        magnify=magnify,
        outline_body=outline_body,
        device=device,
    )
    k = frame_index(result, time_s)
    size = check_window_size(window_size)
    plotter = new_plotter(off_screen=True, window_size=size)
    try:
        SceneActors(plotter, scene, k)
        set_camera(plotter, scene, [scene.frame(k)], camera)
        return plotter.screenshot(return_img=True)
    finally:
        plotter.close()


def write_png(image: np.ndarray, path: os.PathLike) -> None:
    """Write an RGB array to ``path`` (PNG) atomically."""
    import imageio.v3 as iio

    with atomic_output(check_output(path, (".png",))) as tmp:
        iio.imwrite(tmp, image, extension=".png")


def render_png(result: Result, path: str | os.PathLike, **options: Any) -> np.ndarray:
    """Write :func:`render`'s picture of ``result`` to ``path`` (PNG, written whole or not
    at all) and return it."""
    check_output(path, (".png",))
    image = render(result, **options)
    write_png(image, path)
    return image
