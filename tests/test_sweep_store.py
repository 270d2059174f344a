"""Sweep results on disk: resumable after kill -9, no case lost, none run twice."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import spinesim
from spinesim import Grid, Table
from spinesim.errors import ParameterError
from spinesim.provenance import build_fingerprint
from spinesim.sweeps import execute, runner, store

ANGLES = [15.0, 25.0, 35.0, 45.0, 55.0, 65.0, 75.0, 85.0]
FIXED = {"ramp_s": 5.0, "hold_s": 20.0}
ROOT = Path(__file__).resolve().parents[1]
#: The sweep every test here runs, as a script for a child process.
SCRIPT = """
import sys
import spinesim
from spinesim.sweeps import execute, store
{patch}
spinesim.sweep(
    spinesim.Table({{"angle_deg": {angles}}}), fixed={fixed}, batch_size=1,
    out=sys.argv[1], resume=True, progress=False,
)
"""
#: Kill the child with SIGKILL after batch 2's data are written, before its done flag.
KILL_BEFORE_FLAG = """
import os, signal
mark_done = store.SweepStore._mark_done
def killing_mark_done(self, xr, batch):
    if batch == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    mark_done(self, xr, batch)
store.SweepStore._mark_done = killing_mark_done
"""
#: Slow every batch down so that an outside kill lands mid-sweep.
SLOW = """
import time
run_batch = execute.run_batch
def slow_run_batch(inputs, settings):
    time.sleep(0.4)
    return run_batch(inputs, settings)
execute.run_batch = slow_run_batch
import spinesim.sweeps.runner as runner
runner.run_batch = slow_run_batch
"""

#: Kill the child with SIGKILL while it creates the store: written, not yet renamed.
KILL_IN_CREATE = """
import os, signal, xarray
to_zarr = xarray.Dataset.to_zarr
def killing_to_zarr(self, path, *args, **kwargs):
    to_zarr(self, path, *args, **kwargs)
    if kwargs.get("mode") == "w-":
        os.kill(os.getpid(), signal.SIGKILL)
