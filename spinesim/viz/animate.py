"""Animations of a session (GIF, MP4) and two or more results side by side."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._files import atomic_output, check_output
from spinesim.errors import ParameterError, check_integer, check_number
from spinesim.result import Result
from spinesim.viz._pyvista import plotter as new_plotter
from spinesim.viz.scene import (
    Scene,
    SceneActors,
    check_window_size,
    frame_index,
    half_height_seen,
    scene_for,
    set_camera,
    view_angle_showing,
    write_png,
)

if TYPE_CHECKING:  # PyVista is imported only to draw
    from pyvista import Plotter

#: Default number of frames and frame rate (1/s) of an animation, and its size (pixels;
#: multiples of 16 so that MP4 encoders take them unchanged).
FRAMES = 40
FPS = 10
ANIMATION_SIZE = (640, 480)
#: Most frames an animation may have, and its highest frame rate (1/s).
MAX_FRAMES = 2000
MAX_FPS = 120.0
#: Most results side by side.
MAX_PANELS = 4


def _scenes(results: Sequence[Result], camera: str, options: dict[str, Any]) -> list[Scene]:
    """One scene per result, all with the same colour range (so colours compare)."""
    if not 1 <= len(results) <= MAX_PANELS:
        raise ParameterError(
            f"results: {len(results)} given; allowed: 1 to {MAX_PANELS} side by side"
        )
    scenes = [scene_for(r, camera, **options) for r in results]
    lo = min(s.clim[0] for s in scenes)
    hi = max(s.clim[1] for s in scenes)
    for s in scenes:
        s.clim = (lo, hi)
    return scenes


def default_title(result: Result) -> str:
    """'table, 60 deg' or 'traction, 300 N': the device and, at the end of the hold, the
    pull if there is one, else the angle (-90 for a harness)."""
    device = result.device_name or "no device"
    k = result.index_at(result.attrs["hold_end_s"])
    pull = float(result.data["pull_force"][k])
    if pull > 0.0:
        return f"{device}, {pull:g} N"
    return f"{device}, {float(result.data['angle'][k]):g} deg"


def _frame_times(results: Sequence[Result], frames: int) -> np.ndarray:
    frames = check_integer("frames", frames, 1, MAX_FRAMES)
    end = max(float(r.time_s[-1]) for r in results)
    return np.linspace(0.0, end, frames)


def _panels(
    results: Sequence[Result],
    titles: Sequence[str] | None,
    window_size: tuple[int, int],
    options: dict[str, Any],
) -> tuple[Plotter, list[SceneActors], str]:
    """Plotter with one subplot per result, its scene actors and the camera frames."""
    camera = options.pop("camera", "side")
    scenes = _scenes(results, camera, options)
    if titles is None:
        titles = [default_title(r) for r in results] if len(results) > 1 else [""]
    if len(titles) != len(results):
        raise ParameterError(f"titles: {len(titles)} given for {len(results)} results")
    w, h = check_window_size(window_size)
    plotter = new_plotter(
        off_screen=True, shape=(1, len(results)), window_size=(w * len(results), h), border=False
    )
    actors = []
    for i, (scene, title) in enumerate(zip(scenes, titles, strict=True)):
        plotter.subplot(0, i)
        last = i == len(scenes) - 1  # one colour bar, in the last panel: the range is shared
        actors.append(SceneActors(plotter, scene, 0, title=title, scalar_bar=last))
    return plotter, actors, camera


def _aim(
    plotter: Plotter, actors: list[SceneActors], camera: str, indices: list[list[int]]
) -> None:
    """Point each panel's camera at its scene, then widen the views to one scale (the
    widest panel's metres across its height at the focal point), so that the panels compare
    sizes truly."""
    half_heights = []
    for i, (actor, ks) in enumerate(zip(actors, indices, strict=True)):
        plotter.subplot(0, i)
        frames = [actor.scene.frame(k) for k in ks]
        set_camera(plotter, actor.scene, frames, camera, colour_bar=actor.scalar_bar)
        half_heights.append(half_height_seen(plotter.camera))
    widest = max(half_heights)
    for i in range(len(actors)):
        plotter.subplot(0, i)
        plotter.camera.view_angle = view_angle_showing(widest, plotter.camera.distance)


def animate_side_by_side(
    results: Sequence[Result],
    path: str | os.PathLike,
    *,
    titles: Sequence[str] | None = None,
    frames: int = FRAMES,
    fps: float = FPS,
    window_size: tuple[int, int] = ANIMATION_SIZE,
    **options: Any,
) -> Path:
    """Animate ``results`` next to each other over a common clock (a result that ended
    stays at its last state) and write ``path`` (``.gif`` or ``.mp4``, written whole or not
    at all). ``window_size`` is one panel's size; ``options`` go to :class:`Scene` plus
    ``camera``. The disc colour range is shared, so colours compare across panels."""
    path = check_output(path, (".gif", ".mp4"))
    check_number("fps", fps, 0.1, MAX_FPS)
    times = _frame_times(results, frames)
    indices = [[r.index_at(min(t, float(r.time_s[-1]))) for t in times] for r in results]
    plotter, actors, camera = _panels(results, titles, window_size, dict(options))
    try:
        _aim(plotter, actors, camera, indices)
        with atomic_output(path) as tmp:
            try:
                if path.suffix.lower() == ".gif":
                    plotter.open_gif(tmp, fps=fps)
                else:
                    plotter.open_movie(tmp, framerate=fps, quality=6)
                for n in range(len(times)):
                    for actor, ks in zip(actors, indices, strict=True):
                        actor.show_frame(ks[n])
                    plotter.write_frame()
                plotter.mwriter.close()  # a failure to finish the file is raised
                plotter.mwriter = None
            finally:
                # before atomic_output removes the temporary file: a writer still open
                # (after a failure or an interruption) would write it again on closing
                plotter.close()
    finally:
        plotter.close()
    return path


def animate(result: Result, path: str | os.PathLike, **options: Any) -> Path:
    """Animate one session: the spine, its discs' colours, the time, angle and lumbar
    readouts, over ``frames`` evenly spaced times. See :func:`animate_side_by_side`."""
    return animate_side_by_side([result], path, **options)


def render_side_by_side(
    results: Sequence[Result],
    path: str | os.PathLike | None = None,
    *,
    time_s: float | None = None,
    titles: Sequence[str] | None = None,
    window_size: tuple[int, int] = (480, 400),
    **options: Any,
) -> np.ndarray:
    """A picture of ``results`` next to each other at ``time_s`` (default: each one's end
    of hold), as an RGB array; also written to ``path`` (PNG) if given."""
    if path is not None:
        check_output(path, (".png",))
    ks = [frame_index(r, time_s) for r in results]
    plotter, actors, camera = _panels(results, titles, window_size, dict(options))
    try:
        for actor, k in zip(actors, ks, strict=True):
            actor.show_frame(k)
        _aim(plotter, actors, camera, [[k] for k in ks])
        image = plotter.screenshot(return_img=True)
    finally:
        plotter.close()
    if path is not None:
        write_png(image, path)
    return image
