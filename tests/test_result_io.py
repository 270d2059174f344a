"""Result netCDF round trip, atomic writes, clear errors on bad files, and the summary."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import spinesim
from spinesim import ParameterError
from spinesim import _files as files
from spinesim.core import batch
from spinesim.provenance import build_fingerprint
from spinesim.result import LATER_VARIABLES, RESULT_FORMAT, RESULT_MARK, SIDES, VARIABLES

HOLD_END_S = 25.0


@pytest.fixture(scope="module")
def result(default_model) -> spinesim.Result:
    """60 deg head-down: ramp 5 s, hold 20 s, return 5 s; output every 0.5 s."""
    protocol = spinesim.Protocol.inversion(60, ramp_s=5, hold_s=20)
    return spinesim.simulate(protocol, model=default_model, output_interval_s=0.5)


@pytest.fixture(scope="module")
def upright_first(default_model) -> spinesim.Result:
    """A session after standing: the baseline names a preceding phase; the hold end
    (5.3 + 20 s) is not on the output grid."""
    protocol = spinesim.Protocol.inversion(
        45, ramp_s=5.3, hold_s=20, preceding=[spinesim.upright(0.01)]
    )
    return spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)


def part_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".part" in p.name)


# ------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("fixture", ["result", "upright_first"])
def test_round_trip_keeps_everything(request, tmp_path, fixture):
    original = request.getfixturevalue(fixture)
    path = tmp_path / "session.nc"
    original.to_netcdf(path)
    loaded = spinesim.load_result(path)

    assert loaded.levels == original.levels
    assert all(type(name) is str for name in loaded.levels)
    assert loaded.time_s.dtype == np.float64  # not decoded into timedeltas
    np.testing.assert_array_equal(loaded.time_s, original.time_s)
    assert set(loaded.data) == set(VARIABLES) == set(original.data)
    for name, values in original.data.items():
        assert loaded.data[name].shape == values.shape, name
        np.testing.assert_array_equal(loaded.data[name], values, err_msg=name)
    assert loaded.attrs == original.attrs  # JSON values in memory as on disk
    assert loaded.baseline == original.baseline != ""
    assert loaded.attrs["hold_end_s"] == original.attrs["hold_end_s"]
    assert loaded.attrs["spinesim_build"] == build_fingerprint()  # which code computed it
    assert loaded.summary() == original.summary()
    # level views work on the loaded result
    np.testing.assert_array_equal(
        loaded["L3-L4"].gap_change, original.gap_change[:, original.levels.index("L3-L4"), :]
    )


def test_round_trip_of_baseline_after_preceding_phase(tmp_path, upright_first):
    upright_first.to_netcdf(tmp_path / "r.nc")
    loaded = spinesim.load_result(tmp_path / "r.nc")
    assert "upright" in loaded.baseline
    assert loaded.attrs["hold_end_s"] == pytest.approx(25.3)


def test_written_dataset_is_labelled(tmp_path, result):
    path = tmp_path / "r.nc"
    result.to_netcdf(path)
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert list(ds["level"].values) == list(result.levels)
        assert list(ds["side"].values) == list(SIDES)
        assert ds["gap_change"].dims == ("time", "level", "side")
        assert ds["axial_force"].attrs["units"] == "N"
        assert ds["time"].attrs["units"] == "s"


def test_a_file_of_an_earlier_format_loads_with_a_warning_naming_what_changed(tmp_path, result):
    path = tmp_path / "r.nc"
    result.to_xarray().assign_attrs({RESULT_MARK: "1"}).to_netcdf(path, engine="h5netcdf")
    with pytest.warns(spinesim.SpinesimWarning, match="written in format 1") as caught:
        loaded = spinesim.load_result(path)
    assert "format 2: the summary's peaks are taken from the start to the end" in str(
        caught[0].message
    )
    assert loaded.summary() == result.summary()


def test_a_file_of_the_current_format_loads_without_a_warning(tmp_path, result):
    path = tmp_path / "r.nc"
    result.to_netcdf(path)
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds.attrs[RESULT_MARK] == RESULT_FORMAT == "2"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spinesim.load_result(path)


def test_a_file_of_an_unknown_format_is_refused(tmp_path, result):
    path = tmp_path / "r.nc"
    result.to_xarray().assign_attrs({RESULT_MARK: "99"}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(ParameterError, match=r"format '99' by another spinesim; this one reads"):
        spinesim.load_result(path)
    assert spinesim.result.is_result_file(path)  # a result, if not one this spinesim reads


def test_relative_path_in_current_folder(tmp_path, monkeypatch, result):
    monkeypatch.chdir(tmp_path)
    result.to_netcdf("here.nc")
    assert spinesim.load_result("here.nc").levels == result.levels
    assert part_files(tmp_path) == []


def test_overwrite_replaces_previous_result(tmp_path, result, upright_first):
    path = tmp_path / "r.nc"
    upright_first.to_netcdf(path)
    result.to_netcdf(str(path))
    np.testing.assert_array_equal(spinesim.load_result(path).time_s, result.time_s)
    assert part_files(tmp_path) == []


# ------------------------------------------------------------------------ permissions
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_file_respects_umask(tmp_path, result, umask, mode):
    old = os.umask(umask)
    try:
        result.to_netcdf(tmp_path / "r.nc")
        assert os.umask(umask) == umask  # to_netcdf left the process umask as it was
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.nc").stat().st_mode) == mode


# ------------------------------------------------------------------ interrupted writes
class Interrupted(Exception):
    pass


def failing_to_netcdf(exc: BaseException):
    """A Dataset.to_netcdf that writes part of a file and then fails."""

    def to_netcdf(self, path=None, *args, **kwargs):
        Path(path).write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 1000)
        raise exc

    return to_netcdf


@pytest.mark.parametrize("exc", [Interrupted("disk full"), KeyboardInterrupt()])
def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch, result, exc):
    monkeypatch.setattr(xr.Dataset, "to_netcdf", failing_to_netcdf(exc))
    path = tmp_path / "r.nc"
    with pytest.raises(type(exc)):
        result.to_netcdf(path)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("exc", [Interrupted("disk full"), KeyboardInterrupt()])
def test_interrupted_write_keeps_existing_file(tmp_path, monkeypatch, result, upright_first, exc):
    path = tmp_path / "r.nc"
    upright_first.to_netcdf(path)
    before = path.read_bytes()
    monkeypatch.setattr(xr.Dataset, "to_netcdf", failing_to_netcdf(exc))
    with pytest.raises(type(exc)):
        result.to_netcdf(path)
    assert path.read_bytes() == before
    assert part_files(tmp_path) == []
    assert list(tmp_path.iterdir()) == [path]
    monkeypatch.undo()
    loaded = spinesim.load_result(path)
    np.testing.assert_array_equal(loaded.time_s, upright_first.time_s)


def test_failure_after_writing_before_rename_keeps_existing_file(tmp_path, monkeypatch, result):
    """Interrupted between the complete temporary file and the rename."""
    path = tmp_path / "r.nc"
    result.to_netcdf(path)
    previous = path.read_bytes()

    def broken_replace(src, dst):
        raise Interrupted("rename failed")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(Interrupted):
        result.to_netcdf(path)
    assert path.read_bytes() == previous
    assert part_files(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("notes"), "exists and is not a spinesim session result"),
        (lambda p: os.mkfifo(p), "exists and is not a spinesim session result"),
        (
            lambda p: (p.parent / (p.name + ".partial.zarr")).mkdir(),
            "is the target of an unfinished sweep",
        ),
    ],
    ids=["another file", "a FIFO", "an unfinished sweep's target"],
)
def test_saving_never_replaces_what_is_not_a_result(tmp_path, result, make, message):
    """The API refuses what the CLI refuses: another file (it replaced a finished sweep's
    results and any file named .nc), a FIFO (the check for a result hung on it) and the
    target of a sweep still filling its partial store."""
    path = tmp_path / "r.nc"
    make(path)
    with pytest.raises(ParameterError, match=message):
        result.to_netcdf(path)
    assert list(tmp_path.glob(".r.nc.*")) == []  # nothing written


def test_a_damaged_result_is_refused_not_loaded(tmp_path, result):
    """A flipped byte in a variable's data fails its checksum (without one it loaded
    silently); values a result never holds (not finite), a transposed variable (a pose
    too) and times out of order are refused as well."""
    import h5py

    path = tmp_path / "r.nc"
    result.to_netcdf(path)
    with h5py.File(path, "r") as f:
        offset = f["axial_force"].id.get_chunk_info(0).byte_offset
    data = bytearray(path.read_bytes())
    data[offset + 8] ^= 0xFF
    damaged = tmp_path / "damaged.nc"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ParameterError, match="not a readable spinesim result"):
        spinesim.load_result(damaged)
    ds = result.to_xarray()
    for name, edit, message in (
        ("nan.nc", lambda d: d["axial_force"][3, 2].__setitem__((), np.nan), "not finite"),
        ("transposed.nc", lambda d: d.__setitem__("axial_force", d["axial_force"].T),
         "has dimensions"),
        ("pose.nc", lambda d: d.__setitem__("body_x", d["body_x"].T), "'body_x' has dimensions"),
        ("nan_pose.nc", lambda d: d["body_phi"][1, 4].__setitem__((), np.nan), "not finite"),
        ("reversed.nc", lambda d: d.assign_coords(time=d["time"].values[::-1]), "increase"),
    ):  # fmt: skip
        copy = ds.copy(deep=True)
        edited = edit(copy)
        (copy if edited is None else edited).to_netcdf(tmp_path / name, engine="h5netcdf")
        with pytest.raises(ParameterError, match=message):
            spinesim.load_result(tmp_path / name)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no/r.nc", "the folder"),
        ("folder.nc", "is a directory"),
        ("r.txt", "must name a file ending in one of ('.nc',)"),
        ("afile/r.nc", "afile' is a file, not a folder"),
    ],
    ids=["missing-folder", "a-folder", "not-nc", "file-as-folder"],
)
def test_a_path_that_cannot_be_written_is_refused_before_writing(tmp_path, result, name, message):
    """The error names the argument, not the temporary file beside it."""
    (tmp_path / "folder.nc").mkdir()
    (tmp_path / "afile").write_text("")
    path = tmp_path / name
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        result.to_netcdf(path)
    assert str(info.value).startswith(f"path = {str(path)!r}")
    assert ".part" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "folder.nc"]


def test_an_empty_path_is_refused(result):
    with pytest.raises(ParameterError, match=re.escape("path = '' is empty")):
        result.to_netcdf("")


def test_the_data_is_flushed_before_the_rename_and_the_rename_after_it(
    tmp_path, monkeypatch, result
):
    """A power loss must find either the old file or the whole new one: the temporary
    file's data reach the disk before it takes the name, and the rename is flushed too."""
    path = tmp_path / "r.nc"
    replace, fsync, events = os.replace, files._fsync, []
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append(("rename", Path(a))), replace(a, b))
    )
    monkeypatch.setattr(files, "_fsync", lambda p: (events.append(("flush", Path(p))), fsync(p)))
    result.to_netcdf(path)
    (renamed,) = [name for event, name in events if event == "rename"]
    assert events == [("flush", renamed), ("rename", renamed), ("flush", tmp_path)]
    assert renamed.name.startswith(".r.nc.part-")


