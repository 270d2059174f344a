"""Sweeps: the same numbers as ``simulate``, labelled layouts, failures, bad input."""

from __future__ import annotations

import numba
import numpy as np
import pytest

import spinesim
from spinesim import Cohort, Grid, LatinHypercube, RandomSample, Table
from spinesim.errors import ParameterError
from spinesim.protocol import ARGUMENT_RANGES
from spinesim.sweeps.design import BMI, STATURE, Normal
from spinesim.sweeps.parameters import (
    AFTER,
    PRECEDING,
    PROTOCOLS,
    _is_integer,
    _protocol_arguments,
    case_inputs,
)

#: Short sessions keep the sweep tests quick: 5 s ramp, 20 s hold, 5 s return.
SHORT = {"ramp_s": 5.0, "hold_s": 20.0}


def test_grid_sweep_gives_simulate_numbers_for_every_case():
    ds = spinesim.sweep(
        Grid(angle_deg=[30.0, 75.0], friction_static=[0.3, 0.6]),
        fixed=SHORT,
        samples=600,
        progress=False,
    )
    assert ds["end_axial_force"].dims == ("angle_deg", "friction_static", "level")
    assert (ds["status"] == 0).all()
    for angle in (30.0, 75.0):
        for mu in (0.3, 0.6):
            device = spinesim.InversionTable(friction_static=mu, friction_kinetic=0.8 * mu)
            result = spinesim.simulate(spinesim.Protocol.inversion(angle, **SHORT), device=device)
            summary = result.summary()
            case = ds.sel(angle_deg=angle, friction_static=mu)
            for level in ("L5-S1", "L3-L4", "T12-L1", "C5-C6"):
                expected = summary["levels"][level]
                got = case.sel(level=level)
                assert got["end_axial_force"] == pytest.approx(
                    expected["end_axial_force_N"], rel=1e-9, abs=1e-9
                )
                assert got["peak_axial_force"] == pytest.approx(
                    expected["peak_axial_force_N"], rel=1e-6, abs=1e-6
                )
                gaps = expected["end_gap_change_mm"]
                for side in ("anterior", "middle", "posterior"):
                    assert got["end_gap_change"].sel(side=side) == pytest.approx(
                        gaps[side], rel=1e-9, abs=1e-12
                    )
                assert got["end_fluid_change"] == pytest.approx(
                    expected["end_fluid_change_pct"], rel=1e-9, abs=1e-12
                )
            assert case["end_spine_length_change"] == pytest.approx(
                summary["end_spine_length_change_mm"], rel=1e-9
            )


def test_time_series_on_a_common_grid_match_simulate_and_end_with_the_session():
    grid = np.arange(0.0, 61.0, 5.0)
    ds = spinesim.sweep(
        Table({"angle_deg": [60.0, 60.0], "hold_s": [20.0, 40.0]}),
        fixed={"ramp_s": 5.0},
        series_times_s=grid,
        progress=False,
    )
    assert ds["series_axial_force"].dims == ("case", "time", "level")
    for case, hold in enumerate((20.0, 40.0)):
        result = spinesim.simulate(
            spinesim.Protocol.inversion(60.0, ramp_s=5.0, hold_s=hold), output_interval_s=5.0
        )
        n = result.time_s.size
        np.testing.assert_allclose(grid[:n], result.time_s)
        got = ds["series_gap_change"].isel(case=case).sel(level="L4-L5", side="middle")
        np.testing.assert_allclose(got[:n], result["L4-L5"].gap_change[:, 1], atol=1e-12)
        np.testing.assert_allclose(
            ds["series_spine_length_change"].isel(case=case)[:n],
            result.spine_length_change,
            atol=1e-12,
        )
        assert np.isnan(got[n:]).all()  # past the session end: no values


def test_cases_and_results_are_independent_of_threads_and_batching():
    design = Table({"angle_deg": [20.0, 45.0, 70.0, 90.0]})
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = spinesim.sweep(design, fixed=SHORT, batch_size=4, progress=False)
    finally:
        numba.set_num_threads(threads)
    parallel = spinesim.sweep(design, fixed=SHORT, batch_size=3, progress=False)
    for name in ("end_axial_force", "peak_gap_change", "rise_time", "end_pressure"):
        np.testing.assert_array_equal(serial[name].values, parallel[name].values)


