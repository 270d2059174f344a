"""``spinesim sweep``: sweep files, --resume, errors that write nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import spinesim
from spinesim import cli
from spinesim.sweeps.spec_file import load_sweep_file

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sweep.toml"
SMALL = """
[fixed]
ramp_s = 5.0
hold_s = 20.0

[grid]
angle_deg = [30.0, 60.0]
friction_static = [0.4, 0.6]

[run]
batch_size = 2
series_times_s = [0.0, 10.0, 20.0]
"""


def run_cli(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exc:
        return int(exc.code)


def test_example_sweep_file_is_valid():
    spec = load_sweep_file(EXAMPLE)
    assert len(spec.design.table()["angle_deg"]) == 45
    assert spec.fixed["device"] == "table"


@pytest.mark.parametrize("suffix", [".zarr", ".nc"])
def test_sweep_command_writes_a_store_and_resumes(tmp_path, capsys, suffix):
    spec = tmp_path / "sweep.toml"
    spec.write_text(SMALL)
    out = tmp_path / f"results{suffix}"
    assert run_cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 0
    assert re.search(r"4 cases \(0 failed\) in \d+\.\d s", capsys.readouterr().out)
    ds = spinesim.open_sweep(out)
    assert ds["end_axial_force"].dims == ("angle_deg", "friction_static", "level")
    assert ds["series_axial_force"].sizes["time"] == 3
    # the store exists: without --resume the command refuses, with it there is nothing to do
    assert run_cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert run_cli(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"]) == 0
    reported = capsys.readouterr().out  # a finished sweep, as it is, without a run time
    assert "4 cases (0 failed), finished before: nothing left to run" in reported
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name, "sweep.toml"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[grid]\nangle = [30.0]\n", "unknown sweep parameter"),
        ("[grid]\nangle_deg = [30.0, 100.0]\n", "case 1"),
        ("[grid]\nangle_deg = [30.0]\n[table]\nhold_s = [1.0]\n", "exactly one design"),
        ("[fixed]\nhold_s = 10.0\n", "exactly one design"),
        ("[latin_hypercube]\nn = 4\n", "latin_hypercube.bounds is missing"),
        ("[cohort]\nn = 4\nseed = -1\n", "Cohort.seed = -1"),
        ("[grid]\nangle_deg = [30.0]\n[run]\nthreads = 2\n", "run.threads is an unknown key"),
        ("[grid\n", "malformed TOML"),
        ("[fixed]\nhold_s = {a = 1}\n[grid]\nangle_deg = [30.0]\n", "fixed.hold_s = {'a': 1}"),
        ("[grid]\nangle_deg = [30.0]\n[run]\nseries_times_s = [0, 'a']\n", "series_times_s[1]"),
    ],
)
def test_bad_sweep_files_exit_2_and_write_nothing(tmp_path, capsys, text, message):
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    out = tmp_path / "results.zarr"
    assert run_cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spinesim: error:") and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


@pytest.mark.parametrize("scheduler", ["nonsense", "tcp://127.0.0.1:1"])
def test_a_bad_scheduler_exits_2_and_writes_nothing(tmp_path, capsys, scheduler):
    pytest.importorskip("distributed", reason="needs the sweep extra (dask)")
    dask = pytest.importorskip("dask")  # imported after distributed: has its config
    spec = tmp_path / "sweep.toml"
    spec.write_text(SMALL)
    out = tmp_path / "sch.zarr"
    argv = ["sweep", str(spec), "--out", str(out), "--scheduler", scheduler, "--no-progress"]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"spinesim: error: client = {scheduler!r}") and "--scheduler" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.toml"]  # no store left


def test_missing_sweep_file_and_folder(tmp_path, capsys):
    assert run_cli(["sweep", str(tmp_path / "none.toml"), "--out", "x.zarr"]) == 2
    assert "none.toml" in capsys.readouterr().err
    spec = tmp_path / "sweep.toml"
    spec.write_text(SMALL)
    out = tmp_path / "no" / "such" / "results.zarr"
    assert run_cli(["sweep", str(spec), "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_out_with_another_suffix_is_refused_before_the_sweep(tmp_path, capsys):
    spec = tmp_path / "sweep.toml"
    spec.write_text(SMALL)
    out = tmp_path / "results.csv"
    assert run_cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"--out = {str(out)!r} must name a path ending in one of ('.zarr', '.nc')" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.toml"]


def test_a_sweep_with_failed_cases_is_written_and_exits_1(tmp_path, capsys):
    """A pipeline sees failed cases in the exit status; the results, the failures' status
    and reason among them, are written all the same."""
    spec = tmp_path / "sweep.toml"
    spec.write_text(
        "[fixed]\nangle_deg = 0.0\nhold_s = 60.0\nupright_hours = 4.0\n"
        '[table]\n"muscles.tone_stress_MPa" = [0.3, 0.097]\n"mass_kg" = [200.0, 70.0]\n'
        '"disc.swelling_pressure_MPa" = [0.02, 0.16]\n"disc.swelling_strain" = [0.5, 0.108]\n'
    )  # too soft for the load: a disc collapses (tests/test_solver.py)
    out = tmp_path / "results.zarr"
    assert run_cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert re.search(r"2 cases \(1 failed\) in \d+\.\d s", captured.out)
    assert "1 case(s) failed; their status and reason are in the results" in captured.err
    assert spinesim.open_sweep(out)["status"].values.tolist() == [5, 0]
    # resuming the finished sweep runs nothing and still reports the failure
    assert run_cli(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "finished before" in captured.out and "1 case(s) failed" in captured.err


def test_ctrl_c_names_the_command_that_resumes(tmp_path, capsys, monkeypatch):
    from spinesim.sweeps import command

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "run", interrupted)
    spec, out = tmp_path / "my sweep.toml", tmp_path / "results.zarr"
    spec.write_text(SMALL)
    argv = ["sweep", str(spec), "--out", str(out), "--scheduler", "tcp://h:8786"]
    assert run_cli([*argv, "--no-progress"]) == 130
    err = capsys.readouterr().err
    assert (
        f"continue with: spinesim sweep '{spec}' --out {out} --scheduler tcp://h:8786 --resume"
        in err
    )


def test_sweep_command_runs_as_a_module():
    proc = subprocess.run(
        [sys.executable, "-m", "spinesim", "sweep", "--help"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "--resume" in proc.stdout and "--scheduler" in proc.stdout


def test_a_reader_closing_the_pipe_early_ends_a_sweep_quietly(tmp_path):
    """``spinesim sweep ... | true``: the store is written, then the report meets a closed
    pipe: the SIGPIPE status, no 'error: Broken pipe'."""
    spec = tmp_path / "sweep.toml"
    spec.write_text(SMALL)
    out = tmp_path / "results.zarr"
    proc = subprocess.Popen(
        [sys.executable, "-m", "spinesim", "sweep", str(spec), "--out", str(out), "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == cli.EXIT_BROKEN_PIPE, err.decode()
    assert b"error" not in err
    assert spinesim.open_sweep(out)["status"].values.tolist() == [[0, 0], [0, 0]]


def test_ctrl_c_once_the_nc_is_renamed_finishes_it_and_says_so(tmp_path, capsys, monkeypatch):
    """An interrupt held off until the netCDF file is whole (atomic_output raises
    InterruptedAfterWriting): the partial Zarr store is removed, as after a normal finish,
    and the command says the file was written (not 'continue with --resume')."""
    import contextlib

    from spinesim._files import InterruptedAfterWriting
    from spinesim.sweeps import store

    real_output = store.atomic_output

    @contextlib.contextmanager
    def interrupted_once_written(path):
        with real_output(path) as tmp:
            yield tmp
        raise InterruptedAfterWriting(path)

    monkeypatch.setattr(store, "atomic_output", interrupted_once_written)
    spec = tmp_path / "sweep.toml"
    spec.write_text(SMALL)
    out = tmp_path / "results.nc"
    assert run_cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 130
    assert f"interrupted after {str(out)!r} was written" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name, "sweep.toml"]
    assert spinesim.open_sweep(out)["status"].size == 4


def test_sigterm_ends_a_sweep_as_ctrl_c_does(tmp_path, capsys, monkeypatch):
    """SIGTERM (kill, a scheduler's time limit) ended the process at once, without the
    resume hint and with hidden partial files left; now it is an interrupt (exit status
    143, as the shell reports SIGTERM), and the handler before the command is restored."""
    import signal
    import time

    from spinesim.sweeps import command

    def terminated(args):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5.0)  # the handler interrupts this

    monkeypatch.setattr(command, "run", terminated)
    spec, out = tmp_path / "sweep.toml", tmp_path / "results.zarr"
    spec.write_text(SMALL)
    before = signal.getsignal(signal.SIGTERM)
    assert run_cli(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 143
    assert "interrupted; continue with: spinesim sweep" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == before