def test_ctrl_c_during_the_rename_is_raised_once_the_file_is_whole(tmp_path, monkeypatch, result):
    """SIGINT right after the rename waits for the folder's flush and is then raised as
    InterruptedAfterWriting, so a caller can say the file was written."""
    path = tmp_path / "r.nc"
    replace, fsync, flushed = os.replace, files._fsync, []

    def replace_then_sigint(src, dst):
        replace(src, dst)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace_then_sigint)
    monkeypatch.setattr(files, "_fsync", lambda p: (fsync(p), flushed.append(Path(p))))
    interrupt = None
    try:
        result.to_netcdf(path)
    except KeyboardInterrupt as exc:  # not pytest.raises: a plain one would end the run
        interrupt = exc
    assert isinstance(interrupt, files.InterruptedAfterWriting)
    assert interrupt.path == path
    assert flushed[-1] == tmp_path  # the rename was flushed before the interrupt
    monkeypatch.undo()
    np.testing.assert_array_equal(spinesim.load_result(path).time_s, result.time_s)
    assert part_files(tmp_path) == []


# ------------------------------------------------------------------------- bad files
def test_load_missing_file(tmp_path):
    path = tmp_path / "nothing.nc"
    with pytest.raises(ParameterError) as info:
        spinesim.load_result(path)
    assert str(path) in str(info.value)
    assert "does not exist" in str(info.value)


