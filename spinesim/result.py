"""Simulation results named by level and time, and their netCDF round trip."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._files import atomic_output, check_output
from spinesim._optional import import_optional
from spinesim.errors import ParameterError, SpinesimWarning, check_number, check_type
from spinesim.protocol import SAVED_TIME_MERGE
from spinesim.summary import SIDES

if TYPE_CHECKING:
    import xarray as xr

    from spinesim.plots import ResultPlots

#: ``name: (dims, unit, description)`` of every result variable; dims use ``time``,
#: ``level`` and ``side`` (anterior, middle, posterior).
VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "angle": (("time",), "deg", "inversion angle: 0 horizontal, +90 head-down, -90 upright"),
    "axial_force": (("time", "level"), "N", "axial force in the disc, tension positive"),
    "segment_force": (
        ("time", "level"),
        "N",
        "axial force across the motion segment (disc + ligaments + muscles), tension positive",
    ),
    "gap_change": (
        ("time", "level", "side"),
        "mm",
        "disc-space change against the baseline, positive when the space opens",
    ),
    "shear_force": (
        ("time", "level"),
        "N",
        "shear force across the motion segment, on the cranial body towards posterior",
    ),
    "bending_moment": (
        ("time", "level"),
        "N m",
        "bending moment across the motion segment, positive resisting flexion",
    ),
    "disc_height": (("time", "level"), "mm", "middle disc height"),
    "pressure": (("time", "level"), "MPa", "intradiscal (nucleus) pressure estimate"),
    "fluid_change": (
        ("time", "level"),
        "%",
        "disc fluid volume change against the baseline, in % of the disc volume",
    ),
    "spine_length_change": (
        ("time",),
        "mm",
        "sum of the middle opening changes of every spinal joint, the 23 discs (the levels) "
        "and the C1-C2 and head-C1 joints, against the baseline",
    ),
    "anchor_force": (
        ("time",),
        "N",
        "pull of the body on the device's holders (ankles, pads, harness) along the table, "
        "positive head-ward",
    ),
    "anchor_normal_force": (
        ("time",),
        "N",
        "push of the body on the device's holders away from the backrest (normal to the "
        "table; positive where they hold the body down on it)",
    ),
    "hand_force": (
        ("time",),
        "N",
        "pull of the body on the handles its hands hold (hip bench's hand_support) along the "
        "table, positive head-ward",
    ),
    "pull_force": (("time",), "N", "pull of the traction device on the pelvis"),
    "friction_force": (
        ("time",),
        "N",
        "backrest friction on the body along the table, positive head-ward",
    ),
    "normal_force": (("time",), "N", "backrest normal force on the body"),
    "muscle_activation": (("time",), "1", "back muscle activation (1 = resting tone lying)"),
}
#: Variables added after results were first written: a file written before may lack them
#: (it still loads, without them).
LATER_VARIABLES = ("anchor_normal_force", "hand_force")
#: Suffixes of a result file (netCDF).
RESULT_SUFFIXES = (".nc",)
#: A sweep into ``<name>.nc`` fills a Zarr store ``<name>.nc`` + this suffix until it ends.
PARTIAL_SWEEP_SUFFIX = ".partial.zarr"
#: What reading a damaged file can raise (HDF5's checksum and decompression errors are
#: RuntimeErrors).
READ_ERRORS = (OSError, ValueError, KeyError, RuntimeError)
#: Attribute that marks a dataset written by :meth:`Result.to_xarray`; its value is the
#: format version of the file.
RESULT_MARK = "spinesim_result"
#: What each format version changed in a result's stored numbers; the last one is written.
#: A file of an earlier version still loads, with a warning naming what differs.
RESULT_FORMATS = {
    "1": "the first format",
    "2": "the summary's peaks are taken from the start to the end of the hold, the way the "
    "session loads the spine (Protocol.load_sense_on), not over the whole session; the value "
    "saved where a phase ends has that phase's inputs (device, posture), not the next one's",
}
RESULT_FORMAT = max(RESULT_FORMATS, key=int)
#: Attribute that marks a sweep's results (its specification; :mod:`spinesim.sweeps.store`).
SWEEP_MARK = "spinesim_sweep"
#: A sweep store's variable that flags each batch of cases written whole
#: (:mod:`spinesim.sweeps.store`); a dataset holding it is a sweep's, unfinished.
BATCH_DONE = "batch_done"
#: The variables with a value per level (and time).
LEVEL_VARIABLES = tuple(n for n, (dims, _, _) in VARIABLES.items() if dims[:2] == ("time", "level"))
#: ``name: (unit, description)`` of the body poses, dims ``(time, body)``; optional, so that
#: results written before they existed still load (their pictures cannot be drawn).
POSE_VARIABLES: dict[str, tuple[str, str]] = {
    "body_x": ("m", "centre of mass along the backrest towards the head (table frame)"),
    "body_y": ("m", "centre of mass normal to the backrest, anterior (table frame)"),
    "body_phi": ("rad", "angle from the table's x axis to the body's cranial axis"),
}


def is_result_dataset(ds: Any) -> bool:
    """Whether the xarray dataset ``ds`` holds a single-session :class:`Result` (of any
    format version, also one newer than this spinesim reads)."""
    return RESULT_MARK in ds.attrs


def is_result_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a readable netCDF file of a single-session :class:`Result`
    (False for a sweep's results, another netCDF file or anything unreadable)."""
    xr = _import_xarray()
    if not Path(path).is_file():  # a FIFO would block the reader
        return False
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return is_result_dataset(ds)
    except READ_ERRORS:
        return False