def test_deeper_inversion_decompresses_more_at_every_lumbar_level():
    ds = spinesim.sweep(Grid(angle_deg=[15.0, 45.0, 90.0]), fixed=SHORT, progress=False)
    lumbar = ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]
    gap = ds["end_gap_change"].sel(side="middle", level=lumbar)
    force = ds["end_axial_force"].sel(level=lumbar)
    assert (gap.diff("angle_deg") > 0).all()
    assert (force.diff("angle_deg") > 0).all()
    rise = ds["rise_time"].sel(level="L3-L4")
    assert ((rise > 0) & (rise < 25.0)).all()  # 90 % of the opening within the session


def test_a_failing_case_records_status_and_reason_and_the_sweep_goes_on():
    ds = spinesim.sweep(
        Table({"hold_s": [2.0, 3000.0]}),
        fixed={"angle_deg": 60.0, "ramp_s": 2.0},
        solver=spinesim.SolverOptions(max_step_s=10.0, max_steps=200),  # 3000 s: > 300 steps
        progress=False,
    )
    status = ds["status"].values
    assert status[0] == 0 and status[1] != 0
    assert ds["reason"].values[0] == ""
    assert "maximum number of steps" in ds["reason"].values[1]
    assert np.isfinite(ds["end_axial_force"].isel(case=0)).all()
    assert np.isnan(ds["end_axial_force"].isel(case=1)).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: spinesim.sweep(Grid(angle=[30.0])), "unknown sweep parameter"),
        (lambda: spinesim.sweep(Grid(hold_s=[10.0]), fixed={"hold_s": 5.0}), "both swept"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0, 120.0])), "case 1"),
        (lambda: spinesim.sweep(Grid(angle_deg=[])), "non-empty"),
        (lambda: Grid(angle_deg=[60.0, 60.0]), "repeats a value"),
        (lambda: spinesim.sweep(Grid(cycles=[2]), fixed={"angle_deg": 30.0}), "cycles"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), batch_size=0), "batch_size"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), series_times_s=[1.0]), "starting at 0"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), series_times_s="abc"), "series_times_s"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), series_times_s=[0, "a"]), r"_s\[1\]"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), series_times_s=[0, -5]), "outside"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), series_times_s=[0, 5, 5]), "increasing"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), fixed={"hold_s": [60, 70]}), "fixed.hold"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), fixed={"hold_s": {"a": 1}}), "one number"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), fixed=[("hold_s", 5.0)]), "fixed = "),
        (
            lambda: LatinHypercube({"angle_deg": [90, 20]}, n=4),
            r"angle_deg bounds = \[90, 20\]: low must be below high",
        ),
        (lambda: LatinHypercube({"sex": [0, 1]}, n=4), "categorical"),
        (lambda: RandomSample({"angle_deg": [10.0, 90.0]}, n=0), "RandomSample.n"),
        (lambda: LatinHypercube({"angle_deg": [10.0, 90.0]}, n=4, seed="x"), "LatinHypercube.seed"),
        (lambda: RandomSample({"angle_deg": [10.0, 90.0]}, n=4, seed=-1), "RandomSample.seed"),
        (lambda: Cohort(4, seed=1.5), r"Cohort.seed = 1.5; allowed: an integer in \[0, "),
        (lambda: Table({"angle_deg": [1.0, 2.0], "hold_s": [1.0]}), "equal lengths"),
        (lambda: Table({"angle_deg": [None, None]}), "every value is None"),
        (lambda: Table({"angle_deg": [60.0, float("nan")]}), r"NaN in case\(s\) \[1\]: give None"),
        (lambda: Table({"angle_deg": [60.0, None, "x"]}), "must be numbers"),
        (lambda: Table({"angle_deg": [60.0, True]}), "must be numbers"),  # not 1 deg
        (lambda: Grid(split_table=[None, True]), "None .* in a Table only"),
        # a parameter that does not apply to a case's device: None leaves it out there
        (
            lambda: spinesim.sweep(Grid(device=["boots", "hip_bench"], hand_support=[0.0, 0.5])),
            "does not apply .* None in the others",
        ),
        (lambda: Cohort(10, female_fraction=1.5), "female_fraction"),
        (lambda: Normal(1.7, 0.0, 1.5, 2.0), "Normal.sd"),
        (lambda: Normal(1.7, 0.1, 1.8, 2.0), "Normal.low"),
        (lambda: Normal(1.7, 1.0, 1.7, 1.7 + 1e-6), "keeps"),
        (lambda: LatinHypercube({"angle_deg": [10.0, float("inf")]}, n=4), "not finite"),
        (lambda: spinesim.sweep("angles"), "design"),
        (lambda: spinesim.sweep(Grid(angle_deg=[30.0]), client=8786), "client = 8786"),
        # a protocol the device cannot do is refused up front, not when its case runs
        (lambda: spinesim.sweep(Grid(device=["table", "boots"], angle_deg=[60.0])), "90 deg"),
        (
            lambda: spinesim.sweep(Grid(pull_N=[100.0]), fixed={"protocol": "traction"}),
            "needs a traction device",
        ),
    ],
)
def test_bad_sweeps_are_refused_before_any_work(call, message, tmp_path):
    with pytest.raises(ParameterError, match=message):
        call()


