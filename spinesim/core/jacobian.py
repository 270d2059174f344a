"""Analytic Jacobian ``J = df/dy`` of :func:`spinesim.core.mechanics.rhs`, block by block.

Each element law's loads are differentiated with respect to the states it reads and the
derivatives are chained by hand (forward mode): a body's contact and anchor loads depend
on its pose, velocity and bristle deflection (7 local inputs, state entries 0-6), a
joint's loads on both bodies' poses and velocities and on its creep and fluid states (14
local inputs). The gradients are scattered into the three block arrays of the
block-tridiagonal ``J``: ``lower[i]`` couples row block ``i`` to column block ``i - 1``,
``diag[i]`` to ``i`` and ``upper[i]`` to ``i + 1``, blocks of ``BLOCK x BLOCK``.

Derivatives are taken where the laws are smooth; at a kink (the contact's zero-force
clamp, a ramp's corner) the one-sided derivative of the branch the state is on is used,
as a finite difference would. ``tests/test_jacobian.py`` holds it against central
differences of ``rhs`` across devices, postures and the phases of a session; a change to
a law in ``core/mechanics.py`` needs its derivative here.
"""

from __future__ import annotations

import math

import numpy as np

from spinesim._numba import jit
from spinesim.core.layout import (
    B_ANCHOR_C,
    B_ANCHOR_K,
    B_ANCHOR_LX,
    B_ANCHOR_LY,
    B_ANCHOR_X,
    B_ANCHOR_Y,
    B_C_NORMAL,
    B_C_TANGENT,
    B_CONTACT_LENGTH,
    B_CONTACT_X,
    B_CONTACT_Y,
    B_FREE_SLIDING,
    B_INERTIA,
    B_K_NORMAL,
    B_K_TANGENT,
    B_MASS,
    B_RELEASE_DEVICE,
    BLOCK,
    G_GRAVITY,
    G_MU_KINETIC,
    G_MU_STATIC,
    G_SLIP_TIME,
    G_SMOOTH,
    G_STRIBECK_VELOCITY,
    J_AX,
    J_AY,
    J_BX,
    J_BY,
    J_C_AXIAL,
    J_C_BEND,
    J_C_CREEP,
    J_C_SHEAR,
    J_HEIGHT,
    J_K_AXIAL,
    J_K_BEND,
    J_K_CREEP,
    J_K_SHEAR,
    J_LIG_ANT_EA1,
    J_LIG_ANT_EA2,
    J_LIG_ANT_LEN,
    J_LIG_ANT_STRAIN,
    J_LIG_ANT_Y,
    J_LIG_POST_EA1,
    J_LIG_POST_EA2,
    J_LIG_POST_LEN,
    J_LIG_POST_STRAIN,
    J_LIG_POST_Y,
    J_MUSCLE_Y,
    J_NUCLEUS_AREA,
    J_NUCLEUS_E0,
    J_NUCLEUS_K,
    J_PERMEABILITY,
    J_PERMEABILITY_STRAIN,
    J_POSTURE_BLEND,
    J_POSTURE_DAMPING,
    J_POSTURE_STIFFNESS,
    J_SWELL_EPS,
    J_SWELL_P0,
    P_BACKREST,
    P_FRICTION,
    P_POSTURE,
    S_BRISTLE,
    S_CREEP,
    S_FLUID,
    S_OMEGA,
    S_PHI,
    S_VX,
    S_VY,
    S_X,
    S_Y,
)
from spinesim.core.mechanics import (
    _EXP_CAP,
    CAVITATION_BLEND,
    FRICTION_FLOOR,
    SLIP_BLEND,
    body_point,
    body_trig,
    contact_loads,
    contact_spring,
    contact_tilt,
    fluid_conductance,
    is_seat,
    joint_deformation,
    joint_loads,
    joint_posture,
    muscle_activation,
    nucleus_suction_limit,
    phase_kind,
    protocol_value,
    rotational_holder,
    smooth_step,
    swelling_pressure,
    table_side,
)