def test_load_a_sweep_file_names_it(tmp_path):
    path = tmp_path / "sweep.nc"
    spinesim.sweep(spinesim.Table({"angle_deg": [30.0]}), fixed={"hold_s": 5.0}, out=path)
    with pytest.raises(ParameterError) as info:
        spinesim.load_result(path)
    assert str(info.value).startswith(f"{str(path)!r}: the dataset is not a spinesim result")
    assert str(info.value).endswith("a sweep's results: open it with spinesim.open_sweep")


def test_load_a_folder(tmp_path):
    with pytest.raises(ParameterError) as info:
        spinesim.load_result(tmp_path)
    assert f"path = {str(tmp_path)!r} is a folder, not a result file" in str(info.value)


@pytest.mark.parametrize("fraction", [0.5, 0.1, 0.99])
def test_load_truncated_file(tmp_path, result, fraction):
    path = tmp_path / "r.nc"
    result.to_netcdf(path)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(int(size * fraction))
    with pytest.raises(ParameterError) as info:
        spinesim.load_result(path)
    assert str(path) in str(info.value)
    assert "not a readable spinesim result" in str(info.value)


@pytest.mark.parametrize("content", [b"", b"hello, not netCDF\n"], ids=["empty", "text"])
def test_load_file_that_is_not_netcdf(tmp_path, content):
    path = tmp_path / "r.nc"
    path.write_bytes(content)
    with pytest.raises(ParameterError, match="not a readable spinesim result"):
        spinesim.load_result(path)


