"""2D plots (matplotlib) of results and sweeps: traction against angle, disc-space change
against time, a level x time heat map and sweep response surfaces.

Every function draws into ``ax`` (a new figure when ``None``) and returns the axes; axis
labels carry units and sign conventions. Measured points are drawn with the source named
in the legend. Needs the ``plot`` extra (matplotlib), imported only when a plot is made.
``result.plot`` (:class:`ResultPlots`) offers the same plots, and the 3D ones, on a result.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._optional import import_optional
from spinesim.anatomy import LUMBAR
from spinesim.errors import ParameterError
from spinesim.result import LEVEL_VARIABLES, SIDES, VARIABLES, Result, check_levels

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class Measured:
    """Measured points to show beside a simulation: ``x`` and ``y`` in the plot's units,
    optional symmetric error ``y_err``, a ``label`` and the ``source`` (citation)."""

    x: Sequence[float]
    y: Sequence[float]
    label: str
    source: str
    y_err: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if not self.source:
            raise ParameterError(f"Measured {self.label!r}: source is empty; name the citation")
        if len(self.x) != len(self.y):
            raise ParameterError(
                f"Measured {self.label!r}: x has {len(self.x)} values, y has {len(self.y)}"
            )
        if self.y_err is not None and len(self.y_err) != len(self.y):
            raise ParameterError(
                f"Measured {self.label!r}: y_err has {len(self.y_err)} values, y has {len(self.y)}"
            )


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    plt = import_optional("matplotlib.pyplot", "plot", "plots")
    _, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    return ax


def _levels(result: Result, levels: str | Sequence[str] | None) -> list[str]:
    if levels is None:
        return [lv for lv in LUMBAR if lv in result.levels] or list(result.levels)
    return check_levels(levels, result.levels)


def _side(side: str) -> int:
    if side not in SIDES:
        raise ParameterError(f"side = {side!r} is unknown; allowed: {SIDES}")
    return SIDES.index(side)


def _measured(ax, measured: Sequence[Measured]) -> None:
    for m in measured:
        ax.errorbar(
            m.x, m.y, yerr=m.y_err, fmt="o", mfc="white", capsize=3, label=f"{m.label} ({m.source})"
        )


def traction_vs_angle(
    result: Result,
    levels: str | Sequence[str] | None = None,
    *,
    measured: Sequence[Measured] = (),
    ax: Axes | None = None,
) -> Axes:
    """Disc axial force (N, tension +; the disc's share of the traction that reaches its
    level, ``segment_force`` the whole of it) against the inversion angle (deg) per level, over
    the time on the device (ramp up and back down, so a loop shows hysteresis and creep;
    phases off the device, e.g. standing after the session, are left out).
    ``levels``: a level name or a list of them (default: the lumbar levels). A session
    whose angle does not change (e.g. traction, flat) is refused: plot it against the pull
    (:func:`traction_vs_pull`) or against time."""
    return _force_against(
        result,
        "angle",
        "inversion angle (deg): 0 horizontal, +90 head-down",
        "deg",
        levels,
        measured,
        ax,
    )


def traction_vs_pull(
    result: Result,
    levels: str | Sequence[str] | None = None,
    *,
    measured: Sequence[Measured] = (),
    ax: Axes | None = None,
) -> Axes:
    """Disc axial force (N, tension +) against the traction device's pull (N) per level,
    over the time on the device (pull up, hold and release: a loop shows hysteresis, creep
    and the friction that holds part of the pull back). ``levels`` as in
    :func:`traction_vs_angle`. A session whose pull does not change (no traction device,
    or a constant pull) is refused."""
    return _force_against(
        result, "pull_force", "pull of the traction device (N)", "N", levels, measured, ax
    )


def _force_against(
    result: Result,
    variable: str,
    label: str,
    unit: str,
    levels: str | Sequence[str] | None,
    measured: Sequence[Measured],
    ax: Axes | None,
) -> Axes:
    """Disc axial force per level against the session variable ``variable`` (one value
    per time) while on the device (lines break between its stretches), refused if that
    does not change."""
    on = _on_device(result)
    x = np.where(on, np.asarray(getattr(result, variable), dtype=float), np.nan)
    if np.nanmax(x) == np.nanmin(x):
        other, plot = (
            ("pull_force", "traction_vs_pull")
            if variable == "angle"
            else ("angle", "traction_vs_angle")
        )
        instead = f"result.plot.{plot}() or " if np.ptp(getattr(result, other)[on]) > 0.0 else ""
        raise ParameterError(
            f"{variable} does not change on the device (constant {np.nanmax(x):g} {unit}), so "
            f"every level would be a vertical line; plot against {instead}time instead: "
            "result.plot.heatmap('axial_force') (disc axial force per level and time) or "
            "result.plot.gap_vs_time()"
        )
    ax = _axes(ax)
    for level in _levels(result, levels):
        ax.plot(x, result[level].axial_force, label=level)
    _measured(ax, measured)
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel(label)
    ax.set_ylabel("disc axial force (N), tension +")
    ax.legend(fontsize=8)
    return ax


def _on_device(result: Result) -> np.ndarray:
    """Which saved times lie on the device (``attrs['device_spans_s']``; every time for a
    result without any device phase or written before the spans were recorded). A span's
    start is left out unless it starts the session: the outputs saved where phases meet
    have the ending phase's inputs (angle, posture)."""
    t = result.time_s
    spans = result.attrs.get("device_spans_s") or [(t[0], t[-1])]
    inside = [(t > start) & (t <= end) | (t == start) & (t == t[0]) for start, end in spans]
    return np.any(inside, axis=0)