@pytest.mark.parametrize(
    ("design", "message"),
    [
        (
            lambda: LatinHypercube({"angle_deg": [-120, 20]}, n=4, seed=0),
            r"angle_deg low bound = -120 is not allowed: .*allowed: a number in \[-90, 90\]",
        ),
        (
            lambda: RandomSample({"mass_kg": [50, 400]}, n=4, seed=0),
            r"mass_kg high bound = 400 is not allowed: .*\[20, 300\]",
        ),
        (
            lambda: LatinHypercube({"hold_s": [-1, 60]}, n=4, seed=0),
            r"hold_s low bound = -1 is not allowed: .*\(0, 1e\+07\]",
        ),
        (
            lambda: RandomSample({"friction_kinetic": [0.1, 2.5]}, n=4, seed=0),
            r"friction_kinetic high bound = 2.5 is not allowed: .*\[0, 2\]",
        ),
        (
            lambda: LatinHypercube({"muscles.inverted_tone": [-1, 1]}, n=4, seed=0),
            r"muscles.inverted_tone low bound = -1 is not allowed",
        ),
        (
            lambda: LatinHypercube({"upright_hours": [1, 60]}, n=4, seed=0),
            r"upright_hours high bound = 60 is not allowed: .*\(0, 48\]",
        ),
        (
            lambda: LatinHypercube({"angle_deg": [float("nan"), 60]}, n=4, seed=0),
            r"angle_deg low bound = nan is not allowed: .* not finite; .*\[-90, 90\]",
        ),
        (
            lambda: RandomSample({"angle_deg": [20, float("inf")]}, n=4, seed=0),
            r"angle_deg high bound = inf is not allowed: .*\[-90, 90\]",
        ),
        (
            lambda: spinesim.sweep(Grid(angle_deg=[20.0]), out=5, progress=False),
            r"out = 5 \(type int\); allowed: str or PathLike",
        ),
        (
            lambda: LatinHypercube({"cycles": [1, 5]}, n=4, seed=0),
            r"'cycles' takes integers: list its values",
        ),
        (lambda: RandomSample({"angle": [1, 5]}, n=4, seed=0), "unknown sweep parameter"),
        (
            lambda: Cohort(4, seed=0, stature={**STATURE, "male": Normal(1.7, 0.2, 0.8, 2.0)}),
            r"Cohort.stature\['male'\] low bound = 0.8 is not allowed: height_m = 0.8",
        ),
        (
            lambda: Cohort(4, seed=0, bmi={**BMI, "female": Normal(30, 8, 17, 90)}),
            r"Cohort.bmi\['female'\] high bound = 90 .* \[10, 70\]",
        ),
        (
            lambda: Cohort(
                4,
                seed=0,
                stature={**STATURE, "female": Normal(1.6, 0.1, 1.4, 2.1)},
                bmi={**BMI, "female": Normal(30, 8, 17, 70)},
            ),
            r"Cohort.bmi\['female'\] x stature\^2 \(mass_kg\) high bound = 308.7.* \[20, 300\]",
        ),
    ],
)
def test_sampling_bounds_outside_the_allowed_range_are_refused(design, message):
    """Refused when the design is built, before any draw (not by the case that happens to
    fall outside)."""
    with pytest.raises(ParameterError, match=message):
        design()


def test_sampling_bounds_within_the_allowed_range_are_accepted():
    bounds = {
        "angle_deg": [-90, 90],
        "hold_s": [0, 600],  # open at 0: the draws lie inside
        "rest_pull_N": [0, 200],  # at most pull_N: checked per case
        "pull_N": [100, 400],
        "friction_kinetic": [0, 2],  # at most friction_static: checked per case
        "hand_support": [0, 1],
        "mass_kg": [20, 300],
    }
    assert LatinHypercube(bounds, n=4).table()["angle_deg"].size == 4