def check_result_output(path: str | os.PathLike, option: str = "path") -> Path:
    """``path`` as a :class:`Path` if a result may be written there: a ``.nc`` file that can
    be written (:func:`~spinesim._files.check_output`), either new or a single-session
    result (replaced); not another kind of file (a sweep's results, a FIFO, any other), and
    not the target of an unfinished sweep (its partial store beside it). Otherwise
    :class:`ParameterError` naming ``option``."""
    path = check_output(path, RESULT_SUFFIXES, option=option)
    if path.exists() and not is_result_file(path):
        raise ParameterError(
            f"{option} = {str(path)!r} exists and is not a spinesim session result (a sweep's "
            "results or another file): it is not overwritten; remove it or give another name"
        )
    partial = path.with_name(path.name + PARTIAL_SWEEP_SUFFIX)
    if partial.exists():
        raise ParameterError(
            f"{option} = {str(path)!r} is the target of an unfinished sweep (its results so "
            f"far are in {str(partial)!r}): finish it with resume, or give another name"
        )
    return path


def check_levels(levels: str | Iterable[str], allowed: Sequence[str]) -> list[str]:
    """``levels`` as a list of level names, each one of ``allowed``: a single name as a str
    (``"L4-L5"``, not iterated letter by letter) or any iterable of names (a list, a NumPy
    array, an xarray coordinate's values)."""
    try:
        names = [levels] if isinstance(levels, str) else [str(lv) for lv in levels]
    except TypeError:
        raise ParameterError(
            f"levels = {levels!r}; allowed: a level name or a list of them"
        ) from None
    if not names:
        raise ParameterError(
            f"levels = {levels!r} is empty; allowed: one or more of {tuple(allowed)}"
        )
    unknown = [lv for lv in names if lv not in allowed]
    if unknown:
        raise ParameterError(f"levels = {levels!r}: {unknown!r} unknown; allowed: {tuple(allowed)}")
    return names


