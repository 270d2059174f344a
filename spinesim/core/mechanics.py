"""Equations of motion of the planar spine: element laws, protocol inputs and the RHS.

Everything here is compiled with :data:`spinesim._numba.jit`. The right-hand side
``rhs`` is the one definition of the model's physics; the integrator, the observables and
the scipy reference used in the tests all call it.

Sign conventions: axial force is positive in tension; disc-space change is positive when
the disc opens; the bending angle ``beta = phi_b - phi_a - rest_angle`` is positive in
flexion (anterior disc space closes).
"""

from __future__ import annotations

import math

import numpy as np

from spinesim._numba import jit
from spinesim.core.layout import (
    B_ANCHOR_C,
    B_ANCHOR_C_ROT,
    B_ANCHOR_K,
    B_ANCHOR_K_ROT,
    B_ANCHOR_LX,
    B_ANCHOR_LY,
    B_ANCHOR_PHI,
    B_ANCHOR_X,
    B_ANCHOR_Y,
    B_C_NORMAL,
    B_C_TANGENT,
    B_CONTACT_FLAT_ANGLE,
    B_CONTACT_LENGTH,
    B_CONTACT_X,
    B_CONTACT_Y,
    B_FEET_C_ROT,
    B_FEET_K_ROT,
    B_FREE_SLIDING,
    B_INERTIA,
    B_K_NORMAL,
    B_K_TANGENT,
    B_MASS,
    B_PULL_LIFT,
    B_PULL_SHARE,
    B_RELEASE_DEVICE,
    B_SEAT,
    B_SUPPORT_MASS,
    BLOCK,
    G_GRAVITY,
    G_GUARD_RISE,
    G_GUARD_TAU,
    G_MU_KINETIC,
    G_MU_STATIC,
    G_PRONE,
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
    J_HANGS,
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
    J_MUSCLE_FORCE,
    J_MUSCLE_Y,
    J_NUCLEUS_AREA,
    J_NUCLEUS_E0,
    J_NUCLEUS_K,
    J_PERMEABILITY,
    J_PERMEABILITY_STRAIN,
    J_POSTURE_BLEND,
    J_POSTURE_DAMPING,
    J_POSTURE_STIFFNESS,
    J_REST_ANGLE,
    J_SWELL_EPS,
    J_SWELL_P0,
    K_DEVICE,
    K_SITTING,
    K_UPRIGHT,
    P_ANGLE,
    P_BACKREST,
    P_FRICTION,
    P_GUARD,
    P_KIND,
    P_POSTURE,
    P_PULL,
    P_TIME,
    P_TONE,
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

#: Largest exponent evaluated in the stiffening laws; beyond it the law continues linearly,
#: so an absurd trial state in a Newton iteration cannot overflow to inf.
_EXP_CAP = 30.0

#: Atmospheric pressure (Pa): the nucleus pressure (gauge) cannot fall below its negative,
#: where the fluid's absolute pressure is zero and it cavitates (:func:`nucleus_pressure_rise`).
ATMOSPHERIC_PRESSURE = 101325.0
#: Half-width of the blend into that floor, as a fraction of the suction the nucleus can
#: take (reference pressure + atmospheric); keeps the law C1 for Newton.
CAVITATION_BLEND = 0.1

#: Guarding older than this many relaxation time constants is neglected (e^-40 ~ 4e-18).
GUARD_HORIZON = 40.0
#: Half-width of the blend from sticking to slipping, as a fraction of the friction limit:
#: slip starts at the limit and is fully developed at (1 + 2 SLIP_BLEND) x the limit, which
#: keeps the law C1 so that Newton converges through the transition.
SLIP_BLEND = 0.05
#: Floor of that blend as a fraction of the body's weight (-), for bodies off the backrest.
FRICTION_FLOOR = 1e-3


# ----------------------------------------------------------------------------- element laws
@jit
def smooth_ramp(x, w):
    """C1 approximation of ``max(0, x)`` with a parabolic blend of half-width ``w``."""
    if x <= -w:
        return 0.0
    if x >= w:
        return x
    return (x + w) * (x + w) / (4.0 * w)


@jit
def smooth_step(x, w):
    """C1 step from 0 (``x <= -w``) to 1 (``x >= w``); derivative of :func:`smooth_ramp`."""
    if x <= -w:
        return 0.0
    if x >= w:
        return 1.0
    return (x + w) / (2.0 * w)


@jit
def ligament_tension(strain, ea_toe, ea_linear, strain_transition):
    """Tension-only bilinear ligament law (N), smoothed at zero and at the transition.

    ``ea_toe`` and ``ea_linear`` are axial rigidities E*A (N) of the toe and linear regions;
    the law is ``EA1*eps`` up to ``strain_transition`` and continues with slope ``EA2``.
    Zero in compression (Table 3 of BMC Musculoskelet Disord 2010 11:151).
    """
    w = 0.1 * strain_transition
    toe = ea_toe * smooth_ramp(strain, w)
    extra = (ea_linear - ea_toe) * smooth_ramp(strain - strain_transition, w)
    return toe + extra


@jit
def nucleus_pressure_rise(e, k0, e0, suction_limit):
    """Nucleus pressure above its reference value (Pa) for volumetric mismatch ``e`` (-).

    ``e`` = fluid volume strain minus axial strain of the disc solid: positive when the disc
    holds more fluid than its height makes room for (compression), negative under suction.
    In compression the stiffness grows exponentially with scale ``e0`` (the preload
    stiffening of Gardner-Morse & Stokes 2004). Under suction it stays at the toe value
    ``k0`` down to ``-suction_limit``, where the fluid cavitates and the pressure stops
    falling (blended over ``CAVITATION_BLEND * suction_limit``; the annulus carries the
    rest of the load).
    """
    if e <= 0.0:
        blend = CAVITATION_BLEND * suction_limit
        return smooth_ramp(k0 * e + suction_limit, blend) - suction_limit
    if e0 <= 0.0:
        return k0 * e
    x = e / e0
    if x < _EXP_CAP:
        return k0 * e0 * (math.exp(x) - 1.0)
    cap = math.exp(_EXP_CAP)
    return k0 * e0 * (cap - 1.0) + k0 * cap * (e - _EXP_CAP * e0)


@jit
def nucleus_suction_limit(joint, j):
    """Most suction (Pa) the nucleus of joint ``j`` adds to its tension: its reference
    pressure plus one atmosphere, where its fluid's absolute pressure reaches zero."""
    return joint[j, J_SWELL_P0] + ATMOSPHERIC_PRESSURE


@jit
def swelling_pressure(fluid_strain, p0, eps):
    """Osmotic swelling pressure (Pa) at fluid volume strain ``fluid_strain`` (-).

    Exponential in the fluid content: dehydration concentrates the proteoglycans and raises
    the swelling pressure; ``p0`` is its value at the reference hydration (Urban & McMullin
    1988: 0.10-0.23 MPa holds post-mortem hydration).
    """
    x = -fluid_strain / eps
    if x > _EXP_CAP:
        return p0 * math.exp(_EXP_CAP) * (1.0 + x - _EXP_CAP)
    return p0 * math.exp(x)


@jit
def fluid_conductance(fluid_strain, reference, strain_exponent):
    """Fluid conductance (1/(Pa s)) at fluid volume strain ``fluid_strain`` (-).

    Exponential in the fluid content, the strain-dependent permeability of Lai & Mow 1980
    (``k = k0 exp(M e)``, ``e`` the dilatation of the solid matrix): dehydration narrows
    the pores and slows the flow. ``reference`` is the conductance at the reference
    hydration, ``strain_exponent`` is ``M``. The exponent is clipped at +-30, a guard
    against overflow in absurd Newton trial states.
    """
    x = strain_exponent * fluid_strain
    return reference * math.exp(min(max(x, -_EXP_CAP), _EXP_CAP))


# --------------------------------------------------------------------------- protocol input
@jit
def protocol_value(protocol, segment, t, column):
    """Protocol column ``column`` at time ``t``, linear within knot segment ``segment``.

    The integrator never steps across a knot, so a step inside a segment sees one smooth
    function even where the protocol jumps (duplicate knot times).
    """
    t0 = protocol[segment, P_TIME]
    t1 = protocol[segment + 1, P_TIME]
    v0 = protocol[segment, column]
    v1 = protocol[segment + 1, column]
    if t1 <= t0:
        return v1
    s = (t - t0) / (t1 - t0)
    return v0 + s * (v1 - v0)


@jit
def phase_kind(protocol, segment):
    """Phase kind code (``K_*`` in :mod:`~spinesim.core.layout`) of knot segment ``segment``;
    kinds change only between two knots at one time, so it is constant within a segment."""
    return int(protocol[segment, P_KIND])


@jit
def muscle_activation(protocol, segment, t, glob):
    """Baseline tone plus every guarding transient started at a knot at or before ``t``
    in the present stretch on the device.

    Guarding after a knot at ``t_k`` with amplitude ``a_k`` is
    ``a_k * (exp(-dt/tau) - exp(-dt/rise)) / peak``: zero at onset, peak ``a_k``, then
    relaxing with ``tau`` (EMG returns to baseline within 4-6 min of traction onset,
    Cholewicki 2009 citing Hood 1981 and Letchuman & Deusinger 1993). It guards against
    the device's load and ends when the person gets off (assumption): carried on standing
    or in bed, the guarding of a 60 s traction hold compressed the discs more than the
    sham's for 4 min after it, so the session's effect read negative and then grew.
    """
    act = protocol_value(protocol, segment, t, P_TONE)
    tau = glob[G_GUARD_TAU]
    rise = glob[G_GUARD_RISE]
    peak = 0.0
    for k in range(segment, -1, -1):
        if phase_kind(protocol, k) != K_DEVICE:
            break  # off the device, or before the present stretch on it
        dt = t - protocol[k, P_TIME]
        if dt > GUARD_HORIZON * tau:
            break  # older onsets have decayed below exp(-GUARD_HORIZON)
        amp = protocol[k, P_GUARD]
        if amp != 0.0 and dt > 0.0:
            if peak == 0.0:
                t_peak = tau * rise / (tau - rise) * math.log(tau / rise)
                peak = math.exp(-t_peak / tau) - math.exp(-t_peak / rise)
            act += amp * (math.exp(-dt / tau) - math.exp(-dt / rise)) / peak
    return act


# ------------------------------------------------------------------------------ kinematics
@jit
def body_trig(y, n_body):
    """``(n_body, 2)`` array of the cosine and sine of every body's angle."""
    cs = np.empty((n_body, 2))
    for i in range(n_body):
        phi = y[i * BLOCK + S_PHI]
        cs[i, 0] = math.cos(phi)
        cs[i, 1] = math.sin(phi)
    return cs


@jit
def body_point(y, i, cs, lx, ly):
    """World position and velocity of the point at local (lx, ly) on body ``i``, and its
    offset from the centre of mass; ``cs`` from :func:`body_trig`."""
    b = i * BLOCK
    c = cs[i, 0]
    s = cs[i, 1]
    rx = c * lx - s * ly
    ry = s * lx + c * ly
    w = y[b + S_OMEGA]
    return (
        y[b + S_X] + rx,
        y[b + S_Y] + ry,
        y[b + S_VX] - w * ry,
        y[b + S_VY] + w * rx,
        rx,
        ry,
    )


@jit
def joint_deformation(y, j, cs, joint):
    """Deformation of joint ``j`` and its rates, in the joint's mean frame.

    Returns ``(u, shear, beta, u_dot, shear_dot, beta_dot, e1x, e1y, mx, my)``: axial
    opening at the disc centre (m), shear (m), bending (rad), their rates, the unit axial
    direction and the disc centre (table frame, m).
    """
    a = j * BLOCK
    bb = (j + 1) * BLOCK
    pax, pay, vax, vay, _, _ = body_point(y, j, cs, joint[j, J_AX], joint[j, J_AY])
    pbx, pby, vbx, vby, _, _ = body_point(y, j + 1, cs, joint[j, J_BX], joint[j, J_BY])
    w_m = 0.5 * (y[a + S_OMEGA] + y[bb + S_OMEGA])
    # direction of the mean angle: the bisector of the two bodies' axes (no trigonometry)
    sum_c = cs[j, 0] + cs[j + 1, 0]
    sum_s = cs[j, 1] + cs[j + 1, 1]
    norm = math.sqrt(sum_c * sum_c + sum_s * sum_s)
    e1x = sum_c / norm
    e1y = sum_s / norm
    dx = pbx - pax
    dy = pby - pay
    dvx = vbx - vax
    dvy = vby - vay
    s = dx * e1x + dy * e1y
    t = -dx * e1y + dy * e1x
    s_dot = dvx * e1x + dvy * e1y + w_m * t
    t_dot = -dvx * e1y + dvy * e1x - w_m * s
    beta = y[bb + S_PHI] - y[a + S_PHI] - joint[j, J_REST_ANGLE]
    beta_dot = y[bb + S_OMEGA] - y[a + S_OMEGA]
    return (
        s - joint[j, J_HEIGHT],
        t,
        beta,
        s_dot,
        t_dot,
        beta_dot,
        e1x,
        e1y,
        0.5 * (pax + pbx),
        0.5 * (pay + pby),
    )


@jit
def disc_axial(u, creep, fluid, joint, j):
    """Elastic axial force of the disc (N, tension +) and nucleus pressure (Pa).

    The solid deformation ``u - creep`` loads the annulus (linear) in parallel with the
    pressurised nucleus, whose pressure follows the mismatch between its fluid content and
    the room the disc height leaves it.
    """
    h = joint[j, J_HEIGHT]
    u_solid = u - creep
    force = joint[j, J_K_AXIAL] * u_solid
    pressure = 0.0
    area_n = joint[j, J_NUCLEUS_AREA]
    if area_n > 0.0:
        rise = nucleus_pressure_rise(
            fluid - u_solid / h, joint[j, J_NUCLEUS_K], joint[j, J_NUCLEUS_E0],
            nucleus_suction_limit(joint, j),
        )  # fmt: skip
        force -= area_n * rise
        pressure = joint[j, J_SWELL_P0] + rise
    return force, pressure


@jit
def joint_posture(posture, kind, joint, j):
    """Postural control (0..1) at joint ``j``: the protocol's ``posture``, except in device
    phases at a joint that hangs below the device's holder (``J_HANGS``): a chain hanging
    under gravity returns to its hanging line by itself and needs no muscles to balance."""
    if kind == K_DEVICE and joint[j, J_HANGS] > 0.0:
        return 0.0
    return posture


@jit
def joint_loads(
    u, beta, u_dot, shear, shear_dot, beta_dot, creep, fluid, activation, posture, joint, j
):
    """All loads carried across joint ``j``.

    Returns ``(disc_force, total_axial, shear_force, moment, pressure, elastic_force)``:
    the disc's own axial force incl. damping, the total axial force across the motion
    segment (disc + ligaments + muscles), shear force, bending moment conjugate to
    ``beta``, nucleus pressure and the disc's elastic force that drives creep.
    ``activation`` scales the muscles' tone; ``posture`` (0..1) switches on postural
    control: muscle tension proportional to the deviation from the rest angle (upright).
    """
    elastic, pressure = disc_axial(u, creep, fluid, joint, j)
    disc = elastic + joint[j, J_C_AXIAL] * u_dot
    total = disc
    moment = joint[j, J_K_BEND] * beta + joint[j, J_C_BEND] * beta_dot
    for off_y, off_len, off_ea1, off_ea2, off_eps in (
        (J_LIG_ANT_Y, J_LIG_ANT_LEN, J_LIG_ANT_EA1, J_LIG_ANT_EA2, J_LIG_ANT_STRAIN),
        (J_LIG_POST_Y, J_LIG_POST_LEN, J_LIG_POST_EA1, J_LIG_POST_EA2, J_LIG_POST_STRAIN),
    ):
        length = joint[j, off_len]
        if length > 0.0:
            yl = joint[j, off_y]
            strain = (u - yl * beta) / length
            tension = ligament_tension(
                strain, joint[j, off_ea1], joint[j, off_ea2], joint[j, off_eps]
            )
            total += tension
            moment -= yl * tension
    muscle = joint[j, J_MUSCLE_FORCE] * activation
    total += muscle
    moment -= joint[j, J_MUSCLE_Y] * muscle
    lever = -joint[j, J_MUSCLE_Y]
    if posture > 0.0 and lever > 0.0:
        # upright balance: extensors (behind) resist flexion, flexors (in front, same lever
        # arm) resist extension, each pulling as needed to hold the rest angle
        stiffness = posture * joint[j, J_POSTURE_STIFFNESS]
        blend = joint[j, J_POSTURE_BLEND]
        extensors = stiffness * smooth_ramp(beta, blend) / lever
        flexors = stiffness * smooth_ramp(-beta, blend) / lever
        total += extensors + flexors
        moment += lever * (extensors - flexors) + posture * joint[j, J_POSTURE_DAMPING] * beta_dot
    shear_force = joint[j, J_K_SHEAR] * shear + joint[j, J_C_SHEAR] * shear_dot
    return disc, total, shear_force, moment, pressure, elastic


@jit
def table_side(glob):
    """+1 if the table is behind the body (supine: table frame y anterior), -1 if in front
    of it (prone). Prone is modelled as the mirror image of the physical situation: the
    body keeps its frame, the table surface (y = 0) lies on its anterior side and gravity's
    normal component points towards the table, i.e. to +y."""
    return 1.0 - 2.0 * glob[G_PRONE]


@jit
def contact_loads(y, i, cs, body, backrest, friction_factor, glob):
    """Backrest loads on body ``i``: ``(normal, friction, torque, bristle_rate, rx, ry)``.

    Normal force: unilateral spring-damper of soft tissue and padding (N, >= 0); its spring
    is :func:`contact_spring`. Torque: that of a contact spread along the body about its
    middle (N m; 0 for a point contact), elastic (:func:`contact_spring`) plus the damping
    torque ``-(c_normal l^2 / 12) omega``; none while the normal force is 0. The damping
    acts over the whole length while any of it touches (an approximation: it only shapes
    transients).
    Friction: skin and clothing deflect elastically (bristle deflection ``z``, stiffness
    ``k_tangent``) until the bristle force reaches the friction limit; beyond it they slip
    at a rate proportional to the excess (viscoplastic regularisation of Coulomb friction,
    time constant ``slip_time``). The limit falls from static to kinetic with the contact
    speed ``v`` as in the Stribeck curve of the LuGre model (Canudas de Wit et al. 1995,
    IEEE Trans Autom Control 40:419): ``N (mu_k + (mu_s - mu_k) exp(-(v / v_s)^2))``.
    ``friction_factor`` scales the friction coefficients (0 in bed, where the body shifts
    freely); a body on a free-rolling section (``free_sliding`` 1) has none. ``rx, ry``
    locate the contact point (the middle of a spread contact) from the centre of mass
    (table frame). The normal force acts along ``table_side(glob)`` x the table's y axis.
    """
    b = i * BLOCK
    _, py, vx, vy, rx, ry = body_point(y, i, cs, body[i, B_CONTACT_X], body[i, B_CONTACT_Y])
    w = glob[G_SMOOTH]
    side = table_side(glob)
    depth = -side * py
    tilt = contact_tilt(y, i, body, side)
    spring, spring_torque, deepest = contact_spring(depth, tilt, body, i, w)
    touching = smooth_step(deepest, w) * backrest
    normal = backrest * spring - touching * body[i, B_C_NORMAL] * side * vy
    torque = 0.0
    if normal < 0.0:
        normal = 0.0
    else:
        length = body[i, B_CONTACT_LENGTH]
        torque = (
            backrest * spring_torque
            - touching * body[i, B_C_NORMAL] * (length * length / 12.0) * y[b + S_OMEGA]
        )
    k = body[i, B_K_TANGENT]
    if k == 0.0:  # frictionless contact (or none)
        return normal, 0.0, torque, 0.0, rx, ry
    bristle = k * y[b + S_BRISTLE]
    limit = 0.0
    friction_factor *= 1.0 - body[i, B_FREE_SLIDING]
    if normal > 0.0 and friction_factor > 0.0:
        ratio = vx / glob[G_STRIBECK_VELOCITY]
        mu_s = glob[G_MU_STATIC]
        mu_k = glob[G_MU_KINETIC]
        limit = friction_factor * normal * (mu_k + (mu_s - mu_k) * math.exp(-ratio * ratio))
    blend = SLIP_BLEND * limit + FRICTION_FLOOR * body[i, B_MASS] * glob[G_GRAVITY]
    # slip starts exactly at the limit and blends in over 2 * blend: odd in the bristle force
    # and zero below the limit, also where the limit vanishes (body off the backrest)
    excess = smooth_ramp(abs(bristle) - limit - blend, blend)
    rate = vx - math.copysign(excess, bristle) / (k * glob[G_SLIP_TIME])
    friction = -touching * (bristle + body[i, B_C_TANGENT] * rate)
    return normal, friction, torque, rate, rx, ry


@jit
def contact_tilt(y, i, body, side):
    """Tilt (rad) of body ``i`` from lying flat on its contact: its angle less
    ``contact_flat_angle``, the angle at which a spread contact touches evenly (mirrored
    prone)."""
    return y[i * BLOCK + S_PHI] - side * body[i, B_CONTACT_FLAT_ANGLE]


@jit
def contact_spring(depth, tilt, body, i, w):
    """Elastic normal force (N) and torque (N m) of body ``i``'s contact, and the depth (m)
    of its deepest point, at the depth ``depth`` of its contact point and the tilt ``tilt``.

    A point contact (``contact_length`` 0) is a unilateral spring ``k_normal``, blended in
    over the smoothing half-width ``w``; it has no torque.

    A contact spread over the length ``l`` along the body (the legs on their length) is a
    Winkler foundation under a rigid body: stiffness ``k_n / l`` per unit length, depth
    ``depth`` at the middle and, for small tilts, ``depth - s tilt`` at ``s`` along the body
    (mirrored prone). While the whole length touches (``depth >= a``, ``a = l |tilt| / 2``)
    the force is ``k_n depth`` and the torque ``-(k_n l^2 / 12) tilt``. Once an end lifts
    off (``|depth| < a``) a length ``c = depth / |tilt| + l / 2`` from the deeper end
    carries ``k_n |tilt| c^2 / (2 l)``, its centre ``l / 2 - c / 3`` from the middle; the
    torque is the force times that, against the tilt. The branches meet with equal
    slopes, and the force falls to zero with zero slope as the body lifts off.
    """
    k_n = body[i, B_K_NORMAL]
    length = body[i, B_CONTACT_LENGTH]
    if length == 0.0:
        return k_n * smooth_ramp(depth, w), 0.0, depth
    half_span = 0.5 * length * abs(tilt)
    if depth >= half_span:
        return k_n * depth, -k_n * length * length / 12.0 * tilt, depth + half_span
    if depth <= -half_span:
        return 0.0, 0.0, depth + half_span
    carrying = depth / abs(tilt) + 0.5 * length
    force = k_n * abs(tilt) * carrying * carrying / (2.0 * length)
    torque = -math.copysign(force * (0.5 * length - carrying / 3.0), tilt)
    return force, torque, depth + half_span


@jit
def anchor_loads(y, i, cs, body, kind):
    """Force (x, y) and torque of the anchor on body ``i`` in a phase of kind ``kind``.

    A translational spring-damper pins the body's anchor point to the device or the ground
    (if ``anchor_k > 0``) and a rotational one holds its angle (if ``anchor_k_rot > 0``);
    both act only in phases of the kinds where the anchor is not released.
    """
    b = i * BLOCK
    fx = fy = torque = 0.0
    if body[i, B_RELEASE_DEVICE + kind] > 0.0:
        return fx, fy, torque
    k = body[i, B_ANCHOR_K]
    if k > 0.0:
        px, py, vx, vy, rx, ry = body_point(y, i, cs, body[i, B_ANCHOR_LX], body[i, B_ANCHOR_LY])
        c = body[i, B_ANCHOR_C]
        fx = -k * (px - body[i, B_ANCHOR_X]) - c * vx
        fy = 0.0 if is_seat(body, i, kind) else -k * (py - body[i, B_ANCHOR_Y]) - c * vy
        torque = rx * fy - ry * fx
    k_rot, c_rot = rotational_holder(body, i, kind)
    torque -= k_rot * (y[b + S_PHI] - body[i, B_ANCHOR_PHI])
    torque -= c_rot * y[b + S_OMEGA]
    return fx, fy, torque


@jit
def is_seat(body, i, kind):
    """Whether body ``i``'s holder is a seat in a phase of kind ``kind`` (``B_SEAT``,
    sitting): it carries the body only along the table (the spine), holding it neither
    normal to the table (y) nor in its tilt."""
    return kind == K_SITTING and body[i, B_SEAT] > 0.0


@jit
def hand_force(body, i, kind, gx):
    """Force (N) of the hands on body ``i`` along the table in a phase of kind ``kind``: on
    a device they carry the weight of ``B_SUPPORT_MASS`` along the table (gravity's
    component ``gx``, m/s^2), none of it normal to the table, which a hanging body does not
    load and which a guide carries on the ramps (``Device.support``)."""
    if kind != K_DEVICE:
        return 0.0
    return -body[i, B_SUPPORT_MASS] * gx


@jit
def on_feet(kind):
    """True for a phase of kind ``kind`` in which the body stands or sits on its feet
    (upright or sitting; ``device.UPRIGHT_KINDS``)."""
    return kind == K_UPRIGHT or kind == K_SITTING


@jit
def rotational_holder(body, i, kind):
    """Rotational stiffness and damping of body ``i``'s holder in a phase of kind ``kind``:
    upright and sitting, those of the feet (``B_FEET_*``) where they are stiffer; none of a
    seat (``B_SEAT``), on which the pelvis tilts freely."""
    if is_seat(body, i, kind):
        return 0.0, 0.0
    if on_feet(kind) and body[i, B_FEET_K_ROT] > body[i, B_ANCHOR_K_ROT]:
        return body[i, B_FEET_K_ROT], body[i, B_FEET_C_ROT]
    return body[i, B_ANCHOR_K_ROT], body[i, B_ANCHOR_C_ROT]


# -------------------------------------------------------------------------------- the RHS
@jit
def rhs(t, y, segment, body, joint, glob, protocol, dy):
    """Time derivative ``dy`` of state ``y`` at time ``t`` (in protocol segment ``segment``).

    The table frame is treated as inertial: gravity turns with the inversion angle, the
    fictitious forces of the tilting itself are neglected (centrifugal 1.5 m from the pivot:
    0.17 % of g at 6 deg/s, 0.4 % at 9 deg/s; docs/model.md §2.1).
    """
    n_body = body.shape[0]
    theta = protocol_value(protocol, segment, t, P_ANGLE)
    backrest = protocol_value(protocol, segment, t, P_BACKREST)
    activation = muscle_activation(protocol, segment, t, glob)
    posture = protocol_value(protocol, segment, t, P_POSTURE)
    friction_factor = protocol_value(protocol, segment, t, P_FRICTION)
    kind = phase_kind(protocol, segment)
    pull = protocol_value(protocol, segment, t, P_PULL)
    g = glob[G_GRAVITY]
    side = table_side(glob)
    gx = g * math.sin(theta)
    gy = -side * g * math.cos(theta)
    cs = body_trig(y, n_body)

    for i in range(n_body):
        b = i * BLOCK
        m = body[i, B_MASS]
        dy[b + S_X] = y[b + S_VX]
        dy[b + S_Y] = y[b + S_VY]
        dy[b + S_PHI] = y[b + S_OMEGA]
        normal, friction, contact_torque, bristle_rate, rx, ry = contact_loads(
            y, i, cs, body, backrest, friction_factor, glob
        )
        ax, ay, at = anchor_loads(y, i, cs, body, kind)
        fx = m * gx + hand_force(body, i, kind, gx) + friction + ax
        fx += body[i, B_PULL_SHARE] * pull
        fy = m * gy + side * (normal + body[i, B_PULL_LIFT] * pull) + ay
        dy[b + S_VX] = fx
        dy[b + S_VY] = fy
        dy[b + S_OMEGA] = rx * side * normal - ry * friction + contact_torque + at
        dy[b + S_BRISTLE] = bristle_rate
        dy[b + S_CREEP] = 0.0
        dy[b + S_FLUID] = 0.0

    for j in range(n_body - 1):
        a = j * BLOCK
        bb = (j + 1) * BLOCK
        u, shear, beta, u_dot, shear_dot, beta_dot, e1x, e1y, mx, my = joint_deformation(
            y, j, cs, joint
        )
        creep = y[a + S_CREEP]
        fluid = y[a + S_FLUID]
        _, total, shear_force, moment, pressure, elastic = joint_loads(
            u, beta, u_dot, shear, shear_dot, beta_dot, creep, fluid, activation,
            joint_posture(posture, kind, joint, j), joint, j,
        )  # fmt: skip
        # force on the cranial body b at the disc centre; the caudal body gets the opposite
        fbx = -total * e1x + shear_force * e1y
        fby = -total * e1y - shear_force * e1x
        dy[bb + S_VX] += fbx
        dy[bb + S_VY] += fby
        dy[a + S_VX] -= fbx
        dy[a + S_VY] -= fby
        rbx = mx - y[bb + S_X]
        rby = my - y[bb + S_Y]
        rax = mx - y[a + S_X]
        ray = my - y[a + S_Y]
        dy[bb + S_OMEGA] += rbx * fby - rby * fbx - moment
        dy[a + S_OMEGA] += -(rax * fby - ray * fbx) + moment
        c_creep = joint[j, J_C_CREEP]
        if c_creep > 0.0:
            dy[a + S_CREEP] = (elastic - joint[j, J_K_CREEP] * creep) / c_creep
        if joint[j, J_PERMEABILITY] > 0.0:
            conductance = fluid_conductance(
                fluid, joint[j, J_PERMEABILITY], joint[j, J_PERMEABILITY_STRAIN]
            )
            swell = swelling_pressure(fluid, joint[j, J_SWELL_P0], joint[j, J_SWELL_EPS])
            dy[a + S_FLUID] = conductance * (swell - pressure)

    for i in range(n_body):
        b = i * BLOCK
        dy[b + S_VX] /= body[i, B_MASS]
        dy[b + S_VY] /= body[i, B_MASS]
        dy[b + S_OMEGA] /= body[i, B_INERTIA]
