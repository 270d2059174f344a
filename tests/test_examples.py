"""The examples double as tests (scikit-fem style): run them and check what they show."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import imageio.v3 as iio
import numpy as np

import spinesim
from tests._rendering import drawn_fraction, require_rendering

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_inversion_session_example_writes_result_and_picture(tmp_path):
    example = load("inversion_session")
    result = example.main(str(tmp_path))
    assert (tmp_path / "session.png").stat().st_size > 10_000
    back = spinesim.load_result(tmp_path / "session.nc")
    assert back.levels == result.levels
    k = back.index_at(back.attrs["hold_end_s"])
    for level in example.LUMBAR:
        assert back[level].axial_force[k] > 0.0  # traction at the end of the hold
        assert back[level].gap_change[k, 1] > 0.0  # every lumbar disc space opened
    assert "upright" in back.baseline


def test_inversion_session_example_draws_the_spine_where_it_can(tmp_path):
    require_rendering()
    load("inversion_session").main(str(tmp_path))
    assert drawn_fraction(iio.imread(tmp_path / "session_3d.png")[..., :3]) > 0.02


def test_gallery_scene_example(tmp_path):
    require_rendering()
    written = load("gallery_scene").main(str(tmp_path), size=(160, 120))
    assert len(written) == 5
    for path, caption in written:
        image = iio.imread(path)[..., :3]
        assert image.shape[:2] == (120, 160) and caption
        assert drawn_fraction(image) > 0.02  # a spine, not a blank frame


def test_gallery_animation_example(tmp_path):
    require_rendering()
    ((path, caption),) = load("gallery_animation").main(str(tmp_path), frames=3, size=(128, 96))
    frames = iio.imread(path, index=None)[..., :3]
    assert frames.shape[:3] == (3, 96, 256)
    assert all(drawn_fraction(frame) > 0.02 for frame in frames)
    assert "30 deg" in caption


def test_gallery_plots_example(tmp_path):
    written = load("gallery_plots").main(str(tmp_path), angles=(30.0, 60.0), frictions=(0.3, 0.6))
    assert [p.name for p, _ in written] == [
        "traction_vs_angle.png",
        "gap_vs_time.png",
        "heatmap.png",
        "response_surface.png",
    ]
    assert all(p.stat().st_size > 10_000 for p, _ in written)


def test_compare_devices_example_tables_and_figure(tmp_path):
    example = load("compare_devices")
    comparison = example.main(str(tmp_path))
    assert (tmp_path / "devices.png").stat().st_size > 10_000
    assert comparison.labels[1] == "boots"
    force = comparison.end_of_hold("axial_force")
    lumbar = [comparison.levels.index(level) for level in example.LUMBAR]
    # every device puts the lumbar discs in traction and opens them at the end of the hold
    assert (force[:, lumbar] > 0.0).all()
    assert (comparison.end_of_hold("gap_change")[:, lumbar] > 0.0).all()
    # boots hang the whole upper body from the lumbar spine: more than the table at 60 deg
    assert (force[1, lumbar] > force[0, lumbar]).all()


def test_traction_pull_angle_example_lifts_the_pelvis_and_lowers_the_friction(tmp_path):
    """Pulled above the table, the table carries less and (without a split) its friction
    holds less of the pull; through the pelvis' centre of mass the lift extends L5-S1."""
    example = load("traction_pull_angle")
    tables = example.main(str(tmp_path))
    assert (tmp_path / "traction_pull_angle.png").stat().st_size > 10_000
    for split, rows in tables.items():
        load_n = [row["table_N"] for row in rows.values()]
        assert all(a > b for a, b in itertools.pairwise(load_n))
        opening = [row["L5-S1_anterior_mm"] - row["L5-S1_posterior_mm"] for row in rows.values()]
        assert all(a < b for a, b in itertools.pairwise(opening))  # extension
        if not split:
            friction = [row["friction_N"] for row in rows.values()]
            assert all(a > b for a, b in itertools.pairwise(friction))
    plain, split = tables[False], tables[True]
    assert split[0.0]["friction_N"] < 0.6 * plain[0.0]["friction_N"]  # no friction below


def test_how_long_it_lasts_example(tmp_path):
    """What a session leaves over a control that skips the load: longer at getting off,
    about half of it lost within seconds as the table's friction lets go, the rest fading
    and never coming back, standing and lying alike; traction leaves less than 60 deg."""
    runs = load("how_long_it_lasts").main(str(tmp_path))
    assert (tmp_path / "how_long_it_lasts.png").stat().st_size > 10_000
    for r in runs.values():
        minutes, effect = r["minutes"], r["effect_mm"]
        later = minutes >= 10.0 / 60.0
        settled = effect[later][0]
        assert 0.5 < effect[0] < 3.0  # on the device, at the end of the return or release
        assert 0.3 * effect[0] < settled < 0.7 * effect[0]
        assert np.all(np.diff(effect[later]) <= 1e-9)  # fading, never back
        assert 0.0 < effect[-1] < 0.25 * settled  # after 3 h
        assert 5.0 < r["half_life_min"] < 30.0
    standing, lying = runs["60 deg, then standing"], runs["60 deg, then lying"]
    assert standing["loaded_mm"][-1] < lying["loaded_mm"][-1] - 10.0  # standing shortens
    assert effect_at_end(runs["300 N traction, then standing"]) < effect_at_end(standing)
    # docs/devices.md quotes the printed table; it had gone stale (1.18 for 1.17 mm)
    docs = (EXAMPLES.parent / "docs" / "devices.md").read_text()
    minutes = load("how_long_it_lasts").MINUTES
    for name, r in runs.items():
        printed = [r["effect_mm"][int(np.argmin(np.abs(r["minutes"] - m)))] for m in minutes]
        row = next(
            line
            for line in docs.splitlines()
            if line.startswith(f"| {name.replace(' deg', '°')} |")
        )
        quoted = [float(cell) for cell in row.strip("|").split("|")[1:]]
        np.testing.assert_allclose(quoted, printed, atol=0.0051)


def effect_at_end(run: dict) -> float:
    """A session's effect (mm) at the end of its return or release, still on the device."""
    return float(run["effect_mm"][0])
