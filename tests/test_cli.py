"""The command line: ``spinesim run`` with options or a TOML protocol file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import spinesim
from spinesim import cli
from spinesim._files import InterruptedAfterWriting
from spinesim.errors import ParameterError, SolverError
from spinesim.protocol_file import load_protocol_file

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "protocol.toml"
#: A short session: 10 s ramp to 60 deg, 30 s hold, 10 s return, after 30 min upright.
SHORT = ["run", "--angle", "60", "--hold", "30", "--upright-hours", "0.5"]
SUMMARY_KEYS = {
    "sham",
    "end_of_hold_s",
    "baseline",
    "levels",
    "end_spine_length_change_mm",
    "peak_spine_length_change_mm",
    "final_spine_length_change_mm",
    "solver",
}
LEVEL_KEYS = {
    "end_axial_force_N",
    "peak_axial_force_N",
    "end_segment_force_N",
    "end_gap_change_mm",
    "peak_gap_change_mm",
    "final_gap_change_mm",
    "rise_time_s",
    "end_pressure_MPa",
    "min_pressure_MPa",
    "end_fluid_change_pct",
}
GOOD_PHASE = "[[phase]]\nduration_s = 20\nstart_deg = 0\nend_deg = 30\n"


def run_cli(argv: list[str]) -> int:
    """``cli.main`` with argparse's SystemExit turned into its status."""
    try:
        return cli.main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "protocol.toml"
    path.write_text(text)
    return path


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_reader_closing_the_pipe_early_ends_the_command_quietly():
    """``spinesim run | head -1``: no BrokenPipeError traceback, the SIGPIPE status."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "spinesim", *SHORT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before anything is printed
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == cli.EXIT_BROKEN_PIPE, err.decode()
    assert b"Traceback" not in err


def test_os_errors_name_the_file_only_when_there_is_one(tmp_path):
    assert cli._os_error(FileNotFoundError(2, "No such file", str(tmp_path / "p.toml"))) == (
        f"No such file: {tmp_path / 'p.toml'}"
    )
    assert cli._os_error(TimeoutError("timed out after 2 s")) == "timed out after 2 s"


# --------------------------------------------------------------------------- success
def test_python_m_spinesim_json():
    proc = subprocess.run(
        [sys.executable, "-m", "spinesim", *SHORT, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert set(summary) == SUMMARY_KEYS
    level = summary["levels"]["L3-L4"]
    assert set(level) == LEVEL_KEYS
    assert set(level["end_gap_change_mm"]) == {"anterior", "middle", "posterior"}
    assert summary["end_of_hold_s"] == pytest.approx(40.0)
    assert level["end_axial_force_N"] > 0.0  # traction at 60 deg head-down
    assert "upright" in summary["baseline"]


def test_table_output(capsys):
    assert run_cli([*SHORT, "--sex", "female", "--mass", "60", "--height", "1.6"]) == 0
    out = capsys.readouterr().out
    assert "L3-L4" in out
    assert "spine length change" in out


def test_out_writes_a_result_that_loads_back(tmp_path, capsys):
    out = tmp_path / "result.nc"
    status = run_cli([*SHORT, "--friction", "0.3", "--out", str(out), "--json"])
    assert status == 0
    assert files_in(tmp_path) == {"result.nc"}
    summary = json.loads(capsys.readouterr().out)
    result = spinesim.load_result(out)
    assert result.levels == tuple(summary["levels"])
    assert result.summary()["levels"]["L3-L4"]["end_axial_force_N"] == pytest.approx(
        summary["levels"]["L3-L4"]["end_axial_force_N"]
    )
    device = result.attrs["device"]
    assert device["friction_static"] == pytest.approx(0.3)
    assert device["friction_kinetic"] == pytest.approx(0.8 * 0.3)


def test_out_replaces_a_session_result_but_no_other_file(tmp_path, capsys):
    """Running the same command again replaces its result; a sweep's results or any other
    file under that name are kept, and the run fails before simulating."""
    out = tmp_path / "result.nc"
    assert run_cli([*SHORT, "--out", str(out)]) == 0
    assert run_cli([*SHORT, "--friction", "0.3", "--out", str(out)]) == 0
    assert spinesim.load_result(out).attrs["device"]["friction_static"] == pytest.approx(0.3)
    capsys.readouterr()
    for content in (b"not netCDF", None):
        other = tmp_path / "other.nc"
        if content is None:  # a netCDF file that is no session result (e.g. a sweep's)
            xarray = pytest.importorskip("xarray")
            xarray.Dataset({"status": ("case", [0])}).to_netcdf(other, engine="h5netcdf")
        else:
            other.write_bytes(content)
        before = other.read_bytes()
        assert run_cli([*SHORT, "--out", str(other)]) == 2
        assert "exists and is not a spinesim session result" in capsys.readouterr().err
        assert other.read_bytes() == before


def test_cli_options_reach_the_api():
    args = cli.build_parser().parse_args(
        [*SHORT, "--return", "0", "--lying-hours", "8", "--ramp", "5", "--friction", "0.4"]
    )
    protocol, subject, device = cli._inputs(args)
    assert subject == spinesim.Subject()
    assert device.friction_static == 0.4
    assert device.friction_kinetic == pytest.approx(0.32)
    assert [p.name for p in protocol.phases] == ["lying", "upright", "lie down", "ramp", "hold"]
    assert protocol.session_duration_s == pytest.approx(35.0)
    args = cli.build_parser().parse_args([*SHORT, "--option", "friction_kinetic=0.1"])
    assert cli._inputs(args)[2] == spinesim.InversionTable(friction_kinetic=0.1)
    args = cli.build_parser().parse_args(
        [*SHORT, "--sex", "female", "--mass", "60", "--height", "1.6"]
    )
    assert cli._inputs(args)[1] == spinesim.Subject(mass_kg=60.0, height_m=1.6, sex="female")
    for device in (["--device", "table"], ["--device", "traction", "--pull", "300"]):
        after = ["--after-upright-hours", "0.5", "--after-lying-hours", "0.1"]
        args = cli.build_parser().parse_args([*SHORT[:1], *device, *after])
        lie, stand = cli._inputs(args)[0].phases[-2:]  # lying first, whatever the order given
        assert (lie.kind, lie.session, lie.duration_s) == ("lying", True, 360.0)
        assert (stand.kind, stand.session, stand.duration_s) == ("upright", True, 1800.0)


@pytest.mark.parametrize(
    ("options", "protocol"),
    [
        (["--device", "traction", "--pull", "300"], spinesim.Protocol.traction(300)),
        (["--cycles", "3"], spinesim.Protocol.intermittent(60, 3)),
        (["--angle", "45"], spinesim.Protocol.inversion(45)),
    ],
)
def test_timings_not_given_are_those_of_the_api(options, protocol):
    """The same session from the command line and from Python: the ramp, hold and return
    the options leave out are the protocol constructor's defaults."""
    args = cli.build_parser().parse_args(["run", *options])
    assert cli._inputs(args)[0] == protocol