def test_every_real_valued_protocol_argument_has_an_allowed_range():
    for kind in PROTOCOLS:
        for name, parameter in _protocol_arguments(kind).items():
            assert _is_integer(parameter) or name in ARGUMENT_RANGES, (kind, name)
    assert set(PRECEDING) | set(AFTER) <= set(ARGUMENT_RANGES)


def test_sampling_bounds_may_be_a_numpy_array():
    assert LatinHypercube({"angle_deg": np.array([10.0, 20.0])}, n=3).table()["angle_deg"].size == 3


def test_a_sweep_with_cases_that_break_a_constraint_says_how_many():
    """Gain x bending stiffness below 1000 N m/rad (Tissues): the first refused case is
    named, with the count of all refused cases."""
    table = Table({"muscles.postural_stiffness_ratio": [1.0, 10.0, 1.5], "angle_deg": [60.0] * 3})
    with pytest.raises(ParameterError, match=r"^case 0 .*\(2 of 3 cases are refused\)$"):
        spinesim.sweep(table, progress=False)


def test_a_refused_sweep_writes_nothing(tmp_path):
    out = tmp_path / "never.zarr"
    with pytest.raises(ParameterError, match="angle_deg"):
        spinesim.sweep(Grid(angle_deg=[30.0, 95.0]), out=out, progress=False)
    with pytest.raises(ParameterError, match="device 'boots'"):
        spinesim.sweep(Grid(device=["table", "boots"], angle_deg=[60.0]), out=out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_sampled_designs_cover_their_bounds_reproducibly():
    lhs = LatinHypercube({"angle_deg": [10.0, 90.0], "mass_kg": [50.0, 110.0]}, n=50, seed=3)
    table = lhs.table()
    assert table["angle_deg"].min() >= 10.0 and table["angle_deg"].max() <= 90.0
    # Latin hypercube: exactly one sample in each of the n strata of every parameter
    strata = np.floor((table["mass_kg"] - 50.0) / 60.0 * 50).astype(int)
    assert sorted(strata) == list(range(50))
    np.testing.assert_array_equal(table["angle_deg"], lhs.table()["angle_deg"])
    random = RandomSample({"angle_deg": [10.0, 90.0]}, n=50, seed=3).table()["angle_deg"]
    assert not np.array_equal(random, table["angle_deg"])
    seeded = RandomSample({"angle_deg": [10.0, 90.0]}, n=50, seed=np.uint64(3))
    assert seeded.describe()["RandomSample"]["seed"] == 3  # a plain int, as stored
    for seed in (None, 2**64 - 1):  # None (fresh entropy) and the largest seed are valid
        assert Cohort(3, seed=seed).table()["height_m"].size == 3


def test_cohort_follows_its_stature_distributions():
    table = Cohort(4000, seed=1, female_fraction=0.3).table()
    female = table["sex"] == "female"
    assert female.mean() == pytest.approx(0.3, abs=0.03)
    for sex, mask in (("female", female), ("male", ~female)):
        height = table["height_m"][mask]
        assert height.mean() == pytest.approx(STATURE[sex].mean, abs=0.01)
        assert height.std() == pytest.approx(STATURE[sex].sd, rel=0.1)
    bmi = table["mass_kg"] / table["height_m"] ** 2
    assert 17.0 <= bmi.min() and bmi.max() <= 50.0


def test_cohort_sweep_heavier_people_get_more_traction():
    ds = spinesim.sweep(Cohort(6, seed=2), fixed={"angle_deg": 60.0, **SHORT}, progress=False)
    force = ds["end_axial_force"].sel(level="L3-L4").values
    mass = ds["mass_kg"].values
    assert np.corrcoef(mass, force)[0, 1] > 0.8
    assert set(ds["sex"].values) <= {"male", "female"}


def test_the_subject_of_each_case_is_the_one_simulated():
    """Every subject field reaches the model: each case of a grid over sex, mass and
    height equals ``simulate`` with that subject (sex changes L4-L5 by 14 N; a sweep that
    dropped it had passed every test that only read the coordinate back)."""
    ds = spinesim.sweep(
        Grid(sex=["male", "female"], mass_kg=[60.0], height_m=[1.6]),
        fixed={"angle_deg": 60.0, **SHORT},
        progress=False,
    )
    protocol = spinesim.Protocol.inversion(60.0, ramp_s=SHORT["ramp_s"], hold_s=SHORT["hold_s"])
    forces = []
    for sex in ("male", "female"):
        subject = spinesim.Subject(mass_kg=60.0, height_m=1.6, sex=sex)
        expected = spinesim.simulate(protocol, subject=subject).summary()["levels"]["L4-L5"]
        got = ds["end_axial_force"].sel(level="L4-L5").where(ds["sex"] == sex, drop=True)
        assert float(got.item()) == pytest.approx(expected["end_axial_force_N"], rel=1e-6)
        forces.append(expected["end_axial_force_N"])
    assert abs(forces[0] - forces[1]) > 1.0  # sex matters, so the check can fail


def test_progress_bar_reports_cases_rate_and_time_left(capsys):
    spinesim.sweep(Grid(angle_deg=[30.0]), fixed=SHORT, progress=True)
    err = capsys.readouterr().err
    assert "1/1" in err and "case/s" in err


def test_sweeps_over_devices_and_switches_match_simulate():
    ds = spinesim.sweep(
        Table({"device": ["table", "boots", "harness"], "angle_deg": [60.0, 90.0, -90.0]}),
        fixed={"ramp_s": 5.0, "hold_s": 20.0},
        progress=False,
    )
    assert (ds["status"] == 0).all()
    boots = spinesim.simulate(
        spinesim.Protocol.inversion(90.0, ramp_s=5.0, hold_s=20.0), device=spinesim.GravityBoots()
    )
    expected = boots.summary()["levels"]["L3-L4"]["end_axial_force_N"]
    got = ds["end_axial_force"].sel(level="L3-L4").isel(case=1)
    assert got == pytest.approx(expected, rel=1e-6)
    traction = spinesim.sweep(
        Grid(split_table=[False, True]),
        fixed={"protocol": "traction", "device": "traction", "pull_N": 400.0, "hold_s": 60.0},
        progress=False,
    )
    force = traction["end_segment_force"].sel(level="L5-S1")
    # the split table removes the friction of the lower half: more of the pull arrives
    assert force.sel(split_table=True) > force.sel(split_table=False) + 100.0


def test_a_design_without_a_seed_draws_one_and_keeps_it():
    """seed=None: the drawn seed is kept, so the sample can be drawn again (and a resume
    cannot silently run a second sample against the first one's coordinates)."""
    design = spinesim.RandomSample({"angle_deg": [20.0, 80.0]}, n=3, seed=None)
    assert isinstance(design.seed, int)
    again = spinesim.RandomSample({"angle_deg": [20.0, 80.0]}, n=3, seed=design.seed)
    np.testing.assert_array_equal(design.table()["angle_deg"], again.table()["angle_deg"])
    assert str(design.seed) in str(design.describe())


def test_a_fixed_none_takes_the_parameter_default():
    """``return_s=None`` spells out its default (as long as the ramp)."""
    spelled = spinesim.sweep(
        Table({"angle_deg": [45.0]}), fixed={**SHORT, "return_s": None}, progress=False
    )
    default = spinesim.sweep(Table({"angle_deg": [45.0]}), fixed=SHORT, progress=False)
    np.testing.assert_array_equal(spelled["end_axial_force"], default["end_axial_force"])


def test_a_table_mixes_devices_each_case_giving_its_own_parameters(tmp_path):
    """None leaves a parameter out of a case: an inversion table, a traction table and a
    hip bench in one sweep give each case the numbers ``simulate`` gives it, and the stored
    design columns hold NaN ('' for names and switches) where a case does not give them."""
    design = Table(
        {
            "device": ["table", "traction", "hip_bench"],
            "protocol": ["inversion", "traction", "inversion"],
            "angle_deg": [60.0, None, 90.0],
            "pull_N": [None, 300.0, None],
            "split_table": [None, True, None],
            "hand_support": [None, None, 0.3],
        }
    )
    ds = spinesim.sweep(design, fixed={"hold_s": 20.0}, progress=False, out=tmp_path / "m.nc")
    assert (ds["status"] == 0).all()
    sessions = [
        (spinesim.Protocol.inversion(60.0, hold_s=20.0), spinesim.InversionTable()),
        (spinesim.Protocol.traction(300.0, hold_s=20.0), spinesim.TractionTable(split_table=True)),
        (spinesim.Protocol.inversion(90.0, hold_s=20.0), spinesim.HipBench(hand_support=0.3)),
    ]
    for case, (protocol, device) in enumerate(sessions):
        expected = spinesim.simulate(protocol, device=device).summary()["levels"]["L4-L5"]
        got = ds["end_axial_force"].sel(level="L4-L5").isel(case=case)
        assert got == pytest.approx(expected["end_axial_force_N"], rel=1e-9)
    stored = spinesim.open_sweep(tmp_path / "m.nc")
    np.testing.assert_array_equal(stored["angle_deg"], [60.0, np.nan, 90.0])
    np.testing.assert_array_equal(stored["pull_N"], [np.nan, 300.0, np.nan])
    assert stored["split_table"].values.tolist() == ["", "True", ""]
    assert stored.attrs["design"].count("null") == 7  # JSON keeps None as null


def test_the_harness_level_is_swept_as_harness_level_and_the_disc_levels_stay():
    """The harness' vertebra (device field ``level``) is swept as ``harness_level``: the
    results keep their disc ``level`` dimension, and each case matches ``simulate``."""
    ds = spinesim.sweep(
        Grid(harness_level=["T8", "T11"]),
        fixed={"device": "harness", "angle_deg": -90.0, "hold_s": 20.0},
        progress=False,
    )
    assert ds["end_axial_force"].dims == ("harness_level", "level")
    assert "L4-L5" in ds["level"].values
    for level in ("T8", "T11"):
        session = spinesim.Protocol.inversion(-90.0, hold_s=20.0)
        result = spinesim.simulate(session, device=spinesim.SuspensionHarness(level=level))
        expected = result.summary()["levels"]["L4-L5"]["end_axial_force_N"]
        got = ds["end_axial_force"].sel(harness_level=level, level="L4-L5")
        assert got == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ParameterError, match="'level' is swept as 'harness_level'"):
        Table({"level": ["T8", "T10"]})


