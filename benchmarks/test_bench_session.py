"""Solver speed (pytest-benchmark; not part of the test run): the full spine's 10-minute
session, the same session at each model size, and sessions of 1 minute to 24 hours.

Run: ``python -m pytest benchmarks --benchmark-only``. Compilation is cached on disk, so
the first call in a process only loads it; warm runs are measured separately (compilation:
``test_bench_compile.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.assembly import spine_section
from spinesim.peers.chain import SIZES, inversion_session
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


@pytest.mark.parametrize("size", list(SIZES))
def test_ten_minute_session_by_model_size(benchmark, model, size):
    """Lumbar (pelvis-L1, 6 bodies), thoracolumbar (pelvis-T1, 18), full spine (27)."""
    section = spine_section(model, *SIZES[size])
    knots, times = inversion_session(600.0)
    _, stats = benchmark.pedantic(
        run, args=(section, knots, times, SolverOptions()), rounds=10, warmup_rounds=1
    )
    benchmark.extra_info.update(n_body=section.n_body, steps=stats.steps)
    assert stats.steps > 0


@pytest.mark.parametrize(
    "duration_s",
    [60.0, 600.0, 3600.0, 6 * 3600.0, 24 * 3600.0],
    ids=["1min", "10min", "1h", "6h", "24h"],
)
def test_session_by_simulated_duration(benchmark, model, duration_s):
    """The full spine at 60 deg: a 10 s ramp, a hold and a 10 s return."""
    knots, times = inversion_session(duration_s)
    _, stats = benchmark.pedantic(
        run, args=(model, knots, times, SolverOptions()), rounds=5, warmup_rounds=1
    )
    benchmark.extra_info.update(duration_s=duration_s, steps=stats.steps)
    assert stats.steps > 0
