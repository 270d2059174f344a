"""Adaptive, error-controlled TR-BDF2 integrator; the whole time loop is compiled.

TR-BDF2 (Bank et al. 1985; Hosea & Shampine 1996, Appl Numer Math 20:21-37) is a
one-step, second-order, L-stable ESDIRK method with ``gamma = 2 - sqrt(2)``: a trapezoidal
stage to ``t + gamma h`` followed by a BDF2 stage to ``t + h``. Both stages solve with the
same iteration matrix ``M = I - d h J`` (``d = gamma / 2``), so one block-tridiagonal
factorisation serves a whole step; its linear systems are condensed onto the velocities
and internal states (``core/iteration_matrix.py``: 6x6 instead of 9x9 blocks, a
factorisation 23 -> 7.4 us, a solve 3.4 -> 2.4 us on the full spine). L-stability damps
the stiff, physically irrelevant modes (disc axial vibration at ~100 Hz) instead of
tracking them, so steps grow to seconds-to-minutes in slow phases. The embedded error
estimate is filtered through ``M^-1`` (Shampine's device) so that it stays bounded for
stiff components.

Newton starts each stage from states, not derivatives: the trapezoidal stage from the
previous step's interpolant extrapolated to the stage time (from the step's start at a
protocol knot, where the inputs have a kink), the BDF2 stage from the quadratic through
the previous step's start, this step's start and the trapezoidal stage (the line through
the last two at a knot; quadratic against linear: 10-minute session at rtol 1e-6, 1828 ->
1687 right-hand sides, 12.6 -> 11.8 ms). For stiff components a
derivative-based predictor lands far from the solution at large steps. Newton may stop
after its first iteration when the contraction rate last observed with the same
iteration matrix shows that the remaining error is below its tolerance (Hairer & Wanner
1996, Solving ODEs II, sec. IV.8). The iteration matrix is refactorised only when ``h``
leaves ``[REUSE_LOW, REUSE_HIGH]`` times the step size it was built for (simplified
Newton converges to the same solution). The trapezoidal stage's derivative is taken from
its stage equation, ``(z - base) / (d h)``, instead of a new evaluation; the BDF2
stage's, which the error estimate, the next step and its Jacobian lean on, is evaluated
(deriving both lets Newton's residual into the error control: 4x the global error in a
test against Radau).

The Jacobian is analytic (``core/jacobian.py``; 19 us on the full spine, the cost of about 6.5
right-hand sides (docs/performance.md), against 27 right-hand sides for coloured finite
differences) and reused across steps while Newton
contracts fast (rate below ``JACOBIAN_REFRESH_RATE``); after a slow step, or when Newton
stalls, it is re-evaluated at the step's start, and if Newton still stalls the step is
cut to a quarter and later steps are kept below half the failed size until the cap
relaxes (contact and friction laws are piecewise smooth, so a step can be limited by
Newton, not by accuracy). For the same reason a step within a ramp of the protocol's
angle or pull spans at most ``1 / RAMP_STEPS`` of it (of a ramp of ``RAMP_FULL_ANGLE`` or
``RAMP_FULL_PULL`` at least; proportionally fewer forced steps for smaller changes). Where
the protocol jumps (two knots at one time: the support, posture or anchors change) the
Jacobian is re-evaluated and the step restarts from at most ``h_init`` (or ten times the
smallest step at that time; a typical day with an inversion: 22 -> 6 Newton failures).

After an accepted step the next one changes by the smaller of the error-per-step factor
and Gustafsson's predictive factor (Gustafsson 1994, ACM TOMS 20:496; Hairer & Wanner
1996, sec. IV.8), which also weighs how the error changed with the last change of step
size (within a protocol segment, and by at least ``SHRINK_MIN``): without it a long,
lightly damped chain (192 bodies, 10-minute hang) had its every growth rejected through
the hold, 6,324 steps instead of 358.
"""

from __future__ import annotations

import math

import numpy as np

from spinesim._numba import jit
from spinesim.core import iteration_matrix
from spinesim.core.jacobian import analytic
from spinesim.core.layout import (
    BLOCK,
    CAUSE_NEWTON_STALLED,
    CAUSE_NONFINITE_TRIAL,
    CAUSE_SINGULAR_MATRIX,
    CONDENSED,
    MAX_STEPS,
    NONFINITE,
    OK,
    P_ANGLE,
    P_PULL,
    P_TIME,
    STAT_BLOCK_SOLVES,
    STAT_FACTORIZATIONS,
    STAT_JACOBIANS,
    STAT_LAST_CAUSE,
    STAT_NEWTON_FAILURES,
    STAT_REJECTED,
    STAT_RHS,
    STAT_STEPS,
    STAT_T_FAIL,
    STEP_TOO_SMALL,
)
from spinesim.core.mechanics import rhs

