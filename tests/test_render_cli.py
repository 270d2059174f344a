"""``spinesim render``: pictures and animations of saved results; clear errors otherwise."""

from __future__ import annotations

import os

import numpy as np
import pytest
import xarray as xr

import spinesim
from spinesim.result import POSE_VARIABLES
from tests._rendering import drawn_fraction, require_rendering
from tests.test_cli import files_in, run_cli


@pytest.fixture(scope="module")
def saved(tmp_path_factory, default_model):
    folder = tmp_path_factory.mktemp("saved")
    protocol = spinesim.Protocol.inversion(60, ramp_s=3, hold_s=3)
    result = spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)
    result.to_netcdf(folder / "r.nc")
    return folder / "r.nc"


def test_render_png_and_gif(tmp_path, saved):
    require_rendering()
    import imageio.v3 as iio

    status = run_cli(
        [
            "render",
            str(saved),
            "--png",
            str(tmp_path / "s.png"),
            "--gif",
            str(tmp_path / "s.gif"),
            "--frames",
            "4",
            "--size",
            "160x120",
            "--camera",
            "oblique",
            "--magnify",
            "5",
        ]
    )
    assert status == 0
    assert files_in(tmp_path) == {"s.png", "s.gif"}
    assert drawn_fraction(iio.imread(tmp_path / "s.png")[..., :3]) > 0.02
    assert iio.imread(tmp_path / "s.gif", index=None).shape[:3] == (4, 120, 160)


def test_render_compare_side_by_side(tmp_path, saved):
    require_rendering()
    import imageio.v3 as iio

    out = tmp_path / "both.png"
    assert (
        run_cli(
            ["render", str(saved), "--compare", str(saved), "--png", str(out), "--size", "160x120"]
        )
        == 0
    )
    assert iio.imread(out).shape[:2] == (120, 320)


def foreign(path):
    xr.Dataset({"temperature": ("time", np.arange(3.0))}).to_netcdf(path, engine="h5netcdf")


def without_poses(path, saved):
    with xr.open_dataset(saved, engine="h5netcdf") as ds:
        ds.load().drop_vars([*POSE_VARIABLES, "body"]).to_netcdf(path, engine="h5netcdf")