def test_standing_after_the_session_is_swept_as_simulate_runs_it():
    """``after_upright_hours``: 0 is the session alone; otherwise standing follows it, as
    ``simulate`` runs it with ``after=``."""
    ds = spinesim.sweep(
        Grid(after_upright_hours=[0.0, 0.1]),
        fixed={"angle_deg": 60.0, "upright_hours": 2.0, **SHORT},
        progress=False,
    )
    for hours in (0.0, 0.1):
        after = spinesim.upright(hours) if hours else ()
        protocol = spinesim.Protocol.inversion(
            60.0, **SHORT, preceding=spinesim.upright(2.0), after=after
        )
        expected = spinesim.simulate(protocol).summary()
        case = ds.sel(after_upright_hours=hours)
        for name in ("end_spine_length_change", "final_spine_length_change"):
            assert float(case[name]) == pytest.approx(expected[f"{name}_mm"], rel=1e-9)
    final = ds["final_spine_length_change"]
    assert float(final.sel(after_upright_hours=0.1)) < float(final.sel(after_upright_hours=0.0))
    with pytest.raises(ParameterError, match=r"after_upright_hours = -1"):
        spinesim.sweep(Table({"after_upright_hours": [-1.0]}), fixed=SHORT, progress=False)
    case = case_inputs({"angle_deg": 60.0, "after_upright_hours": 0.5, "after_lying_hours": 0.1})
    assert [p.kind for p in case.protocol.phases[-2:]] == ["lying", "upright"]  # in that order


