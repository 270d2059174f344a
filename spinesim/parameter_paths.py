"""Parameters of nested frozen dataclasses named by their dotted path:
``"disc.swelling_strain"`` in :class:`~spinesim.properties.Tissues`, ``"friction_static"``
in an :class:`~spinesim.device.InversionTable`. One reading serves calibration
(:mod:`spinesim.calibrate`) and sweeps (:mod:`spinesim.sweeps.parameters`): the range a
field declares (:func:`spinesim.errors.bounded`), its value, a copy with values replaced.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from spinesim.errors import ParameterError


def parameter_range(base: Any, name: str) -> tuple[float, float, bool]:
    """Declared ``(low, high, low_open)`` of the parameter at dotted ``name`` in ``base``."""
    *path, leaf = name.split(".")
    owner = base
    for part in path:
        owner = _attribute(owner, part, name)
    _attribute(owner, leaf, name)
    field = next(f for f in dataclasses.fields(owner) if f.name == leaf)
    rng = field.metadata.get("range")
    if rng is None:
        raise ParameterError(f"parameter {name!r} declares no physical range; it cannot be fitted")
    return rng


def parameter_value(base: Any, name: str) -> float:
    """Value of the parameter at dotted ``name`` in ``base``."""
    value = base
    for part in name.split("."):
        value = _attribute(value, part, name)
    return float(value)


def with_parameters(base: Any, values: Mapping[str, float]) -> Any:
    """A copy of the frozen dataclass ``base`` with dotted ``values`` replaced (and
    validated by the dataclasses' own checks)."""
    result = base
    for name, value in values.items():
        result = _replace(result, name.split("."), float(value), name)
    return result


def _attribute(owner: Any, part: str, name: str) -> Any:
    if not dataclasses.is_dataclass(owner) or part not in {
        f.name for f in dataclasses.fields(owner)
    }:
        raise ParameterError(
            f"parameter {name!r}: {part!r} is not a field of {type(owner).__name__}"
        )
    return getattr(owner, part)


def _replace(owner: Any, path: list[str], value: float, name: str) -> Any:
    head = path[0]
    inner = _attribute(owner, head, name)
    new = value if len(path) == 1 else _replace(inner, path[1:], value, name)
    return dataclasses.replace(owner, **{head: new})