GAMMA = 2.0 - math.sqrt(2.0)
D = GAMMA / 2.0
W = math.sqrt(2.0) / 4.0
E0 = (4.0 * W - 1.0) / 3.0
E1 = -1.0 / 3.0
E2 = 2.0 * D / 3.0

NEWTON_MAX_ITER = 7
# Newton stops when the weighted update norm, extrapolated by the contraction rate, is
# below NEWTON_TOL (error units); at 0.05 Newton's error reached the global error (4x
# against Radau at default tolerances in tests/test_solver.py)
NEWTON_TOL = 0.02
SAFETY = 0.9
GROW_MAX = 4.0
SHRINK_MIN = 0.2
REUSE_LOW = 0.8  # the iteration matrix of step size h0 serves steps in
REUSE_HIGH = 1.25  # [REUSE_LOW h0, REUSE_HIGH h0] (simplified Newton)
NEWTON_CAP = 0.5  # after Newton fails at h, later steps stay below NEWTON_CAP * h ...
NEWTON_CAP_RELAX = 1.5  # ... a cap that relaxes by this factor per accepted step
# While the protocol ramps the angle or the pull, a step spans at most 1/RAMP_STEPS of the
# ramp: the contact and friction laws pass their kinks as the load changes, and longer
# steps are limited by Newton, not by accuracy (10-minute session at default tolerances:
# 34 -> 5 Newton failures, 10.0 -> 6.9 ms, error against Radau 5.0 -> 3.8 um)
RAMP_STEPS = 40
# ... of a ramp that changes the angle by RAMP_FULL_ANGLE or the pull by RAMP_FULL_PULL at
# least; a smaller change (a sample of a recorded trace, a ripple) passes fewer kinks and
# takes proportionally fewer forced steps, at least one (a trace sampled at 10 Hz with 0.3
# deg of noise had 40 steps per sample and exhausted max_steps in 8 minutes)
RAMP_FULL_ANGLE = math.radians(10.0)
RAMP_FULL_PULL = 50.0  # N
# After an accepted step whose Newton iterations contracted more slowly than this, the
# Jacobian is re-evaluated at the next step's start instead of waiting for Newton to stall
# (Hairer & Wanner 1996, sec. IV.8). With the finite-difference Jacobian (27 right-hand
# sides) 0.3 was best; the analytic one costs about 7, and at 0.1 the 10-minute session takes
# 14.4 -> 12.7 ms at rtol 1e-6 and 4.0 -> 3.8 ms at default tolerances (0.05: no better)
JACOBIAN_REFRESH_RATE = 0.1
# A step below max(MIN_STEP_S, MIN_STEP_ULPS units in the last place of t) fails the
# integration: t + h would no longer resolve the step (times run from the session start,
# hours of preceding phases reach |t| ~ 1e5 s)
MIN_STEP_S = 1e-10
MIN_STEP_ULPS = 100.0
EPS = float(np.finfo(np.float64).eps)


@jit
def min_step(t):
    """Smallest step size (s) the integrator takes at time ``t``."""
    return max(MIN_STEP_S, MIN_STEP_ULPS * EPS * abs(t))


@jit
def weighted_rms(v, y_a, y_b, rtol, atol):
    """RMS norm of ``v`` weighted by ``atol + rtol * max(|y_a|, |y_b|)`` per component."""
    s = 0.0
    n = v.shape[0]
    for k in range(n):
        scale = atol[k] + rtol * max(abs(y_a[k]), abs(y_b[k]))
        q = v[k] / scale
        s += q * q
    return math.sqrt(s / n)