def gap_vs_time(
    result: Result,
    levels: str | Sequence[str] | None = None,
    *,
    side: str = "middle",
    measured: Sequence[Measured] = (),
    ax: Axes | None = None,
) -> Axes:
    """Disc-space change (mm, + opening, against the result's baseline) at ``side``
    (anterior, middle or posterior) against time (s) per level. ``levels``: a level name
    or a list of them (default: the lumbar levels)."""
    ax = _axes(ax)
    s = _side(side)
    for level in _levels(result, levels):
        ax.plot(result.time_s, result[level].gap_change[:, s], label=level)
    _measured(ax, measured)
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel("time since session start (s)")
    ax.set_ylabel(f"{side} disc-space change (mm)\n+ opening, vs. t = 0")
    ax.legend(fontsize=8)
    return ax


def heatmap(
    result: Result, variable: str = "gap_change", *, side: str = "middle", ax: Axes | None = None
) -> Axes:
    """``variable`` per level (rows, caudal at the bottom) and time (columns) as colours,
    with a colour bar in the variable's unit; ``gap_change`` at ``side``."""
    ax = _axes(ax)
    column = _side(side)  # checked whatever the variable: a misspelt side is no default
    if variable == "gap_change":
        values = result.gap_change[:, :, column]
    elif variable in LEVEL_VARIABLES:
        values = result.data[variable]
    else:
        raise ParameterError(
            f"variable = {variable!r} is not per level; allowed: {LEVEL_VARIABLES}"
        )
    _, unit, description = VARIABLES[variable]
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if low < 0.0 < high:  # signed (opening / closing, tension / compression): centred on 0
        m = max(-low, high)
        cmap, low, high = "coolwarm", -m, m
    else:  # one sign (e.g. pressure): the data's own range
        cmap, high = "viridis", high if high > low else low + 1.0
    mesh = ax.pcolormesh(
        result.time_s,
        np.arange(len(result.levels)),
        values.T,
        shading="nearest",
        cmap=cmap,
        vmin=low,
        vmax=high,
    )
    ax.set_yticks(np.arange(len(result.levels)), result.levels, fontsize=6)
    ax.set_xlabel("time since session start (s)")
    ax.set_ylabel("level (caudal at the bottom)")
    label = f"{side} {variable}" if variable == "gap_change" else variable
    ax.figure.colorbar(mesh, ax=ax, label=f"{label} ({unit})")
    ax.set_title(description, fontsize=9)
    return ax


def _failed(status: np.ndarray) -> np.ndarray:
    """Cases of a sweep whose solver status is not 0 (success)."""
    return status != 0


