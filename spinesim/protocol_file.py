"""Multi-phase protocols from a TOML file: :func:`load_protocol_file`.

Schema (every table is optional except ``[[phase]]``; ``examples/protocol.toml`` is a
complete example)::

    end_of_hold_s = 310.0   # optional, before any table: where "end of hold" values are
                            # read (s from the session start); default: the end of the
                            # steepest phase at a constant angle and pull (give it for a
                            # recorded trace without one)

    [subject]               # the person; defaults: spinesim.Subject()
    mass_kg = 70.0          # kg
    height_m = 1.75         # m
    sex = "male"            # "male" or "female"

    [device]                # the device; defaults: spinesim.InversionTable()
    type = "table"          # a name in spinesim.device.DEVICES: table, boots,
                            # hip_bench, harness, traction
    friction_static = 0.5   # backrest friction coefficient (static; devices with one)
    friction_kinetic = 0.4  # optional; default 0.8 x friction_static
                            # (any other field of the device class is accepted too,
                            # e.g. ankle_stiffness, hand_support, split_table = true)

    [[preceding]]           # any number, in order, before the session
    kind = "upright"        # "upright" (standing), "sitting" or "lying" (supine in bed)
    hours = 2.0             # 0 leaves the phase out (as in the CLI and sweeps)

    [[phase]]               # at least one, in order: the session
    name = "tilt down"      # optional
    kind = "device"         # optional: "device" (default), "upright", "sitting", "lying"
    duration_s = 15.0
    start_deg = 0.0         # the angle moves linearly from start_deg ...
    end_deg = 60.0          # ... to end_deg over duration_s
    # or, for a constant angle, instead of start_deg and end_deg:
    # angle_deg = 60.0
    # (upright and sitting phases default to -90 deg, lying to 0 deg, and device phases
    # on a device that works at one angle to it: traction to 0 deg)
    # traction devices: the pull on the pelvis (N), constant or from start to end:
    # pull_N = 300.0   or   start_pull_N = 0.0 and end_pull_N = 300.0

Angles are in degrees from horizontal: 0 flat, +90 fully inverted head-down, -90 upright.
The baseline of every reported change is the state at the start of the first ``[[phase]]``.

Errors (unknown keys, wrong types, malformed TOML, values out of range) raise
:class:`~spinesim.errors.ParameterError` with a message naming the key, e.g.
``phase[2].start_deg = 120 is outside the allowed range; allowed: a number in [-90, 90]``.
Tables of an array are counted from 1 in the order they appear (``phase[1]`` is the first
``[[phase]]``). The ranges are those of :class:`~spinesim.Phase`,
:class:`~spinesim.Subject`, the device classes of :mod:`spinesim.device`,
:func:`~spinesim.upright`, :func:`~spinesim.sitting` and :func:`~spinesim.lying`.
A device refuses phases it cannot do (e.g. a constant 60 deg in gravity boots).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Mapping
from typing import Any

from spinesim import _toml
from spinesim.anatomy import Subject
from spinesim.device import KINDS, Device, device_class, device_from_name
from spinesim.errors import ParameterError
from spinesim.protocol import POSTURE_ANGLES, POSTURE_BUILDERS, Phase, Protocol, posture_phases

TOP_LEVEL_KEYS = ("subject", "device", "preceding", "phase", "end_of_hold_s")
PRECEDING_KEYS = ("kind", "hours")
PULL_KEYS = ("pull_N", "start_pull_N", "end_pull_N")
PHASE_KEYS = ("name", "kind", "duration_s", "start_deg", "end_deg", "angle_deg", *PULL_KEYS)


def load_protocol_file(path: str | os.PathLike) -> tuple[Protocol, Subject, Device]:
    """Read a protocol file (schema in the module docstring).

    Returns ``(protocol, subject, device)``, ready for
    ``spinesim.simulate(protocol, subject, device)``. A missing file raises
    :class:`FileNotFoundError`; anything wrong in it raises :class:`ParameterError`.
    """
    return _toml.load_toml(path, protocol_from_dict)


def protocol_from_dict(doc: Mapping[str, Any]) -> tuple[Protocol, Subject, Device]:
    """Like :func:`load_protocol_file`, from an already parsed document."""
    _check_keys("", doc, TOP_LEVEL_KEYS)
    subject = _subject(_toml.table(doc, "subject"))
    device = _device(_toml.table(doc, "device"))
    preceding = [
        _preceding(f"preceding[{i}]", t) for i, t in enumerate(_tables(doc, "preceding"), 1)
    ]
    phases = [_phase(f"phase[{i}]", t, device) for i, t in enumerate(_tables(doc, "phase"), 1)]
    if not phases:
        raise ParameterError("no [[phase]] table; give at least one session phase")
    with _renamed({"Protocol.end_of_hold_s": "end_of_hold_s"}, fallback=None):
        protocol = Protocol(
            (*(p for p in preceding if p is not None), *phases),
            end_of_hold_s=doc.get("end_of_hold_s"),  # as written, so a message quotes it
        )
    return protocol, subject, device


# --------------------------------------------------------------------------- sections
def _subject(table: Mapping[str, Any]) -> Subject:
    names = tuple(f.name for f in dataclasses.fields(Subject))
    _check_keys("subject", table, names)
    with _renamed({n: f"subject.{n}" for n in names}, fallback="subject"):
        return Subject(**table)  # messages quote the values as written


def _device(table: Mapping[str, Any]) -> Device:
    kind = table.get("type", "table")
    cls = device_class(kind, "device.type")
    _check_keys("device", table, ("type", *(f.name for f in dataclasses.fields(cls))))
    options = {k: v for k, v in table.items() if k != "type"}
    with _renamed({f"{cls.__name__}.": "device."}, fallback="device"):
        return device_from_name(kind, **options)


def _preceding(label: str, table: Mapping[str, Any]) -> Phase | None:
    """One ``[[preceding]]`` table; None for 0 hours, which leaves the phase out."""
    _check_keys(label, table, PRECEDING_KEYS)
    for key in PRECEDING_KEYS:
        if key not in table:
            raise ParameterError(f"{label}.{key} is missing")
    kind = table["kind"]
    _check_str(f"{label}.kind", kind)
    if kind not in POSTURE_BUILDERS:
        raise ParameterError(
            f"{label}.kind = {kind!r} is unknown; allowed: {tuple(POSTURE_BUILDERS)}"
        )
    with _renamed({f"{kind}_hours": f"{label}.hours"}, fallback=label):
        phases = posture_phases({f"{kind}_hours": table["hours"]})
    return phases[0] if phases else None


def _phase(label: str, table: Mapping[str, Any], device: Device) -> Phase:
    """One ``[[phase]]`` table on ``device``; without an angle, a posture phase is at its
    posture's angle and a device phase at the device's only angle, if it has one."""
    _check_keys(label, table, PHASE_KEYS)
    name = table.get("name", "")
    _check_str(f"{label}.name", name)
    kind = table.get("kind", "device")
    _check_str(f"{label}.kind", kind)
    if kind not in KINDS:
        raise ParameterError(f"{label}.kind = {kind!r} is unknown; allowed: {KINDS}")
    if "duration_s" not in table:
        raise ParameterError(f"{label}.duration_s is missing")
    default_deg = POSTURE_ANGLES[kind] if kind in POSTURE_ANGLES else device.fixed_deg
    if default_deg is not None and not set(START_END_KEYS["angle"]) & set(table):
        table = {**table, "angle_deg": default_deg}
    start_key, end_key = _start_end_keys(label, table, "angle", required=True)
    pulls = _start_end_keys(label, table, "pull", required=False)
    values = (table["duration_s"], table[start_key], table[end_key])
    pull_values = tuple(table.get(key, 0.0) for key in pulls)
    # Validated unnamed first, also on the device: the messages then start with
    # "phase.<field>" or "phase: ", renamed here to this table's keys or label.
    with _renamed(
        {
            "phase: ": f"{label}: ",
            "phase.duration_s": f"{label}.duration_s",
            "phase.start_deg": f"{label}.{start_key}",
            "phase.end_deg": f"{label}.{end_key}",
            "phase.start_pull_N": f"{label}.{pulls[0]}",
            "phase.end_pull_N": f"{label}.{pulls[1]}",
        },
        fallback=label,
    ):
        phase = Phase(*values, kind, start_pull_N=pull_values[0], end_pull_N=pull_values[1])
        device.check_phases([phase])  # e.g. an angle on a traction device
    return dataclasses.replace(phase, name=name)


#: Keys of a quantity that is constant over a phase or moves from a start to an end value.
START_END_KEYS = {
    "angle": ("angle_deg", "start_deg", "end_deg"),
    "pull": ("pull_N", "start_pull_N", "end_pull_N"),
}


def _start_end_keys(
    label: str, table: Mapping[str, Any], what: str, *, required: bool
) -> tuple[str, str]:
    """The keys of ``what`` (see :data:`START_END_KEYS`) at the phase's start and end: the
    constant key for both, or the start and end keys; not both forms, and not one of the
    start and end keys alone. ``required``: one of the forms must be present (else both
    may be absent, read as 0)."""
    constant, start, end = START_END_KEYS[what]
    if constant in table:
        extra = [k for k in (start, end) if k in table]
        if extra:
            raise ParameterError(
                f"{label}: give either {constant} (constant {what}) or {start} and {end}, "
                f"not both (found {constant} and {' and '.join(extra)})"
            )
        return constant, constant
    missing = [k for k in (start, end) if k not in table]
    if missing and (required or len(missing) == 1):
        raise ParameterError(
            f"{label}.{missing[0]} is missing; give {start} and {end}, "
            f"or {constant} for a constant {what}"
        )
    return start, end


# --------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def _renamed(names: Mapping[str, str], fallback: str | None) -> Iterator[None]:
    """Re-raise a :class:`ParameterError` whose message starts with one of the API's
    parameter names under the file's key for it (first match wins); other messages get
    ``fallback`` as a prefix (none: they name their place already), so every message names
    where in the file the problem is."""
    try:
        yield
    except ParameterError as exc:
        msg = str(exc)
        for old, new in names.items():
            if msg.startswith(old):
                raise ParameterError(new + msg[len(old) :]) from exc
        if fallback is None:
            raise
        raise ParameterError(f"{fallback}: {msg}") from exc


def _tables(doc: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ParameterError(
            f"{key} must be an array of tables, each written [[{key}]]; got {value!r}"
        )
    return value


def _check_keys(label: str, values: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    _toml.check_keys(label, values, allowed, TOP_LEVEL_KEYS)


def _check_str(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ParameterError(f"{name} = {value!r} is not a string")
