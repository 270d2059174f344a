"""The package's data tables (CSV): per-level anatomy (``bodies.csv``, ``joints.csv``) and
the published measurements the model is checked against (``measurements.csv``). Lines
starting with ``#`` carry each table's sources and notes."""

from __future__ import annotations

import csv
from importlib import resources


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of data table ``name`` (e.g. ``"joints.csv"``) as dictionaries by column,
    without its comment lines."""
    text = resources.files(__name__).joinpath(name).read_text("utf-8")
    return list(csv.DictReader(ln for ln in text.splitlines() if ln and not ln.startswith("#")))
