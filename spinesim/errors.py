"""Exceptions and the one validation helper every parameter goes through."""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

import numpy as np


class ParameterError(ValueError):
    """An input is outside what spinesim accepts; the message names it, its value and the range."""


class SolverError(RuntimeError):
    """The time integration failed; the message gives the simulated time and the cause."""

    def __init__(self, message: str, time_s: float, status: int) -> None:
        super().__init__(message)
        self.time_s = time_s
        self.status = status


class SpinesimWarning(UserWarning):
    """Something in the inputs that the user should know about, which does not stop the
    run (e.g. a protocol whose end of the hold is only a fallback)."""


class CasesFailed(Exception):
    """A sweep ran to its end and its results were written, but some cases failed (each
    with its ``status`` and ``reason`` in the results); ``report`` is the sweep's line."""

    def __init__(self, report: str, failed: int) -> None:
        super().__init__(report)
        self.report = report
        self.failed = failed


def plain(value: Any) -> Any:
    """NumPy scalars (and 0-d arrays) as Python's, so that a message reads ``nan``, not
    ``np.float64(nan)``, and a stored value is a plain number; anything else unchanged."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    return value


def check_type(
    name: str, value: Any, allowed: type | tuple[type, ...], *, optional: bool = False
) -> Any:
    """Return ``value`` if it is an instance of ``allowed`` (or ``None`` when ``optional``);
    otherwise raise :class:`ParameterError` naming ``name`` and the allowed types."""
    if (optional and value is None) or isinstance(value, allowed):
        return value
    types = allowed if isinstance(allowed, tuple) else (allowed,)
    names = " or ".join(t.__name__ for t in types) + (" or None" if optional else "")
    raise ParameterError(f"{name} = {value!r} (type {type(value).__name__}); allowed: {names}")


def check_number(
    name: str, value: Any, low: float, high: float, *, low_open: bool = False
) -> float:
    """Return ``value`` as float if it is a finite number in ``[low, high]`` (``(low, high]``
    when ``low_open``); otherwise raise :class:`ParameterError` naming ``name``."""
    lo = "(" if low_open else "["
    allowed = f"a number in {lo}{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} = {plain(value)!r} is not a number; allowed: {allowed}")
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and x != high):
        raise ParameterError(f"{name} = {plain(value)!r} is not finite; allowed: {allowed}")
    if x < low or x > high or (low_open and x == low):
        raise ParameterError(
            f"{name} = {plain(value)!r} is outside the allowed range; allowed: {allowed}"
        )
    return x


def check_integer(name: str, value: Any, low: int, high: int) -> int:
    """Return ``value`` as int if it is an integer (not a bool) in ``[low, high]``;
    otherwise raise :class:`ParameterError` naming ``name``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= value <= high
    ):
        raise ParameterError(f"{name} = {plain(value)!r}; allowed: an integer in [{low}, {high}]")
    return int(value)


def bounded(
    default: float, low: float, high: float, *, low_open: bool = False, doc: str = ""
) -> Any:
    """Dataclass field with a default and an allowed range, checked by :func:`validate_fields`."""
    return dataclasses.field(default=default, metadata={"range": (low, high, low_open), "doc": doc})


def validate_fields(obj: Any, prefix: str = "") -> None:
    """Check every field declared with :func:`bounded` on a dataclass instance."""
    for f in dataclasses.fields(obj):
        rng = f.metadata.get("range")
        if rng is not None:
            low, high, low_open = rng
            value = check_number(
                prefix + f.name, getattr(obj, f.name), low, high, low_open=low_open
            )
            object.__setattr__(obj, f.name, value)  # plain float, also from numpy scalars
