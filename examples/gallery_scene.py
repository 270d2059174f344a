"""3D pictures of a 60-degree inversion-table session: side and oblique views, and a
close-up of the lumbar spine with the discs coloured by intradiscal pressure; then
mechanical traction lying prone on a split table, and hanging in a suspension harness.

Needs the ``viz`` extra and OpenGL (off screen through EGL on a machine without a display).
Run: ``python examples/gallery_scene.py [output folder]`` (default ``out/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import spinesim

#: Picture size (pixels).
SIZE = (800, 600)


def session() -> spinesim.Result:
    """70 kg, 1.75 m man: 10 s ramp to 60 deg head-down, 60 s hold, 10 s back."""
    protocol = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=60)
    return spinesim.simulate(protocol, output_interval_s=1.0)


def traction_session() -> spinesim.Result:
    """300 N pull on the pelvis lying prone on a split table: 10 s ramp, 60 s hold."""
    device = spinesim.TractionTable(position="prone", split_table=True)
    protocol = spinesim.Protocol.traction(300, ramp_s=10, hold_s=60)
    return spinesim.simulate(protocol, device=device, output_interval_s=1.0)


def harness_session() -> spinesim.Result:
    """Hanging upright from a chest harness at T10: 10 s from horizontal, 60 s hold."""
    protocol = spinesim.Protocol.inversion(-90, ramp_s=10, hold_s=60)
    return spinesim.simulate(protocol, device=spinesim.SuspensionHarness(), output_interval_s=1.0)


def main(folder: str = "out", size: tuple[int, int] = SIZE) -> list[tuple[Path, str]]:
    """Write the pictures; return ``(path, caption)`` of each."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    result = session()
    pictures = [
        (
            "scene_side.png",
            "Side view at the end of a 60 deg hold: vertebrae, discs coloured by their "
            "disc-space change against the start (mm, + opening), the body outline and the "
            "inversion table.",
            {"camera": "side"},
        ),
        (
            "scene_oblique.png",
            "The same moment from an oblique view.",
            {"camera": "oblique"},
        ),
        (
            "scene_lumbar_pressure.png",
            "Close-up of the lumbar spine, discs coloured by intradiscal pressure (MPa); disc "
            "openings and shear magnified 10 times, as written on the picture.",
            {"camera": "lumbar", "color_by": "pressure", "magnify": 10},
        ),
    ]
    written = []
    for name, caption, options in pictures:
        result.plot.scene(out / name, window_size=size, **options)
        written.append((out / name, caption))
    others = [
        (
            traction_session(),
            "scene_traction_prone_split.png",
            "Mechanical traction, 300 N, lying prone on a split table (the section under the "
            "pelvis and legs rolls freely): pelvic belt pulled by the cable from the foot "
            "end, thoracic belt strapped to the head end; end of the 60 s hold.",
        ),
        (
            harness_session(),
            "scene_harness.png",
            "Hanging upright from a chest harness at T10 (suspension corset), the lower body "
            "pulling on the lumbar spine; end of the 60 s hold.",
        ),
    ]
    for other, name, caption in others:
        other.plot.scene(out / name, window_size=size, camera="oblique")
        written.append((out / name, caption))
    return written


if __name__ == "__main__":
    for path, _ in main(*sys.argv[1:]):
        print(f"wrote {path}")
