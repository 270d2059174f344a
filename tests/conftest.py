"""Shared fixtures: models are assembled once per session (assembly includes settling)."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L


@pytest.fixture(scope="session")
def default_model() -> spinesim.Model:
    """70 kg, 1.75 m male on the default inversion table, settled lying flat."""
    return spinesim.spine_model()


def knots(*rows) -> np.ndarray:
    """Protocol table from ``(time_s, angle_deg, backrest, tone, guard)`` rows (no postural
    control, full friction)."""
    table = np.zeros((len(rows), L.NP))
    table[:, : L.P_POSTURE] = np.array(rows, dtype=float)
    table[:, L.P_FRICTION] = 1.0
    table[:, L.P_ANGLE] = np.radians(table[:, L.P_ANGLE])
    return table