xarray.Dataset.to_zarr = killing_to_zarr
"""


def child(out: Path, patch: str = "") -> subprocess.Popen:
    code = SCRIPT.format(patch=textwrap.dedent(patch), angles=ANGLES, fixed=FIXED)
    return subprocess.Popen([sys.executable, "-c", code, str(out)], cwd=ROOT)


def done_batches(out: Path) -> int:
    try:
        with xr.open_zarr(out, consolidated=False) as ds:
            return int(ds[store.BATCH_DONE].sum())
    except (OSError, KeyError, ValueError):
        return 0


@pytest.fixture(scope="module")
def reference() -> xr.Dataset:
    return spinesim.sweep(Table({"angle_deg": ANGLES}), fixed=FIXED, progress=False)


def resume_counting(out: Path, monkeypatch) -> tuple[xr.Dataset, int]:
    calls = []
    run_batch = execute.run_batch

    def counting(inputs, settings):
        calls.append(len(inputs))
        return run_batch(inputs, settings)

    monkeypatch.setattr("spinesim.sweeps.runner.run_batch", counting)
    ds = spinesim.sweep(
        Table({"angle_deg": ANGLES}), fixed=FIXED, batch_size=1, out=out, resume=True,
        progress=False,
    )  # fmt: skip
    return ds, sum(calls)


def assert_same_results(ds: xr.Dataset, reference: xr.Dataset) -> None:
    for name in ("end_axial_force", "peak_gap_change", "end_pressure", "status"):
        np.testing.assert_array_equal(ds[name].values, reference[name].values)


def test_killed_between_data_and_flag_the_batch_is_run_again(tmp_path, reference, monkeypatch):
    out = tmp_path / "sweep.zarr"
    proc = child(out, KILL_BEFORE_FLAG)
    assert proc.wait(timeout=300) == -signal.SIGKILL
    assert done_batches(out) == 2  # batches 0 and 1 done; 2 written but not flagged
    ds, runs = resume_counting(out, monkeypatch)
    assert runs == len(ANGLES) - 2  # none of the done cases is run twice
    assert_same_results(ds, reference)  # and none is lost


def test_kill_9_mid_sweep_then_resume_completes_every_case_once(tmp_path, reference, monkeypatch):
    out = tmp_path / "sweep.zarr"
    proc = child(out, SLOW)
    deadline = time.monotonic() + 300
    while done_batches(out) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    before = done_batches(out)
    assert 2 <= before < len(ANGLES)
    ds, runs = resume_counting(out, monkeypatch)
    assert runs == len(ANGLES) - before
    assert_same_results(ds, reference)
    _, runs_again = resume_counting(out, monkeypatch)  # a finished sweep runs nothing
    assert runs_again == 0


def interrupt_in_batch(out: Path, batch: int, monkeypatch) -> None:
    """Run the sweep into ``out`` and press Ctrl-C while batch ``batch`` runs."""
    calls = []
    run_batch = execute.run_batch

    def interrupted(inputs, settings):
        calls.append(len(inputs))
        if len(calls) == batch + 1:
            raise KeyboardInterrupt
        return run_batch(inputs, settings)

    with monkeypatch.context() as patch:
        patch.setattr("spinesim.sweeps.runner.run_batch", interrupted)
        with pytest.raises(KeyboardInterrupt):
            spinesim.sweep(
                Table({"angle_deg": ANGLES}), fixed=FIXED, batch_size=1, out=out, progress=False
            )


def test_an_interrupted_store_shows_its_unrun_cases_and_warns(tmp_path, reference, monkeypatch):
    out = tmp_path / "sweep.zarr"
    interrupt_in_batch(out, 3, monkeypatch)
    with pytest.warns(UserWarning, match=r"unfinished: 5 of 8 cases were not run.*resume=True"):
        ds = spinesim.open_sweep(out)
    status = ds["status"].values
    assert (status[:3] == 0).all() and (status[3:] == execute.NOT_RUN).all()
    assert all(reason.startswith("not run") for reason in ds["reason"].values[3:])
    assert np.isnan(ds["end_axial_force"].values[3:]).all()
    assert str(execute.NOT_RUN) in ds["status"].attrs["long_name"]
    ds, runs = resume_counting(out, monkeypatch)
    assert runs == 5
    assert not (ds["status"] == execute.NOT_RUN).any()
    assert_same_results(ds, reference)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a finished store opens without a warning
        assert_same_results(spinesim.open_sweep(out), reference)


def test_a_store_killed_while_created_leaves_a_folder_the_next_create_removes(
    tmp_path, reference, monkeypatch
):
    out = tmp_path / "sweep.zarr"
    proc = child(out, KILL_IN_CREATE)
    assert proc.wait(timeout=300) == -signal.SIGKILL
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(".sweep.zarr.creating-") and not out.exists()
    other = tmp_path / f".other.zarr.creating-{proc.pid}-x"  # another target's: kept
    live = tmp_path / f".sweep.zarr.creating-{os.getpid()}-x"  # being created: kept
    other.mkdir()
    live.mkdir()
    ds, runs = resume_counting(out, monkeypatch)
    assert runs == len(ANGLES)
    assert_same_results(ds, reference)
    assert sorted(tmp_path.iterdir()) == sorted([out, other, live])


def test_a_sweep_file_is_read_without_the_callers_dask_scheduler(tmp_path):
    """Reading and resuming need no dask: a default scheduler the caller set (a client
    whose workers cannot see the file, or one that has gone) is never asked."""
    import dask

    def unreachable(*args, **kwargs):
        raise RuntimeError("the caller's dask scheduler was asked to read the sweep")

    out = tmp_path / "sweep.zarr"
    design = Table({"angle_deg": [30.0, 40.0]})
    spinesim.sweep(design, fixed=FIXED, batch_size=1, out=out, progress=False)
    with dask.config.set(scheduler=unreachable):
        assert spinesim.open_sweep(out)["status"].values.tolist() == [0, 0]
        again = spinesim.sweep(design, fixed=FIXED, batch_size=1, out=out, resume=True)
        assert again["status"].values.tolist() == [0, 0]


def test_an_existing_store_is_not_overwritten_and_another_spec_not_resumed(tmp_path):
    out = tmp_path / "sweep.zarr"
    spinesim.sweep(Table({"angle_deg": [30.0]}), fixed=FIXED, out=out, progress=False)
    with pytest.raises(ParameterError, match="exists"):
        spinesim.sweep(Table({"angle_deg": [30.0]}), fixed=FIXED, out=out, progress=False)
    with pytest.raises(
        ParameterError, match=r"different sweep \(its specification differs in design\)"
    ):
        spinesim.sweep(
            Table({"angle_deg": [40.0]}), fixed=FIXED, out=out, resume=True, progress=False
        )
    with pytest.raises(ParameterError, match=r"differs in batch_size: 256 stored, 7 now"):
        spinesim.sweep(
            Table({"angle_deg": [30.0]}), fixed=FIXED, out=out, resume=True, progress=False,
            batch_size=7,
        )  # fmt: skip


def test_a_sweep_fixed_with_numpy_numbers_resumes_with_python_ones(tmp_path, monkeypatch):
    """A NumPy integer in ``fixed`` was stored as text ("20"), and the same sweep given 20
    could not resume it: it is stored as the number, and the finished sweep resumes
    without running a case again."""
    out = tmp_path / "sweep.zarr"
    fixed = {**FIXED, "hold_s": np.int64(20)}
    first = spinesim.sweep(Table({"angle_deg": [30.0]}), fixed=fixed, out=out, progress=False)
    assert json.loads(first.attrs["fixed"])["hold_s"] == 20
    runs = []
    monkeypatch.setattr(execute, "run_cases", lambda *a, **k: runs.append(a))
    again = {**FIXED, "hold_s": 20}
    resumed = spinesim.sweep(
        Table({"angle_deg": [30.0]}), fixed=again, out=out, resume=True, progress=False
    )
    assert runs == []
    np.testing.assert_array_equal(resumed["end_gap_change"], first["end_gap_change"])


def test_a_single_session_result_under_the_name_is_named_as_such(tmp_path, default_model):
    out = tmp_path / "result.nc"
    protocol = spinesim.Protocol.inversion(30, ramp_s=1, hold_s=1)
    spinesim.simulate(protocol, model=default_model).to_netcdf(out)
    before = out.read_bytes()
    with pytest.raises(ParameterError, match="holds a single session's result"):
        spinesim.sweep(Table({"angle_deg": [30.0]}), fixed=FIXED, out=out, progress=False)
    assert out.read_bytes() == before


@pytest.mark.parametrize("suffix", [".zarr", ".nc"])
def test_a_sweep_started_by_another_build_is_resumed_only_once_finished(
    tmp_path, reference, monkeypatch, suffix
):
    """Adding cases with changed code or data tables (same version number) would mix two
    models in one dataset: an unfinished sweep is refused, naming both builds. A finished
    one is returned as it is, nothing run, with a warning naming both builds."""
    out = tmp_path / f"sweep{suffix}"
    interrupt_in_batch(out, 3, monkeypatch)
    started_by = build_fingerprint()
    monkeypatch.setattr(runner, "build_fingerprint", lambda: "0123456789abcdef")
    design = Table({"angle_deg": ANGLES})
    message = f"started by another build.*{started_by}.*0123456789abcdef"
    with pytest.raises(ParameterError, match=message):
        spinesim.sweep(design, fixed=FIXED, batch_size=1, out=out, resume=True, progress=False)
    monkeypatch.undo()
    spinesim.sweep(design, fixed=FIXED, batch_size=1, out=out, resume=True, progress=False)
    monkeypatch.setattr(runner, "build_fingerprint", lambda: "0123456789abcdef")
    with pytest.warns(UserWarning, match=f"finished; its results are from build {started_by}"):
        ds, runs = resume_counting(out, monkeypatch)
    assert runs == 0
    assert ds.attrs["spinesim_build"] == started_by
    assert_same_results(ds, reference)


def test_netcdf_target_is_written_whole_at_the_end(tmp_path, reference):
    out = tmp_path / "sweep.nc"
    ds = spinesim.sweep(Table({"angle_deg": ANGLES}), fixed=FIXED, out=out, progress=False)
    assert out.is_file()
    assert not (tmp_path / "sweep.nc.partial.zarr").exists()
    back = spinesim.open_sweep(out)
    assert_same_results(back, reference)
    assert_same_results(ds, reference)
    assert list(back["angle_deg"].values) == ANGLES
    assert back.attrs.keys() == ds.attrs.keys()  # the stored specification is not shown


def test_ctrl_c_while_the_netcdf_is_written_keeps_every_finished_case(
    tmp_path, reference, monkeypatch
):
    """The dangerous moment of a netCDF sweep: its cases are done and the final file is
    being written. Interrupted there, the partial store with every case stays (nothing
    half-written takes the target's name), and a resume runs no case again."""
    out = tmp_path / "sweep.nc"
    written = xr.Dataset.to_netcdf

    def interrupted(self, path, *args, **kwargs):
        written(self, path, *args, **kwargs)  # a whole temporary file, not yet renamed
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(xr.Dataset, "to_netcdf", interrupted)
        with pytest.raises(KeyboardInterrupt):
            spinesim.sweep(
                Table({"angle_deg": ANGLES}), fixed=FIXED, batch_size=1, out=out, progress=False
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.nc.partial.zarr"]
    ds, runs = resume_counting(out, monkeypatch)
    assert runs == 0
    assert_same_results(ds, reference)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.nc"]


@pytest.mark.parametrize("suffix", [".zarr", ".nc"])
def test_resuming_a_finished_sweep_returns_it_and_runs_nothing(
    tmp_path, reference, monkeypatch, suffix
):
    out = tmp_path / f"sweep{suffix}"
    spinesim.sweep(Table({"angle_deg": ANGLES}), fixed=FIXED, batch_size=1, out=out)
    ds, runs = resume_counting(out, monkeypatch)
    assert runs == 0
    assert_same_results(ds, reference)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    with pytest.raises(ParameterError, match="different sweep"):
        spinesim.sweep(Table({"angle_deg": [40.0]}), fixed=FIXED, out=out, resume=True)


def test_an_unfinished_netcdf_sweep_is_named_as_such_and_resumes(tmp_path, reference, monkeypatch):
    out = tmp_path / "sweep.nc"
    interrupt_in_batch(out, 3, monkeypatch)
    with pytest.warns(UserWarning, match="5 of 8 cases were not run"):
        assert (spinesim.open_sweep(out)["status"] == execute.NOT_RUN).sum() == 5
    with pytest.raises(ParameterError, match=r"unfinished sweep .*sweep.nc.partial.zarr.*resume"):
        spinesim.sweep(Table({"angle_deg": ANGLES}), fixed=FIXED, batch_size=1, out=out)
    ds, runs = resume_counting(out, monkeypatch)
    assert runs == len(ANGLES) - 3
    assert_same_results(ds, reference)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.nc"]


def test_grid_store_reopens_with_parameter_dimensions_in_the_order_given(tmp_path):
    out = tmp_path / "grid.zarr"
    given = {"angle_deg": [60.0, 30.0], "hold_s": [20.0, 10.0], "sex": ["male", "female"]}
    design = spinesim.Grid(given)
    in_memory = spinesim.sweep(design, fixed={"ramp_s": 5.0}, progress=False)
    ds = spinesim.sweep(design, fixed={"ramp_s": 5.0}, out=out, progress=False)
    back = spinesim.open_sweep(out)
    assert back["end_axial_force"].dims == ("angle_deg", "hold_s", "sex", "level")
    for result in (in_memory, ds, back):
        assert {name: list(result[name].values) for name in given} == given
    xr.testing.assert_identical(back, in_memory)
    xr.testing.assert_identical(back["end_axial_force"], ds["end_axial_force"])
    one = spinesim.sweep(
        Table({"angle_deg": [30.0], "hold_s": [20.0], "sex": ["female"]}),
        fixed={"ramp_s": 5.0},
        progress=False,
    )  # each value is still labelled with its own case
    assert_same_results(back.sel(angle_deg=30.0, hold_s=20.0, sex="female"), one.isel(case=0))
    with pytest.raises(ParameterError, match="do not exist"):
        spinesim.open_sweep(tmp_path / "missing.zarr")


def test_ctrl_c_during_a_batch_write_waits_for_the_batch_and_its_flag(tmp_path, monkeypatch):
    """Ctrl-C while a batch is written (here: just before its flag) lets the write and the
    flag finish, then interrupts: a resume runs only the other batches."""
    from spinesim.sweeps.store import SweepStore

    mark_done = SweepStore._mark_done

    def interrupted_mark_done(self, xr_module, batch):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)  # the signal arrives while the write goes on
        mark_done(self, xr_module, batch)

    monkeypatch.setattr(SweepStore, "_mark_done", interrupted_mark_done)
    out = tmp_path / "sweep.zarr"
    with pytest.raises(KeyboardInterrupt):
        spinesim.sweep(
            Table({"angle_deg": ANGLES}), fixed=FIXED, batch_size=1, out=out, progress=False
        )
    monkeypatch.undo()
    _, runs = resume_counting(out, monkeypatch)
    assert runs == len(ANGLES) - 1


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("previous", ["ignored", "custom"])
def test_a_deferred_ctrl_c_reaches_the_handler_it_would_have_reached(previous, signum):
    """An ignored signal stays ignored; a custom handler (the command line's, for SIGTERM)
    gets it after the block."""
    from spinesim._files import interrupts_deferred

    calls = []
    handler = signal.SIG_IGN if previous == "ignored" else (lambda *args: calls.append(args))
    old = signal.signal(signum, handler)
    try:
        with interrupts_deferred():
            os.kill(os.getpid(), signum)
            time.sleep(0.05)
            assert calls == []  # held off within the block
        assert len(calls) == (previous == "custom")
        assert signal.getsignal(signum) is handler
    finally:
        signal.signal(signum, old)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no/r.zarr", "does not exist"),
        ("no/r.nc", "does not exist"),
        ("folder.nc", "directory"),
        ("r.csv", "must name a path ending in one of ('.zarr', '.nc')"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_case_runs(
    tmp_path, monkeypatch, name, message
):
    """The error names ``out``, not the temporary folder beside it."""
    monkeypatch.setattr("spinesim.sweeps.runner.run_batch", None)  # never reached
    (tmp_path / "folder.nc").mkdir()
    out = tmp_path / name
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        spinesim.sweep(Table({"angle_deg": [30.0]}), fixed=FIXED, out=out, progress=False)
    assert str(info.value).startswith(f"out = {str(out)!r}")
    assert ".creating" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.nc"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sw.toml", "cannot be read as one"),
        ("folder.zarr", "cannot be read as one"),
        ("foreign.nc", "holds no sweep cases"),
        ("r.nc", "a single-session result (Result.to_netcdf); read it with spinesim.load_result"),
    ],
)
def test_open_sweep_refuses_what_is_not_a_sweep_store(tmp_path, default_model, name, message):
    (tmp_path / "sw.toml").write_text("[grid]\nangle_deg = [30.0]\n")
    (tmp_path / "folder.zarr").mkdir()
    xr.Dataset({"temperature": ("time", np.arange(3.0))}).to_netcdf(
        tmp_path / "foreign.nc", engine="h5netcdf"
    )
    protocol = spinesim.Protocol.inversion(30, ramp_s=1, hold_s=2)
    result = spinesim.simulate(protocol, model=default_model)
    result.to_netcdf(tmp_path / "r.nc")
    path = tmp_path / name
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        spinesim.open_sweep(path)
    assert str(info.value).startswith(f"{str(path)!r} is not a sweep store (a Zarr folder")


