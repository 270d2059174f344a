"""Sweep results on disk, written batch by batch so that an interrupted sweep resumes.

The store is a Zarr group chunked by batch along ``case``. A batch's variables are
written first, then its ``batch_done`` flag (a chunk of its own); Zarr (from 3.1.3,
zarr-python PR #3412) writes every chunk to a temporary file and renames it, so a process
killed at any moment leaves each chunk either old or new, and a batch whose flag is not set
is simply run again. Every case starts as not run (status
:data:`~spinesim.sweeps.execute.NOT_RUN`), so an unfinished store shows which cases it
lacks. The sweep's specification is stored with the data; resuming with a
different one is refused. A new store is written in a temporary folder beside it
(``.<name>.creating-<pid>-*``) and renamed; such a folder left by a killed process is removed
when the same target is created again.

A target ending in ``.nc`` is filled as a Zarr store next to it (``<name>.nc.partial.zarr``)
and written to netCDF (atomically: temporary file, then rename, with the spec) once every
batch is done. Resuming a finished sweep, either kind, finds every batch done.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from spinesim._files import (
    InterruptedAfterWriting,
    atomic_output,
    check_output,
    interrupts_deferred,
    remove_stale_temporaries,
    temporary_prefix,
)
from spinesim._optional import import_optional
from spinesim.core import layout as L
from spinesim.errors import ParameterError, check_type
from spinesim.result import (
    BATCH_DONE,
    PARTIAL_SWEEP_SUFFIX,
    READ_ERRORS,
    SWEEP_MARK,
    is_result_dataset,
)

if TYPE_CHECKING:
    import xarray as xr

#: Suffixes of a sweep's target: a Zarr store, or a netCDF file written once it is done.
SUFFIXES = (".zarr", ".nc")


def _import_xarray():
    return import_optional("xarray", "sweep", "a sweep", "zarr")


def check_target(out: str | os.PathLike, option: str = "out") -> Path:
    """``out`` as a :class:`Path` if a sweep can be written there: a ``.zarr`` store (a
    folder, which may exist to be resumed) or a ``.nc`` file (not a folder), in a writable
    folder that exists; otherwise :class:`ParameterError` naming ``option``. An existing
    folder not named ``.nc`` passes whatever its name (a store to resume, also one named
    before suffixes were required); opening it then says whether it is a sweep store."""
    check_type(option, out, (str, os.PathLike))
    target = Path(out)
    if target.is_dir() and not _is_netcdf(target):
        return target
    return check_output(target, SUFFIXES, option, folder=not _is_netcdf(target))


def _is_netcdf(target: Path) -> bool:
    """Whether a sweep into ``target`` ends as a netCDF file (else it is a Zarr store)."""
    return target.suffix.lower() == ".nc"


class SweepStore:
    """The on-disk target of one sweep (see the module docstring)."""

    def __init__(self, target: str | os.PathLike, spec: dict[str, Any]) -> None:
        self.target = Path(target)
        self.netcdf = _is_netcdf(self.target)
        self.zarr_path = (
            self.target.with_name(self.target.name + PARTIAL_SWEEP_SUFFIX)
            if self.netcdf
            else self.target
        )
        self.spec = json.dumps(spec, sort_keys=True, default=str)

    def exists(self) -> bool:
        return self.zarr_path.exists() or (self.netcdf and self.target.exists())

    def create(self, template: xr.Dataset, batch_size: int) -> None:
        """Write the empty store: every variable's fill values, coordinates and the spec."""
        xr = _import_xarray()
        if self.target.exists() or self.zarr_path.exists():  # never overwrite results
            raise ParameterError(f"out = {str(self.target)!r} exists; remove it first")
        ds = template.copy()
        n_batch = -(-ds.sizes["case"] // batch_size)
        ds[BATCH_DONE] = ("batch", np.zeros(n_batch, dtype=np.int8))
        ds.attrs[SWEEP_MARK] = self.spec
        encoding = {
            name: {"chunks": tuple(batch_size if d == "case" else ds.sizes[d] for d in v.dims)}
            for name, v in ds.data_vars.items()
            if "case" in v.dims
        }
        encoding[BATCH_DONE] = {"chunks": (1,)}
        # written under a temporary name and renamed: a half-created store never exists
        remove_stale_temporaries(self.zarr_path, "creating")
        prefix = temporary_prefix(self.zarr_path, "creating")
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=self.zarr_path.parent))
        try:
            ds.to_zarr(tmp / "store.zarr", mode="w-", encoding=encoding, consolidated=False)
            os.replace(tmp / "store.zarr", self.zarr_path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        xr.open_zarr(self.zarr_path, consolidated=False).close()

    def open_for_resume(self, n_batch: int) -> set[int]:
        """Check the stored spec against this sweep's; return the batches already done (all
        ``n_batch`` of a finished netCDF file). A sweep started by another build of spinesim
        is continued only if it is finished (nothing then runs; a warning says so): adding
        cases would mix two models in one dataset."""
        stored = self._stored_spec()
        stored_spec = json.loads(stored) if stored else {}
        this_spec = json.loads(self.spec)
        started_by = stored_spec.pop("build", "not recorded")
        this_build = this_spec.pop("build", None)
        if not stored or stored_spec != this_spec:
            raise ParameterError(
                f"out = {str(self._data_path())!r} holds a different sweep (its "
                f"specification {_differences(stored_spec, this_spec)}); resume it with the "
                "same specification or choose another output"
            )
        if self._finished_netcdf():
            done = set(range(n_batch))
        else:
            done = {int(k) for k in np.flatnonzero(self._done_flags())}
        if started_by != this_build:
            if len(done) < n_batch:
                raise ParameterError(
                    f"out = {str(self._data_path())!r} was started by another build of "
                    f"spinesim (build {started_by}, this one {this_build}: its code or data "
                    "tables differ, so resuming would mix two models in one dataset); "
                    "finish it with the spinesim that started it or choose another output"
                )
            warnings.warn(
                f"sweep {str(self._data_path())!r} is finished; its results are from build "
                f"{started_by} of spinesim (this one is {this_build}), nothing was run",
                stacklevel=4,
            )
        return done

    def batches_left(self) -> int:
        """How many batches are not marked done (0 for a finished sweep)."""
        if self._finished_netcdf():
            return 0
        return int((self._done_flags() == 0).sum())

    def _finished_netcdf(self) -> bool:
        return self.netcdf and self.target.exists()

    def _data_path(self) -> Path:
        """Where the results are now: the finished netCDF file, else the Zarr store."""
        return self.target if self._finished_netcdf() else self.zarr_path

    def _open(self):
        """The stored results, opened lazily (a context manager); :class:`ParameterError`
        if ``target`` is not a sweep's (another file or folder, a single-session result)."""
        xr = _import_xarray()
        try:
            if self._finished_netcdf():
                ds = xr.open_dataset(self.target, engine="h5netcdf")
            else:
                # chunks=None: plain arrays, no dask, so no read goes through a dask client
                # a caller set as the default (whose workers may not see this file)
                ds = xr.open_zarr(self.zarr_path, consolidated=False, chunks=None)
        except READ_ERRORS as exc:
            raise ParameterError(self._not_a_sweep(f"cannot be read as one ({exc})")) from exc
        if is_result_dataset(ds):
            why = "a single-session result (Result.to_netcdf); read it with spinesim.load_result"
        elif "status" not in ds.data_vars:
            why = "it holds no sweep cases"
        else:
            return ds
        ds.close()
        raise ParameterError(self._not_a_sweep(why))

    def _not_a_sweep(self, why: str) -> str:
        """Message: ``target`` is not a sweep store (and what one is), because ``why``."""
        return (
            f"{str(self.target)!r} is not a sweep store (a Zarr folder or .nc file written by "
            f"spinesim.sweep(out=...) or spinesim sweep --out): {why}"
        )

    def _stored_spec(self) -> str | None:
        with self._open() as ds:
            return ds.attrs.get(SWEEP_MARK)

    def _done_flags(self) -> np.ndarray:
        """Each batch's ``batch_done`` flag (1: its results are written)."""
        with self._open() as ds:
            return ds[BATCH_DONE].values

    def write(
        self, batch: int, start: int, arrays: dict[str, np.ndarray], template: xr.Dataset
    ) -> None:
        """Write one finished batch, then mark it done."""
        xr = _import_xarray()
        stop = start + len(arrays["status"])
        region = template.isel(case=slice(start, stop)).drop_vars(template.coords)
        region = region.drop_vars([n for n, v in region.data_vars.items() if "case" not in v.dims])
        for name, values in arrays.items():
            region[name] = (region[name].dims, values)
        with interrupts_deferred():  # Ctrl-C waits for the batch and its flag
            region.to_zarr(self.zarr_path, region={"case": slice(start, stop)}, consolidated=False)
            self._mark_done(xr, batch)

    def _mark_done(self, xr, batch: int) -> None:
        flag = xr.Dataset({BATCH_DONE: ("batch", np.ones(1, dtype=np.int8))})
        flag.to_zarr(self.zarr_path, region={"batch": slice(batch, batch + 1)}, consolidated=False)

    def load(self) -> xr.Dataset:
        """Everything written so far, in memory."""
        with self._open() as ds:
            try:
                out = ds.load()
            except READ_ERRORS as exc:  # a damaged chunk (e.g. cut short by a full disk)
                raise ParameterError(
                    f"sweep results {str(self.target)!r} are damaged and cannot be read ({exc})"
                ) from exc
        out.attrs.pop(SWEEP_MARK, None)
        self._check_complete(out)
        return out.drop_vars(BATCH_DONE, errors="ignore")

    def _check_complete(self, ds: xr.Dataset) -> None:
        """Refuse results of which a case that succeeded lacks a summary value: a succeeded
        case has every one (a failed one has NaN and its status says so), so only a chunk
        deleted or lost after it was written can do this; Zarr would read it as NaN. The
        time series are left out: they are NaN past a case's session end."""
        succeeded = ds["status"] == L.OK
        for name, values in ds.data_vars.items():
            if "case" in values.dims and "time" not in values.dims and values.dtype.kind == "f":
                missing = int((values.isnull() & succeeded).sum())
                if missing:
                    raise ParameterError(
                        f"sweep results {str(self.target)!r} are damaged: {missing} values of "
                        f"{name!r} of cases that succeeded are missing (a chunk deleted or lost)"
                    )

    def finish(self, dataset: xr.Dataset) -> None:
        """For a netCDF target: write it atomically (with the spec the store was started
        with, so that a resume can check it and its build stays the one that ran the
        cases) unless it is there, then remove the partial Zarr store."""
        if not self.netcdf:
            return
        if not self.target.exists():
            spec = self._stored_spec()
            try:
                with atomic_output(self.target) as tmp:
                    dataset.assign_attrs({SWEEP_MARK: spec}).to_netcdf(tmp, engine="h5netcdf")
            except InterruptedAfterWriting:  # Ctrl-C once the file was whole: it is done
                shutil.rmtree(self.zarr_path, ignore_errors=True)
                raise
        shutil.rmtree(self.zarr_path, ignore_errors=True)


def _differences(stored: dict, this: dict) -> str:
    """What differs between a stored sweep specification and this one, in words."""
    if not stored:
        return "is not recorded"
    parts = []
    for key in sorted(set(stored) | set(this)):
        old, new = stored.get(key), this.get(key)
        if old != new:
            plain = all(isinstance(v, int | float | str) for v in (old, new))
            parts.append(f"{key}: {old!r} stored, {new!r} now" if plain else key)
    return "differs in " + "; ".join(parts)
