"""The sweepable parameters: names, and one case's values → the session's inputs.

A case is a mapping from parameter name to value. Names are:

* protocol: ``protocol`` (``"inversion"``, ``"intermittent"`` or ``"traction"``) and the
  arguments of that constructor (``angle_deg``, ``ramp_s``, ``hold_s``, ``return_s``,
  ``cycles``, ``pull_N``, ...), plus the preceding phases ``lying_hours``,
  ``sitting_hours`` and ``upright_hours`` (in that order before the session) and the
  phases after it, as part of it (``after=``), ``after_lying_hours``,
  ``after_sitting_hours`` and ``after_upright_hours`` (in that order);
* ``sham``: True runs the session's control instead (:meth:`Protocol.sham`: the same
  phases and times, the device flat and no pull), so ``Grid(..., sham=[False, True])``
  gives each session's effect as the difference of the two;
* subject: ``mass_kg``, ``height_m``, ``sex``;
* device: ``device`` (a name in :data:`spinesim.device.DEVICES`) and that device's fields
  (``friction_static``, ``friction_kinetic``, ``ankle_stiffness``, ...), the harness'
  vertebra ``level`` as ``harness_level`` (:data:`SWEEP_NAMES`);
* tissues: ``"<group>.<field>"`` with group ``disc``, ``ligaments``, ``muscles`` or
  ``contact``, e.g. ``muscles.tone_stress_MPa``.

Parameters a case does not give keep spinesim's defaults (``angle_deg``, ``cycles`` of
intermittent sessions and ``pull_N`` of traction have none: they must be given).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spinesim.anatomy import SUBJECT_RANGES, Subject
from spinesim.device import DEVICES, Device, device_class, device_from_name
from spinesim.errors import ParameterError, check_number, plain
from spinesim.parameter_paths import parameter_range
from spinesim.properties import Tissues
from spinesim.protocol import (
    ARGUMENT_RANGES,
    POSTURE_BUILDERS,
    Protocol,
    check_argument,
    posture_phases,
)

#: Protocol constructors by the name of the ``protocol`` parameter.
PROTOCOLS = {
    "inversion": Protocol.inversion,
    "intermittent": Protocol.intermittent,
    "traction": Protocol.traction,
}
DEFAULT_PROTOCOL = "inversion"
DEFAULT_DEVICE = "table"
#: Preceding phases by parameter name (hours before the session), in the order they come:
#: a night lying, then sitting, then on one's feet (as :func:`spinesim.typical_day`).
PRECEDING = tuple(f"{kind}_hours" for kind in POSTURE_BUILDERS)
#: Phases after the session, off the device (hours; ``after=`` of the protocol
#: constructors), in the order they come.
AFTER = tuple(f"after_{kind}_hours" for kind in POSTURE_BUILDERS)
SUBJECT_PARAMETERS = tuple(f.name for f in dataclasses.fields(Subject))
TISSUE_GROUPS = tuple(f.name for f in dataclasses.fields(Tissues))
#: Device fields swept under another name: ``level`` names the results' disc levels.
SWEEP_NAMES = {"level": "harness_level"}
#: Parameters whose values are names or switches, not numbers: listed, never sampled.
CATEGORICAL = (
    "protocol", "device", "sham", "sex", "position", "split_table", "split_level",
    "harness_level",
)  # fmt: skip


@dataclass(frozen=True)
class CaseInputs:
    """Everything one session needs; equal inputs share one assembled model."""

    protocol: Protocol
    subject: Subject
    device: Device
    tissues: Tissues

    @property
    def model_key(self) -> tuple:
        return (self.subject, self.device, self.tissues)


@functools.cache
def _protocol_arguments(kind: str) -> dict[str, inspect.Parameter]:
    params = inspect.signature(PROTOCOLS[kind]).parameters
    return {name: p for name, p in params.items() if name not in ("preceding", "after")}


@functools.cache
def _tissue_fields() -> dict[str, str]:
    return {
        f"{group}.{f.name}": group
        for group, cls in ((g, getattr(Tissues(), g).__class__) for g in TISSUE_GROUPS)
        for f in dataclasses.fields(cls)
    }


@functools.cache
def _device_fields(name: str) -> dict[str, str]:
    """The sweep names of device ``name``'s fields → the fields."""
    return {SWEEP_NAMES.get(f.name, f.name): f.name for f in dataclasses.fields(DEVICES[name])}