def test_a_store_in_a_folder_without_a_suffix_still_resumes(tmp_path, reference, monkeypatch):
    """Stores named before suffixes were required (e.g. ``results``) resume: an existing
    folder is opened, and the store itself says whether it is a sweep store."""
    named = tmp_path / "sweep.zarr"
    resume_counting(named, monkeypatch)
    renamed = named.rename(tmp_path / "results")
    ds, runs = resume_counting(renamed, monkeypatch)
    assert runs == 0
    assert_same_results(ds, reference)


def test_a_netcdf_sweep_finished_by_another_build_keeps_the_build_that_ran_it(
    tmp_path, monkeypatch
):
    """Every batch done but the .nc not yet written when the process died: another build
    then only writes the file, which keeps the specification and build that ran the cases."""
    out = tmp_path / "sweep.nc"
    design = Table({"angle_deg": [30.0, 40.0]})

    def killed(self, dataset):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(store.SweepStore, "finish", killed)
        with pytest.raises(KeyboardInterrupt):
            spinesim.sweep(design, fixed=FIXED, batch_size=1, out=out, progress=False)
    assert not out.exists()
    ran_by = build_fingerprint()
    monkeypatch.setattr(runner, "build_fingerprint", lambda: "0123456789abcdef")
    with pytest.warns(UserWarning, match=f"results are from build {ran_by}"):
        spinesim.sweep(design, fixed=FIXED, batch_size=1, out=out, resume=True, progress=False)
    written = xr.open_dataset(out, engine="h5netcdf")
    spec = json.loads(written.attrs[store.SWEEP_MARK])
    assert spec["build"] == ran_by and written.attrs["spinesim_build"] == ran_by
    written.close()


