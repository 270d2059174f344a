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