@functools.cache
def parameter_names() -> tuple[str, ...]:
    """Every name a sweep accepts (for any protocol kind and device)."""
    names = ["protocol", "device", *PRECEDING, *AFTER, "sham", *SUBJECT_PARAMETERS]
    for kind in PROTOCOLS:
        names += [n for n in _protocol_arguments(kind) if n not in names]
    for device in DEVICES:
        names += [n for n in _device_fields(device) if n not in names]
    names += list(_tissue_fields())
    return tuple(names)


def check_sampled(name: str) -> None:
    """Refuse sampling parameter ``name`` if it is unknown, categorical or integer."""
    check_names([name])
    if name in CATEGORICAL:
        raise ParameterError(f"sweep parameter {name!r} is categorical: list its values")
    if any(_is_integer(args[name]) for args in map(_protocol_arguments, PROTOCOLS) if name in args):
        raise ParameterError(
            f"sweep parameter {name!r} takes integers: list its values (Grid or Table) "
            "instead of sampling it"
        )


def check_sampling_range(name: str, low: float, high: float, label: str | None = None) -> None:
    """Refuse sampling parameter ``name`` from ``[low, high]`` unless a case may give it
    every value there: it takes numbers (not names, nor integers such as ``cycles``), and
    both bounds lie within its allowed range, that of the protocol argument
    (:data:`spinesim.protocol.ARGUMENT_RANGES`), the subject, or the device (any device
    with the field) or tissue field. Constraints between parameters (``rest_pull_N <=
    pull_N``, ``friction_kinetic <= friction_static``, gain x bending stiffness, ...) are
    checked for every case before the sweep runs: a case that breaks one refuses the
    sweep, naming it and how many do. A bound at an open limit (``hold_s`` from 0) is
    allowed: the draws lie inside it (a draw of exactly that value would refuse the sweep).
    The message names ``label`` (default: ``name``), the bound and the allowed range."""
    check_sampled(name)
    for which, value, inward in (("low", low, high), ("high", high, low)):
        try:
            _check_value(name, value)
        except ParameterError as error:
            try:
                _check_value(name, math.nextafter(value, inward))
            except ParameterError:
                raise ParameterError(
                    f"{label or name} {which} bound = {value:g} is not allowed: {error}"
                ) from error


def _check_value(name: str, value: float) -> None:
    """Refuse ``value`` outside the allowed range of the numeric parameter ``name``."""
    if name in ARGUMENT_RANGES:
        check_argument(name, value)
    elif name in SUBJECT_RANGES:  # on its own: the body-mass index is checked per case
        check_number(name, value, *SUBJECT_RANGES[name])
    else:
        failures = []
        for low, high, low_open in _field_ranges(name):
            try:
                check_number(name, value, low, high, low_open=low_open)
                return
            except ParameterError as error:
                failures.append(error)
        if failures:
            raise failures[0]


@functools.cache
def _field_ranges(name: str) -> tuple[tuple[float, float, bool], ...]:
    """Allowed ranges of a tissue field, or of a device field on every device that has it."""
    if name in _tissue_fields():
        return (parameter_range(Tissues(), name),)
    return tuple(
        parameter_range(cls(), fields[name])
        for cls, fields in ((cls, _device_fields(device)) for device, cls in DEVICES.items())
        if name in fields
    )


def check_names(names: Iterable[str]) -> None:
    """Refuse unknown parameter names, naming them and listing what is allowed."""
    known = parameter_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        renamed = [f"{n!r} is swept as {SWEEP_NAMES[n]!r}" for n in unknown if n in SWEEP_NAMES]
        hint = f" ({'; '.join(renamed)}: 'level' names the disc levels)" if renamed else ""
        raise ParameterError(
            f"unknown sweep parameter(s) {unknown}{hint}; allowed: {', '.join(known)}"
        )


