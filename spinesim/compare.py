"""Compare devices and protocols on one subject: one table, one figure.

::

    import spinesim
    from spinesim import Protocol, GravityBoots, TractionTable
    comparison = spinesim.compare(
        {
            "table 60 deg": Protocol.inversion(60, hold_s=300),
            "boots": (Protocol.inversion(90, hold_s=300), GravityBoots()),
            "traction 300 N": (Protocol.traction(300, hold_s=300), TractionTable()),
        },
        subject=spinesim.Subject(mass_kg=80),
    )
    print(comparison.table_text())
    comparison.figure().savefig("comparison.png")

Every case runs with :func:`spinesim.simulate` on the same subject and tissues; the table
and figure show each case's end-of-hold values (see :attr:`spinesim.Protocol.hold_end_s`)
per level.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._optional import import_optional
from spinesim.anatomy import Subject
from spinesim.device import DEVICE_TYPES, Device, InversionTable
from spinesim.errors import ParameterError, check_type
from spinesim.properties import Tissues
from spinesim.protocol import Protocol
from spinesim.result import Result, check_levels
from spinesim.simulate import simulate
from spinesim.solver import SolverOptions
from spinesim.summary import key

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Table columns: name, unit, how it is taken from a result at the end of the hold.
COLUMNS = (
    ("axial_force", "N", "disc axial force, tension +"),
    ("segment_force", "N", "motion-segment axial force, tension +"),
    ("gap_change", "mm", "middle disc-space change against the session start, opening +"),
    ("fluid_change", "%", "disc fluid change against the session start"),
    ("pressure", "MPa", "nucleus pressure, absolute"),
)

ComparisonCase = Protocol | tuple[Protocol, Device | None]


@dataclass(frozen=True)
class Comparison:
    """Results of several cases on one subject, by label (in the order given)."""

    results: dict[str, Result]

    @property
    def labels(self) -> tuple[str, ...]:
        """The cases' labels, in the order given."""
        return tuple(self.results)

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels every result reports (caudal first)."""
        return next(iter(self.results.values())).levels

    def end_of_hold(self, column: str) -> np.ndarray:
        """``(case, level)`` array of ``column`` (a name in :data:`COLUMNS`) at the end of
        each case's hold."""
        names = [c[0] for c in COLUMNS]
        if column not in names:
            raise ParameterError(f"column = {column!r} is unknown; allowed: {tuple(names)}")
        rows = []
        for result in self.results.values():
            k = result.index_at(result.attrs["hold_end_s"])
            values = result.data[column][k]
            rows.append(values[:, 1] if column == "gap_change" else values)
        return np.array(rows)

    def rows(self) -> list[dict[str, str | float]]:
        """One row per case and level: ``case``, ``level`` and the end-of-hold value of
        every column of :data:`COLUMNS`, named like a summary key (``<column>_<unit>``,
        ``%`` as ``pct``: :func:`spinesim.summary.key`)."""
        values = {c: self.end_of_hold(c) for c, _, _ in COLUMNS}
        return [
            {
                "case": label,
                "level": level,
                **{key(c, u): float(values[c][n, j]) for c, u, _ in COLUMNS},
            }
            for n, label in enumerate(self.labels)
            for j, level in enumerate(self.levels)
        ]

    def table_text(self, levels: str | Sequence[str] | None = None) -> str:
        """Aligned text table per level (rows) and case (columns) at the end of each
        case's hold: the axial force across the motion segment (the traction that reaches
        the level) and the disc's share of it (N), and the middle disc-space change (mm);
        ``levels``: a level name or a list of them, default: all."""
        levels = self.levels if levels is None else check_levels(levels, self.levels)
        width = max(12, *(len(label) + 2 for label in self.labels))
        head = f"{'level':>8}" + "".join(f"{label:>{width}}" for label in self.labels)
        blocks = (
            ("segment_force", ".1f", "end-of-hold axial force across the motion segment (N, "
             "tension +: disc, ligaments and muscles, the traction that reaches the level)"),
            ("axial_force", ".1f", "end-of-hold disc axial force (N, tension +: the disc's "
             "share, less the muscles' tone)"),
            ("gap_change", ".3f", "end-of-hold middle disc-space change (mm, opening +) "
             "against each case's session start (t = 0, after its preceding phases)"),
        )  # fmt: skip
        lines: list[str] = []
        for column, fmt, title in blocks:
            values = self.end_of_hold(column)
            lines += [*([""] if lines else []), title, head]
            for level in levels:
                j = self.levels.index(level)
                cells = "".join(f"{values[n, j]:>{width}{fmt}}" for n in range(len(self.labels)))
                lines.append(f"{level:>8}{cells}")
        return "\n".join(lines)

    def figure(self) -> Figure:
        """Matplotlib figure: end-of-hold disc axial force and middle disc-space change
        per level, one line per case. Needs matplotlib; works without a display."""
        Figure = import_optional("matplotlib.figure", "plot", "compare figures").Figure
        fig = Figure(figsize=(10, 4.5), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        position = np.arange(len(self.levels))
        for ax, column, label in (
            (axes[0], "axial_force", "disc axial force at end of hold (N, tension +)"),
            (axes[1], "gap_change", "middle disc-space change at end of hold (mm, opening +)"),
        ):
            values = self.end_of_hold(column)
            for n, case in enumerate(self.labels):
                ax.plot(values[n], position, marker="o", markersize=3, label=case)
            ax.axvline(0.0, color="0.6", linewidth=0.8)
            ax.set_xlabel(label)
            ax.grid(alpha=0.3)
        axes[0].set_yticks(position, self.levels)
        axes[0].set_ylabel("level (caudal at the bottom)")
        axes[1].legend(fontsize="small")
        return fig


def compare(
    cases: Mapping[str, ComparisonCase],
    subject: Subject | None = None,
    tissues: Tissues | None = None,
    *,
    solver: SolverOptions | None = None,
    output_interval_s: float | None = None,
) -> Comparison:
    """Simulate every case on the same ``subject`` and ``tissues``.

    ``cases`` maps a label to a protocol (on the default inversion table) or to a
    ``(protocol, device)`` pair, e.g. ``{"boots": (Protocol.inversion(90), GravityBoots())}``.
    Every case is checked before any runs; an error in one names its label
    (``cases['boots']: ...``).
    """
    if not isinstance(cases, Mapping) or not cases:
        raise ParameterError(f"cases = {cases!r}; allowed: a non-empty mapping label -> case")
    check_type("subject", subject, Subject, optional=True)  # shared: errors name no case
    check_type("tissues", tissues, Tissues, optional=True)
    checked = {_label(label): _case(label, case) for label, case in cases.items()}
    results = {}
    for label, (protocol, device) in checked.items():
        with _naming(label):
            results[label] = simulate(
                protocol,
                subject,
                device,
                tissues,
                solver=solver,
                output_interval_s=output_interval_s,
            )
    return Comparison(results)


def _label(label: Any) -> str:
    if not isinstance(label, str):
        raise ParameterError(f"cases: label {label!r} is not a string")
    return label


def _case(label: str, case: Any) -> tuple[Protocol, Device]:
    """The protocol and device (default: the inversion table) of one case, checked before
    any case runs: a protocol the device cannot do is refused naming the case."""
    pair = case if isinstance(case, tuple) else (case, None)
    protocol, device = pair if len(pair) == 2 else (None, None)
    if not isinstance(protocol, Protocol):
        raise ParameterError(
            f"cases[{label!r}] = {case!r}; allowed: a Protocol or (Protocol, device)"
        )
    with _naming(label):
        device = check_type("device", device, DEVICE_TYPES, optional=True) or InversionTable()
        device.check_phases(protocol.phases)
    return protocol, device


@contextlib.contextmanager
def _naming(label: str) -> Iterator[None]:
    """Prefix a :class:`ParameterError` with the case it concerns: ``cases['label']: ...``."""
    try:
        yield
    except ParameterError as exc:
        raise ParameterError(f"cases[{label!r}]: {exc}") from exc
