"""Cost against the number of bodies: a uniform chain of N bodies and Kelvin discs on a
backrest with friction, tilted to 60 deg for 10 minutes (block-tridiagonal algebra keeps
the cost per step linear in N).

Run: ``python -m pytest benchmarks --benchmark-only -k scaling``; compare the means.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import spinesim
from spinesim.model import GRAVITY as G
from spinesim.solver import SolverOptions, run


def uniform_chain(n: int) -> spinesim.Model:
    """``n`` equal bodies (70 kg in all) joined by Kelvin discs with creep, lying on a
    backrest with friction, the first held like the ankles (unlike
    ``spinesim.peers.chain.uniform_chain``, the peers' linear chain without contact)."""
    b = spinesim.ModelBuilder()
    m = 70.0 / n
    for i in range(n):
        anchor = (
            dict(anchor_k=1e5, anchor_c=2e3, anchor_k_rot=1e3, anchor_c_rot=10.0) if i == 0 else {}
        )
        b.add_body(
            f"b{i}", m, m * 0.004, contact_y=-0.05, k_normal=m * G / 0.01,
            c_normal=math.sqrt(m * m * G / 0.01), k_tangent=0.5 * m * G / 0.002,
            c_tangent=math.sqrt(0.5 * m * m * G / 0.002), anchor_y=0.04, **anchor,
        )  # fmt: skip
    for i in range(n - 1):
        b.add_joint(
            f"d{i}", ax=0.03, bx=-0.03, height=0.01, k_axial=1e6, c_axial=1200.0, k_creep=3e6,
            c_creep=3e6 * 720.0, k_shear=1e5, c_shear=1200.0, k_bend=400.0, c_bend=2.0,
        )  # fmt: skip
    return b.build(y0=0.04)


@pytest.mark.parametrize("n_body", [12, 24, 48, 96])
def test_scaling_with_bodies(benchmark, n_body):
    model = uniform_chain(n_body)
    protocol = spinesim.Protocol.inversion(60, ramp_s=10, hold_s=580, return_s=10)
    knots = protocol.knots(spinesim.MuscleProperties())
    times = np.linspace(0.0, protocol.session_duration_s, 61)
    _, stats = benchmark.pedantic(
        run, args=(model, knots, times, SolverOptions()), rounds=5, warmup_rounds=1
    )
    benchmark.extra_info.update(n_body=n_body, steps=stats.steps)
    assert stats.steps > 0
