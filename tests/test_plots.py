"""2D plots: what they draw is the result's data, with units, legends and sources."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import spinesim
from spinesim import ParameterError
from spinesim.plots import LUMBAR, Measured, heatmap, response_surface


@pytest.fixture(scope="module")
def result(default_model) -> spinesim.Result:
    protocol = spinesim.Protocol.inversion(45, ramp_s=5, hold_s=10)
    return spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def colorbar_label(ax) -> str:
    return ax.figure.axes[-1].get_ylabel()


def test_gap_vs_time_draws_each_lumbar_level(result):
    ax = result.plot.gap_vs_time(side="anterior")
    lines = {
        line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")
    }
    assert list(lines) == list(LUMBAR)
    np.testing.assert_array_equal(lines["L3-L4"].get_ydata(), result["L3-L4"].gap_change[:, 0])
    np.testing.assert_array_equal(lines["L3-L4"].get_xdata(), result.time_s)
    assert "(mm)" in ax.get_ylabel() and "anterior" in ax.get_ylabel()
    assert "(s)" in ax.get_xlabel()


def test_traction_vs_angle_with_measured_points_names_the_source(result):
    measured = Measured([30, 60], [100.0, 200.0], "lumbar traction", "Example 2001 [V]", [10, 20])
    ax = result.plot.traction_vs_angle(["L4-L5"], measured=[measured])
    line = next(x for x in ax.get_lines() if x.get_label() == "L4-L5")
    np.testing.assert_array_equal(line.get_xdata(), result.angle)
    np.testing.assert_array_equal(line.get_ydata(), result["L4-L5"].axial_force)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "lumbar traction (Example 2001 [V])" in legend
    assert "(N)" in ax.get_ylabel() and "(deg)" in ax.get_xlabel()


def test_traction_vs_angle_leaves_out_the_time_off_the_device():
    """Standing after the session (-90 deg, about -800 N when standing up) is not part of
    the loop on the device: it would set the scale and hide the loop."""
    protocol = spinesim.Protocol.inversion(
        60, ramp_s=5, hold_s=20, preceding=spinesim.upright(1.0), after=spinesim.upright(0.05)
    )
    result = spinesim.simulate(protocol, output_interval_s=1.0)
    ax = result.plot.traction_vs_angle("L4-L5")
    x = next(line for line in ax.get_lines() if line.get_label() == "L4-L5").get_xdata()
    off = result.time_s > protocol.device_end_s
    assert off.sum() > 100 and np.isnan(x[off]).all()
    np.testing.assert_array_equal(x[~off], result.angle[~off])
    assert x[~off][-1] == 0.0  # the device's end: the person gets off lying flat
    plt.close("all")


def test_traction_vs_angle_refuses_a_session_at_a_constant_angle(default_model):
    """A flat session (as on a traction table) would draw a vertical line at 0 deg."""
    flat = spinesim.Protocol([spinesim.Phase(5.0, 0.0, 0.0)])
    result = spinesim.simulate(flat, model=default_model, output_interval_s=1.0)
    message = r"angle does not change on the device \(constant 0 deg\).*heatmap\('axial_force'\)"
    with pytest.raises(ParameterError, match=message):
        result.plot.traction_vs_angle()
    assert not plt.get_fignums()  # refused before a figure is made


def test_traction_vs_pull_draws_the_force_against_the_pull(default_model):
    """A traction session is drawn against its pull: up, hold and release."""
    model = spinesim.spine_model(device=spinesim.TractionTable(split_table=True))
    protocol = spinesim.Protocol.traction(300, ramp_s=10, hold_s=20)
    result = spinesim.simulate(protocol, model=model, output_interval_s=1.0)
    ax = result.plot.traction_vs_pull("L4-L5")
    line = next(x for x in ax.get_lines() if x.get_label() == "L4-L5")
    np.testing.assert_array_equal(line.get_xdata(), result.pull_force)
    np.testing.assert_array_equal(line.get_ydata(), result["L4-L5"].axial_force)
    assert line.get_xdata().max() == pytest.approx(300.0)
    assert "(N)" in ax.get_xlabel() and "pull" in ax.get_xlabel()
    with pytest.raises(ParameterError, match=r"angle does not change.*traction_vs_pull\(\)"):
        result.plot.traction_vs_angle()
    plt.close("all")
    flat = spinesim.simulate(
        spinesim.Protocol([spinesim.Phase(5.0, 0.0, 0.0)]), model=default_model
    )
    message = r"pull_force does not change on the device \(constant 0 N\).*against time"
    with pytest.raises(ParameterError, match=message) as refused:
        flat.plot.traction_vs_pull()
    assert "traction_vs_angle" not in str(refused.value)  # the angle is constant too
    assert not plt.get_fignums()


def test_measured_points_need_a_source():
    with pytest.raises(ParameterError, match="source"):
        Measured([1], [2], "points", "")
    with pytest.raises(ParameterError, match="x has 2"):
        Measured([1, 2], [2], "points", "Someone 2000")
    with pytest.raises(ParameterError, match="y_err has 3 values, y has 1"):
        Measured([1], [2], "points", "Someone 2000", y_err=[1, 2, 3])


@pytest.mark.parametrize(
    ("draw", "message"),
    [
        (lambda r: heatmap(r, "pressure", side="bogus"), "side = 'bogus' is unknown"),
        (lambda r: r.plot.gap_vs_time(levels=[]), r"levels = \[\] is empty"),
    ],
)
def test_plot_arguments_are_not_silently_ignored(default_model, draw, message):
    """A misspelt side was ignored for every variable but the gap change, and an empty list
    of levels drew empty axes."""
    result = spinesim.simulate(
        spinesim.Protocol.inversion(30, ramp_s=5, hold_s=5), model=default_model
    )
    with pytest.raises(ParameterError, match=message):
        draw(result)
    plt.close("all")


def test_heatmap_is_level_by_time_with_units(result):
    ax = heatmap(result, "gap_change", side="middle")
    mesh = ax.collections[0]
    values = np.asarray(mesh.get_array()).reshape(len(result.levels), result.time_s.size)
    np.testing.assert_array_equal(values, result.gap_change[:, :, 1].T)
    assert colorbar_label(ax) == "middle gap_change (mm)"
    assert "(MPa)" in colorbar_label(result.plot.heatmap("pressure"))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"variable": "angle"}, "not per level"),
        ({"variable": "gap_change", "side": "left"}, "side"),
    ],
)
def test_heatmap_rejects_bad_input(result, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        heatmap(result, **kwargs)


def test_unknown_level_is_named(result):
    with pytest.raises(ParameterError, match="L9-L10"):
        result.plot.gap_vs_time(["L9-L10"])


@pytest.mark.parametrize("plot", ["gap_vs_time", "traction_vs_angle"])
@pytest.mark.parametrize("levels", ["L4-L5", np.array(["L4-L5"]), ("L4-L5",)])
def test_a_level_may_be_given_as_a_string_or_any_sequence(result, plot, levels):
    """A single name is not iterated letter by letter; an array (e.g. a sweep's level
    coordinate) works like a list."""
    ax = getattr(result.plot, plot)(levels)
    labels = [line.get_label() for line in ax.get_lines()]
    assert [label for label in labels if not label.startswith("_")] == ["L4-L5"]


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ("L9", r"levels = 'L9': \['L9'\] unknown; allowed: \("),
        (["L4-L5", "l3-l4"], r"\['l3-l4'\] unknown"),
        (5, "a level name or a list of them"),
    ],
)
def test_bad_levels_are_named(result, levels, message):
    with pytest.raises(ParameterError, match=message):
        result.plot.gap_vs_time(levels)


# ---------------------------------------------------------------- sweep response surfaces
@pytest.fixture
def sweep() -> xr.Dataset:
    """A sweep of the shape spinesim.sweep returns: swept angle and mass, a level dim."""
    angle = np.array([20.0, 40.0, 60.0, 80.0])
    mass = np.array([50.0, 70.0, 90.0])
    levels = ["L3-L4", "L4-L5"]
    a, m = np.meshgrid(angle, mass, indexing="ij")
    force = np.sin(np.radians(a))[..., None] * m[..., None] * np.array([4.0, 4.5])
    status = np.zeros(a.shape, dtype=np.int64)
    status[3, 2] = 1  # the solver's step became too small
    return xr.Dataset(
        {
            "peak_axial_force": (("angle_deg", "mass_kg", "level"), force, {"units": "N"}),
            "end_gap_change": (("angle_deg", "mass_kg", "level"), force / 300, {"units": "mm"}),
            "status": (("angle_deg", "mass_kg"), status),
        },
        coords={
            "angle_deg": ("angle_deg", angle, {"units": "deg"}),
            "mass_kg": ("mass_kg", mass, {"units": "kg"}),
            "level": levels,
        },
    )


def test_response_surface_shows_the_sweep_with_units_and_failures(sweep):
    ax = response_surface(sweep, "peak_axial_force", "angle_deg", "mass_kg", level="L4-L5")
    assert colorbar_label(ax) == "peak_axial_force (N)"
    assert ax.get_xlabel() == "angle_deg (deg)" and ax.get_ylabel() == "mass_kg (kg)"
    crosses = next(line for line in ax.get_lines() if line.get_label() == "failed case")
    assert list(crosses.get_xdata()) == [80.0] and list(crosses.get_ydata()) == [90.0]
    # the contour levels span the successful cases' range at that level
    ok = sweep["peak_axial_force"].sel(level="L4-L5").values
    ok = np.delete(ok.ravel(), 3 * 3 + 2)
    assert ax.collections[0].levels[0] <= ok.min() and ax.collections[0].levels[-1] >= ok.max()
    assert ax.collections[0].levels[-1] < sweep["peak_axial_force"].values.max() + 50


def test_response_surface_names_the_values_it_fixes(sweep):
    """A side (or another swept parameter) chosen through ``select`` is in the title, the
    side also on the colour bar: the anterior and middle surfaces differ in their labels,
    not only in their colours."""
    sided = sweep.assign(
        end_gap_change=sweep["end_gap_change"].expand_dims(side=["anterior", "middle"], axis=-1)
    )
    ax = response_surface(
        sided, "end_gap_change", "angle_deg", "mass_kg", level="L4-L5", side="anterior"
    )
    assert colorbar_label(ax) == "end_gap_change, anterior (mm)"
    assert ax.get_title().endswith(": level = L4-L5, side = anterior")


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("temperature", "angle_deg", "mass_kg"), {"level": "L4-L5"}, "variable"),
        (("peak_axial_force", "friction", "mass_kg"), {"level": "L4-L5"}, "swept parameter"),
        (("peak_axial_force", "angle_deg", "mass_kg"), {}, "per level"),
        (("peak_axial_force", "angle_deg", "angle_deg"), {"level": "L4-L5"}, "different"),
    ],
)
def test_response_surface_rejects_bad_input(sweep, args, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        response_surface(sweep, *args, **kwargs)


def test_response_surface_status_of_other_shapes(sweep):
    """A status per level, or along one swept parameter only, still marks failed cases."""
    status = sweep["status"].expand_dims(level=["L3-L4", "L4-L5"]).copy()
    per_level = sweep.assign(status=status)
    per_level["status"][0, 0, 1] = 2
    ax = response_surface(per_level, "end_gap_change", "angle_deg", "mass_kg", level="L3-L4")
    crosses = next(line for line in ax.get_lines() if line.get_label() == "failed case")
    assert sorted(zip(crosses.get_xdata(), crosses.get_ydata(), strict=True)) == [
        (20.0, 70.0),
        (80.0, 90.0),
    ]
    by_angle = sweep.assign(status=("angle_deg", [0, 3, 0, 0]))
    ax = response_surface(by_angle, "end_gap_change", "angle_deg", "mass_kg", level="L3-L4")
    crosses = next(line for line in ax.get_lines() if line.get_label() == "failed case")
    assert set(crosses.get_xdata()) == {40.0} and len(crosses.get_xdata()) == 3


def test_response_surface_of_a_real_sweep():
    ds = spinesim.sweep(
        spinesim.Grid(angle_deg=[30.0, 60.0, 90.0], friction_static=[0.3, 0.6]),
        fixed={"ramp_s": 5.0, "hold_s": 10.0},
        progress=False,
    )
    ax = response_surface(
        ds, "end_gap_change", "angle_deg", "friction_static", level="L4-L5", side="middle"
    )
    assert colorbar_label(ax) == "end_gap_change, middle (mm)"
    title = "disc-space change at the end of the hold (per side): level = L4-L5, side = middle"
    assert " ".join(ax.get_title().split()) == title  # wrapped at 80 characters
    assert max(len(line) for line in ax.get_title().splitlines()) <= 80
    assert ax.get_xlabel() == "angle_deg (deg)"
    assert ax.get_ylabel() == "friction_static (-)"


def test_response_surface_fixes_other_swept_parameters(sweep):
    wider = sweep.expand_dims(friction=[0.3, 0.5])
    with pytest.raises(ParameterError, match=r"also varies over \['friction'\]"):
        response_surface(wider, "end_gap_change", "angle_deg", "mass_kg", level="L3-L4")
    ax = response_surface(
        wider, "end_gap_change", "angle_deg", "mass_kg", level="L3-L4", friction=0.5
    )
    assert colorbar_label(ax) == "end_gap_change (mm)"


def test_import_spinesim_stays_light():
    """Plotting, 3D, I/O, sweep and peer-engine libraries load only where they are used (a
    plot, a picture, a file, a sweep, a benchmark), also for the command line."""
    heavy = (
        "matplotlib", "pyvista", "vtk", "imageio", "xarray", "dask", "distributed", "zarr",
        "h5netcdf", "SALib", "tqdm", "mujoco", "opensim",
    )  # fmt: skip
    code = (
        "import sys, spinesim, spinesim.cli\n"
        "r = spinesim.Result\n"
        f"heavy = set({heavy!r}) & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
