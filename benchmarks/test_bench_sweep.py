"""Sweep throughput: cases per second of a loop of ``spinesim.simulate`` calls (full
spine, 10-minute sessions at 20-80 deg), on one core.

Run: ``python -m pytest benchmarks --benchmark-only -k sweep``.
"""

from __future__ import annotations

import numpy as np

import spinesim

ANGLES = np.linspace(20.0, 80.0, 10)


def simulate_all(model) -> list[spinesim.Result]:
    return [
        spinesim.simulate(
            spinesim.Protocol.inversion(float(a), ramp_s=10, hold_s=580, return_s=10), model=model
        )
        for a in ANGLES
    ]


def test_sweep_loop_of_simulate(benchmark):
    model = spinesim.spine_model()
    results = benchmark.pedantic(simulate_all, args=(model,), rounds=3, warmup_rounds=1)
    benchmark.extra_info.update(cases=ANGLES.size)
    forces = [r["L3-L4"].axial_force.max() for r in results]
    assert forces == sorted(forces)  # steeper inversion, more traction