@pytest.mark.parametrize(
    ("options", "protocol"),
    [
        (["--device", "traction", "--pull", "300"], spinesim.Protocol.traction(300)),
        (
            ["--angle", "60", "--after-upright-hours", "1"],
            spinesim.Protocol.inversion(60, after=spinesim.upright(1.0)),
        ),
        ([str(EXAMPLE)], load_protocol_file(EXAMPLE)[0]),
    ],
)
def test_sham_runs_the_sessions_control(options, protocol):
    """``--sham`` is ``Protocol.sham()`` of the session the other options (or the file)
    describe, its end of the hold the session's."""
    args = cli.build_parser().parse_args(["run", *options, "--sham"])
    got = cli._inputs(args)[0]
    assert got == protocol.sham()
    assert got.hold_end_s == protocol.hold_end_s
    assert all(
        p.start_deg == p.end_deg == p.end_pull_N == 0.0 for p in got.phases if p.kind == "device"
    )


def test_sham_says_it_is_a_control(capsys):
    assert run_cli([*SHORT, "--sham"]) == 0
    assert capsys.readouterr().out.startswith(cli.SHAM_NOTE)
    assert run_cli([*SHORT, "--sham", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sham"] is True
    assert run_cli([*SHORT, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sham"] is False


@pytest.mark.parametrize(
    "default",
    [
        ["--cycles", "1"],
        ["--upright-hours", "0"],
        ["--lying-hours", "0", "--sitting-hours", "0"],
        ["--after-upright-hours", "0"],
    ],
)
def test_an_option_at_its_default_or_zero_hours_changes_nothing(default):
    """``--cycles 1`` is the default single session (no trailing rest); 0 hours of a
    preceding phase leave it out, as in sweeps."""
    parse = cli.build_parser().parse_args
    base = ["run", "--angle", "60", "--hold", "30", "--return", "5"]
    plain = cli._inputs(parse(base))[0]
    assert cli._inputs(parse([*base, *default]))[0] == plain


@pytest.mark.parametrize("device", ["boots", "hip_bench", "harness"])
def test_cycles_on_a_hanging_device_follow_each_other_without_a_flat_rest(device):
    args = cli.build_parser().parse_args(["run", "--device", device, "--cycles", "2"])
    protocol = cli._inputs(args)[0]
    assert sum(p.name.startswith("rest") for p in protocol.phases) == 0
    assert sum(p.name.startswith("hold") for p in protocol.phases) == 2


def test_a_rest_on_a_hanging_device_is_refused_naming_the_option():
    args = cli.build_parser().parse_args(["run", "--device", "boots", "--rest", "20"])
    with pytest.raises(ParameterError, match=r"^--rest = 20: on device 'boots' the body hangs"):
        cli._inputs(args)


def test_a_sham_on_a_hanging_device_says_why_from_python_too():
    with pytest.raises(ParameterError, match=r"a sham \(Protocol.sham\) or a rest lies flat"):
        spinesim.simulate(spinesim.Protocol.inversion(90).sham(), device=spinesim.GravityBoots())


def test_example_protocol_file_runs(tmp_path, capsys):
    protocol, subject, device = load_protocol_file(EXAMPLE)
    assert protocol.preceding_duration_s == pytest.approx(2 * 3600.0 + spinesim.protocol.LIE_DOWN_S)
    assert sum(p.start_deg == p.end_deg == 60.0 for p in protocol.phases) == 3
    assert subject == spinesim.Subject()
    assert device == spinesim.InversionTable()
    out = tmp_path / "example.nc"
    assert run_cli(["run", str(EXAMPLE), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["end_of_hold_s"] == pytest.approx(protocol.hold_end_s)
    assert summary["levels"]["L3-L4"]["end_axial_force_N"] > 0.0
    assert spinesim.load_result(out).attrs["hold_end_s"] == pytest.approx(protocol.hold_end_s)


def test_a_protocol_files_subject_is_the_one_simulated(tmp_path):
    """The example's subject is the default one, so it could not show that the
    ``[subject]`` table is read at all."""
    path = write(
        tmp_path, '[subject]\nmass_kg = 82\nheight_m = 1.68\nsex = "female"\n' + GOOD_PHASE
    )
    assert load_protocol_file(path)[1] == spinesim.Subject(
        mass_kg=82.0, height_m=1.68, sex="female"
    )


def test_zero_hours_in_a_protocol_file_leave_the_phase_out(tmp_path):
    """As in the CLI and sweeps: 0 hours of a preceding phase is none of it."""
    zero = '[[preceding]]\nkind = "upright"\nhours = 0\n'
    with_zero = load_protocol_file(write(tmp_path, zero + GOOD_PHASE))[0]
    assert with_zero == load_protocol_file(write(tmp_path, GOOD_PHASE))[0]


def test_a_protocol_file_sets_the_end_of_the_hold(tmp_path):
    path = write(tmp_path, "end_of_hold_s = 15\n" + GOOD_PHASE)
    assert load_protocol_file(path)[0].hold_end_s == 15.0


def test_a_trace_without_a_hold_warns_as_the_cli_does(tmp_path, capsys):
    """A ramp only: the end of the hold would be read where it ends; the warning reads as
    the CLI's messages do, and the run goes on."""
    assert run_cli(["run", str(write(tmp_path, GOOD_PHASE))]) == 0
    err = capsys.readouterr().err
    assert err.startswith("spinesim: warning: the protocol never holds")
    assert "UserWarning" not in err


def test_protocol_file_defaults_and_constant_angle(tmp_path):
    path = write(
        tmp_path,
        '[device]\nfriction_static = 0.6\n[[preceding]]\nkind = "lying"\nhours = 8\n'
        '[[phase]]\nname = "hold"\nduration_s = 30\nangle_deg = 45\n',
    )
    protocol, subject, device = load_protocol_file(path)
    assert subject == spinesim.Subject()
    assert device.friction_kinetic == pytest.approx(0.8 * 0.6)
    lying, hold = protocol.phases
    assert (lying.kind, lying.duration_s) == ("lying", 8 * 3600.0)
    assert (hold.name, hold.start_deg, hold.end_deg, hold.duration_s) == ("hold", 45.0, 45.0, 30.0)
    assert isinstance(hold.duration_s, float)


# --------------------------------------------------------------------------- errors
BAD_OPTIONS = [
    (["--angle", "120"], "angle"),
    (["--angle", "nan"], "angle"),
    (["--mass", "-5"], "mass"),
    (["--height", "inf"], "height"),
    (["--hold", "0"], "hold"),
    (["--friction", "3"], "(option --friction)"),
    (["--option", "friction_kinetic=0.6"], "(option --option friction_kinetic)"),
    (["--option", "friction_kinetic=5"], "(option --option friction_kinetic)"),
    (["--device", "hip_bench", "--option", "hand_support=2"], "(option --option hand_support)"),
    (["--upright-hours", "-1"], "(0, 48], or 0 for none (option --upright-hours)"),
    (["--after-upright-hours", "inf"], "(option --after-upright-hours)"),
    (["--after-sitting-hours", "-2"], "(option --after-sitting-hours)"),
    (["--cycles", "0"], "--cycles = 0"),
    (["--cycles", "-3", "--return", "5"], "--cycles = -3"),
    (["--output-interval", "1e9"], "output-interval"),
    (["--device", "chair"], "device"),
    (["--sex", "other"], "sex"),
    (["--angle", "sixty"], "angle"),
    (["--hold", "-5"], "(option --hold)"),
    (["--device", "traction", "--pull", "100", "--return", "-1"], "(option --return)"),
    (["--option", "friction_static=0.3"], "--friction"),
    (["--device", "boots", "--option", "friction_static=0.3"], "'boots' has no backrest, so no"),
    (["--option", "split_table=true", "--option", "split_table=false"], "given twice"),
    (["--device", "boots", "--option", "friction_kinetic=0.3"], "has no backrest"),
    (["--device", "harness", "--sham"], "--sham: device 'harness' holds the body at -90 deg"),
]


@pytest.mark.parametrize(("options", "name"), BAD_OPTIONS)
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, options, name):
    status = run_cli(["run", "--hold", "30", *options, "--out", str(tmp_path / "r.nc")])
    assert status == 2
    err = capsys.readouterr().err
    assert name in err
    assert "error" in err
    assert files_in(tmp_path) == set()


BAD_FILES = [
    (GOOD_PHASE + "colour = 1\n", "phase[1].colour"),
    ("[[phases]]\nduration_s = 20\n", "phases"),
    (
        "[subject]\nweight = 70\n" + GOOD_PHASE,
        "subject.weight is an unknown key (did you mean 'mass_kg'",
    ),
    ("[[phase]\nduration_s = 20\n", "malformed TOML"),
    (
        GOOD_PHASE + "[[phase]]\nduration_s = 20\nangle_deg = 6\n",
        "session phase[2] (phase).start_deg = 6",
    ),
    ("[subject]\nstature = 1.8\n" + GOOD_PHASE, "did you mean 'height_m'"),
    ("[[phase]]\nduration_s = 20\nstart_deg = 0\nend_deg = 120\n", "phase[1].end_deg = 120"),
    (
        GOOD_PHASE + "[[phase]]\nduration_s = 20\nstart_deg = 120\nend_deg = 0\n",
        "phase[2].start_deg",
    ),
    ('[[phase]]\nduration_s = "20"\nangle_deg = 30\n', "phase[1].duration_s"),
    ("[[phase]]\nduration_s = 20\nangle_deg = nan\n", "phase[1].angle_deg"),
    ("[[phase]]\nduration_s = 20\nstart_deg = 0\n", "phase[1].end_deg"),
    ("[[phase]]\nduration_s = 20\nangle_deg = 0\nstart_pull_N = 300\n", "phase[1].end_pull_N"),
    ("[subject]\nmass_kg = -5\n" + GOOD_PHASE, "subject.mass_kg"),
    ('[subject]\nsex = ["male"]\n' + GOOD_PHASE, "subject.sex"),
    ('[device]\ntype = "chair"\n' + GOOD_PHASE, "device.type"),
    ("[device]\nfriction_static = 0.3\nfriction_kinetic = 0.5\n" + GOOD_PHASE, "friction_kinetic"),
    ('[[preceding]]\nkind = "kneeling"\nhours = 2\n' + GOOD_PHASE, "preceding[1].kind"),
    (
        '[[preceding]]\nkind = "upright"\nhours = -1\n' + GOOD_PHASE,
        "preceding[1].hours = -1 is outside the allowed range; allowed: a number in (0, 48], "
        "or 0 for none",
    ),
    ('[[preceding]]\nkind = "upright"\nhours = false\n' + GOOD_PHASE, "preceding[1].hours"),
    ('[[preceding]]\nkind = "kneeling"\nhours = 0\n' + GOOD_PHASE, "preceding[1].kind"),
    ('[[preceding]]\nkind = "upright"\nhours = 1\n', "[[phase]]"),
    ("[phase]\nduration_s = 20\nangle_deg = 30\n", "[[phase]]"),
    ("end_of_hold_s = 30\n" + GOOD_PHASE, "end_of_hold_s = 30 is outside"),
    ('end_of_hold_s = "end"\n' + GOOD_PHASE, "end_of_hold_s = 'end' is not a number"),
    (GOOD_PHASE + "end_of_hold_s = 10\n", "write it before the first [table]"),
]


@pytest.mark.parametrize(("text", "name"), BAD_FILES)
def test_bad_protocol_files(tmp_path, capsys, text, name):
    path = write(tmp_path, text)
    with pytest.raises(ParameterError) as info:
        load_protocol_file(path)
    assert name in str(info.value)
    status = run_cli(["run", str(path), "--out", str(tmp_path / "r.nc")])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("spinesim: error: ")
    assert name in err
    assert "(option" not in err  # the value came from the file, not from a command-line option
    assert files_in(tmp_path) == {"protocol.toml"}


def test_missing_protocol_file(tmp_path, capsys):
    missing = tmp_path / "missing.toml"
    with pytest.raises(FileNotFoundError):
        load_protocol_file(missing)
    assert run_cli(["run", str(missing), "--out", str(tmp_path / "r.nc")]) == 2
    assert "missing.toml" in capsys.readouterr().err
    assert files_in(tmp_path) == set()


def test_session_options_with_a_protocol_file(tmp_path, capsys):
    path = write(tmp_path, GOOD_PHASE)
    assert run_cli(["run", str(path), "--angle", "30"]) == 2
    assert "--angle" in capsys.readouterr().err


def test_nan_is_rejected_with_a_clear_message(capsys):
    assert run_cli(["run", "--angle", "nan"]) == 2
    err = capsys.readouterr().err
    assert "angle_deg = nan is not finite" in err
    assert "--angle" in err


def test_out_in_a_missing_folder(tmp_path, capsys):
    assert run_cli([*SHORT, "--out", str(tmp_path / "no" / "r.nc")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_out_not_ending_in_nc_is_refused_before_the_simulation(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "simulate", None)  # never reached
    out = tmp_path / "a.txt"
    assert run_cli([*SHORT, "--out", str(out)]) == 2
    expected = f"--out = {str(out)!r} must name a file ending in one of ('.nc',)"
    assert expected in capsys.readouterr().err
    assert files_in(tmp_path) == set()


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--hold", "10", "--out", ""],
        ["run", ""],
        ["sweep", " ", "--out", "s.zarr"],
        ["sweep", "examples/sweep.toml", "--out", ""],
        ["render", "", "--png", "a.png"],
    ],
)
def test_an_empty_path_is_refused_not_taken_as_the_current_folder(argv, capsys, monkeypatch):
    monkeypatch.setattr(cli, "simulate", None)  # never reached
    assert run_cli(argv) == 2
    assert "is empty; give a path" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_out_in_a_folder_that_takes_no_files_is_refused_before_the_simulation(capsys, monkeypatch):
    """/proc passes a permission check (as root too) but cannot hold a file: the check
    creates one, as the writer will, so the error comes before the work (status 2)."""
    monkeypatch.setattr(cli, "simulate", None)  # never reached
    assert run_cli([*SHORT, "--out", "/proc/r.nc"]) == 2
    assert "--out = '/proc/r.nc': the folder '/proc' is not writable" in capsys.readouterr().err


def test_solver_error_exits_1_and_writes_nothing(tmp_path, capsys, monkeypatch):
    def fail(*args, **kwargs):
        raise SolverError("step size too small at t = 3 s", 3.0, -1)

    monkeypatch.setattr(cli, "simulate", fail)
    assert run_cli([*SHORT, "--out", str(tmp_path / "r.nc")]) == 1
    assert "step size too small" in capsys.readouterr().err
    assert files_in(tmp_path) == set()


def test_ctrl_c_exits_130_without_a_traceback_and_writes_nothing(tmp_path, capsys, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "simulate", interrupt)
    assert run_cli([*SHORT, "--out", str(tmp_path / "r.nc")]) == 130
    assert "interrupted; --out was not written" in capsys.readouterr().err
    assert files_in(tmp_path) == set()


def test_ctrl_c_once_out_is_renamed_says_it_was_written(tmp_path, capsys, monkeypatch):
    """An interrupt held off until the rename is done (atomic_output) is reported as such."""

    def written_then_interrupted(result, path):
        Path(path).write_bytes(b"whole")
        raise InterruptedAfterWriting(Path(path))

    monkeypatch.setattr(cli.Result, "to_netcdf", written_then_interrupted)
    out = tmp_path / "r.nc"
    assert run_cli([*SHORT, "--out", str(out)]) == 130
    assert f"interrupted after --out {str(out)!r} was written" in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys):
    assert run_cli([]) == 2
    assert "usage" in capsys.readouterr().err


def test_other_warnings_are_shown_as_python_shows_them(capsys):
    """Only spinesim's own warnings become 'spinesim: warning'; NumPy's, xarray's keep
    their category and source, and both come out when the run fails after them."""
    with pytest.warns(RuntimeWarning, match="from numpy") as shown:  # Python's display
        with pytest.raises(RuntimeError), cli._spinesim_warnings():
            warnings.warn("from numpy", RuntimeWarning, stacklevel=1)
            warnings.warn("the end of the hold", spinesim.SpinesimWarning, stacklevel=1)
            raise RuntimeError("the run failed")
    assert [w.category for w in shown] == [RuntimeWarning]
    err = capsys.readouterr().err
    assert err == "spinesim: warning: the end of the hold\n"


def test_run_out_refuses_the_target_of_an_unfinished_sweep(tmp_path, capsys):
    """``run --out D.nc`` beside ``D.nc.partial.zarr`` (a sweep still filling it or
    interrupted) wrote D.nc, and the sweep could then neither finish nor resume."""
    out = tmp_path / "D.nc"
    (tmp_path / "D.nc.partial.zarr").mkdir()
    assert run_cli(["run", "--hold", "1", "--out", str(out)]) == 2
    assert "is the target of an unfinished sweep" in capsys.readouterr().err
    assert not out.exists()


def test_sigterm_while_reading_the_inputs_ends_without_a_traceback(capsys, monkeypatch):
    """Outside the simulation's own handling (checking the output, reading the inputs) a
    SIGTERM gave a KeyboardInterrupt traceback."""
    import signal
    import time

    def terminated(out):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5.0)  # the handler interrupts this

    monkeypatch.setattr(cli, "_check_output", terminated)
    assert run_cli(["run", "--hold", "1"]) == 143
    assert capsys.readouterr().err.strip() == "spinesim: error: interrupted"