@dataclass(frozen=True)
class LevelResult:
    """Time series of one level (views into the :class:`Result` arrays): every per-level
    variable of :data:`VARIABLES`, in its units."""

    name: str
    time_s: np.ndarray
    axial_force: np.ndarray
    segment_force: np.ndarray
    gap_change: np.ndarray  # (n_time, 3): anterior, middle, posterior (mm)
    shear_force: np.ndarray
    bending_moment: np.ndarray
    disc_height: np.ndarray
    pressure: np.ndarray
    fluid_change: np.ndarray

    def __repr__(self) -> str:
        names = ", ".join(f.name for f in fields(self) if f.name not in ("name", "time_s"))
        return (
            f"LevelResult({self.name!r}, {self.time_s.size} times from {self.time_s[0]:g} to "
            f"{self.time_s[-1]:g} s; {names})"
        )


@dataclass(frozen=True)
class Result:
    """Outputs of one session, per level and over time.

    ``time_s`` runs from the session start (0 s, the baseline) to its end. ``data`` maps
    each name in :data:`VARIABLES` to its array (a file written before a variable of
    :data:`LATER_VARIABLES` existed lacks it); ``attrs`` holds the baseline statement, the
    protocol (``protocol``: every phase's angles and pulls; ``phases``: their names and
    times), where the hold ends and when the person is on the device (``hold_end_s``,
    ``device_spans_s``), solver statistics, the summary, the inputs, the body geometry and the
    build of spinesim that computed it (``spinesim_build``, :mod:`spinesim.provenance`).
    ``body_pose`` (if present) is ``(time, body, 3)``: x, y (m) and phi (rad) of each body
    in ``bodies`` (table frame, see :mod:`spinesim.core.layout`), for drawing the spine
    (``result.plot``).
    """

    time_s: np.ndarray
    levels: tuple[str, ...]
    data: dict[str, np.ndarray]
    attrs: dict[str, Any] = field(default_factory=dict)
    bodies: tuple[str, ...] = ()
    body_pose: np.ndarray | None = None

    def __repr__(self) -> str:
        levels = self.levels
        span = f"{len(levels)} levels {levels[0]} to {levels[-1]}" if levels else "no levels"
        return (
            f"Result({self.time_s.size} times from {self.time_s[0]:g} to {self.time_s[-1]:g} "
            f"s, {span}, device {self.device_name!r}; {', '.join(self.data)})"
        )

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("data", {})
        if name in data:
            return data[name]
        if name in LATER_VARIABLES:
            raise AttributeError(
                f"{name}: this result was written before spinesim recorded it; simulate the "
                "session again"
            )
        raise AttributeError(name)

    def __getitem__(self, level: str) -> LevelResult:
        """Time series of one level, e.g. ``result["L3-L4"]``."""
        if level not in self.levels:
            raise ParameterError(f"level = {level!r} is unknown; allowed: {self.levels}")
        j = self.levels.index(level)
        return LevelResult(
            name=self.levels[j],
            time_s=self.time_s,
            **{n: self.data[n][:, j] for n in LEVEL_VARIABLES},
        )

    @property
    def baseline(self) -> str:
        return self.attrs.get("baseline", "")

    @property
    def device_name(self) -> str | None:
        """CLI name of the device the session ran on (``None`` for a hand-built chain); a
        result saved before devices had names ran on the inversion table."""
        device = self.attrs.get("device")
        return device.get("type", "table") if device else None

    @property
    def plot(self) -> ResultPlots:
        """Plots of this result: ``result.plot.gap_vs_time()``, ``result.plot.scene()``, ...
        (see :class:`spinesim.plots.ResultPlots`)."""
        from spinesim.plots import ResultPlots

        return ResultPlots(self)

    # --------------------------------------------------------------- summaries
    def index_at(self, time_s: float) -> int:
        """Index of the saved time closest to ``time_s`` (s), which must lie between the
        first and the last saved time, give or take half the longest interval between saved
        times; :class:`ParameterError` otherwise (and for NaN)."""
        if getattr(time_s, "ndim", None) == 0 and hasattr(time_s, "item"):
            time_s = time_s.item()  # e.g. a value picked from an xarray coordinate
        pad = 0.5 * float(np.max(np.diff(self.time_s), initial=0.0))
        check_number("time_s", time_s, self.time_s[0] - pad, self.time_s[-1] + pad)
        return int(np.argmin(np.abs(self.time_s - time_s)))

    def summary(self) -> dict[str, Any]:
        """Machine-readable summary (JSON values): per level the axial force at the end of
        the hold and its peak, the segment force at the end of the hold, the disc-space
        change at the end of the hold, its peak and its final value, the rise time, the
        pressure at the end of the hold and its lowest value, the fluid change at the end of
        the hold; the spine length change at the end of the hold, its peak and final value;
        as a sweep reports them (:mod:`spinesim.summary`, keys carry the unit); the end of
        the hold, the baseline and the solver statistics. The rise time is the time to 90 %
        of the end-of-hold change: the discs keep opening through a hold (creep, fluid), so
        it grows with the hold's length (at 60 deg after 2 h upright, L4-L5: 12.6, 200 and
        1187 s for 1, 5 and 30 min holds); compare rise times only at equal holds."""
        if "summary" not in self.attrs:
            raise ParameterError(
                "this result has no summary: it was written by a spinesim without one; "
                "simulate the session again"
            )
        return {
            "end_of_hold_s": float(self.time_s[self.index_at(self.attrs["hold_end_s"])]),
            "baseline": self.baseline,
            **self.attrs["summary"],
            "solver": self.attrs.get("solver", {}),
        }

    def summary_table(self) -> str:
        """Per-level summary as aligned text."""
        s = self.summary()
        head = (
            f"{'level':>8} {'F_seg':>8} {'F_disc':>8} {'F_peak':>8} {'ant':>7} {'mid':>7} "
            f"{'post':>7} {'final':>7} {'rise':>7} {'p_min':>7} {'fluid':>7}\n"
            f"{'':>8} {'N':>8} {'N':>8} {'N':>8} {'mm':>7} {'mm':>7} {'mm':>7} {'mm':>7} "
            f"{'s':>7} {'MPa':>7} {'%':>7}"
        )
        rows = [head]
        for name, v in s["levels"].items():
            g = v["end_gap_change_mm"]
            rise = v["rise_time_s"]
            rows.append(
                f"{name:>8} {v['end_segment_force_N']:8.1f} {v['end_axial_force_N']:8.1f} "
                f"{v['peak_axial_force_N']:8.1f} "
                f"{g['anterior']:7.3f} {g['middle']:7.3f} {g['posterior']:7.3f} "
                f"{v['final_gap_change_mm']:7.3f} "
                f"{'-' if rise is None else f'{rise:.1f}':>7} "
                f"{v['min_pressure_MPa']:7.3f} {v['end_fluid_change_pct']:7.3f}"
            )
        rows.append(
            f"spine length change at end of hold ({s['end_of_hold_s']:.1f} s): "
            f"{s['end_spine_length_change_mm']:.3f} mm; at the session end: "
            f"{s['final_spine_length_change_mm']:.3f} mm"
        )
        rows.append(
            "at the end of the hold (tension +): F_seg, the axial force across the motion "
            "segment (disc, ligaments, muscles: the traction that reaches the level); F_disc, "
            "the disc's share of it (the muscles' tone compresses the disc); F_peak: the disc "
            "force's extreme up to the end of the hold, the way the session loads (the most "
            "tension, or for a head-up tilt the most compression); "
            "ant/mid/post: disc-space change; final: middle change at the session end; rise: "
            "time to 90 % of the end-of-hold middle change (it grows with the hold: compare "
            "equal holds); p_min: lowest nucleus pressure (-0.101 MPa: the suction floor, "
            "beyond which the disc opens freely)"
        )
        rows.append(f"baseline: {s['baseline']}")
        return "\n".join(rows)

    # --------------------------------------------------------------- labelled I/O
    def to_xarray(self) -> xr.Dataset:
        """The result as an :class:`xarray.Dataset` (needs the ``io`` extra). Each of
        ``attrs`` is stored as a JSON string (netCDF attributes hold no nested values):
        reading the file without spinesim, ``json.loads(ds.attrs["hold_end_s"])`` gives the
        value; :func:`load_result` and :meth:`from_xarray` decode them."""
        xr = _import_xarray()
        data_vars = {}
        for name, (dims, unit, description) in VARIABLES.items():
            if name in self.data or name not in LATER_VARIABLES:  # as from_xarray reads
                data_vars[name] = (dims, self.data[name], {"units": unit, "long_name": description})
        coords = {
            "time": ("time", self.time_s, {"units": "s", "long_name": "time since session start"}),
            "level": ("level", list(self.levels)),
            "side": ("side", list(SIDES)),
        }
        if self.body_pose is not None:
            coords["body"] = ("body", list(self.bodies))
            for k, (name, (unit, description)) in enumerate(POSE_VARIABLES.items()):
                data_vars[name] = (
                    ("time", "body"),
                    self.body_pose[:, :, k],
                    {"units": unit, "long_name": description},
                )
        attrs = {k: json.dumps(v) for k, v in self.attrs.items()}
        attrs[RESULT_MARK] = RESULT_FORMAT
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    def to_netcdf(self, path: str | os.PathLike) -> None:
        """Write to netCDF atomically: a temporary file in the same folder is renamed onto
        ``path`` only when complete, so an interruption never leaves a partial file. Each
        variable carries a checksum (HDF5 Fletcher-32) that :func:`load_result` verifies.
        A ``path`` that cannot be written (:func:`check_result_output`) is refused before
        anything is written."""
        path = check_result_output(path)
        ds = self.to_xarray()
        encoding = {name: {"fletcher32": True} for name in ds.data_vars}
        with atomic_output(path) as tmp:
            ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)

    @classmethod
    def from_xarray(cls, ds: xr.Dataset) -> Result:
        """The result in ``ds`` (written by :meth:`to_xarray`). A dataset cut down with
        xarray (fewer times or levels) is refused: its summary, baseline and end of the
        hold belong to the whole session; select from the loaded result instead."""
        if not is_result_dataset(ds):
            sweep = SWEEP_MARK in ds.attrs or BATCH_DONE in ds
            hint = "; it holds a sweep's results: open it with spinesim.open_sweep" if sweep else ""
            raise ParameterError(
                f"the dataset is not a spinesim result (attribute {RESULT_MARK} missing){hint}"
            )
        version = str(ds.attrs[RESULT_MARK])
        if version not in RESULT_FORMATS:
            raise ParameterError(
                f"the result was written in format {version!r} by another spinesim; this one "
                f"reads the formats {sorted(RESULT_FORMATS, key=int)}: update spinesim"
            )
        _warn_older_format(version)
        data = {
            name: np.asarray(ds[name].values)
            for name in VARIABLES
            if name in ds or name not in LATER_VARIABLES
        }
        _check_layout(ds, data)
        attrs = {k: json.loads(v) for k, v in ds.attrs.items() if k != RESULT_MARK}
        levels = tuple(str(v) for v in ds["level"].values)
        _check_whole_session(np.asarray(ds["time"].values), levels, attrs)
        poses = {}
        if "body" in ds.coords:
            poses["bodies"] = tuple(str(v) for v in ds["body"].values)
            poses["body_pose"] = np.stack([ds[name].values for name in POSE_VARIABLES], axis=-1)
        return cls(
            time_s=np.asarray(ds["time"].values), levels=levels, data=data, attrs=attrs, **poses
        )