#: Local inputs of a body's own loads: its state entries 0 .. BODY_INPUTS - 1 (pose,
#: velocity, bristle deflection).
BODY_INPUTS = S_BRISTLE + 1
#: Local inputs of a joint's loads: the caudal body's pose and velocity (0-5), the
#: cranial body's (6-11), the joint's creep (12) and fluid (13) states.
JOINT_INPUTS = 14
_CREEP_IN = 12
_FLUID_IN = 13
# rows of a point's gradient (see point_gradient)
_PX, _PY, _VX, _VY, _RX, _RY = 0, 1, 2, 3, 4, 5


# ---------------------------------------------------------------- slopes of the element laws
@jit
def step_slope(x, w):
    """Derivative of :func:`~spinesim.core.mechanics.smooth_step` in ``x``."""
    return 1.0 / (2.0 * w) if -w < x < w else 0.0


@jit
def contact_spring_slopes(depth, tilt, body, i, w):
    """Derivatives of :func:`~spinesim.core.mechanics.contact_spring`'s force and torque in
    the depth and the tilt: ``(force_depth, force_tilt, torque_depth, torque_tilt)``."""
    k_n = body[i, B_K_NORMAL]
    length = body[i, B_CONTACT_LENGTH]
    if length == 0.0:
        return k_n * smooth_step(depth, w), 0.0, 0.0, 0.0
    half_span = 0.5 * length * abs(tilt)
    if depth >= half_span:
        return k_n, 0.0, 0.0, -k_n * length * length / 12.0
    if depth <= -half_span:
        return 0.0, 0.0, 0.0, 0.0
    c = depth / abs(tilt) + 0.5 * length
    lift = 0.5 * (length - c)  # l/2 - c/2
    sign = math.copysign(1.0, tilt)
    force_depth = k_n * c / length
    force_tilt = sign * k_n * c / length * lift
    torque_depth = -sign * k_n * c / length * lift
    torque_tilt = -k_n * c / length * (lift * (0.5 * length - c / 3.0) + c * (c - 0.5 * length) / 6)
    return force_depth, force_tilt, torque_depth, torque_tilt


@jit
def ramp_width_slope(x, w):
    """Derivative of :func:`~spinesim.core.mechanics.smooth_ramp` in its half-width ``w``."""
    return (x + w) * (w - x) / (4.0 * w * w) if -w < x < w else 0.0


@jit
def ligament_slope(strain, ea_toe, ea_linear, strain_transition):
    """Derivative of :func:`~spinesim.core.mechanics.ligament_tension` in the strain (N)."""
    w = 0.1 * strain_transition
    return ea_toe * smooth_step(strain, w) + (ea_linear - ea_toe) * smooth_step(
        strain - strain_transition, w
    )


@jit
def nucleus_slope(e, k0, e0, suction_limit):
    """Derivative of :func:`~spinesim.core.mechanics.nucleus_pressure_rise` in ``e`` (Pa)."""
    if e <= 0.0:
        blend = CAVITATION_BLEND * suction_limit
        return k0 * smooth_step(k0 * e + suction_limit, blend)
    if e0 <= 0.0:
        return k0
    return k0 * math.exp(min(e / e0, _EXP_CAP))


@jit
def swelling_slope(fluid_strain, p0, eps):
    """Derivative of :func:`~spinesim.core.mechanics.swelling_pressure` in the fluid
    strain (Pa)."""
    return -p0 * math.exp(min(-fluid_strain / eps, _EXP_CAP)) / eps


@jit
def conductance_slope(fluid_strain, reference, strain_exponent):
    """Derivative of :func:`~spinesim.core.mechanics.fluid_conductance` in the fluid strain
    (1/(Pa s)); zero where its exponent is clipped."""
    if abs(strain_exponent * fluid_strain) >= _EXP_CAP:
        return 0.0
    return strain_exponent * fluid_conductance(fluid_strain, reference, strain_exponent)