def test_load_foreign_netcdf(tmp_path):
    path = tmp_path / "foreign.nc"
    xr.Dataset({"temperature": ("time", np.arange(3.0))}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(ParameterError, match="not a spinesim result"):
        spinesim.load_result(path)


def test_load_foreign_netcdf3(tmp_path):
    path = tmp_path / "foreign3.nc"
    xr.Dataset({"temperature": ("time", np.arange(3.0))}).to_netcdf(path, engine="scipy")
    with pytest.raises(ParameterError, match="not a readable spinesim result"):
        spinesim.load_result(path)


def test_load_result_missing_a_variable(tmp_path, result):
    path = tmp_path / "r.nc"
    result.to_xarray().drop_vars("pressure").to_netcdf(path, engine="h5netcdf")
    with pytest.raises(ParameterError, match="pressure"):
        spinesim.load_result(path)


# --------------------------------------------------------------------------- summary
def test_summary_contents(result):
    """The kernel's summary agrees with the saved time series it summarises."""
    summary = result.summary()
    k = result.index_at(HOLD_END_S)
    assert result.time_s[k] == HOLD_END_S
    assert summary["end_of_hold_s"] == HOLD_END_S
    assert summary["baseline"] == result.baseline
    assert list(summary["levels"]) == list(result.levels)
    for j, name in enumerate(result.levels):
        level = summary["levels"][name]
        force = result.axial_force[:, j]
        middle = result.gap_change[:, j, 1]
        assert level["end_axial_force_N"] == pytest.approx(force[k], abs=1e-9)
        assert level["peak_axial_force_N"] == pytest.approx(signed_peak(force, k), abs=1e-9)
        assert level["end_segment_force_N"] == pytest.approx(result.segment_force[k, j], abs=1e-9)
        for side, value in zip(SIDES, result.gap_change[k, j], strict=True):
            assert level["end_gap_change_mm"][side] == pytest.approx(value, abs=1e-12)
        assert level["peak_gap_change_mm"] == pytest.approx(signed_peak(middle, k), abs=1e-12)
        assert level["final_gap_change_mm"] == pytest.approx(middle[-1], abs=1e-12)
        t = result.time_s
        assert level["rise_time_s"] == pytest.approx(crossing(t, middle, 0.9 * middle[k], 0))
        assert level["end_pressure_MPa"] == pytest.approx(result.pressure[k, j], rel=1e-12)
        assert level["min_pressure_MPa"] == pytest.approx(result.pressure[:, j].min(), rel=1e-12)
        assert level["end_fluid_change_pct"] == pytest.approx(result.fluid_change[k, j], abs=1e-12)
    length = result.spine_length_change
    assert summary["end_spine_length_change_mm"] == pytest.approx(length[k], abs=1e-12)
    assert summary["peak_spine_length_change_mm"] == pytest.approx(
        signed_peak(length, k), abs=1e-12
    )
    assert summary["final_spine_length_change_mm"] == pytest.approx(length[-1], abs=1e-12)
    json.dumps(summary, allow_nan=False)  # machine-readable as promised


def test_the_peaks_of_a_head_up_session_are_its_largest_compression_and_closing(
    default_model,
):
    """Tilted head-up the discs close and carry more: the peaks are the most negative
    values, not the baseline's 0 or the lying start's lighter load."""
    protocol = spinesim.Protocol.inversion(-60, hold_s=120)
    result = spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)
    summary = result.summary()
    level = summary["levels"]["L4-L5"]
    middle = result["L4-L5"].gap_change[:, 1]
    assert level["peak_gap_change_mm"] == pytest.approx(middle.min(), abs=1e-12)
    assert level["peak_gap_change_mm"] <= level["end_gap_change_mm"]["middle"] < -0.1
    assert level["peak_axial_force_N"] == pytest.approx(result["L4-L5"].axial_force.min())
    assert level["peak_axial_force_N"] <= level["end_axial_force_N"] < 0.0
    length = summary["peak_spine_length_change_mm"]
    assert length == pytest.approx(result.spine_length_change.min(), abs=1e-12) and length < -1


