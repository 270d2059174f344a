"""Many sessions in one compiled call: the kernel behind ``simulate`` and ``sweep``.

Each case is one session: a model (an index into stacked model arrays), its protocol
knots and its saved times. Cases run in parallel (``prange``, one case per thread at a
time) through the same :func:`~spinesim.core.integrator.integrate_span` and
:func:`~spinesim.core.observables.observe` kernels; per case the kernel keeps

* the per-level summaries of :data:`SUMMARY_COLUMNS` and the global ones of
  :data:`GLOBAL_SUMMARY_COLUMNS` (SI units),
* the observables at selected saved times (the time series a caller asked for),
* the final state, the solver status and statistics.

Ragged inputs are flat arrays with start offsets: case ``c`` uses
``knots[knot_start[c]:knot_start[c + 1]]`` and ``save_times[save_start[c]:save_start[c + 1]]``.
A failed case keeps its status and statistics (``STAT_T_FAIL``); its outputs are left as
the caller initialised them (NaN) and the other cases go on. A case fails also where its
outputs are not finite or a disc's middle height reaches zero at a saved time
(``DISC_COLLAPSED``): impossible states are not handed back as results.
"""

from __future__ import annotations

import numpy as np

from spinesim._numba import jit, jit_parallel, prange
from spinesim.core.holders import lies_down, place_on_support, starting_holders, strap_on
from spinesim.core.integrator import integrate_span
from spinesim.core.layout import (
    DISC_COLLAPSED,
    J_HEIGHT,
    J_NUCLEUS_AREA,
    NONFINITE_OUTPUT,
    OK,
    P_KIND,
    P_TIME,
    STAT_LAST_CAUSE,
    STAT_REJECTED,
    STAT_STEPS,
    STAT_T_FAIL,
)
from spinesim.core.observables import (
    N_BODY_OUT,
    N_GLOBAL_OUT,
    N_JOINT_OUT,
    O_DISC_FORCE,
    O_FLUID,
    O_GAP_ANTERIOR,
    O_GAP_MIDDLE,
    O_GAP_POSTERIOR,
    O_PRESSURE,
    O_SEGMENT_FORCE,
    observe,
)

# per-level summary columns (SI; changes relative to the first saved time, t = 0)
SUM_FORCE_END = 0  # N, disc axial force at the end of the hold (tension +)
SUM_FORCE_PEAK = 1  # N, disc axial force's extreme up to the end of the hold, the way the
#   session loads the spine (largest for sense +1, smallest for -1; peak())
SUM_SEGMENT_FORCE_END = 2  # N, axial force across the whole motion segment, end of hold
SUM_GAP_ANTERIOR_END = 3  # m, anterior disc-space change at the end of the hold
SUM_GAP_MIDDLE_END = 4  # m
SUM_GAP_POSTERIOR_END = 5  # m
SUM_GAP_PEAK = 6  # m, middle disc-space change's extreme, as SUM_FORCE_PEAK
SUM_GAP_FINAL = 7  # m, middle disc-space change at the session end
SUM_RISE_TIME = 8  # s, first time the middle change reaches 90 % of its end-of-hold value
SUM_PRESSURE_END = 9  # Pa, nucleus pressure at the end of the hold
SUM_PRESSURE_MIN = 10  # Pa, lowest nucleus pressure over the session
SUM_FLUID_END = 11  # -, fluid volume change / disc volume at the end of the hold
N_SUM = 12

# global summary columns
SUM_LENGTH_END = 0  # m, spine length change at the end of the hold
SUM_LENGTH_PEAK = 1  # m, spine length change's extreme, as SUM_FORCE_PEAK
SUM_LENGTH_FINAL = 2  # m, spine length change at the session end
N_SUM_GLOBAL = 3

#: Fraction of the end-of-hold change that defines the rise time.
RISE_FRACTION = 0.9


@jit
def rise_time(times, change, hold):
    """Time (s) from ``times[0]`` until ``change`` first reaches :data:`RISE_FRACTION` of
    its value at ``hold`` (away from zero, whatever its sign; ``hold`` itself meets it),
    interpolated linearly from the saved time before."""
    target = RISE_FRACTION * change[hold]
    sense = 1.0 if target >= 0.0 else -1.0
    for k in range(hold + 1):
        if sense * (change[k] - target) >= 0.0:
            if k == 0:
                return 0.0
            share = (target - change[k - 1]) / (change[k] - change[k - 1])
            return times[k - 1] + share * (times[k] - times[k - 1]) - times[0]
    return np.nan  # not reached: only for a change that is not finite


@jit
def peak(values, hold, sense):
    """The extreme of ``values`` from the start to the end of the hold (index ``hold``),
    the way the session loads the spine: the largest (``sense`` +1: a head-down tilt or a
    pull, the most tension or opening) or the smallest (-1: a head-up tilt, the most
    compression or closing)."""
    if sense > 0.0:
        return values[: hold + 1].max()
    return values[: hold + 1].min()