@jit
def newton_stage(
    t, z, base, hd, segment, body, joint, glob, protocol, rtol, atol, matrix, f, res, stats,
    evaluate, contraction,
):  # fmt: skip
    """Solve ``z - hd f(t, z) = base`` by simplified Newton; ``z`` holds the predictor.

    ``matrix`` is the factorised iteration matrix: the arguments of
    :func:`spinesim.core.iteration_matrix.solve` after the right-hand side.

    ``contraction[0]`` is the last observed contraction rate of the iterations with this
    iteration matrix (1 when none was observed); it is updated here. On success ``f``
    holds the stage derivative: ``f(t, z)`` if ``evaluate``, else ``(z - base) / hd``
    (``f(t, z)`` up to Newton's residual). Returns 0 (converged),
    ``CAUSE_NEWTON_STALLED`` (slow or diverging) or ``CAUSE_NONFINITE_TRIAL``.
    """
    n = z.shape[0]
    previous = 0.0
    converged = False
    for it in range(NEWTON_MAX_ITER):
        rhs(t, z, segment, body, joint, glob, protocol, f)
        stats[STAT_RHS] += 1
        for k in range(n):
            res[k] = base[k] + hd * f[k] - z[k]
        iteration_matrix.solve(res, *matrix)
        stats[STAT_BLOCK_SOLVES] += 1
        size = weighted_rms(res, z, z, rtol, atol)
        if not np.isfinite(size):
            return CAUSE_NONFINITE_TRIAL
        for k in range(n):
            z[k] += res[k]
        if it == 0:
            # the rate last seen with this matrix bounds the error left after one iteration
            rate = contraction[0]
            left = rate / (1.0 - rate) * size if rate < 1.0 else np.inf
            if size <= 0.1 * NEWTON_TOL or left <= NEWTON_TOL:
                converged = True
                break
        else:
            rate = size / previous
            contraction[0] = rate
            if rate >= 0.9:
                return CAUSE_NEWTON_STALLED
            if rate / (1.0 - rate) * size <= NEWTON_TOL:
                converged = True
                break
        previous = size
    if not converged:
        return CAUSE_NEWTON_STALLED
    if evaluate:
        rhs(t, z, segment, body, joint, glob, protocol, f)
        stats[STAT_RHS] += 1
    else:
        # the stage derivative from the stage equation, without an evaluation: its uses are
        # multiplied by h, so Newton's residual error is not amplified at small steps
        for k in range(n):
            f[k] = (z[k] - base[k]) / hd
    for k in range(n):
        if not np.isfinite(f[k]):
            return CAUSE_NONFINITE_TRIAL
    return 0


@jit
def dense_output(t, t0, h, y0, y_stage, y1, out):
    """Quadratic interpolation through the step's states at ``t0``, ``t0 + gamma h`` and
    ``t0 + h``; it uses no derivatives, which for stiff components can be far off the
    solution within a step."""
    s = (t - t0) / h
    l0 = (s - GAMMA) * (s - 1.0) / GAMMA
    lg = s * (s - 1.0) / (GAMMA * (GAMMA - 1.0))
    l1 = s * (s - GAMMA) / (1.0 - GAMMA)
    for k in range(out.shape[0]):
        out[k] = l0 * y0[k] + lg * y_stage[k] + l1 * y1[k]


@jit
def extrapolate(h_back, tau_b, tau, y_a, y_0, y_b, out):
    """Quadratic through ``y_a`` at ``-h_back``, ``y_0`` at 0 and ``y_b`` at ``tau_b``
    (times relative to ``y_0``'s), evaluated at ``tau``."""
    l_a = tau * (tau - tau_b) / (h_back * (h_back + tau_b))
    l_0 = -(tau + h_back) * (tau - tau_b) / (h_back * tau_b)
    l_b = (tau + h_back) * tau / ((tau_b + h_back) * tau_b)
    for k in range(out.shape[0]):
        out[k] = l_a * y_a[k] + l_0 * y_0[k] + l_b * y_b[k]


@jit
def integrate(
    y_init, body, joint, glob, protocol, save_times, rtol, atol, h_init, h_max, max_steps,
    y_out, stats,
):  # fmt: skip
    """Integrate from the first to the last protocol knot; returns a status code.

    ``y_out[k]`` receives the state at ``save_times[k]`` (sorted, inside the protocol span).
    ``stats`` (see ``STAT_*``) is filled in place; on failure ``stats[STAT_T_FAIL]`` holds
    the simulated time at which the solver gave up.
    """
    return integrate_span(
        y_init, body, joint, glob, protocol, protocol[0, P_TIME], protocol[-1, P_TIME],
        save_times, rtol, atol, h_init, h_max, max_steps, y_out, stats,
    )  # fmt: skip