def _check_layout(ds: xr.Dataset, data: Mapping[str, np.ndarray]) -> None:
    """Refuse a dataset that no :meth:`Result.to_xarray` wrote: a variable (the body poses
    too) over other dimensions or in another order (e.g. transposed and saved again), times
    that do not increase, or a value that is not finite (a result never holds one:
    :func:`simulate` refuses them), which only damage can put there."""
    dims = {name: VARIABLES[name][0] for name in data}
    if "body" in ds.coords:
        dims.update({name: ("time", "body") for name in POSE_VARIABLES})
        data = {**data, **{name: np.asarray(ds[name].values) for name in POSE_VARIABLES}}
    for name, expected in dims.items():
        if ds[name].dims != expected:
            raise ParameterError(
                f"variable {name!r} has dimensions {ds[name].dims}; a result's are {expected}"
            )
        if not np.all(np.isfinite(data[name])):
            raise ParameterError(f"variable {name!r} holds values that are not finite: damaged")
    time_s = np.asarray(ds["time"].values, dtype=float)
    if not np.all(np.diff(time_s) > 0.0):
        raise ParameterError("the times of the dataset do not increase")


def _warn_older_format(version: str) -> None:
    """Warn that a result of format ``version`` (older than :data:`RESULT_FORMAT`) holds
    numbers computed by older rules: its summary and its saved values stay as written."""
    later = [v for v in RESULT_FORMATS if int(v) > int(version)]
    if later:
        changes = "; ".join(f"format {v}: {RESULT_FORMATS[v]}" for v in later)
        warnings.warn(
            f"this result was written in format {version} by an earlier spinesim, and its "
            f"stored numbers may follow older rules; since then ({changes}). Simulate the "
            "session again for the current rules",
            SpinesimWarning,
            stacklevel=4,
        )


