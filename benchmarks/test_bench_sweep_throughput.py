"""Sweep throughput (pytest-benchmark; not part of the test run).

Run: ``python -m pytest benchmarks/test_bench_sweep_throughput.py --benchmark-only``.

* 10,000 five-minute full-spine sessions (10 s ramp, 300 s hold, 10 s return): inversion
  angle 20-90 deg x backrest friction 0.3-0.7 x inverted muscle tone 0.5-1.0 (25 x 20 x
  20), one subject, on every core;
* the same batch of 400 cases on one thread and on all threads (parallel speed-up);
* the per-case cost in a batch against one ``simulate`` call of a case of the batch.
"""

from __future__ import annotations

import time

import numba
import numpy as np
import pytest

import spinesim
from spinesim import Grid

FIXED = {"ramp_s": 10.0, "hold_s": 300.0}
TEN_THOUSAND = Grid(
    {
        "angle_deg": np.linspace(20.0, 90.0, 25),
        "friction_static": np.linspace(0.3, 0.7, 20),
        "muscles.inverted_tone": np.linspace(0.5, 1.0, 20),
    }
)
BATCH = Grid(angle_deg=np.linspace(20.0, 90.0, 400))


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """Load the compiled kernels (and the thread pool) before timing."""
    spinesim.sweep(Grid(angle_deg=[30.0]), fixed={"hold_s": 5.0}, progress=False)


def run_sweep(design):
    return spinesim.sweep(design, fixed=FIXED, progress=False)


def test_ten_thousand_five_minute_sessions(benchmark):
    start = time.perf_counter()  # one round: its time (also with --benchmark-disable)
    ds = benchmark.pedantic(run_sweep, args=(TEN_THOUSAND,), rounds=1, iterations=1)
    seconds = time.perf_counter() - start
    n = int(ds["status"].size)
    benchmark.extra_info.update(
        cases=n, seconds=seconds, cases_per_second=n / seconds, failed=int((ds.status != 0).sum())
    )
    assert n == 10_000 and int((ds["status"] != 0).sum()) == 0


def best_seconds(design, repeats: int = 3) -> float:
    """Best wall time of ``repeats`` sweeps of ``design`` (noise on a shared machine)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_sweep(design)
        times.append(time.perf_counter() - start)
    return min(times)


def test_parallel_speedup(benchmark):
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = best_seconds(BATCH)
    finally:
        numba.set_num_threads(threads)
    every = best_seconds(BATCH)
    benchmark.pedantic(run_sweep, args=(BATCH,), rounds=1, iterations=1)
    benchmark.extra_info.update(
        threads=threads, seconds_one_thread=one, seconds_all_threads=every, speedup=one / every
    )


def test_per_case_cost_in_a_batch_vs_simulate(benchmark):
    protocols = [spinesim.Protocol.inversion(a, **FIXED) for a in BATCH.values["angle_deg"]]
    model = spinesim.spine_model()
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)  # the same single core for both
        start = time.perf_counter()
        for protocol in protocols:
            spinesim.simulate(protocol, model=model)
        simulate_per_case = (time.perf_counter() - start) / len(protocols)
        start = time.perf_counter()
        run_sweep(BATCH)
        batch_per_case = (time.perf_counter() - start) / len(protocols)
    finally:
        numba.set_num_threads(threads)
    benchmark.pedantic(run_sweep, args=(BATCH,), rounds=1, iterations=1)
    benchmark.extra_info.update(
        simulate_ms_per_case=1e3 * simulate_per_case,
        batch_ms_per_case_one_thread=1e3 * batch_per_case,
        ratio=batch_per_case / simulate_per_case,
    )
