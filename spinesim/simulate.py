"""``simulate``: the one entry point that runs a session and returns a :class:`Result`."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from spinesim.anatomy import Subject
from spinesim.assembly import spine_model
from spinesim.cases import Case, run_cases
from spinesim.core import layout as L
from spinesim.core import observables as O
from spinesim.device import Device
from spinesim.errors import (
    ParameterError,
    SolverError,
    SpinesimWarning,
    check_number,
    check_type,
)
from spinesim.model import Model
from spinesim.outputs import time_series
from spinesim.properties import Tissues
from spinesim.protocol import MODELLED_TILT_RATE_DEG_S, Protocol
from spinesim.provenance import build_fingerprint
from spinesim.result import Result
from spinesim.settling import SETTLE_S
from spinesim.solver import SolverOptions
from spinesim.summary import as_dict, in_units

#: Default number of output intervals over a session.
DEFAULT_OUTPUT_INTERVALS = 600
#: Largest number of saved times: each costs about 8 kB of memory (full spine, measured
#: 2026-11-27: 40,000 saved times took 300 MB more than 2,000), so at most about 0.8 GB; a
#: day at 1 s fits. (At 10^6 a run could need 8 GB.)
MAX_OUTPUTS = 100_000


#: What ``Result.attrs["tissues"]`` says of a model built by hand.
HAND_BUILT_TISSUES = (
    "model built by hand: its joints carry their own tissue parameters; only the muscles' "
    "activation over time (tone, guarding) came from these default muscle properties"
)


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
        A model built by hand (:class:`~spinesim.model.ModelBuilder`, no tissues) takes
        the muscles' activation over time (tone, guarding) from the default
        :class:`~spinesim.properties.MuscleProperties`; ``Result.attrs`` says so.
    solver
        Integrator accuracy and limits.
    output_interval_s
        Spacing of the saved times (s); default: the session in 600 intervals. The end of
        every session phase is saved too (``Protocol.output_times``). The integrator's own
        steps are independent of it (outputs are interpolated).

    The baseline of every change is the state at the session start (t = 0), after the
    protocol's preceding phases (hours upright, lying) and the model's settling on the
    backrest.

    Warns (:class:`~spinesim.errors.SpinesimWarning`, a ``UserWarning``) where the
    protocol never holds its largest angle or pull constant and gives no ``end_of_hold_s``
    (:attr:`Protocol.lacks_hold`, e.g. a recorded trace): its end-of-hold values would be
    read where the person gets off the device or at a lower hold; and where a device phase
    tilts faster than ``MODELLED_TILT_RATE_DEG_S`` (20 deg/s), beyond the model.
    """
    check_type("protocol", protocol, Protocol)
    check_type("model", model, Model, optional=True)
    check_type("solver", solver, SolverOptions, optional=True)
    if model is None:
        model = spine_model(subject, device, tissues)  # checks them, defaults for None
    elif subject is not None or device is not None or tissues is not None:
        raise ParameterError(
            "give either model or subject/device/tissues: a model already has them"
        )
    tissues = model.tissues or Tissues()  # a model built by hand has none
    solver = solver or SolverOptions()
    duration = protocol.session_duration_s
    if output_interval_s is None:
        output_interval_s = duration / DEFAULT_OUTPUT_INTERVALS
    check_number(
        "output_interval_s", output_interval_s, duration / MAX_OUTPUTS, duration, low_open=True
    )
    times = protocol.output_times(np.arange(0.0, duration, output_interval_s))
    if times.size > MAX_OUTPUTS:
        raise ParameterError(
            f"the session saves {times.size} times, more than MAX_OUTPUTS = {MAX_OUTPUTS} "
            f"(about {MAX_OUTPUTS * 8e-6:g} GB): every phase end is saved, so a recorded "
            "trace saves each of its samples; resample it (e.g. to 10 Hz)"
        )
    for message in _doubts(protocol):
        warnings.warn(message, SpinesimWarning, stacklevel=2)
    knots = protocol.knots(tissues.muscles, model.device)
    hold = int(np.searchsorted(times, protocol.hold_end_s))
    sense = protocol.load_sense_on(model.device)
    case = Case(0, knots, times, hold, load_sense=sense)
    outputs = run_cases([model], [case], solver, series_index=np.arange(times.size)[None, :])
    try:
        outputs.raise_on_failure()
    except SolverError as exc:
        raise SolverError(
            f"{exc}; {_phase_at(protocol, exc.time_s)}", time_s=exc.time_s, status=exc.status
        ) from None
    return _result(model, protocol, sense, times, outputs, tissues)


def _phase_at(protocol: Protocol, time_s: float) -> str:
    """Which phase of ``protocol`` a failure at ``time_s`` (s from the session start) fell
    in, in words: a failure in the hours before the session has a negative time."""
    for k, (name, start, end) in enumerate(protocol.boundaries()):
        if start <= time_s <= end:
            phase = protocol.phases[k]
            where = "the session" if phase.session else "the phases before the session"
            return f"in phase {k + 1} of {len(protocol.phases)}, {name!r}, of {where}"
    return "after the last phase"