# ---------------------------------------------------------------------- local gradients
@jit
def point_gradient(y, i, cs, lx, ly, g, col):
    """Gradient of :func:`~spinesim.core.mechanics.body_point`'s six outputs (rows of ``g``:
    position x, y, velocity x, y, offset x, y) in body ``i``'s pose and velocity, written
    to columns ``col .. col + 5`` of ``g``; only the nonzero entries are written, so ``g``
    must hold zeros there."""
    c = cs[i, 0]
    s = cs[i, 1]
    rx = c * lx - s * ly
    ry = s * lx + c * ly
    w = y[i * BLOCK + S_OMEGA]
    g[_PX, col + S_X] = 1.0
    g[_PX, col + S_PHI] = -ry
    g[_PY, col + S_Y] = 1.0
    g[_PY, col + S_PHI] = rx
    g[_VX, col + S_VX] = 1.0
    g[_VX, col + S_OMEGA] = -ry
    g[_VX, col + S_PHI] = -w * rx
    g[_VY, col + S_VY] = 1.0
    g[_VY, col + S_OMEGA] = rx
    g[_VY, col + S_PHI] = -w * ry
    g[_RX, col + S_PHI] = -ry
    g[_RY, col + S_PHI] = rx


@jit
def contact_gradient(y, i, cs, body, backrest, friction_factor, glob, point, g, work):
    """Gradient of :func:`~spinesim.core.mechanics.contact_loads` in body ``i``'s local
    inputs: rows of ``g`` (6 x BODY_INPUTS) are normal force, friction, bristle rate, the
    contact point's offset x, y and the torque of a spread contact; ``point`` (6,
    BODY_INPUTS) and ``work`` (2, BODY_INPUTS) are scratch. Returns the loads' values
    ``(normal, friction, rx, ry)``; the spread contact's torque enters the body's as is."""
    g[:, :] = 0.0
    point[:, :] = 0.0
    point_gradient(y, i, cs, body[i, B_CONTACT_X], body[i, B_CONTACT_Y], point, 0)
    g[3, :] = point[_RX]
    g[4, :] = point[_RY]
    normal, friction, _, rate, rx, ry = contact_loads(
        y, i, cs, body, backrest, friction_factor, glob
    )
    b = i * BLOCK
    _, py, vx, vy, _, _ = body_point(y, i, cs, body[i, B_CONTACT_X], body[i, B_CONTACT_Y])
    w = glob[G_SMOOTH]
    side = table_side(glob)
    depth = -side * py
    tilt = contact_tilt(y, i, body, side)
    _, _, deepest = contact_spring(depth, tilt, body, i, w)
    force_depth, force_tilt, torque_depth, torque_tilt = contact_spring_slopes(
        depth, tilt, body, i, w
    )
    touching = smooth_step(deepest, w) * backrest
    length = body[i, B_CONTACT_LENGTH]
    c_n = body[i, B_C_NORMAL]
    c_rot = c_n * length * length / 12.0
    d_touching = work[0]
    for k in range(BODY_INPUTS):
        d_depth = -side * point[_PY, k]
        d_tilt = 1.0 if k == S_PHI else 0.0
        d_deepest = d_depth + 0.5 * length * math.copysign(d_tilt, tilt)
        d_touching[k] = backrest * step_slope(deepest, w) * d_deepest
        if normal > 0.0:
            g[0, k] = backrest * (force_depth * d_depth + force_tilt * d_tilt) - c_n * side * (
                d_touching[k] * vy + touching * point[_VY, k]
            )
            g[5, k] = backrest * (torque_depth * d_depth + torque_tilt * d_tilt) - c_rot * (
                d_touching[k] * y[b + S_OMEGA] + (touching if k == S_OMEGA else 0.0)
            )
    k_t = body[i, B_K_TANGENT]
    if k_t == 0.0:
        return normal, friction, rx, ry
    bristle = k_t * y[i * BLOCK + S_BRISTLE]
    sign = math.copysign(1.0, bristle)
    limit = 0.0
    d_limit = work[1]
    d_limit[:] = 0.0
    friction_factor *= 1.0 - body[i, B_FREE_SLIDING]
    if normal > 0.0 and friction_factor > 0.0:
        v_s = glob[G_STRIBECK_VELOCITY]
        ratio = vx / v_s
        mu_s = glob[G_MU_STATIC]
        mu_k = glob[G_MU_KINETIC]
        decay = math.exp(-ratio * ratio)
        mu = mu_k + (mu_s - mu_k) * decay
        limit = friction_factor * normal * mu
        for k in range(BODY_INPUTS):
            d_mu = (mu_s - mu_k) * decay * (-2.0 * ratio / v_s) * point[_VX, k]
            d_limit[k] = friction_factor * (mu * g[0, k] + normal * d_mu)
    blend = SLIP_BLEND * limit + FRICTION_FLOOR * body[i, B_MASS] * glob[G_GRAVITY]
    x_slip = abs(bristle) - limit - blend
    c_t = body[i, B_C_TANGENT]
    slip_time = glob[G_SLIP_TIME]
    for k in range(BODY_INPUTS):
        d_bristle = k_t if k == S_BRISTLE else 0.0
        d_blend = SLIP_BLEND * d_limit[k]
        d_excess = (
            smooth_step(x_slip, blend) * (sign * d_bristle - d_limit[k] - d_blend)
            + ramp_width_slope(x_slip, blend) * d_blend
        )
        d_rate = point[_VX, k] - sign * d_excess / (k_t * slip_time)
        g[2, k] = d_rate
        g[1, k] = -d_touching[k] * (bristle + c_t * rate) - touching * (d_bristle + c_t * d_rate)
    return normal, friction, rx, ry


