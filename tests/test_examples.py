"""The examples double as tests (scikit-fem style): run them and check what they show."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import spinesim

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
