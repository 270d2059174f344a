"""``simulate``: the one entry point that runs a session and returns a :class:`Result`."""

from __future__ import annotations

import dataclasses

import numpy as np

from spinesim.anatomy import Subject
from spinesim.assembly import SETTLE_S, Model, Tissues, spine_model, strap_on
from spinesim.core import layout as L
from spinesim.core import observables as O
from spinesim.device import Device
from spinesim.errors import ParameterError, check_number
from spinesim.protocol import Protocol
from spinesim.result import Result
from spinesim.solver import SolverOptions, SolverStats, run

#: Default number of output intervals over a session.
DEFAULT_OUTPUT_INTERVALS = 600
#: Largest number of saved times (memory: 8 bytes x states x times).
MAX_OUTPUTS = 1_000_000


def simulate(
    protocol: Protocol,
    subject: Subject | None = None,
    device: Device | None = None,
    tissues: Tissues | None = None,
    *,
    model: Model | None = None,
    solver: SolverOptions | None = None,
    output_interval_s: float | None = None,
) -> Result:
    """Simulate one session and return per-level forces, disc-space changes and more.

    Parameters
    ----------
    protocol
        What happens over time, e.g. ``Protocol.inversion(60, ramp_s=10, hold_s=300)``.
    subject, device, tissues
        The person (default: 70 kg, 1.75 m, male), the device (default: inversion table;
        any of :data:`spinesim.device.DEVICES`) and tissue properties (defaults with their
        sources). A device refuses phases it cannot do (e.g. a hold at 60 deg in gravity
        boots, a pull on an inversion table).
    model
        A pre-assembled model (e.g. from :func:`spinesim.spine_model`) to reuse across runs;
        it carries its own subject, device and tissues, so those cannot be given with it.
    solver
        Integrator accuracy and limits.
    output_interval_s
        Spacing of the saved times (s); default: the session in 600 intervals. The
        integrator's own steps are independent of it (outputs are interpolated).

    The baseline of every change is the state at the session start (t = 0), after the
    protocol's preceding phases (hours upright, lying) and the model's settling on the
    backrest.
    """
    if model is None:
        tissues = tissues or Tissues()
        model = spine_model(subject, device, tissues)
    elif subject is not None or device is not None or tissues is not None:
        raise ParameterError(
            "give either model or subject/device/tissues: a model already has them"
        )
    else:
        tissues = model.tissues or Tissues()
    solver = solver or SolverOptions()
    duration = protocol.session_duration_s
    if output_interval_s is None:
        output_interval_s = duration / DEFAULT_OUTPUT_INTERVALS
    check_number(
        "output_interval_s", output_interval_s, duration / MAX_OUTPUTS, duration, low_open=True
    )
    times = np.unique(
        np.concatenate(
            [np.arange(0.0, duration, output_interval_s), [duration, protocol.hold_end_s]]
        )
    )
    knots = protocol.knots(tissues.muscles, model.device)
    states, stats, parts = run_strapped(model, knots, times, solver)
    return _result(model, protocol, knots, times, states, stats, tissues, parts)


def run_strapped(
    model: Model, knots: np.ndarray, times: np.ndarray, solver: SolverOptions
) -> tuple[np.ndarray, SolverStats, list[tuple[slice, np.ndarray]]]:
    """Integrate ``model`` over ``knots`` like :func:`spinesim.solver.run`, fastening every
    holder where the body is when it starts to act (a harness strapped on, a seat sat on).

    A holder that acts in a phase but did not act just before (in the settle lying, for the
    first phase) is strapped on at the phase start (:func:`~spinesim.assembly.strap_on`);
    the run is split there. Guarding transients started before a split are not carried
    over (they relax within minutes). Returns the states at ``times``, the summed solver
    statistics and, per part, the slice of ``times`` it covers and its body array.
    With holders that act throughout (the inversion table) there is one part.
    """
    body = model.body.copy()
    starts, newly_held = strap_on_knots(body, knots)
    states = np.empty((times.size, model.y0.size))
    parts: list[tuple[slice, np.ndarray]] = []
    total = np.zeros(len(dataclasses.fields(SolverStats)), dtype=int)
    y = model.y0
    for n, k0 in enumerate(starts):
        last = n + 1 == len(starts)
        k1 = len(knots) if last else starts[n + 1]
        t_end = knots[k1 - 1, L.P_TIME]
        strap_on(body, y, np.flatnonzero(newly_held[k0]))
        part = slice(
            np.searchsorted(times, knots[k0, L.P_TIME]),
            times.size if last else np.searchsorted(times, t_end),
        )
        save = np.append(times[part], t_end)
        part_model = dataclasses.replace(model, body=body.copy())
        out, stats = run(part_model, knots[k0:k1], save, solver, y_start=y)
        states[part] = out[:-1]
        y = out[-1]
        parts.append((part, part_model.body))
        total += dataclasses.astuple(stats)
    return states, SolverStats(*map(int, total)), parts