@jit
def anchor_gradient(y, i, cs, body, kind, point, g):
    """Gradient of :func:`~spinesim.core.mechanics.anchor_loads` in body ``i``'s local
    inputs: rows of ``g`` (3 x BODY_INPUTS) are force x, y and torque."""
    g[:, :] = 0.0
    if body[i, B_RELEASE_DEVICE + kind] > 0.0:
        return
    k = body[i, B_ANCHOR_K]
    if k > 0.0:
        point[:, :] = 0.0
        lx, ly = body[i, B_ANCHOR_LX], body[i, B_ANCHOR_LY]
        point_gradient(y, i, cs, lx, ly, point, 0)
        px, py, vx, vy, rx, ry = body_point(y, i, cs, lx, ly)
        damping = body[i, B_ANCHOR_C]
        fore_aft = 0.0 if is_seat(body, i, kind) else 1.0
        fx = -k * (px - body[i, B_ANCHOR_X]) - damping * vx
        fy = fore_aft * (-k * (py - body[i, B_ANCHOR_Y]) - damping * vy)
        for col in range(BODY_INPUTS):
            d_fx = -k * point[_PX, col] - damping * point[_VX, col]
            d_fy = -fore_aft * (k * point[_PY, col] + damping * point[_VY, col])
            g[0, col] = d_fx
            g[1, col] = d_fy
            g[2, col] = point[_RX, col] * fy + rx * d_fy - point[_RY, col] * fx - ry * d_fx
    k_rot, c_rot = rotational_holder(body, i, kind)
    g[2, S_PHI] -= k_rot
    g[2, S_OMEGA] -= c_rot


