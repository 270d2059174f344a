"""Import PyVista once, headless-ready, with a clear message when it is missing."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import subprocess
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from spinesim._optional import import_optional

if TYPE_CHECKING:  # PyVista is imported only to draw
    from pyvista import Plotter


def has_display() -> bool:
    """Whether an X or Wayland display is available for on-screen windows."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _headless_default() -> None:
    """Without a display, tell VTK to render through EGL (``VTK_DEFAULT_OPENGL_WINDOW``,
    unless already set), which skips its attempt to reach an X server."""
    if not has_display():
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


def pyvista() -> ModuleType:
    """The ``pyvista`` module, imported headless-ready (see :func:`_headless_default`)."""
    _headless_default()
    return import_optional("pyvista", "viz", "3D pictures", "vtk")


_PROBE = """
import pyvista as pv
p = pv.Plotter(off_screen=True, window_size=(64, 48))
p.add_mesh(pv.Sphere(), color="red")
image = p.screenshot(return_img=True)
assert image[..., 0].std() > 10, "blank picture"
"""


@functools.cache
def rendering_problem() -> str | None:
    """Why 3D pictures cannot be rendered here, or None if they can. VTK crashes the
    process (segfault) rather than raising when no OpenGL library is available, so this
    renders a test sphere in a subprocess (once per process, about a second)."""
    if importlib.util.find_spec("pyvista") is None:
        return "PyVista is not installed (pip install 'spinesim[viz]')"
    _headless_default()  # the subprocess inherits the setting
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        return "rendering a test sphere took over 120 s"
    if proc.returncode != 0:
        stderr = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr).strip()  # VTK's colour codes
        tail = (stderr.splitlines() or [f"exit status {proc.returncode}"])[-1]
        packages = "libegl1 libegl-mesa0 libgl1-mesa-dri"
        return f"no OpenGL rendering (Debian: apt-get install {packages}): {tail}"
    return None


class RenderingUnavailable(RuntimeError):
    """No OpenGL rendering on this machine (the message says why and what to install)."""


def plotter(**options: Any) -> Plotter:
    """A ``pyvista.Plotter``, after checking that rendering works here: without OpenGL,
    VTK would crash the process instead of raising (:class:`RenderingUnavailable`)."""
    problem = rendering_problem()
    if problem is not None:
        raise RenderingUnavailable(problem)
    return pyvista().Plotter(**options)