def case_inputs(values: Mapping[str, Any]) -> CaseInputs:
    """The protocol, subject, device and tissues of one case (validated; defaults for the
    parameters it does not give or gives as None). Raises :class:`ParameterError` naming
    the parameter."""
    check_names(values)
    values = {name: value for name, value in values.items() if value is not None}
    kind = values.get("protocol", DEFAULT_PROTOCOL)
    if kind not in PROTOCOLS:
        raise ParameterError(f"protocol = {kind!r} is unknown; allowed: {tuple(PROTOCOLS)}")
    device_name = values.get("device", DEFAULT_DEVICE)
    device_class(device_name)
    arguments = _protocol_arguments(kind)
    device_fields = _device_fields(device_name)
    tissue_fields = _tissue_fields()
    protocol_args: dict[str, Any] = {}
    subject_args: dict[str, Any] = {}
    device_args: dict[str, Any] = {}
    tissue_args: dict[str, dict[str, Any]] = {group: {} for group in TISSUE_GROUPS}
    postures: dict[str, Any] = {}  # hours before and after (0: no such phase, a "without" level)
    for name, value in values.items():
        if name in ("protocol", "device", "sham"):
            continue
        if name in PRECEDING or name in AFTER:
            postures[name] = plain(value)
        elif name in arguments:
            protocol_args[name] = _argument(arguments[name], value)
        elif name in SUBJECT_PARAMETERS:
            subject_args[name] = value if name == "sex" else plain(value)
        elif name in device_fields:
            device_args[device_fields[name]] = plain(value)
        elif name in tissue_fields:
            tissue_args[tissue_fields[name]][name.split(".", 1)[1]] = plain(value)
        else:
            raise ParameterError(
                f"{name} = {value!r} does not apply to protocol {kind!r} on device "
                f"{device_name!r}; allowed: {', '.join((*arguments, *device_fields))} (a "
                "Table gives a parameter to some cases only: None in the others)"
            )
    preceding = tuple(posture_phases(postures))
    after = tuple(posture_phases(postures, "after_"))
    missing = [
        n for n, p in arguments.items() if p.default is inspect.Parameter.empty
        and n not in protocol_args
    ]  # fmt: skip
    if missing:
        raise ParameterError(f"protocol {kind!r} needs {missing}; give them as parameters")
    session = _protocol(kind, _key(protocol_args), preceding, after)
    device = _cached(device_from_name, (device_name, *_key(device_args)))
    device.check_phases(session.phases)  # e.g. a pull on a device without one
    if _sham(values):  # the control of a session the device can do
        device.check_sham("sham = True")
        session = session.sham()
    return CaseInputs(
        protocol=session,
        subject=_cached(Subject, _key(subject_args)),
        device=device,
        tissues=_tissues(tuple((group, _key(args)) for group, args in tissue_args.items())),
    )


def _key(args: Mapping[str, Any]) -> tuple:
    return tuple(sorted(args.items()))


@functools.lru_cache(maxsize=65536)
def _cached(build, key: tuple) -> Any:
    """``build(**dict(key))`` (or ``build(key[0], **dict(key[1:]))`` for a device), built
    once per distinct value: a sweep of thousands of cases has few distinct subjects."""
    if build is device_from_name:
        return build(key[0], **dict(key[1:]))
    return build(**dict(key))


@functools.lru_cache(maxsize=65536)
def _protocol(kind: str, args: tuple, preceding: tuple, after: tuple) -> Protocol:
    return PROTOCOLS[kind](**dict(args), preceding=preceding, after=after)


def _sham(values: Mapping[str, Any]) -> bool:
    """The case's ``sham`` switch (default False); anything but a bool is refused."""
    sham = plain(values.get("sham", False))
    if not isinstance(sham, bool):
        raise ParameterError(f"sham = {sham!r} is not allowed: True or False")
    return sham


@functools.lru_cache(maxsize=65536)
def _tissues(groups: tuple) -> Tissues:
    defaults = Tissues()
    return Tissues(
        **{
            group: dataclasses.replace(getattr(defaults, group), **dict(args))
            for group, args in groups
        }
    )


def _is_integer(parameter: inspect.Parameter) -> bool:
    """True if the protocol argument takes integers (e.g. ``cycles``)."""
    return parameter.annotation in (int, "int")


def _argument(parameter: inspect.Parameter, value: Any) -> Any:
    value = plain(value)
    integral = isinstance(value, numbers.Real) and float(value).is_integer()
    if _is_integer(parameter) and integral and not isinstance(value, bool):
        return int(value)
    return value
