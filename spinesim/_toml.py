"""Reading the TOML input files (protocol files, sweep files): one loader, one key check."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from spinesim.errors import ParameterError

T = TypeVar("T")

#: Words users write for a key that spelling alone (difflib) would not lead to.
KEY_SYNONYMS = {
    "weight": "mass_kg",
    "weight_kg": "mass_kg",
    "stature": "height_m",
    "force": "pull_N",
}


def load_toml(path: str | os.PathLike, parse: Callable[[dict[str, Any]], T]) -> T:
    """``parse`` the TOML file at ``path``; a missing file raises :class:`FileNotFoundError`,
    a malformed or non-UTF-8 one and anything ``parse`` refuses a :class:`ParameterError`
    that starts with the path."""
    where = os.fspath(path)
    with open(path, "rb") as f:
        try:
            doc = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(f"{where}: malformed TOML: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ParameterError(f"{where}: not a UTF-8 text file: {exc}") from exc
    try:
        return parse(doc)
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from exc


def table(doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The table ``[key]`` of ``doc`` (empty if absent)."""
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ParameterError(f"{key} must be a table, written [{key}]; got {value!r}")
    return value


def check_keys(
    label: str, table: Mapping[str, Any], allowed: tuple[str, ...], top_level: tuple[str, ...]
) -> None:
    """Refuse a key of ``table`` (named ``label``, "" at the top) that is not ``allowed``,
    suggesting the closest allowed one, or, for one of the file's ``top_level`` keys
    written after a table header (TOML puts it into that table), where it belongs."""
    for key in table:
        if key not in allowed:
            name = f"{label}.{key}" if label else key
            close = [KEY_SYNONYMS[key]] if KEY_SYNONYMS.get(key) in allowed else []
            close = close or difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if label and key in top_level:
                hint = " (a top-level key: write it before the first [table])"
            raise ParameterError(f"{name} is an unknown key{hint}; allowed: {allowed}")