@jit
def summarize(times, joint_out, hold, sense, levels, spinal, level_summary, global_summary):
    """Fill the per-level ``(n_level, N_SUM)`` and global ``(N_SUM_GLOBAL,)``
    summaries from the observables of one case; ``hold`` indexes the end of the hold,
    ``sense`` says which way the peaks look (:func:`peak`)."""
    n_t = times.shape[0]
    last = n_t - 1
    change = np.empty(n_t)
    for q in range(levels.shape[0]):
        j = levels[q]
        out = level_summary[q]
        base = joint_out[0, j]
        end = joint_out[hold, j]
        out[SUM_FORCE_END] = end[O_DISC_FORCE]
        out[SUM_SEGMENT_FORCE_END] = end[O_SEGMENT_FORCE]
        out[SUM_GAP_ANTERIOR_END] = end[O_GAP_ANTERIOR] - base[O_GAP_ANTERIOR]
        out[SUM_GAP_MIDDLE_END] = end[O_GAP_MIDDLE] - base[O_GAP_MIDDLE]
        out[SUM_GAP_POSTERIOR_END] = end[O_GAP_POSTERIOR] - base[O_GAP_POSTERIOR]
        out[SUM_GAP_FINAL] = joint_out[last, j, O_GAP_MIDDLE] - base[O_GAP_MIDDLE]
        out[SUM_PRESSURE_END] = end[O_PRESSURE]
        out[SUM_FLUID_END] = end[O_FLUID] - base[O_FLUID]
        out[SUM_FORCE_PEAK] = peak(joint_out[:, j, O_DISC_FORCE], hold, sense)
        pressure_min = np.inf
        for k in range(n_t):
            pressure_min = min(pressure_min, joint_out[k, j, O_PRESSURE])
            change[k] = joint_out[k, j, O_GAP_MIDDLE] - base[O_GAP_MIDDLE]
        out[SUM_GAP_PEAK] = peak(change, hold, sense)
        out[SUM_PRESSURE_MIN] = pressure_min
        out[SUM_RISE_TIME] = rise_time(times, change, hold)
    length = np.zeros(n_t)
    for k in range(n_t):
        for j in range(spinal.shape[0]):
            if spinal[j]:
                length[k] += joint_out[k, j, O_GAP_MIDDLE] - joint_out[0, j, O_GAP_MIDDLE]
    global_summary[SUM_LENGTH_END] = length[hold]
    global_summary[SUM_LENGTH_PEAK] = peak(length, hold, sense)
    global_summary[SUM_LENGTH_FINAL] = length[last]


@jit
def first_nonfinite_time(times, values):
    """The first of ``times`` whose row of ``values`` (leading axis: time) is not finite;
    infinity if there is none."""
    for k in range(times.shape[0]):
        if not np.all(np.isfinite(values[k])):
            return times[k]
    return np.inf


@jit
def first_collapse_time(times, joint_out, joint):
    """The first of ``times`` at which a disc's middle height (rest height plus its
    ``O_GAP_MIDDLE`` change) is zero or below; infinity if none is. Only discs (joints with a
    nucleus) are checked: not the bushings (hip, head-C1, C1-C2) nor the springs of a
    hand-built model."""
    for k in range(times.shape[0]):
        for j in range(joint.shape[0]):
            disc = joint[j, J_NUCLEUS_AREA] > 0.0
            if disc and joint[j, J_HEIGHT] + joint_out[k, j, O_GAP_MIDDLE] <= 0.0:
                return times[k]
    return np.inf


@jit
def run_case(
    y0, body, joint, glob, protocol, times, rtol, atol, h_init, h_max, max_steps,
    joint_out, body_out, global_out, final_state, stats,
):  # fmt: skip
    """One session: integrate and observe it at ``times``; returns the solver status.

    The run is split at every knot where a holder starts to act (a harness strapped on, a
    seat sat on) or where the body lies down after standing or sitting: the holder is
    fastened where the body is, the lying body is placed onto the support
    (:mod:`~spinesim.core.holders`), and each part is observed with the holders as they
    were in it. ``body`` is not changed.
    Each part restarts the step control (``h_init``, a new Jacobian) at its knot, like any
    knot where the protocol jumps; ``max_steps`` bounds the whole session.
    """
    n_state = y0.shape[0]
    n_t = times.shape[0]
    n_knot = protocol.shape[0]
    body = body.copy()
    mask = np.zeros(body.shape[0], dtype=np.bool_)
    part_stats = np.zeros(stats.shape[0])
    y = y0.copy()
    k0 = 0
    i0 = 0
    while True:
        if lies_down(protocol, k0):
            place_on_support(body, y, glob, int(protocol[k0, P_KIND]))
        starting_holders(body, protocol, k0, mask)
        strap_on(body, y, mask)
        k1 = k0 + 1
        while k1 < n_knot and not (
            starting_holders(body, protocol, k1, mask) or lies_down(protocol, k1)
        ):
            k1 += 1
        last = k1 >= n_knot
        t0 = protocol[k0, P_TIME]
        t1 = protocol[n_knot - 1, P_TIME] if last else protocol[k1, P_TIME]
        i1 = n_t  # the last part takes every remaining time
        if not last:
            # a part's saved times end at its last knot, which belongs to it (the outputs
            # there are its phase's, observables.observe), but the session's start does not
            i1 = i0
            while i1 < n_t and (times[i1] < t1 or (times[i1] == t1 and i1 > 0)):
                i1 += 1
        save = np.empty(i1 - i0 + 1)
        save[: i1 - i0] = times[i0:i1]
        save[i1 - i0] = max(t1, times[i1 - 1]) if i1 > i0 else t1  # sorted, also if rounded
        states = np.empty((save.shape[0], n_state))
        budget = max_steps - int(stats[STAT_STEPS] + stats[STAT_REJECTED])  # whole session
        code = integrate_span(
            y, body, joint, glob, protocol, t0, t1, save, rtol, atol, h_init, h_max,
            budget, states, part_stats,
        )  # fmt: skip
        for k in range(STAT_T_FAIL):
            stats[k] += part_stats[k]
        stats[STAT_T_FAIL] = part_stats[STAT_T_FAIL]
        if part_stats[STAT_LAST_CAUSE] != 0.0:
            stats[STAT_LAST_CAUSE] = part_stats[STAT_LAST_CAUSE]
        if code == OK and not np.all(np.isfinite(states)):
            code = NONFINITE_OUTPUT
            stats[STAT_T_FAIL] = first_nonfinite_time(save, states)
        if code != OK:
            return code
        observe(
            times[i0:i1], states[: i1 - i0], body, joint, glob, protocol, joint_out[i0:i1],
            body_out[i0:i1], global_out[i0:i1], i0 == 0,
        )  # fmt: skip
        y = states[i1 - i0]
        if last:
            final_state[:] = y
            return OK
        k0 = k1
        i0 = i1