def test_a_damaged_store_is_refused_with_its_name(tmp_path):
    """A chunk cut short (a full disk, a bad copy) made reading fail with a decompression
    traceback; it is named as damaged."""
    out = tmp_path / "sweep.zarr"
    spinesim.sweep(Table({"angle_deg": [30.0]}), fixed=FIXED, out=out, progress=False)
    chunks = [
        p for p in (out / "end_spine_length_change").rglob("*") if p.is_file() and "." not in p.name
    ]
    assert chunks
    for chunk in chunks:
        chunk.write_bytes(chunk.read_bytes()[:3])
    with pytest.raises(ParameterError, match="damaged and cannot be read"):
        spinesim.open_sweep(out)


def test_a_store_missing_a_chunk_of_finished_cases_is_refused(tmp_path):
    """A deleted chunk read as NaN with status 0 (success), and a resume called the sweep
    finished."""
    out = tmp_path / "sweep.zarr"
    spinesim.sweep(Table({"angle_deg": [30.0]}), fixed=FIXED, out=out, progress=False)
    for chunk in (out / "end_axial_force").rglob("*"):
        if chunk.is_file() and "." not in chunk.name:
            chunk.unlink()
    with pytest.raises(ParameterError, match="damaged: 23 values of 'end_axial_force'"):
        spinesim.open_sweep(out)


def test_series_past_a_short_session_are_not_taken_for_damage(tmp_path):
    """Series are NaN past a case's session end (the 10 s hold ends at 20 s): a sweep that
    asks for them still finishes, opens and resumes."""
    out = tmp_path / "sweep.nc"
    design = Grid(hold_s=[10.0, 60.0])
    settings = {"fixed": {"angle_deg": 60.0, "ramp_s": 5.0}, "series_times_s": [0.0, 30.0]}
    ds = spinesim.sweep(design, **settings, out=out, progress=False)
    assert bool(ds["series_axial_force"].isnull().any()) and (ds["status"] == 0).all()
    spinesim.open_sweep(out)
    spinesim.sweep(design, **settings, out=out, resume=True, progress=False)