@jit
def joint_gradient(y, j, cs, joint, activation, posture, point_a, point_b, g):
    """Gradient of joint ``j``'s contributions to ``rhs`` in its local inputs (columns,
    see :data:`JOINT_INPUTS`). Rows of ``g`` (6 x JOINT_INPUTS): force on the cranial body
    x, y (the caudal body gets the opposite), torque on the cranial body, on the caudal
    body, creep rate, fluid rate (before division by masses and inertias). ``point_a``,
    ``point_b`` are (6, JOINT_INPUTS) scratch."""
    a = j * BLOCK
    bb = (j + 1) * BLOCK
    point_a[:, :] = 0.0
    point_b[:, :] = 0.0
    point_gradient(y, j, cs, joint[j, J_AX], joint[j, J_AY], point_a, 0)
    point_gradient(y, j + 1, cs, joint[j, J_BX], joint[j, J_BY], point_b, 6)
    pax, pay, vax, vay, _, _ = body_point(y, j, cs, joint[j, J_AX], joint[j, J_AY])
    pbx, pby, vbx, vby, _, _ = body_point(y, j + 1, cs, joint[j, J_BX], joint[j, J_BY])
    u, shear, beta, u_dot, shear_dot, beta_dot, e1x, e1y, mx, my = joint_deformation(
        y, j, cs, joint
    )
    creep = y[a + S_CREEP]
    fluid = y[a + S_FLUID]
    _, total, shear_force, _, pressure, _ = joint_loads(
        u, beta, u_dot, shear, shear_dot, beta_dot, creep, fluid, activation, posture, joint, j
    )
    fbx = -total * e1x + shear_force * e1y
    fby = -total * e1y - shear_force * e1x
    dx, dy = pbx - pax, pby - pay
    dvx, dvy = vbx - vax, vby - vay
    w_m = 0.5 * (y[a + S_OMEGA] + y[bb + S_OMEGA])
    s = u + joint[j, J_HEIGHT]

    # slopes of the loads in the deformation (see joint_loads and disc_axial)
    height = joint[j, J_HEIGHT]
    area = joint[j, J_NUCLEUS_AREA]
    de_du, de_dfluid = joint[j, J_K_AXIAL], 0.0  # elastic force
    dp_du, dp_dfluid = 0.0, 0.0  # nucleus pressure
    if area > 0.0:
        k_nucleus = nucleus_slope(
            fluid - (u - creep) / height, joint[j, J_NUCLEUS_K], joint[j, J_NUCLEUS_E0],
            nucleus_suction_limit(joint, j),
        )  # fmt: skip
        de_du += area * k_nucleus / height
        de_dfluid = -area * k_nucleus
        dp_du = -k_nucleus / height
        dp_dfluid = k_nucleus
    dt_du, dt_dbeta = de_du, 0.0  # total axial force
    dm_du, dm_dbeta = 0.0, joint[j, J_K_BEND]  # moment
    for off_y, off_len, off_ea1, off_ea2, off_eps in (
        (J_LIG_ANT_Y, J_LIG_ANT_LEN, J_LIG_ANT_EA1, J_LIG_ANT_EA2, J_LIG_ANT_STRAIN),
        (J_LIG_POST_Y, J_LIG_POST_LEN, J_LIG_POST_EA1, J_LIG_POST_EA2, J_LIG_POST_STRAIN),
    ):
        length = joint[j, off_len]
        if length > 0.0:
            yl = joint[j, off_y]
            strain = (u - yl * beta) / length
            ea1, ea2, eps = joint[j, off_ea1], joint[j, off_ea2], joint[j, off_eps]
            slope = ligament_slope(strain, ea1, ea2, eps) / length
            dt_du += slope
            dt_dbeta -= yl * slope
            dm_du -= yl * slope
            dm_dbeta += yl * yl * slope
    lever = -joint[j, J_MUSCLE_Y]
    dm_dbeta_dot = joint[j, J_C_BEND]
    if posture > 0.0 and lever > 0.0:
        stiffness = posture * joint[j, J_POSTURE_STIFFNESS]
        blend = joint[j, J_POSTURE_BLEND]
        extending = smooth_step(beta, blend)
        flexing = smooth_step(-beta, blend)
        dt_dbeta += stiffness * (extending - flexing) / lever
        dm_dbeta += stiffness * (extending + flexing)
        dm_dbeta_dot += posture * joint[j, J_POSTURE_DAMPING]
    c_creep = joint[j, J_C_CREEP]
    conductance, swell_slope, flow_slope = 0.0, 0.0, 0.0
    if joint[j, J_PERMEABILITY] > 0.0:
        reference, exponent = joint[j, J_PERMEABILITY], joint[j, J_PERMEABILITY_STRAIN]
        conductance = fluid_conductance(fluid, reference, exponent)
        p0, eps = joint[j, J_SWELL_P0], joint[j, J_SWELL_EPS]
        swell_slope = swelling_slope(fluid, p0, eps)
        # the conductance's own slope times the drive
        drive = swelling_pressure(fluid, p0, eps) - pressure
        flow_slope = conductance_slope(fluid, reference, exponent) * drive

    # moment arms of the joint force about the two centres of mass
    rbx, rby = mx - y[bb + S_X], my - y[bb + S_Y]
    rax, ray = mx - y[a + S_X], my - y[a + S_Y]
    for k in range(JOINT_INPUTS):
        d_phi_sum = (1.0 if k == S_PHI else 0.0) + (1.0 if k == 6 + S_PHI else 0.0)
        d_w_m = 0.5 * ((1.0 if k == S_OMEGA else 0.0) + (1.0 if k == 6 + S_OMEGA else 0.0))
        d_beta = (1.0 if k == 6 + S_PHI else 0.0) - (1.0 if k == S_PHI else 0.0)
        d_beta_dot = (1.0 if k == 6 + S_OMEGA else 0.0) - (1.0 if k == S_OMEGA else 0.0)
        d_creep = 1.0 if k == _CREEP_IN else 0.0
        d_fluid = 1.0 if k == _FLUID_IN else 0.0
        # the mean axis is the bisector: e1 = (cos, sin) of the mean angle
        d_e1x = -0.5 * e1y * d_phi_sum
        d_e1y = 0.5 * e1x * d_phi_sum
        d_dx = point_b[_PX, k] - point_a[_PX, k]
        d_dy = point_b[_PY, k] - point_a[_PY, k]
        d_dvx = point_b[_VX, k] - point_a[_VX, k]
        d_dvy = point_b[_VY, k] - point_a[_VY, k]
        d_s = e1x * d_dx + e1y * d_dy + dx * d_e1x + dy * d_e1y
        d_t = -e1y * d_dx + e1x * d_dy - dx * d_e1y + dy * d_e1x
        d_s_dot = e1x * d_dvx + e1y * d_dvy + dvx * d_e1x + dvy * d_e1y + w_m * d_t + shear * d_w_m
        d_t_dot = -e1y * d_dvx + e1x * d_dvy - dvx * d_e1y + dvy * d_e1x - w_m * d_s - s * d_w_m
        d_u_solid = d_s - d_creep
        d_elastic = de_du * d_u_solid + de_dfluid * d_fluid
        d_pressure = dp_du * d_u_solid + dp_dfluid * d_fluid
        d_total = (
            d_elastic + (dt_du - de_du) * d_s + dt_dbeta * d_beta + joint[j, J_C_AXIAL] * d_s_dot
        )
        d_shear = joint[j, J_K_SHEAR] * d_t + joint[j, J_C_SHEAR] * d_t_dot
        d_moment = dm_du * d_s + dm_dbeta * d_beta + dm_dbeta_dot * d_beta_dot
        d_fbx = -e1x * d_total - total * d_e1x + e1y * d_shear + shear_force * d_e1y
        d_fby = -e1y * d_total - total * d_e1y - e1x * d_shear - shear_force * d_e1x
        d_mx = 0.5 * (point_a[_PX, k] + point_b[_PX, k])
        d_my = 0.5 * (point_a[_PY, k] + point_b[_PY, k])
        d_rbx = d_mx - (1.0 if k == 6 + S_X else 0.0)
        d_rby = d_my - (1.0 if k == 6 + S_Y else 0.0)
        d_rax = d_mx - (1.0 if k == S_X else 0.0)
        d_ray = d_my - (1.0 if k == S_Y else 0.0)
        g[0, k] = d_fbx
        g[1, k] = d_fby
        g[2, k] = d_rbx * fby + rbx * d_fby - d_rby * fbx - rby * d_fbx - d_moment
        g[3, k] = -(d_rax * fby + rax * d_fby - d_ray * fbx - ray * d_fbx) + d_moment
        g[4, k] = (d_elastic - joint[j, J_K_CREEP] * d_creep) / c_creep if c_creep > 0.0 else 0.0
        g[5, k] = conductance * (swell_slope * d_fluid - d_pressure) + flow_slope * d_fluid


