"""Parts of docs/make_performance.py that its document leans on and CI can afford."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

import spinesim
from spinesim.peers import chain as C
from spinesim.peers.accuracy import spinesim_options
from spinesim.solver import run

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "make_performance.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("make_performance", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_the_steps_by_part_add_up_to_the_whole_session(script):
    """Runs to the end of each part, differenced, account for the whole session's work
    (a run that ends inside a segment may move a step near its end), and the ramps and
    the settling after the first dominate, as the document says."""
    model = spinesim.spine_model()
    rtol = 3.2e-6
    parts = script.steps_by_part(model, rtol)
    assert [name for name, _ in parts] == [name for name, _ in script.SESSION_PARTS]
    knots, times = C.inversion_session(script.SESSION_S)
    whole = run(model, knots, times, spinesim_options(rtol))[1]
    for field in ("steps", "rhs_evaluations"):
        total = sum(getattr(stats, field) for _, stats in parts)
        assert total == pytest.approx(getattr(whole, field), rel=0.03), field
    for _, stats in parts:
        assert all(value >= 0 for value in dataclasses.astuple(stats))
    ramp, after, hold, back = (stats.steps for _, stats in parts)
    assert ramp + after + back > 0.8 * whole.steps > 8 * hold
