"""The sweep example doubles as a test: what it shows must hold."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

import spinesim

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sweep_angle_friction.py"


def test_sweep_example_opens_the_lumbar_spine_more_with_angle(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("sweep_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    ds = example.main(str(tmp_path))
    assert (tmp_path / "sweep_gap.png").stat().st_size > 10_000
    assert "friction_static" in capsys.readouterr().out
    gap = ds["end_gap_change"].sel(level=example.LEVEL, side="middle")
    assert (gap.diff("angle_deg") > 0).all()  # deeper inversion opens the disc space more
    assert (ds["status"] == 0).all()
    again = example.main(str(tmp_path))  # resumes a finished store: same numbers
    np.testing.assert_array_equal(again["end_gap_change"].values, ds["end_gap_change"].values)
    back = spinesim.open_sweep(tmp_path / "sweep.zarr")
    assert back["end_gap_change"].dims == ("angle_deg", "friction_static", "level", "side")
