"""Solver speed (pytest-benchmark; not part of the test run): a 10-minute session at each
model size (the compiled time loop alone) and through ``spinesim.simulate``, the model's
assembly, and sessions of 1 minute to 24 hours.

Run: ``python -m pytest benchmarks --benchmark-only``. Compilation is cached on disk, so
the first call in a process only loads it; warm runs are measured separately (compilation:
``test_bench_compile.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.model import spine_section
from spinesim.peers.chain import SIZES, inversion_session
from spinesim.solver import SolverOptions, run


@pytest.fixture(scope="module")
def model():
    return spinesim.spine_model()


def test_ten_minute_session_simulate(benchmark, model):
    """The full spine's 10-minute session through ``spinesim.simulate`` (adds outputs on
    601 saved times to ``test_ten_minute_session_kernel[full]``)."""
    protocol = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=580, return_s=10)
    result = benchmark.pedantic(
        spinesim.simulate, args=(protocol,), kwargs={"model": model}, rounds=10, warmup_rounds=1
    )
    assert result["L3-L4"].axial_force.max() > 0


def test_model_assembly_and_settle(benchmark):
    """Assembling a subject's spine, including its 30 s settle on the backrest."""
    benchmark.pedantic(spinesim.spine_model, rounds=5, warmup_rounds=1)


@pytest.mark.parametrize("size", list(SIZES))
def test_ten_minute_session_kernel(benchmark, model, size):
    """10-minute 60-deg session, the compiled time loop alone, at each model size: lumbar
    (pelvis-L1, 6 bodies), thoracolumbar (pelvis-T1, 18), full spine (27)."""
    section = spine_section(model, *SIZES[size])
    knots, times = inversion_session(600.0)
    states, stats = benchmark.pedantic(
        run, args=(section, knots, times, SolverOptions()), rounds=20, warmup_rounds=2
    )
    benchmark.extra_info.update(
        n_body=section.n_body, steps=stats.steps, rejected=stats.rejected,
        rhs=stats.rhs_evaluations,
    )  # fmt: skip
    assert np.all(np.isfinite(states))


@pytest.mark.parametrize(
    "duration_s", [60.0, 3600.0, 6 * 3600.0, 24 * 3600.0], ids=["1min", "1h", "6h", "24h"]
)
def test_session_by_simulated_duration(benchmark, model, duration_s):
    """The full spine at 60 deg: a 10 s ramp, a hold and a 10 s return (10 minutes:
    ``test_ten_minute_session_kernel[full]``)."""
    knots, times = inversion_session(duration_s)
    _, stats = benchmark.pedantic(
        run, args=(model, knots, times, SolverOptions()), rounds=5, warmup_rounds=1
    )
    benchmark.extra_info.update(duration_s=duration_s, steps=stats.steps)
    assert stats.steps > 0
