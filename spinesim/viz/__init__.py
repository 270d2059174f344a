"""3D pictures of a :class:`~spinesim.result.Result`: the spine, its discs and the device.

Needs the ``viz`` extra (``pip install 'spinesim[viz]'``: PyVista, VTK, imageio). Nothing
here is imported by ``import spinesim``. Without a display, VTK renders off screen through
EGL (Mesa's software renderer works; see the README's set-up).

- :mod:`.geometry`: meshes that ride on the model's bodies (numpy only).
- :mod:`.vertebra`: procedural vertebrae, pelvis and legs, scaled per level.
- :mod:`.softparts`: discs that deform with the bodies, and the body outline.
- :mod:`.devices`: the devices (tables, ankle holders, harness belts and their straps).
- :mod:`.scene`: the scene (bones, discs coloured by a result variable, body outline,
  device), cameras, still pictures.
- :mod:`.animate`: GIF and MP4 of a session, two results side by side.
- :mod:`.interactive`: a window with a time slider.
"""

from spinesim.viz._pyvista import RenderingUnavailable
from spinesim.viz.animate import animate, animate_side_by_side, render_side_by_side
from spinesim.viz.interactive import show
from spinesim.viz.scene import CAMERAS, COLOR_BY, render, render_png

__all__ = [
    "CAMERAS",
    "COLOR_BY",
    "RenderingUnavailable",
    "animate",
    "animate_side_by_side",
    "render",
    "render_png",
    "render_side_by_side",
    "show",
]