def _check_whole_session(
    time_s: np.ndarray, levels: tuple[str, ...], attrs: Mapping[str, Any]
) -> None:
    """Refuse a dataset cut down with xarray: its baseline (t = 0), summary and end of the
    hold belong to the whole session, so the times must include 0, the end of the hold and
    the session end (the end of its last phase), and the levels must be the summary's."""
    phases, hold = attrs.get("phases"), attrs.get("hold_end_s")
    needed = {"the session start": 0.0}
    if hold is not None:
        needed["the end of the hold"] = hold
    if phases:
        needed["the session end"] = phases[-1][2]
    missing = [
        f"{what} ({t:g} s)"
        for what, t in needed.items()
        if not np.any(np.abs(time_s - t) <= SAVED_TIME_MERGE * max(1.0, abs(t)))
    ]
    summarized = tuple(attrs.get("summary", {}).get("levels", levels))
    if missing or levels != summarized:
        lacks = ", ".join(missing) or f"levels {sorted(set(summarized) - set(levels))}"
        raise ParameterError(
            f"the dataset lacks {lacks}: it was cut down from a whole session, to which its "
            "baseline, summary and end of the hold belong; load the whole result and select "
            "from it (Result.time_s, Result.index_at, result['L4-L5']), or work on the "
            "dataset with xarray alone"
        )


def load_result(path: str | os.PathLike) -> Result:
    """Read a result written by :meth:`Result.to_netcdf`; clear errors for a missing,
    truncated or foreign file."""
    xr = _import_xarray()
    path = Path(check_type("path", path, (str, os.PathLike)))
    if path.is_dir():
        raise ParameterError(
            f"path = {str(path)!r} is a folder, not a result file (a .nc file written by "
            "Result.to_netcdf or spinesim run --out)"
        )
    if not path.exists():
        raise ParameterError(f"result file {str(path)!r} does not exist")
    if not path.is_file():
        raise ParameterError(f"path = {str(path)!r} is not a regular file (a .nc result file)")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return Result.from_xarray(ds.load())
    except ParameterError as exc:  # readable, but not a result (e.g. a sweep's file)
        raise ParameterError(f"{str(path)!r}: {exc}") from exc
    except READ_ERRORS as exc:  # also a checksum that does not match: a damaged file
        raise ParameterError(f"{str(path)!r} is not a readable spinesim result: {exc}") from exc


def _import_xarray():
    return import_optional("xarray", "io", "saving results", "h5netcdf")
