"""One motion segment of the anatomical spine as a two-body test rig (in-vitro experiments).

The lower vertebra is held by a stiff anchor and an axial load hangs on (tension) or
presses on (compression) the upper one, as in a materials-testing machine: the load is the
weight of the upper body, turned along or against the segment by the protocol angle
(``-90`` deg compresses, ``+90`` deg pulls, ``0`` deg unloads). Shear and bending are made
stiff so that only the axial response is tested.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinesim.anatomy import Subject, load_anatomy
from spinesim.assembly import disc_columns, set_bending_damping
from spinesim.core import layout as L
from spinesim.model import GRAVITY, Model, ModelBuilder
from spinesim.properties import Tissues
from spinesim.solver import SolverOptions, run

#: Distance of each body's centre of mass from the disc surface it carries (m).
ARM = 0.05
#: Stiff anchor of the lower vertebra and stiff shear/bending (a testing machine's platens).
_ANCHOR = dict(anchor_k=1e9, anchor_c=1e5, anchor_k_rot=1e8, anchor_c_rot=1e4)
_PLATENS = dict(k_shear=1e9, c_shear=1e5, k_bend=1e7, c_bend=1e3)
#: Tight solver tolerances for in-vitro curves (sub-micrometre displacements).
TIGHT = SolverOptions(rtol=1e-6, atol_m=1e-9)


def motion_segment(
    level: str,
    load_N: float,
    tissues: Tissues | None = None,
    subject: Subject | None = None,
    *,
    ligaments: bool = True,
) -> Model:
    """Disc ``level`` (e.g. ``"L4-L5"``) of ``subject`` with ``tissues`` between a fixed
    vertebra and a free one whose weight is ``load_N`` (N). Muscles are absent (in vitro);
    without ``ligaments`` the posterior elements are removed, as in disc-only specimens."""
    subject = subject or Subject()
    tissues = tissues or Tissues()
    anat = load_anatomy(subject)
    j = anat.joint_names.index(level)
    columns = disc_columns(anat, j, subject.length_scale, tissues)
    columns.update(_PLATENS, muscle_force=0.0, posture_stiffness=0.0)
    if not ligaments:
        columns.update(lig_ant_len=0.0, lig_post_len=0.0)
    builder = ModelBuilder()
    builder.add_body("caudal", 1.0, 0.01, **_ANCHOR)
    builder.add_body("cranial", load_N / GRAVITY, 1.0)
    builder.add_joint(level, ax=ARM, bx=-ARM, **columns)
    model = builder.build()
    set_bending_damping(model.body, model.joint, model.y0, tissues.disc.bending_damping_ratio)
    return model


def axial_opening(model: Model, states: np.ndarray) -> np.ndarray:
    """Axial opening (m, + opening) of the segment's disc in each row of ``states``."""
    rest = 2 * ARM + model.joint[0, L.J_HEIGHT]
    return states[:, L.BLOCK + L.S_X] - states[:, L.S_X] - rest


def load_history(
    times_s: Sequence[float] | np.ndarray, load_fraction: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Protocol knots that apply ``load_fraction`` (``+1`` the full weight in tension,
    ``-1`` in compression) at ``times_s``. Between knots the angle is linear, so the load
    follows its sine (exact at the knots and on holds)."""
    fraction = np.clip(np.asarray(load_fraction, dtype=float), -1.0, 1.0)
    table = np.zeros((fraction.size, L.NP))
    table[:, L.P_TIME] = times_s
    table[:, L.P_ANGLE] = np.arcsin(fraction)
    return table


def run_segment(
    model: Model, knots: np.ndarray, times_s: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Axial opening (m) of ``model`` at ``times_s`` under the load ``knots``."""
    states, _ = run(model, knots, np.asarray(times_s, dtype=float), TIGHT)
    return axial_opening(model, states)