@jit_parallel
def run_cases(
    y0, body, joint, glob, case_model, knots, knot_start, save_times, save_start, hold_index,
    load_sense, summary_mask, levels, spinal, rtol, atol, h_init, h_max, max_steps, series_index,
    level_summary, global_summary, joint_series, body_series, global_series, final_state,
    status, stats,
):  # fmt: skip
    """Run every case (:func:`run_case`) in parallel; see the module docstring.

    Shapes: ``y0 (n_model, n_state)``, ``body (n_model, n_body, NB)``, ``joint (n_model,
    n_joint, NJ)``, ``glob (n_model, NG)``, ``case_model (n_case,)``, ``load_sense
    (n_case,)`` (+1 or -1, :func:`peak`); ``summary_mask`` (laid out as ``save_times``)
    marks the saved times the summaries read; ``series_index (n_case, n_series)`` gives
    for each requested series time the index into the case's saved times (-1: none);
    outputs ``level_summary (n_case, n_level, N_SUM)``, ``global_summary (n_case,
    N_SUM_GLOBAL)``, ``joint_series (n_case, n_series, n_joint, N_JOINT_OUT)``,
    ``body_series (n_case, n_series, n_body, N_BODY_OUT)``, ``global_series (n_case,
    n_series, N_GLOBAL_OUT)``, ``final_state (n_case, n_state)``, ``status (n_case,)``
    and ``stats (n_case, NSTAT)``.
    """
    n_case = case_model.shape[0]
    n_body = body.shape[1]
    n_series = series_index.shape[1]
    for c in prange(n_case):
        m = case_model[c]
        times = save_times[save_start[c] : save_start[c + 1]]
        n_t = times.shape[0]
        joint_out = np.full((n_t, n_body - 1, N_JOINT_OUT), np.nan)
        body_out = np.full((n_t, n_body, N_BODY_OUT), np.nan)
        global_out = np.full((n_t, N_GLOBAL_OUT), np.nan)
        status[c] = run_case(
            y0[m], body[m], joint[m], glob[m], knots[knot_start[c] : knot_start[c + 1]], times,
            rtol, atol, h_init, h_max, max_steps, joint_out, body_out, global_out,
            final_state[c], stats[c],
        )  # fmt: skip
        if status[c] == OK:  # never hand back garbage
            failed = min(
                first_nonfinite_time(times, joint_out),
                first_nonfinite_time(times, body_out),
                first_nonfinite_time(times, global_out),
            )
            if np.isfinite(failed):
                status[c] = NONFINITE_OUTPUT
                stats[c, STAT_T_FAIL] = failed
        if status[c] == OK:
            collapsed = first_collapse_time(times, joint_out, joint[m])
            if np.isfinite(collapsed):  # nor impossible states
                status[c] = DISC_COLLAPSED
                stats[c, STAT_T_FAIL] = collapsed
        if status[c] != OK:
            continue
        keep = summary_mask[save_start[c] : save_start[c + 1]]
        read = np.nonzero(keep)[0]
        summarize(
            times[read], joint_out[read], np.sum(keep[: hold_index[c]]), load_sense[c], levels,
            spinal, level_summary[c], global_summary[c],
        )  # fmt: skip
        for g in range(n_series):
            k = series_index[c, g]
            if k >= 0:
                joint_series[c, g] = joint_out[k]
                body_series[c, g] = body_out[k]
                global_series[c, g] = global_out[k]
