"""``sweep``: run a design of cases through the batch kernel, locally or on a dask cluster."""

from __future__ import annotations

import itertools
import json
import numbers
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._optional import import_optional
from spinesim.anatomy import Subject, load_anatomy
from spinesim.errors import ParameterError, check_integer, check_number, check_type
from spinesim.provenance import build_fingerprint
from spinesim.result import SIDES, VARIABLES, is_result_file
from spinesim.solver import SolverOptions
from spinesim.summary import GLOBAL_SUMMARIES, LEVEL_SUMMARIES
from spinesim.sweeps.design import Design
from spinesim.sweeps.execute import (
    NOT_RUN,
    NOT_RUN_REASON,
    SERIES,
    STATUS_MEANING,
    BatchSettings,
    run_batch,
)
from spinesim.sweeps.parameters import CaseInputs, case_inputs, check_names
from spinesim.sweeps.store import SweepStore, _import_xarray, check_target

if TYPE_CHECKING:
    import xarray as xr

#: Default output intervals per session on which peaks and rise times are taken.
DEFAULT_SAMPLES = 200
#: Default cases per batch (one compiled call; one chunk on disk; one dask task).
DEFAULT_BATCH_SIZE = 256


def sweep(
    design: Design,
    *,
    fixed: Mapping[str, Any] | None = None,
    series_times_s: Sequence[float] | None = None,
    samples: int = DEFAULT_SAMPLES,
    solver: SolverOptions | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    client: Any = None,
    progress: bool = True,
) -> xr.Dataset:
    """Run every case of ``design`` and return the results as an :class:`xarray.Dataset`.

    Parameters
    ----------
    design
        Which cases: :class:`Grid`, :class:`Table`, :class:`LatinHypercube`,
        :class:`RandomSample` or :class:`Cohort` over any parameter named in
        :mod:`spinesim.sweeps.parameters` (protocol, subject, device, tissues).
    fixed
        Values shared by every case, one number, bool or name each (e.g.
        ``{"hold_s": 300, "device": "table"}``); a name may not be both swept and fixed.
    series_times_s
        Common time grid (s from the session start: increasing, starting at 0, at most
        ``MAX_SERIES_TIME_S``) of the time series to return (``series_*`` variables, NaN
        past a case's end); default: summaries only.
    samples
        Output intervals per session on which peaks and rise times are taken.
    solver
        Integrator options of every case.
    batch_size
        Cases per compiled call (and per chunk on disk, and per dask task).
    out
        Zarr store (``.zarr``) or netCDF file (``.nc``, written from a partial Zarr store
        once every case is done), written batch by batch; with ``resume=True`` an
        interrupted sweep continues where it stopped (no case lost, none run twice), and
        a finished one is returned as it is (nothing runs).
    client
        A ``dask.distributed.Client`` or a scheduler address: batches run on its workers.
    progress
        Show a progress bar (cases done, rate, time left) on stderr.

    Every variable is named by its meaning and unit (see its ``units`` and ``long_name``
    attributes); changes are measured against each case's session start (t = 0). A case
    that fails has ``status != 0`` and a ``reason``; its values are NaN; the others run.
    In a store, a case not run yet (an interrupted sweep) has ``status`` :data:`NOT_RUN`.
    """
    check_type("resume", resume, bool)
    check_type("progress", progress, bool)
    xr = _import_xarray()
    out = None if out is None else check_target(out)  # before anything is run or written
    fixed = _fixed(fixed)
    table = _case_table(design, fixed)
    inputs = _validated_inputs(table)
    settings = BatchSettings(
        solver=check_type("solver", solver, SolverOptions, optional=True) or SolverOptions(),
        samples=check_integer("samples", samples, 2, 1_000_000),
        series_times_s=_series_times(series_times_s),
    )
    batch_size = check_integer("batch_size", batch_size, 1, 1_000_000)
    template = _template(xr, table, settings, design, fixed)
    store = None if out is None else SweepStore(out, _spec(design, fixed, settings, batch_size))
    n_batch = -(-len(inputs) // batch_size)
    done = _batches_done(store, resume, n_batch)
    # connected before the store is created (a bad address leaves none); not when all is done
    client, owned = _connect(client) if len(done) < n_batch else (None, False)
    try:
        if store is not None and not store.exists():
            store.create(template, batch_size)
        return _run(inputs, template, settings, batch_size, store, done, client, progress)
    finally:
        if owned:
            client.close()


def _run(
    inputs: list[CaseInputs],
    template: xr.Dataset,
    settings: BatchSettings,
    batch_size: int,
    store: SweepStore | None,
    done: set[int],
    client: Any,
    progress: bool,
) -> xr.Dataset:
    """Run every batch not ``done`` (locally or on ``client``), write each to ``store`` as
    it finishes (or keep it in memory), and return the whole sweep laid out."""
    n_case = len(inputs)
    batches = list(enumerate(range(0, n_case, batch_size)))
    arrays = {name: np.array(v.values) for name, v in template.data_vars.items()}
    pending = [(k, start) for k, start in batches if k not in done]

    def chunk(start: int) -> list[CaseInputs]:
        return inputs[start : start + batch_size]

    with _progress(n_case, sum(len(chunk(s)) for k, s in batches if k in done), progress) as bar:
        for k, start, result in _execute(pending, chunk, settings, client):
            if store is not None:
                store.write(k, start, result, template)
            else:
                for name, values in result.items():
                    arrays[name][start : start + len(values)] = values
            bar.update(len(result["status"]))

    if store is not None:
        dataset = finish_layout(store.load())
        store.finish(dataset)
        return dataset
    ds = template.copy()
    for name, values in arrays.items():
        ds[name] = (ds[name].dims, values, ds[name].attrs)
    return finish_layout(ds)


def _spec(
    design: Design, fixed: dict[str, Any], settings: BatchSettings, batch_size: int
) -> dict[str, Any]:
    """What a store records of its sweep (a resume must give the same, from the same
    build of spinesim)."""
    return {
        "build": build_fingerprint(),
        "design": design.describe(),
        "fixed": fixed,
        "samples": settings.samples,
        "series_times_s": list(settings.series_times_s),
        "solver": vars(settings.solver),
        "batch_size": batch_size,
    }


def _batches_done(store: SweepStore | None, resume: bool, n_batch: int) -> set[int]:
    """The batches (of ``n_batch``) an existing ``store`` holds when resuming: none for a
    new one, all for a finished one. An existing store without ``resume`` is refused
    (never overwritten)."""
    if store is None or not store.exists():
        return set()
    if not resume:
        raise ParameterError(_refusal(store))
    return store.open_for_resume(n_batch)


def _refusal(store: SweepStore) -> str:
    """Why a sweep into an existing ``store`` does not start over, and what to do."""
    if store.netcdf and not store.target.exists():
        return (
            f"out = {str(store.target)!r}: an unfinished sweep into it is in "
            f"{str(store.zarr_path)!r}; complete it with resume=True (CLI --resume), or remove "
            "that store to start over"
        )
    if store.netcdf and is_result_file(store.target):
        return (
            f"out = {str(store.target)!r} exists and holds a single session's result "
            "(Result.to_netcdf, spinesim run --out), not a sweep; choose another output"
        )
    return (
        f"out = {str(store.target)!r} exists; resume it (resume=True, CLI --resume) or "
        "choose another output"
    )


def open_sweep(path: str | os.PathLike) -> xr.Dataset:
    """Read a sweep written with ``out=`` (Zarr store or netCDF file), laid out as
    :func:`sweep` returns it. An unfinished store (an interrupted sweep; for a ``.nc``
    target not written yet, its partial store) is read as it is, its cases not run with
    ``status`` :data:`NOT_RUN`, with a warning saying how many."""
    path = os.fspath(path)
    store = SweepStore(path, {})
    if not store.exists():
        raise ParameterError(f"sweep results {path!r} do not exist")
    ds = finish_layout(store.load())
    if store.batches_left():
        _warn_unfinished(path, ds)
    return ds


def _warn_unfinished(path: str, ds: xr.Dataset) -> None:
    """Warn that the sweep in ``path`` was interrupted: how many cases it lacks, and how
    to complete it."""
    not_run = int((ds["status"] == NOT_RUN).sum())
    warnings.warn(
        f"sweep {path!r} is unfinished: {not_run} of {ds['status'].size} cases were not run "
        f"(status {NOT_RUN}, values NaN); complete it by running the same sweep with "
        "resume=True (CLI: --resume)",
        stacklevel=3,
    )


def finish_layout(ds: xr.Dataset) -> xr.Dataset:
    """Reshape the flat ``case`` dimension of a grid sweep into one dimension per swept
    parameter, each in the order its values were given (no-op for other designs or an
    already reshaped dataset)."""
    dims = json.loads(ds.attrs.get("grid_dims", "[]"))
    if not dims or "case" not in ds.dims:
        return ds
    ds = ds.drop_vars("case")
    if len(dims) == 1:
        return ds.swap_dims(case=dims[0])
    given = {dim: _in_given_order(ds[dim].values) for dim in dims}
    return ds.set_index(case=dims).unstack("case").reindex(given).transpose(*dims, ...)


def _in_given_order(values: np.ndarray) -> np.ndarray:
    """The distinct ``values`` in the order they first appear: a grid's cases run through
    each parameter's values in the order given (``unstack`` would sort them)."""
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


# ------------------------------------------------------------------------ inputs
#: Types of a fixed value: one number, switch or name shared by every case.
FIXED_TYPES = (numbers.Real, str, np.bool_)


def _fixed(fixed: Mapping[str, Any] | None) -> dict[str, Any]:
    """``fixed`` checked: parameter name → one number, bool or text (not a list), or None
    (the default, e.g. ``return_s`` as long as ``ramp_s``); NumPy scalars as Python's, so
    that the stored specification reads (and a resume compares) them as numbers."""
    if fixed is None:
        return {}
    if not isinstance(fixed, Mapping):
        raise ParameterError(f"fixed = {fixed!r}; allowed: a mapping of parameter name to value")
    for name, value in fixed.items():
        if value is not None and not isinstance(value, FIXED_TYPES):
            raise ParameterError(
                f"fixed.{name} = {value!r}; allowed: one number, bool or text shared by every "
                "case, or None for the parameter's default (sweep a parameter to give it "
                "several values)"
            )
    return {name: v.item() if isinstance(v, np.generic) else v for name, v in fixed.items()}


def _case_table(design: Design, fixed: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if not isinstance(design, Design):
        raise ParameterError(
            f"design = {design!r}; allowed: Grid, Table, LatinHypercube, RandomSample, Cohort"
        )
    table = design.table()
    both = sorted(set(table) & set(fixed))
    if both:
        raise ParameterError(f"sweep parameter(s) {both} are both swept and fixed; give once")
    check_names([*table, *fixed])
    n = len(next(iter(table.values())))
    if n == 0:
        raise ParameterError("the sweep has no cases")
    return {**table, **{name: np.full(n, value) for name, value in fixed.items()}}


def _validated_inputs(table: dict[str, np.ndarray]) -> list[CaseInputs]:
    """Every case's inputs, validated before any work starts: a case that is refused
    refuses the sweep, named with the count of all refused cases."""
    names = list(table)
    inputs = []
    cache: dict[tuple, CaseInputs | ParameterError] = {}
    refused: list[tuple[int, dict, ParameterError]] = []
    for k, row in enumerate(zip(*table.values(), strict=True)):
        key = tuple(v.item() if hasattr(v, "item") else v for v in row)
        if key not in cache:
            try:
                cache[key] = case_inputs(dict(zip(names, key, strict=True)))
            except ParameterError as exc:
                cache[key] = exc
        if isinstance(cache[key], ParameterError):
            refused.append((k, dict(zip(names, key, strict=True)), cache[key]))
        else:
            inputs.append(cache[key])
    if refused:
        k, values, exc = refused[0]
        others = f" ({len(refused)} of {len(inputs) + len(refused)} cases are refused)"
        raise ParameterError(f"case {k} ({values}): {exc}{others if len(refused) > 1 else ''}")
    return inputs


#: Latest time of the series grid (s from the session start).
MAX_SERIES_TIME_S = 1e7


def _series_times(times: Sequence[float] | None) -> tuple[float, ...]:
    """``series_times_s`` checked: numbers in [0, MAX_SERIES_TIME_S] s, increasing from 0."""
    if times is None:
        return ()
    allowed = "a non-empty list of increasing times (s) starting at 0"
    values = _listed(times)
    if not values:
        raise ParameterError(f"series_times_s = {times!r}; allowed: {allowed}")
    t = [
        check_number(f"series_times_s[{k}]", value, 0.0, MAX_SERIES_TIME_S)
        for k, value in enumerate(values)
    ]
    if t[0] != 0.0 or any(later <= earlier for earlier, later in itertools.pairwise(t)):
        shown = ", ".join(f"{x:g}" for x in t[:5]) + (", ..." if len(t) > 5 else "")
        raise ParameterError(f"series_times_s = [{shown}]; allowed: {allowed}")
    return tuple(t)


def _listed(values: Any) -> list | None:
    """The items of a list, tuple or 1-D array (None for text, a mapping or a scalar)."""
    if isinstance(values, str | bytes | Mapping):
        return None
    try:
        return list(values)
    except TypeError:  # not iterable, or a 0-d array
        return None


# ------------------------------------------------------------------------ layout
def _template(xr, table, settings: BatchSettings, design: Design, fixed: Mapping[str, Any]):
    """The result Dataset of the flat case dimension, every value at its fill value."""
    n = len(next(iter(table.values())))
    levels = list(load_anatomy(Subject()).disc_levels)
    n_level, n_time = len(levels), len(settings.series_times_s)
    data = {}
    for name, (column, _, unit, text) in LEVEL_SUMMARIES.items():
        dims = ("case", "level", "side") if isinstance(column, list) else ("case", "level")
        shape = (n, n_level, len(SIDES))[: len(dims)]
        data[name] = (dims, np.full(shape, np.nan), {"units": unit, "long_name": text})
    for name, (_, _, unit, text) in GLOBAL_SUMMARIES.items():
        data[name] = (("case",), np.full(n, np.nan), {"units": unit, "long_name": text})
    data["status"] = (("case",), np.full(n, NOT_RUN, dtype=np.int64), {"long_name": STATUS_MEANING})
    data["reason"] = (
        ("case",),
        np.full(n, NOT_RUN_REASON, dtype=object),
        {"long_name": "why a case failed or was not run"},
    )
    data["steps"] = (("case",), np.zeros(n, dtype=np.int64), {"long_name": "solver steps"})
    for name in SERIES if n_time else ():
        dims, unit, text = VARIABLES[name]
        dims = ("case", *dims)
        sizes = {"case": n, "time": n_time, "level": n_level, "side": len(SIDES)}
        data[f"series_{name}"] = (
            dims,
            np.full(tuple(sizes[d] for d in dims), np.nan),
            {"units": unit, "long_name": text},
        )
    coords = {
        "case": np.arange(n),
        "level": np.array(levels, dtype=object),
        "side": np.array(SIDES, dtype=object),
        **{
            name: ("case", _plain(values), _unit_attrs(name))
            for name, values in table.items()
            if name not in fixed
        },
    }
    if n_time:
        coords["time"] = ("time", np.array(settings.series_times_s), {"units": "s"})
    attrs = {
        "baseline": "each case's state at its session start (t = 0 s), after its preceding "
        "phases and the model's settling lying flat on the support",
        "end_of_hold": "end of the steepest (then strongest-pull) phase on the device at a "
        "constant angle and pull (a sham case: its session's)",
        "fixed": json.dumps(dict(fixed), default=str),
        "design": json.dumps(design.describe(), default=str),
        "spinesim_version": version("spinesim"),
        "spinesim_build": build_fingerprint(),
        "grid_dims": json.dumps(list(design.dims()) if design.dims() != ("case",) else []),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


#: Units of parameters by the suffix of their name (the naming convention of spinesim).
UNIT_SUFFIXES = {
    "_deg": "deg", "_deg_s": "deg/s", "_s": "s", "_h": "h", "_hours": "h", "_kg": "kg",
    "_m": "m", "_N": "N", "_MPa": "MPa",
}  # fmt: skip


def _unit_attrs(name: str) -> dict[str, str]:
    """``{"units": ...}`` from the parameter name's suffix (longest match), else ``{}``."""
    matches = [suffix for suffix in UNIT_SUFFIXES if name.endswith(suffix)]
    return {"units": UNIT_SUFFIXES[max(matches, key=len)]} if matches else {}


def _plain(values: np.ndarray) -> np.ndarray:
    """A design column as stored (portable in Zarr and netCDF): text as Python strings,
    numbers unchanged. A column with cases that do not give it (None) stores NaN there if
    it holds numbers, else '' (and its switches as the text 'True' and 'False')."""
    if values.dtype == object and any(v is None for v in values):
        given = [v for v in values if v is not None]
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) for v in given):
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        return np.array(["" if v is None else str(v) for v in values], dtype=object)
    return values.astype(object) if values.dtype.kind in "US" else values


# ------------------------------------------------------------------------ execution
def _connect(client: Any) -> tuple[Any, bool]:
    """``(client, owned)``: the dask ``Client`` to run batches on (None: this process),
    connected here if ``client`` is a scheduler address (then owned: closed by the sweep)."""
    if client is None:
        return None, False
    if not isinstance(client, str):
        if not callable(getattr(client, "submit", None)):
            raise ParameterError(
                f"client = {client!r}; allowed: None, a dask.distributed Client or a "
                "scheduler address"
            )
        return client, False
    distributed = import_optional("distributed", "sweep", "a sweep on a dask cluster")
    try:
        _check_address(client)
        # not dask's default scheduler: later computations (reading a sweep's file) stay
        # in this process, also after the client is closed or failed to connect
        return distributed.Client(client, set_as_default=False), True
    except (ValueError, OSError, TimeoutError) as exc:
        raise ParameterError(
            f"client = {client!r} (the scheduler address, CLI --scheduler): cannot connect "
            f"({exc}); allowed: the address of a running dask.distributed scheduler, e.g. "
            "tcp://host:8786"
        ) from None


def _check_address(address: str) -> None:
    """ValueError unless ``address`` is a scheduler address dask can connect to in form
    (a known protocol; a host and a numeric port where the protocol needs them): a
    malformed one made the half-built ``Client`` hang for a minute at exit."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    scheme, location = parse_address(address)
    if scheme not in backends:
        raise ValueError(f"unknown protocol {scheme!r}; known: {sorted(backends)}")
    if scheme in ("tcp", "tls", "ws", "wss"):
        parse_host_port(location)


def _execute(pending, chunk, settings: BatchSettings, client) -> Iterator[tuple[int, int, dict]]:
    """``(batch, start, arrays)`` for every pending batch as it finishes, run here
    (``client`` None) or on a dask ``Client``'s workers."""
    if client is None:
        for k, start in pending:
            yield k, start, run_batch(chunk(start), settings)
        return
    from distributed import as_completed

    futures = {
        client.submit(run_batch, chunk(start), settings, pure=False): (k, start)
        for k, start in pending
    }
    for future in as_completed(futures, loop=client.loop):  # not the default client's
        k, start = futures[future]
        yield k, start, future.result()


def _progress(total: int, initial: int, enabled: bool):
    tqdm = import_optional("tqdm.auto", "sweep", "a sweep's progress bar").tqdm
    return tqdm(
        total=total, initial=initial, unit="case", disable=not enabled, smoothing=0.1,
        desc="spinesim sweep", mininterval=0.5,
    )  # fmt: skip