def test_a_sham_grid_gives_each_session_and_its_control_as_simulate_runs_them():
    """``sham=True`` runs ``Protocol.sham()``: the same phases and saved times, so the
    difference of the two is the session's effect, also after it."""
    times = np.arange(0.0, 391.0, 15.0)  # 30 s on the device, then 6 min standing
    ds = spinesim.sweep(
        Grid(sham=[False, True]),
        fixed={"angle_deg": 60.0, "upright_hours": 1.0, "after_upright_hours": 0.1, **SHORT},
        series_times_s=times,
        progress=False,
    )
    session = spinesim.Protocol.inversion(
        60.0, **SHORT, preceding=spinesim.upright(1.0), after=spinesim.upright(0.1)
    )
    for sham, protocol in ((False, session), (True, session.sham())):
        result = spinesim.simulate(protocol, output_interval_s=15.0)
        case = ds.sel(sham=sham)
        expected = result.summary()
        assert float(case["final_spine_length_change"]) == pytest.approx(
            expected["final_spine_length_change_mm"], rel=1e-9
        )
        at = np.searchsorted(result.time_s, times)  # it also saves at the phase ends
        np.testing.assert_allclose(result.time_s[at], times)
        np.testing.assert_allclose(
            case["series_spine_length_change"], result.spine_length_change[at], atol=1e-12
        )
    effect = ds["series_spine_length_change"].sel(sham=False) - ds[
        "series_spine_length_change"
    ].sel(sham=True)
    assert float(effect.sel(time=15.0)) > 1.0  # mm, in the hold: inverted against flat
    assert 0.0 < float(effect.sel(time=390.0)) < float(effect.sel(time=60.0))  # fading
    # the control's end-of-hold values are read where the session's hold ends
    end = ds["end_spine_length_change"].sel(sham=True)
    control = spinesim.simulate(session.sham(), output_interval_s=15.0)
    assert control.summary()["end_of_hold_s"] == pytest.approx(session.hold_end_s)
    assert float(end) == pytest.approx(
        control.spine_length_change[control.index_at(session.hold_end_s)], abs=1e-9
    )
    # the control of a session the device cannot do is refused as that session
    with pytest.raises(ParameterError, match="needs a traction device"):
        case_inputs({"protocol": "traction", "pull_N": 300.0, "device": "table", "sham": True})
    with pytest.raises(ParameterError, match=r"sham = 1 is not allowed: True or False"):
        case_inputs({"angle_deg": 60.0, "sham": 1})
    with pytest.raises(ParameterError, match=r"sham = True: device 'boots' holds the body"):
        case_inputs({"device": "boots", "angle_deg": 90.0, "sham": True})
    with pytest.raises(ParameterError, match="'sham' is categorical"):
        LatinHypercube({"sham": [0.0, 1.0]}, n=4, seed=0)