def strap_on_knots(body: np.ndarray, knots: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Where holders start to act: the knot indices at which a run must be split (always
    starting with 0) and the ``(knot, body)`` mask of the holders that start to act at each
    knot (at knot 0: those that did not act in the settle, lying). A single part (``[0]``
    with nothing newly held) needs no strapping, e.g. every inversion-table session
    without sitting phases."""
    kinds = knots[:, L.P_KIND].astype(int)
    held = (body[:, L.B_RELEASE_DEVICE + kinds].T == 0.0) & (body[:, L.B_ANCHOR_K] > 0.0)
    before = np.concatenate([[body[:, L.B_RELEASE_LYING] == 0.0], held[:-1]])
    newly_held = held & ~before
    starts = [0, *(k for k in range(1, len(knots)) if newly_held[k].any())]
    return starts, newly_held


def _result(model, protocol, knots, times, states, stats, tissues, parts) -> Result:
    n_t = times.size
    n_body = model.n_body
    joint_out = np.zeros((n_t, n_body - 1, O.N_JOINT_OUT))
    body_out = np.zeros((n_t, n_body, O.N_BODY_OUT))
    global_out = np.zeros((n_t, O.N_GLOBAL_OUT))
    for part, body in parts:
        O.observe(
            times[part],
            states[part],
            body,
            model.joint,
            model.glob,
            knots,
            joint_out[part],
            body_out[part],
            global_out[part],
        )

    idx = [model.level_index(name) for name in model.levels]
    lv = joint_out[:, idx, :]
    gaps = lv[:, :, [O.O_GAP_ANTERIOR, O.O_GAP_MIDDLE, O.O_GAP_POSTERIOR]]
    spinal = model.joint[:, L.J_SPINAL] > 0
    middle_all = joint_out[:, spinal, O.O_GAP_MIDDLE]
    data = {
        "angle": np.degrees(global_out[:, O.O_ANGLE]),
        "axial_force": lv[:, :, O.O_DISC_FORCE],
        "segment_force": lv[:, :, O.O_SEGMENT_FORCE],
        "gap_change": 1e3 * (gaps - gaps[0]),
        "shear_force": lv[:, :, O.O_SHEAR],
        "bending_moment": lv[:, :, O.O_MOMENT],
        "disc_height": 1e3 * (lv[:, :, O.O_GAP_MIDDLE] + model.joint[idx, L.J_HEIGHT]),
        "pressure": 1e-6 * lv[:, :, O.O_PRESSURE],
        "fluid_change": 100.0 * (lv[:, :, O.O_FLUID] - lv[0, :, O.O_FLUID]),
        "spine_length_change": 1e3 * (middle_all - middle_all[0]).sum(axis=1),
        "anchor_force": -global_out[:, O.O_ANCHOR_X],
        "friction_force": body_out[:, :, O.O_FRICTION].sum(axis=1),
        "normal_force": body_out[:, :, O.O_NORMAL].sum(axis=1),
        "muscle_activation": global_out[:, O.O_ACTIVATION],
        "pull_force": global_out[:, O.O_PULL],
    }
    preceding = [
        f"{name} {end - start:g} s" for name, start, end in protocol.boundaries() if end <= 0
    ]
    history = [f"settling {SETTLE_S:g} s lying on the backrest"] if model.subject else []
    history += preceding or ["no preceding phase"]
    attrs = {
        "baseline": f"state at the session start (t = 0 s), after {', then '.join(history)}",
        "hold_end_s": protocol.hold_end_s,
        "phases": protocol.boundaries(),
        "solver": {"status": "success", **dataclasses.asdict(stats)},
        "subject": dataclasses.asdict(model.subject) if model.subject else None,
        "device": {"type": model.device.name, **dataclasses.asdict(model.device)}
        if model.device
        else None,
        "tissues": dataclasses.asdict(tissues),
    }
    return Result(time_s=times, levels=model.levels, data=data, attrs=attrs)