def response_surface(
    ds: xr.Dataset,
    variable: str,
    x: str,
    y: str,
    *,
    level: str | None = None,
    ax: Axes | None = None,
    **select: Any,
) -> Axes:
    """Filled contours of sweep variable ``variable`` over swept parameters ``x`` and ``y``
    (coordinates of ``ds``, an :class:`xarray.Dataset` from :mod:`spinesim.sweep`), at
    ``level`` if the variable is per level; other swept dimensions are fixed by
    ``select`` (``name=value``). Failed cases (``status`` not a success) are left out
    and marked with a cross."""
    ax = _axes(ax)
    if variable not in ds.data_vars:
        raise ParameterError(
            f"variable = {variable!r} is not in the sweep; allowed: {tuple(ds.data_vars)}"
        )
    for name, value in (("x", x), ("y", y)):
        if value not in ds.dims:
            raise ParameterError(
                f"{name} = {value!r} is not a swept parameter; allowed: {tuple(ds.dims)}"
            )
    if x == y:
        raise ParameterError(f"x = y = {x!r}; give two different swept parameters")
    if "level" in ds[variable].dims:
        allowed = tuple(str(v) for v in ds["level"].values)
        if level not in allowed:
            raise ParameterError(f"level = {level!r}: {variable} is per level; allowed: {allowed}")
        select["level"] = level
    data = ds.sel(select) if select else ds
    field = data[variable]
    extra = [d for d in field.dims if d not in (x, y)]
    if extra:
        raise ParameterError(f"{variable} also varies over {extra}; fix them, e.g. {extra[0]}=...")
    field = field.transpose(y, x)
    values = np.asarray(field.values, float)
    failed = np.zeros(values.shape, bool)
    if "status" in data:
        status = data["status"]
        bad = status.copy(data=_failed(np.asarray(status.values)))
        bad = bad.any(dim=[d for d in bad.dims if d not in (x, y)])  # e.g. per level
        failed = np.asarray(bad.broadcast_like(field).transpose(y, x).values)
        values = np.where(failed, np.nan, values)
    xs, ys = np.asarray(ds[x].values, float), np.asarray(ds[y].values, float)
    contours = ax.contourf(xs, ys, values, levels=12, cmap="viridis")
    unit = field.attrs.get("units", "")
    name = field.attrs.get("long_name", variable)
    side = f", {select['side']}" if "side" in select else ""
    label = f"{variable}{side}" + (f" ({unit})" if unit else "")
    ax.figure.colorbar(contours, ax=ax, label=label)
    if failed.any():
        yy, xx = np.nonzero(failed)
        ax.plot(xs[xx], ys[yy], "x", color="crimson", label="failed case")
        ax.legend(fontsize=8)
    ax.set_xlabel(_coordinate_label(ds, x))
    ax.set_ylabel(_coordinate_label(ds, y))
    fixed = ", ".join(
        f"{k} = {v}" for k, v in sorted(select.items(), key=lambda kv: kv[0] != "level")
    )
    ax.set_title(textwrap.fill(name + (f": {fixed}" if fixed else ""), 80), fontsize=9)
    return ax


def _coordinate_label(ds, name: str) -> str:
    """A swept parameter's name with its unit ("-" for a ratio such as a friction)."""
    unit = ds[name].attrs.get("units")
    return f"{name} ({unit or '-'})"


class ResultPlots:
    """The plots of one result: ``result.plot.<name>(...)``.

    2D (matplotlib): :meth:`traction_vs_angle`, :meth:`traction_vs_pull`,
    :meth:`gap_vs_time`, :meth:`heatmap`.
    3D (PyVista, ``viz`` extra): :meth:`scene` (a picture), :meth:`animation`,
    :meth:`interactive` (a window with a time slider).
    """

    def __init__(self, result: Result) -> None:
        self._result = result

    def traction_vs_angle(self, levels: str | Sequence[str] | None = None, **kwargs: Any) -> Axes:
        """See :func:`traction_vs_angle`."""
        return traction_vs_angle(self._result, levels, **kwargs)

    def traction_vs_pull(self, levels: str | Sequence[str] | None = None, **kwargs: Any) -> Axes:
        """See :func:`traction_vs_pull`."""
        return traction_vs_pull(self._result, levels, **kwargs)

    def gap_vs_time(self, levels: str | Sequence[str] | None = None, **kwargs: Any) -> Axes:
        """See :func:`gap_vs_time`."""
        return gap_vs_time(self._result, levels, **kwargs)

    def heatmap(self, variable: str = "gap_change", **kwargs: Any) -> Axes:
        """See :func:`heatmap`."""
        return heatmap(self._result, variable, **kwargs)

    def scene(self, path: str | os.PathLike | None = None, **options: Any) -> np.ndarray:
        """A 3D picture (RGB array), also written to ``path`` (PNG) if given; options of
        :func:`spinesim.viz.render` (``time_s``, ``camera``, ``color_by``, ``magnify``...)."""
        from spinesim.viz import render, render_png

        if path is None:
            return render(self._result, **options)
        return render_png(self._result, path, **options)

    def animation(self, path: str | os.PathLike, **options: Any) -> Path:
        """A GIF or MP4 of the session (:func:`spinesim.viz.animate`)."""
        from spinesim.viz import animate

        return animate(self._result, path, **options)

    def interactive(self, **options: Any) -> None:
        """A window with a time slider (:func:`spinesim.viz.show`); needs a display."""
        from spinesim.viz import show

        show(self._result, **options)