def test_zero_hours_of_a_preceding_phase_leave_it_out():
    """``upright_hours = 0`` is the session without standing before it (the phase's own
    range starts above 0), so a grid can compare without and with."""
    ds = spinesim.sweep(Grid(upright_hours=[0.0, 2.0]), fixed={"angle_deg": 60.0, **SHORT})
    without = spinesim.simulate(spinesim.Protocol.inversion(60.0, **SHORT))
    with_standing = spinesim.simulate(
        spinesim.Protocol.inversion(60.0, **SHORT, preceding=spinesim.upright(2.0))
    )
    force = ds["end_axial_force"].sel(level="L4-L5")
    for hours, result in ((0.0, without), (2.0, with_standing)):
        expected = result.summary()["levels"]["L4-L5"]["end_axial_force_N"]
        assert float(force.sel(upright_hours=hours)) == pytest.approx(expected, rel=1e-9)


def test_asking_for_series_does_not_change_the_summaries():
    """Series times are saved for the series only: the peaks, rise times and lowest
    pressures are read at the samples, with or without a fine series (a series every
    0.05 s had moved T6-T7's rise time from 13.96 to 10.06 s in boots)."""
    fixed = {"angle_deg": 90.0, "hold_s": 300.0, "upright_hours": 2.0}
    plain = spinesim.sweep(Grid(device=["boots"]), fixed=fixed, progress=False)
    fine = spinesim.sweep(
        Grid(device=["boots"]),
        fixed=fixed,
        series_times_s=np.round(np.arange(0.0, 40.0, 0.05), 2),
        progress=False,
    )
    for name in ("peak_axial_force", "rise_time", "min_pressure", "peak_gap_change"):
        np.testing.assert_array_equal(plain[name].values, fine[name].values, err_msg=name)
    assert fine["series_axial_force"].sizes["time"] == 800


def test_a_sweep_larger_than_memory_allows_is_refused_up_front():
    """A sweep returns its results in memory (about 2.3 kB per case): at 1e8 cases, the
    documented maximum before, it ran out of memory building the case table."""
    from spinesim.sweeps.design import MAX_CASES

    with pytest.raises(ParameterError, match=rf"Cohort.n = {MAX_CASES + 1}.*{MAX_CASES}"):
        spinesim.Cohort(n=MAX_CASES + 1)
    with pytest.raises(ParameterError, match=rf"allowed: at most {MAX_CASES}"):
        Grid(angle_deg=list(range(1001)), mass_kg=list(range(40, 1041)))
