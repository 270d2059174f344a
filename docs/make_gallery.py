"""Build docs/gallery.md from the examples: run every ``examples/gallery_*.py`` and list the
pictures it writes (docs/figures/gallery/) with their captions.

Run from the repository root: ``python docs/make_gallery.py`` (needs the ``viz``, ``plot``
and ``io`` extras and OpenGL, e.g. Mesa's EGL off screen; about a minute).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FIGURES = ROOT / "docs" / "figures" / "gallery"
PAGE = ROOT / "docs" / "gallery.md"


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def section(path: Path, written: list[tuple[Path, str]], summary: str) -> str:
    lines = [
        f"## {path.stem.removeprefix('gallery_')}",
        "",
        summary,
        "",
        f"Source: `examples/{path.name}`",
        "",
    ]
    for picture, caption in written:
        rel = os.path.relpath(picture, PAGE.parent)
        lines += [f"![{picture.stem}]({rel})", "", caption, ""]
    return "\n".join(lines)


def main() -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    parts = [
        "# Gallery",
        "",
        "Pictures made by the scripts in `examples/` (regenerate with "
        "`python docs/make_gallery.py`). 3D scenes: `spinesim.viz` and `spinesim render`; "
        "2D plots: `spinesim.plots` and `result.plot`.",
        "",
    ]
    for path in sorted(EXAMPLES.glob("gallery_*.py")):
        module = load(path)
        written = module.main(str(FIGURES))
        summary = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        parts.append(section(path, written, summary))
        print(f"{path.name}: {len(written)} pictures")
    PAGE.write_text("\n".join(parts))
    print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()
