"""Solver speed (pytest-benchmark; not part of the test run).

Run: ``python -m pytest benchmarks --benchmark-only``. Compilation is cached on disk, so
the first call in a process only loads it; warm runs are measured separately.
"""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.solver import SolverOptions, run


@pytest.fixture(scope="module")
def model():
    return spinesim.spine_model()


@pytest.fixture(scope="module")
def session():
    protocol = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=580, return_s=10)
    knots = protocol.knots(spinesim.MuscleProperties())
    times = np.linspace(0.0, protocol.session_duration_s, 601)
    return protocol, knots, times


def test_ten_minute_session_kernel(benchmark, model, session):
    """10-minute 60-deg session of the full spine: the compiled time loop alone."""
    _, knots, times = session
    states, stats = benchmark.pedantic(
        run, args=(model, knots, times, SolverOptions()), rounds=20, warmup_rounds=2
    )
    benchmark.extra_info.update(
        steps=stats.steps, rejected=stats.rejected, rhs=stats.rhs_evaluations
    )
    assert np.all(np.isfinite(states))


def test_ten_minute_session_simulate(benchmark, model, session):
    """The same through ``spinesim.simulate`` (adds outputs on 601 saved times)."""
    protocol, _, _ = session
    result = benchmark.pedantic(
        spinesim.simulate, args=(protocol,), kwargs={"model": model}, rounds=10, warmup_rounds=1
    )
    assert result["L3-L4"].axial_force.max() > 0


def test_model_assembly_and_settle(benchmark):
    """Assembling a subject's spine, including its 30 s settle on the backrest."""
    benchmark.pedantic(spinesim.spine_model, rounds=5, warmup_rounds=1)