def _doubts(protocol: Protocol) -> list[str]:
    """What the user should know about ``protocol`` before trusting its results."""
    doubts = []
    if protocol.lacks_hold:
        doubts.append(
            "the protocol never holds the device's largest angle or pull constant: its "
            f"end-of-hold values are read at t = {protocol.hold_end_s:g} s (where the person "
            "gets off the device, or a lower hold); give end_of_hold_s (Protocol, "
            "Protocol.from_samples, protocol files) to read them elsewhere"
        )
    if protocol.fastest_tilt_deg_s > MODELLED_TILT_RATE_DEG_S:
        doubts.append(
            f"the protocol tilts the device at up to {protocol.fastest_tilt_deg_s:.3g} deg/s; "
            f"above {MODELLED_TILT_RATE_DEG_S:g} deg/s the fictitious forces of the tilting, "
            "which the model neglects, exceed 2 % of g (docs/model.md §2.1): give a longer "
            "ramp_s or a lower ramp_rate_deg_s for results within the model"
        )
    for time_s, before, after in protocol.tilts_at_once:
        doubts.append(
            f"at t = {time_s:g} s a device phase starts at {after:g} deg right after a "
            f"phase at {before:g} deg: the model tilts the body there at once, which no "
            "device does; start the device phases at the angle before them (lying: 0 deg; "
            "standing: -90 deg) and ramp from there"
        )
    return doubts


def _result(model, protocol, sense, times, outputs, tissues) -> Result:
    data = time_series(
        model, outputs.joint_series[0], outputs.body_series[0], outputs.global_series[0]
    )
    preceding = [
        f"{name} {end - start:g} s" for name, start, end in protocol.boundaries() if end <= 0
    ]
    history = [f"settling {SETTLE_S:g} s lying flat on the support"] if model.subject else []
    history += preceding or [
        "no preceding phase (the discs at their unloaded reference hydration, fuller than "
        "after a night in bed: give preceding phases, e.g. upright(2.0) or typical_day(), "
        "for a day's state)"
    ]
    attrs = {
        "baseline": f"state at the session start (t = 0 s), after {', then '.join(history)}",
        "hold_end_s": protocol.hold_end_s,
        "device_spans_s": [list(span) for span in protocol.device_spans_s],  # on the device
        "phases": [list(phase) for phase in protocol.boundaries()],  # JSON arrays, as on disk
        "protocol": {  # every phase's angles and pulls, in JSON arrays as on disk
            "phases": [dataclasses.asdict(phase) for phase in protocol.phases],
            "end_of_hold_s": protocol.end_of_hold_s,
            "peak_sense": sense,  # which way the summary's peaks looked
        },
        "solver": {"status": "success", **dataclasses.asdict(outputs.solver_stats(0))},
        "subject": dataclasses.asdict(model.subject) if model.subject else None,
        "device": {"type": model.device.name, **dataclasses.asdict(model.device)}
        if model.device
        else None,
        "tissues": dataclasses.asdict(tissues)
        if model.tissues
        else {"muscles": dataclasses.asdict(tissues.muscles), "note": HAND_BUILT_TISSUES},
        "geometry": drawing_geometry(model),
        "spinesim_build": build_fingerprint(),
        "summary": as_dict(
            model.levels, in_units(outputs.level_summary[0], outputs.global_summary[0])
        ),
    }
    poses = outputs.body_series[0][:, :, [O.O_BODY_X, O.O_BODY_Y, O.O_BODY_PHI]]
    return Result(
        time_s=times,
        levels=model.levels,
        data=data,
        attrs=attrs,
        bodies=model.body_names,
        body_pose=np.ascontiguousarray(poses),
    )


def drawing_geometry(model: Model) -> dict[str, list[float]]:
    """What a picture of the chain needs besides the body poses, in m (table frame of each
    body: x cranial, y anterior, from its centre of mass): per joint the attachments on the
    caudal (``ax, ay``) and cranial (``bx, by``) body, the rest height and the depth; per
    body the backrest contact point; the ankle anchor on the device (``anchor_x, anchor_y``)
    and on the legs (``anchor_lx``); the subject's stature scale (``length_scale``)."""
    j, b = model.joint, model.body
    columns = {
        "ax": j[:, L.J_AX],
        "ay": j[:, L.J_AY],
        "bx": j[:, L.J_BX],
        "by": j[:, L.J_BY],
        "height": j[:, L.J_HEIGHT],
        "depth": j[:, L.J_DEPTH],
        "contact_x": b[:, L.B_CONTACT_X],
        "contact_y": b[:, L.B_CONTACT_Y],
    }
    geometry = {name: values.tolist() for name, values in columns.items()}
    geometry.update(
        joint_names=list(model.joint_names),
        anchor_x=float(b[0, L.B_ANCHOR_X]),
        anchor_y=float(b[0, L.B_ANCHOR_Y]),
        anchor_lx=float(b[0, L.B_ANCHOR_LX]),
        length_scale=model.subject.length_scale if model.subject else 1.0,
    )
    return geometry