@jit
def scatter_joint(jl, jd, ju, row_block, row, j, gradient, sign):
    """Add ``sign * gradient`` (over joint ``j``'s local inputs) to row ``row`` of block
    row ``row_block`` of the Jacobian."""
    for k in range(JOINT_INPUTS):
        if k < 6:
            col_block, col = j, k
        elif k < 12:
            col_block, col = j + 1, k - 6
        else:
            col_block, col = j, (S_CREEP if k == _CREEP_IN else S_FLUID)
        value = sign * gradient[k]
        if col_block == row_block:
            jd[row_block, row, col] += value
        elif col_block < row_block:
            jl[row_block, row, col] += value
        else:
            ju[row_block, row, col] += value


@jit
def analytic(t, y, segment, body, joint, glob, protocol, jl, jd, ju):
    """The Jacobian of ``rhs(t, y)`` (protocol segment ``segment``) into the block arrays
    ``jl, jd, ju`` (``(n_body, BLOCK, BLOCK)``, overwritten)."""
    n_body = body.shape[0]
    backrest = protocol_value(protocol, segment, t, P_BACKREST)
    activation = muscle_activation(protocol, segment, t, glob)
    posture = protocol_value(protocol, segment, t, P_POSTURE)
    friction_factor = protocol_value(protocol, segment, t, P_FRICTION)
    kind = phase_kind(protocol, segment)
    side = table_side(glob)
    cs = body_trig(y, n_body)
    jl[:] = 0.0
    jd[:] = 0.0
    ju[:] = 0.0
    point_a = np.empty((6, JOINT_INPUTS))
    point_b = np.empty((6, JOINT_INPUTS))
    contact = np.empty((6, BODY_INPUTS))
    contact_work = np.empty((2, BODY_INPUTS))
    anchor = np.empty((3, BODY_INPUTS))
    loads = np.empty((6, JOINT_INPUTS))
    body_point_scratch = point_a[:, :BODY_INPUTS]

    for i in range(n_body):
        d = jd[i]
        d[S_X, S_VX] = 1.0
        d[S_Y, S_VY] = 1.0
        d[S_PHI, S_OMEGA] = 1.0
        normal, friction, rx, ry = contact_gradient(
            y, i, cs, body, backrest, friction_factor, glob, body_point_scratch, contact,
            contact_work,
        )  # fmt: skip
        anchor_gradient(y, i, cs, body, kind, body_point_scratch, anchor)
        for k in range(BODY_INPUTS):
            d[S_VX, k] += contact[1, k] + anchor[0, k]
            d[S_VY, k] += side * contact[0, k] + anchor[1, k]
            d[S_OMEGA, k] += (
                side * (contact[3, k] * normal + rx * contact[0, k])
                - (contact[4, k] * friction + ry * contact[1, k])
                + contact[5, k]
                + anchor[2, k]
            )
            d[S_BRISTLE, k] += contact[2, k]

    for j in range(n_body - 1):
        joint_gradient(
            y, j, cs, joint, activation, joint_posture(posture, kind, joint, j), point_a,
            point_b, loads,
        )  # fmt: skip
        scatter_joint(jl, jd, ju, j + 1, S_VX, j, loads[0], 1.0)
        scatter_joint(jl, jd, ju, j + 1, S_VY, j, loads[1], 1.0)
        scatter_joint(jl, jd, ju, j, S_VX, j, loads[0], -1.0)
        scatter_joint(jl, jd, ju, j, S_VY, j, loads[1], -1.0)
        scatter_joint(jl, jd, ju, j + 1, S_OMEGA, j, loads[2], 1.0)
        scatter_joint(jl, jd, ju, j, S_OMEGA, j, loads[3], 1.0)
        scatter_joint(jl, jd, ju, j, S_CREEP, j, loads[4], 1.0)
        scatter_joint(jl, jd, ju, j, S_FLUID, j, loads[5], 1.0)

    for i in range(n_body):
        for row, mass_or_inertia in (
            (S_VX, body[i, B_MASS]),
            (S_VY, body[i, B_MASS]),
            (S_OMEGA, body[i, B_INERTIA]),
        ):
            for c in range(BLOCK):
                jl[i, row, c] /= mass_or_inertia
                jd[i, row, c] /= mass_or_inertia
                ju[i, row, c] /= mass_or_inertia
