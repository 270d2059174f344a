"""Shared by the 3D picture tests: skip where OpenGL rendering is not available (probed in
a subprocess once per test session: VTK segfaults without GL), and picture comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).resolve().parent / "data" / "viz"
#: Largest RMS difference (0-255 grey levels) of a picture from its reference. Repeated
#: renders on the project's machine (VTK 9.7, Mesa llvmpipe) are identical; the margin is
#: for other Mesa and VTK builds (assumption). Another camera or time differs by more than
#: twice this (test_comparison_fails_on_blank_or_wrong_pictures).
RMS_TOLERANCE = 4.0
#: A picture must differ from its background over at least this fraction of its pixels.
MIN_DRAWN_FRACTION = 0.02


def require_rendering() -> None:
    """Skip the calling test, with the reason, where OpenGL rendering is not available."""
    from spinesim.viz._pyvista import rendering_problem

    problem = rendering_problem()
    if problem is not None:
        pytest.skip(problem)


def drawn_fraction(image: np.ndarray) -> float:
    """Fraction of pixels that differ from the corner (background) colour."""
    background = image[0, -1].astype(int)
    return float(np.mean(np.abs(image.astype(int) - background).sum(axis=-1) > 30))


def rms_difference(image: np.ndarray, reference: np.ndarray) -> float:
    """Root-mean-square difference of two RGB pictures in grey levels (inf if the sizes
    differ)."""
    if image.shape != reference.shape:
        return float("inf")
    return float(np.sqrt(np.mean((image.astype(float) - reference.astype(float)) ** 2)))


def assert_matches_reference(image: np.ndarray, name: str, update: bool = False) -> None:
    """The picture is not blank and matches ``tests/data/viz/<name>.png``. With
    ``update`` (env SPINESIM_UPDATE_REFERENCE=1) it becomes the new reference."""
    import imageio.v3 as iio

    assert drawn_fraction(image) > MIN_DRAWN_FRACTION, "the picture is (nearly) blank"
    path = REFERENCE / f"{name}.png"
    if update:
        iio.imwrite(path, image)
        pytest.skip(f"wrote reference picture {path}")
    reference = iio.imread(path)[..., :3]
    rms = rms_difference(image, reference)
    assert rms < RMS_TOLERANCE, f"{name}: RMS difference {rms:.2f} from {path}"
