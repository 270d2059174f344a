"""Per-level outputs computed from saved states by the same element laws as the RHS."""

from __future__ import annotations

import math

from spinesim._numba import jit
from spinesim.core.layout import (
    BLOCK,
    G_GRAVITY,
    J_DEPTH,
    P_ANGLE,
    P_BACKREST,
    P_FRICTION,
    P_POSTURE,
    P_PULL,
    P_TIME,
    S_CREEP,
    S_FLUID,
    S_PHI,
    S_X,
    S_Y,
)
from spinesim.core.mechanics import (
    anchor_loads,
    body_trig,
    contact_loads,
    hand_force,
    joint_deformation,
    joint_loads,
    joint_posture,
    muscle_activation,
    phase_kind,
    protocol_value,
    table_side,
)

# joint output columns
O_GAP_MIDDLE = 0  # m, change of the disc middle height from its rest value (+ opening)
O_GAP_ANTERIOR = 1  # m
O_GAP_POSTERIOR = 2  # m
O_DISC_FORCE = 3  # N, disc axial force incl. damping (tension +)
O_SEGMENT_FORCE = 4  # N, total axial force across the motion segment (tension +)
O_PRESSURE = 5  # Pa, nucleus pressure
O_FLUID = 6  # -, fluid volume change / reference disc volume
O_SHEAR = 7  # N
O_MOMENT = 8  # N m, conjugate to the bending angle: + when resisting flexion
N_JOINT_OUT = 9

# body output columns
O_NORMAL = 0  # N, backrest normal force
O_FRICTION = 1  # N, backrest friction force along the table (+ towards the head)
O_BODY_X = 2  # m, centre of mass along the table (pose, for pictures)
O_BODY_Y = 3  # m, centre of mass normal to the table (table frame y, see layout)
O_BODY_PHI = 4  # rad, body angle from the table's axis
N_BODY_OUT = 5

# global output columns
O_ANGLE = 0  # rad
O_ACTIVATION = 1  # -
O_ANCHOR_X = 2  # N, force of all anchors on the body along the table (+ towards the head)
O_PULL = 3  # N, magnitude of the device's pull (mechanical traction)
O_ANCHOR_NORMAL = 4  # N, force of all anchors on the body away from the backrest
O_HANDS_X = 5  # N, force of the hands (on handles) on the body along the table
N_GLOBAL_OUT = 6


@jit
def segment_at(protocol, t, from_left):
    """Index of the protocol segment whose inputs hold at ``t`` (s).

    At a knot the segment that ends there if ``from_left`` (and ``t`` is after the first
    knot), else the one that starts there (the last one at the end time). The two differ
    only where the protocol jumps (two knots at one time: the support, posture or anchors
    change), e.g. where the person gets off the device.
    """
    n_seg = protocol.shape[0] - 1
    for k in range(n_seg - 1, -1, -1):
        start, end = protocol[k, P_TIME], protocol[k + 1, P_TIME]
        if end > start and (start < t if from_left else start <= t):
            return k
    return 0


@jit
def observe(
    times, states, body, joint, glob, protocol, joint_out, body_out, global_out,
    starts_session,
):  # fmt: skip
    """Fill the output arrays ``(n_time, n_joint, N_JOINT_OUT)``, ``(n_time, n_body,
    N_BODY_OUT)`` and ``(n_time, N_GLOBAL_OUT)`` for the saved ``states``.

    Where the protocol jumps at a saved time, the outputs there take the inputs of the
    phase that ends at it (the end of a hold belongs to the hold), except at ``times[0]``
    if ``starts_session``: the session's start takes its first phase's.
    """
    n_body = body.shape[0]
    for k in range(times.shape[0]):
        t = times[k]
        y = states[k]
        seg = segment_at(protocol, t, k > 0 or not starts_session)
        act = muscle_activation(protocol, seg, t, glob)
        posture = protocol_value(protocol, seg, t, P_POSTURE)
        friction_factor = protocol_value(protocol, seg, t, P_FRICTION)
        backrest = protocol_value(protocol, seg, t, P_BACKREST)
        global_out[k, O_ANGLE] = protocol_value(protocol, seg, t, P_ANGLE)
        global_out[k, O_ACTIVATION] = act
        global_out[k, O_PULL] = protocol_value(protocol, seg, t, P_PULL)
        kind = phase_kind(protocol, seg)
        cs = body_trig(y, n_body)
        gx = glob[G_GRAVITY] * math.sin(global_out[k, O_ANGLE])
        anchor_x = anchor_y = hands = 0.0
        for i in range(n_body):
            ax, ay, _ = anchor_loads(y, i, cs, body, kind)
            anchor_x += ax
            anchor_y += ay
            hands += hand_force(body, i, kind, gx)
        global_out[k, O_ANCHOR_X] = anchor_x
        global_out[k, O_ANCHOR_NORMAL] = table_side(glob) * anchor_y
        global_out[k, O_HANDS_X] = hands
        for i in range(n_body):
            normal, friction, _, _, _, _ = contact_loads(
                y, i, cs, body, backrest, friction_factor, glob
            )
            body_out[k, i, O_NORMAL] = normal
            body_out[k, i, O_FRICTION] = friction
            body_out[k, i, O_BODY_X] = y[i * BLOCK + S_X]
            body_out[k, i, O_BODY_Y] = y[i * BLOCK + S_Y]
            body_out[k, i, O_BODY_PHI] = y[i * BLOCK + S_PHI]
        for j in range(n_body - 1):
            u, shear, beta, u_dot, shear_dot, beta_dot, _, _, _, _ = joint_deformation(
                y, j, cs, joint
            )
            creep = y[j * BLOCK + S_CREEP]
            fluid = y[j * BLOCK + S_FLUID]
            disc, total, shear_force, moment, pressure, _ = joint_loads(
                u, beta, u_dot, shear, shear_dot, beta_dot, creep, fluid, act,
                joint_posture(posture, kind, joint, j), joint, j,
            )  # fmt: skip
            half = 0.5 * joint[j, J_DEPTH]
            out = joint_out[k, j]
            out[O_GAP_MIDDLE] = u
            out[O_GAP_ANTERIOR] = u - half * beta
            out[O_GAP_POSTERIOR] = u + half * beta
            out[O_DISC_FORCE] = disc
            out[O_SEGMENT_FORCE] = total
            out[O_PRESSURE] = pressure
            out[O_FLUID] = fluid
            out[O_SHEAR] = shear_force
            out[O_MOMENT] = moment