@jit
def integrate_span(
    y_init, body, joint, glob, protocol, t_start, t_stop, save_times, rtol, atol, h_init,
    h_max, max_steps, y_out, stats,
):  # fmt: skip
    """:func:`integrate` from ``t_start`` to ``t_stop`` (both within the protocol span):
    the protocol's earlier knots still count (e.g. guarding started before ``t_start``)."""
    n = y_init.shape[0]
    n_blk = n // BLOCK
    m = BLOCK
    y = y_init.copy()
    y_new = np.empty(n)
    z = np.empty(n)
    y_stage = np.empty(n)
    f0 = np.empty(n)
    f1 = np.empty(n)
    f2 = np.empty(n)
    base = np.empty(n)
    res = np.empty(n)
    err = np.empty(n)
    jl = np.zeros((n_blk, m, m))
    jd = np.zeros((n_blk, m, m))
    ju = np.zeros((n_blk, m, m))
    # the iteration matrix, condensed onto the velocities and internal states
    mc = CONDENSED
    ml = np.zeros((n_blk, mc, mc))
    md = np.zeros((n_blk, mc, mc))
    mu = np.zeros((n_blk, mc, mc))
    lu = np.zeros((n_blk, mc, mc))
    wblk = np.zeros((n_blk, mc, mc))
    piv = np.zeros((n_blk, mc), dtype=np.int64)
    pattern = np.zeros((n_blk, 2, mc), dtype=np.bool_)
    col = np.empty(mc)
    condensed = np.empty(n_blk * mc)
    contraction = np.ones(1)
    # the previous accepted step (size h_prev, ending at t; start and stage states) for both
    # stages' predictors; none at a protocol knot
    y_prev = np.empty(n)
    y_stage_prev = np.empty(n)
    h_prev = 0.0
    have_prev = False
    for k in range(stats.shape[0]):
        stats[k] = 0.0

    n_save = save_times.shape[0]
    next_save = 0
    t = t_start
    while next_save < n_save and save_times[next_save] <= t:
        y_out[next_save, :] = y
        next_save += 1

    h = max(h_init, 10.0 * min_step(t))
    h_newton = np.inf
    h_accepted = 0.0  # the last accepted step not cut to a knot (0: none in this segment)
    error_accepted = 1.0
    have_jac = False
    jac_current = False
    factor_h = -1.0
    n_segments = protocol.shape[0] - 1
    for segment in range(n_segments):
        t_end = min(protocol[segment + 1, P_TIME], t_stop)
        if t_end <= t:
            continue
        knot, next_knot = protocol[segment], protocol[segment + 1]
        change = abs(next_knot[P_ANGLE] - knot[P_ANGLE]) / RAMP_FULL_ANGLE
        change += abs(next_knot[P_PULL] - knot[P_PULL]) / RAMP_FULL_PULL
        h_segment = h_max
        if change > 0.0:
            forced = max(1.0, RAMP_STEPS * min(1.0, change))
            h_segment = min(h_max, (next_knot[P_TIME] - knot[P_TIME]) / forced)
        rhs(t, y, segment, body, joint, glob, protocol, f0)
        stats[STAT_RHS] += 1
        if not np.all(np.isfinite(f0)):
            stats[STAT_T_FAIL] = t
            return NONFINITE
        have_prev = False
        h_accepted = 0.0  # no step-size prediction across a knot
        if segment > 0 and knot[P_TIME] == protocol[segment - 1, P_TIME]:
            # the protocol jumps here (support, posture or anchors change): what was learnt
            # about the old equations (Jacobian, Newton's rate, step size) does not carry over
            have_jac = False
            h = min(h, max(h_init, 10.0 * min_step(t)))
        while t < t_end:
            if stats[STAT_STEPS] + stats[STAT_REJECTED] >= max_steps:
                stats[STAT_T_FAIL] = t
                return MAX_STEPS
            h = min(h, h_segment)
            h_free = h
            last = False
            remaining = t_end - t
            if h >= remaining * (1.0 - 1e-12):
                h = remaining
                last = True
            elif h > 0.5 * remaining:
                h = 0.5 * remaining  # two even steps rather than a sliver before the knot
            if h < min_step(t) and not last:
                stats[STAT_T_FAIL] = t
                return STEP_TOO_SMALL
            if not have_jac:
                analytic(t, y, segment, body, joint, glob, protocol, jl, jd, ju)
                stats[STAT_JACOBIANS] += 1
                have_jac = True
                jac_current = True
                factor_h = -1.0
                contraction[0] = 1.0
            code = 0
            if not (REUSE_LOW * factor_h <= h <= REUSE_HIGH * factor_h):
                stats[STAT_FACTORIZATIONS] += 1
                factor_h = h
                contraction[0] = 1.0
                if not iteration_matrix.factor(
                    D * h, jl, jd, ju, ml, md, mu, lu, piv, wblk, col, pattern
                ):
                    code = CAUSE_SINGULAR_MATRIX
                    factor_h = -1.0
            matrix = (D * factor_h, jl, jd, ju, ml, lu, piv, wblk, pattern, condensed)

            # stage 1: trapezoidal rule to t + gamma h; stage 2: BDF2 to t + h
            for stage in range(2):
                if code != 0:
                    break
                if stage == 0:
                    t_stage = t + GAMMA * h
                    for k in range(n):
                        base[k] = y[k] + D * h * f0[k]
                    if have_prev:
                        dense_output(t_stage, t - h_prev, h_prev, y_prev, y_stage_prev, y, z)
                    else:
                        z[:] = y
                    f_stage = f1
                else:
                    t_stage = t + h
                    y_stage[:] = z
                    for k in range(n):
                        base[k] = y[k] + W * h * (f0[k] + f1[k])
                    if have_prev:
                        extrapolate(h_prev, GAMMA * h, h, y_prev, y, y_stage, z)
                    else:
                        for k in range(n):
                            z[k] = y[k] + (y_stage[k] - y[k]) / GAMMA
                    f_stage = f2
                code = newton_stage(
                    t_stage, z, base, D * h, segment, body, joint, glob, protocol,
                    rtol, atol, matrix, f_stage, res, stats, stage == 1, contraction,
                )  # fmt: skip
            if code != 0:
                stats[STAT_NEWTON_FAILURES] += 1
                stats[STAT_LAST_CAUSE] = code
                if code == CAUSE_NEWTON_STALLED and not jac_current:
                    have_jac = False  # re-linearise at the step's start
                else:
                    # Newton, not accuracy, limits this step: do not grow straight back
                    h_newton = NEWTON_CAP * h
                    h *= 0.25
                    if not jac_current or code != CAUSE_NEWTON_STALLED:
                        have_jac = False
                continue
            y_new[:] = z

            for k in range(n):
                err[k] = h * (E0 * f0[k] + E1 * f1[k] + E2 * f2[k])
            iteration_matrix.solve(err, *matrix)
            stats[STAT_BLOCK_SOLVES] += 1
            error = weighted_rms(err, y, y_new, rtol, atol)
            if not np.isfinite(error):
                error = 1e6
            if error > 1.0:
                stats[STAT_REJECTED] += 1
                h *= max(SHRINK_MIN, SAFETY * error ** (-1.0 / 3.0))
                continue

            # accepted
            stats[STAT_STEPS] += 1
            t_new = t_end if last else t + h
            while next_save < n_save and save_times[next_save] <= t_new:
                dense_output(save_times[next_save], t, h, y, y_stage, y_new, y_out[next_save])
                next_save += 1
            h_prev = h
            y_prev[:] = y
            y_stage_prev[:] = y_stage
            have_prev = True
            t = t_new
            y[:] = y_new
            f0[:] = f2
            jac_current = False
            if contraction[0] > JACOBIAN_REFRESH_RATE:
                have_jac = False
            grow = GROW_MAX if error == 0.0 else min(GROW_MAX, SAFETY * error ** (-1.0 / 3.0))
            clipped = h != h_free  # cut to end on a knot or halved before one
            if h_accepted > 0.0 and error > 0.0 and not clipped:
                # Gustafsson's predictive controller (Hairer & Wanner IV.8): the smaller
                # of its factor and the error-per-step one
                predicted = grow * (h / h_accepted) * (error_accepted / error) ** (1.0 / 3.0)
                grow = max(min(grow, predicted), SHRINK_MIN)
            h_accepted = 0.0 if clipped else h
            error_accepted = max(error, 1e-4)  # a near-exact step predicts no runaway growth
            if grow > 1.2 or grow < 1.0:
                h *= grow
            if last:
                h = max(h, h_free)
            h = min(h, h_newton)
            h_newton *= NEWTON_CAP_RELAX
    while next_save < n_save:
        y_out[next_save, :] = y
        next_save += 1
    return OK
