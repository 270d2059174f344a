"""An interactive window: the scene with a time slider (needs a display)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spinesim.errors import ParameterError
from spinesim.result import Result
from spinesim.viz._pyvista import has_display
from spinesim.viz._pyvista import plotter as new_plotter
from spinesim.viz.scene import (
    SceneActors,
    check_window_size,
    frame_index,
    scene_for,
    set_camera,
)

if TYPE_CHECKING:  # PyVista and VTK are imported only to draw
    from pyvista import Plotter
    from vtkmodules.vtkInteractionWidgets import vtkSliderWidget


def slider_plotter(
    result: Result,
    *,
    off_screen: bool = False,
    camera: str = "side",
    time_s: float | None = None,
    window_size: tuple[int, int] = (1000, 700),
    **options: Any,
) -> tuple[Plotter, SceneActors, vtkSliderWidget]:
    """A plotter showing ``result`` with a slider over the session's time (s); the angle,
    time and lumbar readouts follow the slider. Returns ``(plotter, actors, slider)``."""
    scene = scene_for(result, camera, **options)
    k = frame_index(result, time_s)
    plotter = new_plotter(off_screen=off_screen, window_size=check_window_size(window_size))
    actors = SceneActors(plotter, scene, k)
    set_camera(
        plotter, scene, [scene.frame(0), scene.frame(k), scene.frame(scene.n_frames - 1)], camera
    )

    def move(time_value: float) -> None:
        actors.show_frame(result.index_at(time_value))

    slider = plotter.add_slider_widget(
        move,
        (float(result.time_s[0]), float(result.time_s[-1])),
        value=float(result.time_s[k]),
        title="time (s)",
        pointa=(0.3, 0.08),
        pointb=(0.8, 0.08),
        style="modern",
        fmt="%.0f",
    )
    return plotter, actors, slider


def show(result: Result, **options: Any) -> None:
    """Open a window with ``result``'s scene and a time slider (see :func:`slider_plotter`).
    Without a display this raises a :class:`ParameterError`: write a picture or an
    animation instead (``spinesim render``)."""
    if not has_display():
        raise ParameterError(
            "no display (DISPLAY/WAYLAND_DISPLAY unset): an interactive window cannot open; "
            "write a picture or animation instead (spinesim render --png/--gif/--mp4)"
        )
    plotter, _, _ = slider_plotter(result, **options)
    plotter.show()