def truncated(path, saved):
    data = saved.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (None, "does not exist"),
        (lambda p, s: truncated(p, s), "not a readable spinesim result"),
        (lambda p, s: p.write_text("a text file\n"), "not a readable spinesim result"),
        (lambda p, s: foreign(p), "not a spinesim result"),
        (lambda p, s: without_poses(p, s), "no body poses"),
        (lambda p, s: p.mkdir(), "is a directory, not a result file"),
    ],
    ids=["missing", "truncated", "text", "foreign", "old", "directory"],
)
def test_bad_result_file_exits_2_and_writes_nothing(tmp_path, capsys, saved, make, message):
    path = tmp_path / "in.nc"
    if make is not None:
        make(path, saved)
    before = files_in(tmp_path)
    status = run_cli(
        ["render", str(path), "--png", str(tmp_path / "s.png"), "--gif", str(tmp_path / "s.gif")]
    )
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("spinesim: error:") and message in err
    assert "Traceback" not in err
    assert files_in(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "at least one of --png"),
        (["--png", "{tmp}/s.gif"], "--png"),
        (["--gif", "{tmp}/nofolder/s.gif"], "does not exist"),
        (["--png", "{tmp}/s.png", "--camera", "top"], "--camera = 'top' is unknown; allowed: side"),
        (["--png", "{tmp}/s.png", "--color", "nope"], "--color = 'nope' is unknown; allowed: gap"),
        (["--png", "{tmp}/s.png", "--magnify", "-1"], "--magnify = -1.0 is outside the allowed"),
        (["--png", "{tmp}/s.png", "--magnify", "nan"], "--magnify = nan is not finite"),
        (["--png", "{tmp}/s.png", "--time", "1e6"], "--time = 1000000.0 is outside the allowed"),
        (["--png", "{tmp}/s.png", "--size", "0x0"], "--size = 0x0: the width, 0 pixels, is out"),
        (["--png", "{tmp}/s.png", "--size", "16x5000"], "the height, 5000 pixels, is outside"),
        (["--gif", "{tmp}/s.gif", "--frames", "0"], "--frames = 0"),
        (["--png", "{tmp}/s.png", "--compare", "{tmp}"], "--compare = '{tmp}' is a directory"),
        (["--png", "{tmp}/s.png", "--compare", "{tmp}/o.nc"], "--compare: result file '{tmp}/o"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, saved, args, message):
    """The message names the option typed, its value and what is allowed, not the API's
    name for it (color_by, time_s, window_size)."""
    args = [a.format(tmp=tmp_path) for a in args]
    assert run_cli(["render", str(saved), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spinesim: error: ") and "Traceback" not in err
    assert message.format(tmp=tmp_path) in err
    assert not any(name in err for name in ("color_by", "time_s", "window_size"))
    assert files_in(tmp_path) == set()


def test_animation_options_are_checked_before_any_picture_is_written(tmp_path, saved, capsys):
    png, gif = str(tmp_path / "s.png"), str(tmp_path / "s.gif")
    assert run_cli(["render", str(saved), "--png", png, "--gif", gif, "--fps", "0"]) == 2
    assert "--fps" in capsys.readouterr().err
    assert files_in(tmp_path) == set()


def test_an_animation_that_fails_after_the_picture_leaves_no_file(
    tmp_path, saved, capsys, monkeypatch
):
    """All outputs or none: the picture drawn first is not kept when the animation fails
    (e.g. ffmpeg missing)."""
    require_rendering()
    from spinesim import viz

    def fail(*args, **kwargs):
        raise spinesim.ParameterError("--mp4 needs ffmpeg (test)")

    monkeypatch.setattr(viz, "animate_side_by_side", fail)
    png, mp4 = str(tmp_path / "s.png"), str(tmp_path / "s.mp4")
    status = run_cli(["render", str(saved), "--png", png, "--mp4", mp4, "--size", "160x120"])
    assert status == 2
    assert "ffmpeg (test)" in capsys.readouterr().err
    assert files_in(tmp_path) == set()


@pytest.mark.parametrize("failure", ["error", "interrupt"])
def test_a_failed_render_leaves_existing_files_as_they_were(
    tmp_path, saved, capsys, monkeypatch, failure
):
    """The picture is drawn first but replaces the existing one only once the animation is
    drawn too: an animation that fails, or Ctrl-C during it, leaves both old files intact
    and no temporary file."""
    require_rendering()
    import pyvista as pv

    from spinesim import viz

    if failure == "error":

        def fail(*args, **kwargs):
            raise spinesim.ParameterError("--gif cannot be written (test)")

        monkeypatch.setattr(viz, "animate_side_by_side", fail)
    else:
        write_frame = pv.Plotter.write_frame
        calls = []

        def interrupt(plotter):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            write_frame(plotter)

        monkeypatch.setattr(pv.Plotter, "write_frame", interrupt)
    png, gif = tmp_path / "s.png", tmp_path / "s.gif"
    png.write_bytes(b"old picture")
    gif.write_bytes(b"old animation")
    args = ["--png", str(png), "--gif", str(gif), "--frames", "4", "--size", "160x120"]
    status = run_cli(["render", str(saved), *args])
    err = capsys.readouterr().err
    assert status == (2 if failure == "error" else 130)
    assert ("cannot be written (test)" if failure == "error" else "interrupted") in err
    assert "Traceback" not in err
    assert files_in(tmp_path) == {"s.png", "s.gif"}
    assert png.read_bytes() == b"old picture"
    assert gif.read_bytes() == b"old animation"


def test_a_render_replaces_existing_files(tmp_path, saved):
    require_rendering()
    import imageio.v3 as iio

    png, gif = tmp_path / "s.png", tmp_path / "s.gif"
    png.write_bytes(b"old picture")
    gif.write_bytes(b"old animation")
    args = ["--png", str(png), "--gif", str(gif), "--frames", "2", "--size", "160x120"]
    assert run_cli(["render", str(saved), *args]) == 0
    assert files_in(tmp_path) == {"s.png", "s.gif"}
    assert iio.imread(png).shape[:2] == (120, 160)
    assert iio.imread(gif, index=None).shape[:3] == (2, 120, 160)
    umask = os.umask(0)
    os.umask(umask)
    for path in (png, gif):  # the permissions of a new file, not of a temporary one
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_time_without_a_picture_is_refused(tmp_path, saved, capsys):
    gif = str(tmp_path / "s.gif")
    assert run_cli(["render", str(saved), "--gif", gif, "--time", "3"]) == 2
    assert "--time sets the time of the --png picture" in capsys.readouterr().err
    assert files_in(tmp_path) == set()


def test_no_opengl_is_a_clear_error_not_a_crash(tmp_path, saved, capsys, monkeypatch):
    pytest.importorskip("pyvista")
    from spinesim.viz import _pyvista

    monkeypatch.setattr(_pyvista, "rendering_problem", lambda: "no OpenGL rendering (test)")
    assert run_cli(["render", str(saved), "--png", str(tmp_path / "s.png")]) == 2
    assert "cannot draw here: no OpenGL rendering (test)" in capsys.readouterr().err
    assert files_in(tmp_path) == set()


def test_size_must_be_width_x_height(saved, capsys):
    assert run_cli(["render", str(saved), "--png", "x.png", "--size", "big"]) == 2
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