@pytest.mark.parametrize(
    ("protocol", "device"),
    [
        # hanging from the harness (at the angle it stood at) stretches the lumbar spine
        (spinesim.Protocol.inversion(-90, hold_s=60), spinesim.SuspensionHarness()),
        # tilting the table back from standing unloads the spine
        (
            spinesim.Protocol(
                (
                    spinesim.Phase(10, -90, -30),
                    spinesim.Phase(60, -30, -30),
                    spinesim.Phase(10, -30, -90),
                ),
            ),
            spinesim.InversionTable(),
        ),
    ],
    ids=["harness", "head-up from standing"],
)
def test_sessions_that_unload_the_spine_peak_at_its_most_opening(protocol, device):
    """Their peaks are the most tension and opening, whatever their angles' sign (before,
    the harness's L4-L5 peak opening read the lying baseline's 0 at +0.40 mm at the end of
    the hold, and a head-up tilt from standing read the standing start's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", spinesim.SpinesimWarning)  # and a hold is found
        result = spinesim.simulate(
            dataclasses.replace(protocol, phases=(spinesim.upright(1.0), *protocol.phases)),
            device=device,
        )
    level = result.summary()["levels"]["L4-L5"]
    middle = result["L4-L5"].gap_change[: result.index_at(result.attrs["hold_end_s"]) + 1, 1]
    assert level["peak_gap_change_mm"] == pytest.approx(middle.max(), abs=1e-12)
    assert level["peak_gap_change_mm"] >= level["end_gap_change_mm"]["middle"] > 0.1


def test_a_sham_looks_for_its_peaks_the_way_its_session_does(default_model):
    session = spinesim.Protocol.inversion(-45, hold_s=60, preceding=spinesim.upright(1.0))
    assert session.load_sense == -1.0
    sham = session.sham()
    assert sham.load_sense == -1.0 and sham.peak_sense == -1.0
    assert spinesim.Protocol(sham.phases).load_sense == 1.0  # nothing tilts
    result = spinesim.simulate(sham, model=default_model, output_interval_s=1.0)
    assert result.attrs["protocol"]["peak_sense"] == -1.0  # saved with the result
    middle = result["L4-L5"].gap_change[: result.index_at(sham.hold_end_s) + 1, 1]
    peak = result.summary()["levels"]["L4-L5"]["peak_gap_change_mm"]
    assert peak == pytest.approx(middle.min(), abs=1e-12) and peak < middle.max()


@pytest.mark.parametrize(
    ("phases", "sense", "hold_end_s"),
    [
        # a trace that starts inverted: tilted head-down from the settled lying state
        ((spinesim.Phase(300, 60, 60), spinesim.Phase(10, 60, 0)), 1.0, 300.0),
        # standing first, then lying down and tilting head-up: head-up of lying
        (
            (
                spinesim.Phase(60, -90, -90, kind="upright"),
                spinesim.Phase(10, 0, -45),
                spinesim.Phase(60, -45, -45),
                spinesim.Phase(10, -45, 0),
            ),
            -1.0,
            140.0,
        ),
        # the tilt began in a preceding device phase: counted from where that one began
        (
            (
                spinesim.Phase(60, 0, 30, session=False),
                spinesim.Phase(60, 30, 30),
                spinesim.Phase(10, 30, 0),
            ),
            1.0,
            60.0,
        ),
    ],
    ids=["starts inverted", "head-up after standing", "tilted before the session"],
)
def test_tilts_count_from_where_the_body_was_before_the_device(phases, sense, hold_end_s):
    protocol = spinesim.Protocol(phases)
    assert protocol.load_sense == sense
    assert protocol.hold_end_s == hold_end_s and not protocol.lacks_hold


def test_standing_on_the_table_held_upright_is_no_hold_on_a_second_visit_either():
    """Each stretch on the device counts its tilts from where the body got on: after a
    head-up hold from lying and a stand, the table held upright (-90 deg) is no hold
    (measured from the first visit's 0 deg it read as the steepest, 90 deg)."""
    phase = spinesim.Phase
    protocol = spinesim.Protocol(
        (phase(10, 0, -45), phase(60, -45, -45), phase(10, -45, 0),
         phase(600, -90, -90, kind="upright"), phase(200, -90, -90), phase(10, -90, 0))
    )  # fmt: skip
    assert protocol.hold_end_s != 880.0  # the end of the standing phase on the table


def test_noise_about_the_start_of_a_trace_does_not_turn_its_tilt_around():
    """A head-up trace with one sample of +0.2 deg is head-up: its peaks are the most
    closing and its end of hold is its hold's (before, +0.2 deg made it head-down)."""
    times, angles = [0, 1, 11, 70, 130, 140, 141], [0, 0.2, -45, -45, -45, 0, 0]
    trace = spinesim.Protocol.from_samples(times, angles, preceding=spinesim.upright(1.0))
    assert trace.load_sense == -1.0
    assert trace.hold_end_s == 130.0 and not trace.lacks_hold


def test_the_end_of_a_noisy_plateau_is_the_end_of_the_hold():
    """A recorded 60-deg plateau with 0.3 deg of noise rounded to 0.5 deg rarely repeats
    its top sample; the hold ends at the last pair of equal samples within a degree of
    it (before, at the top pair, anywhere from 34 to 199 s of a 10-200 s plateau)."""
    ends = []
    for seed in range(10):
        noise = np.random.default_rng(seed).normal(0.0, 0.3, 211)
        t = np.arange(0.0, 211.0)
        plateau = 60.0 + np.round(2.0 * noise) / 2.0
        angles = np.where(t < 10, 6.0 * t, np.where(t <= 200, plateau, 60.0 - 6.0 * (t - 200)))
        ends.append(spinesim.Protocol.from_samples(t, angles).hold_end_s)
    assert min(ends) > 190.0


def test_the_peak_force_does_not_jump_where_the_end_of_the_hold_crosses_zero():
    """A head-down session's peak is its largest value up to the end of the hold: at 40
    deg L4-L5 ends the hold just in tension with little friction and just in compression
    with more, and both peaks are the hold's traction, not the lying start's -179 N (a
    side chosen by the sign of the end value jumped by 181 N there)."""
    peaks = []
    for friction in (0.3, 0.5):
        device = spinesim.InversionTable(friction_static=friction, friction_kinetic=0.8 * friction)
        result = spinesim.simulate(spinesim.Protocol.inversion(40, hold_s=60), device=device)
        level = result.summary()["levels"]["L4-L5"]
        peaks.append(level["peak_axial_force_N"])
        assert level["end_axial_force_N"] <= peaks[-1] < level["end_axial_force_N"] + 5.0
    assert peaks[0] > 0.0 > peaks[1] > -20.0
    # nor where the end of the hold crosses the start's value (a side chosen by the
    # direction from the start jumped by 26 N between 3 and 3.5 deg after 2 h upright)
    shallow = [
        spinesim.simulate(
            spinesim.Protocol.inversion(a, preceding=[spinesim.upright(2.0)])
        ).summary()["levels"]["L4-L5"]["peak_axial_force_N"]
        for a in (3.0, 3.5)
    ]
    assert shallow[1] == pytest.approx(shallow[0], abs=5.0)


def signed_peak(values: np.ndarray, hold: int, sense: float = 1.0) -> float:
    """The extreme of ``values`` up to ``hold``: the largest if ``sense`` > 0, else the
    smallest."""
    return float(values[: hold + 1].max() if sense > 0 else values[: hold + 1].min())


def crossing(t: np.ndarray, values: np.ndarray, target: float, start: int) -> float:
    """When ``values`` first reaches ``target`` after ``t[start]``, from the side it was on
    there, interpolated linearly between the saved times ``t``."""
    side = np.sign(values[start] - target)
    k = start + 1 + np.flatnonzero(np.sign(values[start + 1 :] - target) != side)[0]
    share = (target - values[k - 1]) / (values[k] - values[k - 1])
    return t[k - 1] + share * (t[k] - t[k - 1])


def test_rise_time_is_interpolated_between_the_saved_times():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    change = np.array([0.0, 1.0, 2.0, 1.5])  # the end of the hold at index 2
    for sign in (1.0, -1.0):  # an opening or a closing
        assert batch.rise_time(t, sign * change, 2) == pytest.approx(1.8)  # 0.9 x 2 at 1.8 s
    assert batch.rise_time(t, np.zeros(4), 2) == 0.0  # nothing to rise to


def test_rise_time_hardly_depends_on_how_often_the_session_is_saved():
    """Saving every 5 s instead of every 0.25 s moves L4-L5's rise time (about 55 s into
    a 2-min hold at 60 deg) by under 0.05 s."""
    protocol = spinesim.Protocol.inversion(60, hold_s=120, preceding=spinesim.upright(2.0))
    fine, coarse = (
        spinesim.simulate(protocol, output_interval_s=dt).summary()["levels"]["L4-L5"]
        for dt in (0.25, 5.0)
    )
    assert 30.0 < fine["rise_time_s"] < 100.0
    assert coarse["rise_time_s"] == pytest.approx(fine["rise_time_s"], abs=0.05)


def test_rise_time_grows_with_the_hold_as_the_docs_say():
    """The discs keep opening through a hold (creep, fluid): the time to 90 % of the
    end-of-hold change grows with the hold at 60 deg (Result.summary, sweeps.md)."""
    rise = [
        spinesim.simulate(
            spinesim.Protocol.inversion(60, hold_s=hold, preceding=spinesim.upright(2.0))
        ).summary()["levels"]["L4-L5"]["rise_time_s"]
        for hold in (60.0, 300.0, 1800.0)
    ]
    assert rise == pytest.approx([12.6, 200.0, 1187.0], rel=0.01)


def test_summary_of_a_result_written_without_one_is_refused(tmp_path, result):
    attrs = {name: value for name, value in result.attrs.items() if name != "summary"}
    dataclasses.replace(result, attrs=attrs).to_netcdf(tmp_path / "old.nc")
    with pytest.raises(ParameterError, match="no summary"):
        spinesim.load_result(tmp_path / "old.nc").summary()


def test_index_at_takes_the_closest_saved_time_within_half_an_interval_of_the_ends(result):
    assert result.index_at(HOLD_END_S + 0.2) == result.index_at(HOLD_END_S)
    assert result.index_at(np.array(HOLD_END_S)) == result.index_at(HOLD_END_S)
    picked = result.to_xarray().time[5]  # an xarray scalar, as its docstring says
    assert result.index_at(picked) == 5
    assert result[result.to_xarray().level.values[3]].name == result.levels[3]
    assert type(result[result.to_xarray().level.values[3]].name) is str
    assert result.index_at(-0.25) == 0  # output every 0.5 s
    assert result.index_at(result.time_s[-1] + 0.25) == result.time_s.size - 1


@pytest.mark.parametrize(
    ("time_s", "message"),
    [(1e6, "outside the allowed range"), (-0.3, "outside"), (float("nan"), "not finite")],
)
def test_index_at_refuses_a_time_outside_the_saved_ones(result, time_s, message):
    with pytest.raises(ParameterError, match=message) as info:
        result.index_at(time_s)
    end = result.time_s[-1] + 0.25
    assert str(info.value).startswith(f"time_s = {time_s!r}")
    assert f"allowed: a number in [-0.25, {end:g}]" in str(info.value)


def test_summary_values_are_physical(result):
    """60 deg head-down at the end of the hold: the lumbar discs are pulled and open."""
    summary = result.summary()
    for name in ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"):
        level = summary["levels"][name]
        assert level["end_axial_force_N"] > 0.0
        assert level["end_gap_change_mm"]["middle"] > 0.0
    assert summary["end_spine_length_change_mm"] > 0.5


def test_summary_end_of_hold_off_the_output_grid(upright_first):
    """Saved times include the hold end even when the output interval misses it."""
    assert upright_first.summary()["end_of_hold_s"] == pytest.approx(25.3, abs=1e-12)


def test_summary_table_lists_every_level(result):
    table = result.summary_table()
    summary = result.summary()
    for name, level in summary["levels"].items():
        row = next(line for line in table.splitlines() if line.split()[:1] == [name])
        cells = [float(c) for c in row.split()[1:]]
        gap = level["end_gap_change_mm"]
        columns = [  # in the table's order, at its printed precision
            (level["end_segment_force_N"], 0.05),
            (level["end_axial_force_N"], 0.05),
            (level["peak_axial_force_N"], 0.05),
            (gap["anterior"], 5e-4),
            (gap["middle"], 5e-4),
            (gap["posterior"], 5e-4),
            (level["final_gap_change_mm"], 5e-4),
            (level["rise_time_s"], 0.05),
            (level["min_pressure_MPa"], 5e-4),
            (level["end_fluid_change_pct"], 5e-4),
        ]
        assert len(cells) == len(columns)
        for cell, (value, rounding) in zip(cells, columns, strict=True):
            assert cell == pytest.approx(value, abs=1.01 * rounding), name
    assert f"{summary['end_spine_length_change_mm']:.3f} mm;" in table
    assert f"{summary['final_spine_length_change_mm']:.3f} mm" in table
    assert result.baseline in table


def test_a_temporary_file_left_by_a_killed_writer_is_removed_by_the_next_write(tmp_path, result):
    """A SIGKILL (or power loss) mid-write leaves ``.<name>.part-<pid>-*``; the next write of
    the same file removes it, while a running writer's and other files' stay."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".r.nc.part-{dead.pid}-abc.nc"
    # a writer that wrote into a temporary file atomically itself (spinesim render)
    nested = tmp_path / f"..r.nc.part-{dead.pid}-abc.nc.part-{dead.pid}-def.nc"
    live = tmp_path / f".r.nc.part-{os.getpid()}-abc.nc"
    other = tmp_path / f".other.nc.part-{dead.pid}-abc.nc"
    for path in (stale, nested, live, other):
        path.write_bytes(b"half")
    result.to_netcdf(tmp_path / "r.nc")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["r.nc", live.name, other.name])


def test_repr_summarises_instead_of_printing_the_arrays(result):
    """``print(result)`` and ``print(result["L4-L5"])`` say what is inside in one line."""
    text = repr(result)
    assert text.startswith("Result(61 times from 0 to 30 s, ") and "device 'table'" in text
    assert all(name in text for name in result.data) and "\n" not in text
    level = repr(result["L4-L5"])
    assert level.startswith("LevelResult('L4-L5', 61 times from 0 to 30 s; axial_force, ")
    assert "pressure" in level and "\n" not in level
    empty = dataclasses.replace(result, levels=())
    assert "no levels" in repr(empty)


def test_result_written_before_later_variables_still_loads(tmp_path, result):
    """A file without the variables added later (LATER_VARIABLES) loads without them and
    writes back without them; every other variable is kept."""
    path = tmp_path / "old.nc"
    result.to_xarray().drop_vars(list(LATER_VARIABLES)).to_netcdf(path, engine="h5netcdf")
    loaded = spinesim.load_result(path)
    assert set(loaded.data) == set(result.data) - set(LATER_VARIABLES)
    assert not set(LATER_VARIABLES) & set(loaded.to_xarray().data_vars)
    with pytest.raises(AttributeError, match="written before spinesim recorded it"):
        _ = loaded.anchor_normal_force


def test_a_dataset_cut_in_time_is_refused_as_a_result(result):
    """Its summary and end of the hold belong to the whole session: a cut dataset is not
    that result (xarray works on it as it is)."""
    ds = result.to_xarray()
    for cut, lacks in (
        (slice(0, 10), "the end of the hold"),
        (slice(5, None), "the session start (0 s)"),
        (slice(0, 0), "the session start"),
        (slice(None, None, 7), "the end of the hold (25 s), the session end (30 s)"),
    ):
        with pytest.raises(ParameterError, match=re.escape(f"the dataset lacks {lacks}")):
            spinesim.Result.from_xarray(ds.isel(time=cut))
    with pytest.raises(ParameterError, match=r"lacks levels \['L5-S1'\]"):
        spinesim.Result.from_xarray(ds.isel(level=slice(1, None)))
    assert spinesim.Result.from_xarray(ds).time_s[-1] == result.time_s[-1]
