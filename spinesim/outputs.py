"""Kernel observables → the named variables of a :class:`~spinesim.Result` and a sweep.

The kernels work in SI units on every joint and body; users read the reported levels in
the units of :data:`spinesim.result.VARIABLES` (N, mm, MPa, %), changes against the first
time of the series (the session start, t = 0). One definition serves a single simulation
and a sweep's time series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from spinesim.core import layout as L
from spinesim.core import observables as O

if TYPE_CHECKING:
    from spinesim.model import Model

GAP_COLUMNS = [O.O_GAP_ANTERIOR, O.O_GAP_MIDDLE, O.O_GAP_POSTERIOR]


def time_series(
    model: Model, joint_out: np.ndarray, body_out: np.ndarray, global_out: np.ndarray
) -> dict[str, np.ndarray]:
    """Every variable of :data:`spinesim.result.VARIABLES` from the observables
    ``joint_out (..., time, joint, N_JOINT_OUT)``, ``body_out (..., time, body,
    N_BODY_OUT)`` and ``global_out (..., time, N_GLOBAL_OUT)``; leading axes (e.g. cases)
    are kept. Changes are against index 0 of the time axis."""
    idx = [model.level_index(name) for name in model.levels]
    lv = joint_out[..., idx, :]
    gaps = lv[..., GAP_COLUMNS]
    spinal = model.joint[:, L.J_SPINAL] > 0
    middle_all = joint_out[..., spinal, O.O_GAP_MIDDLE]
    return {
        "angle": np.degrees(global_out[..., O.O_ANGLE]),
        "axial_force": lv[..., O.O_DISC_FORCE],
        "segment_force": lv[..., O.O_SEGMENT_FORCE],
        "gap_change": 1e3 * (gaps - gaps[..., :1, :, :]),
        "shear_force": lv[..., O.O_SHEAR],
        "bending_moment": lv[..., O.O_MOMENT],
        "disc_height": 1e3 * (lv[..., O.O_GAP_MIDDLE] + model.joint[idx, L.J_HEIGHT]),
        "pressure": 1e-6 * lv[..., O.O_PRESSURE],
        "fluid_change": 100.0 * (lv[..., O.O_FLUID] - lv[..., :1, :, O.O_FLUID]),
        "spine_length_change": 1e3 * (middle_all - middle_all[..., :1, :]).sum(axis=-1),
        "anchor_force": -global_out[..., O.O_ANCHOR_X],
        "anchor_normal_force": -global_out[..., O.O_ANCHOR_NORMAL],
        "hand_force": -global_out[..., O.O_HANDS_X],
        "friction_force": body_out[..., O.O_FRICTION].sum(axis=-1),
        "normal_force": body_out[..., O.O_NORMAL].sum(axis=-1),
        "muscle_activation": global_out[..., O.O_ACTIVATION],
        "pull_force": global_out[..., O.O_PULL],
    }
