"""The simulations behind every row of the measurement table.

Each experiment function takes a :class:`Context` and returns an :class:`Outcome`: the
simulated value of each of its measurements (by id), the inputs it used (for the report)
and the curves to plot. Plotting itself is left to the caller (docs/make_validation_report.py),
so this module needs no matplotlib. ``reduced`` runs coarser outputs for CI.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import curve_fit

from spinesim.anatomy import LUMBAR, Subject, load_anatomy
from spinesim.assembly import spine_model
from spinesim.core.layout import B_MASS, G_MU_KINETIC, G_MU_STATIC, J_C_CREEP, J_K_CREEP
from spinesim.device import GravityBoots, InversionTable, SuspensionHarness, TractionTable
from spinesim.model import GRAVITY, Model
from spinesim.properties import REFERENCE_AREA, REFERENCE_PRELOAD, Tissues
from spinesim.protocol import Phase, Protocol, lying, upright
from spinesim.result import Result
from spinesim.simulate import simulate
from spinesim.validation.segment import load_history, motion_segment, run_segment

if TYPE_CHECKING:
    from spinesim.validation.measurements import Measurement

HOUR = 3600.0
#: Hours upright before the stature experiments (assumption: the studies' time of day and
#: preceding activity are not in their abstracts; a morning of activity).
PRECEDING_UPRIGHT_H = 2.0
#: Seconds standing before a stadiometer reading is taken (assumption).
STADIOMETER_S = 30.0
#: Guarding counts as "back to baseline" below this fraction of its peak (assumption).
BASELINE_FRACTION = 0.05


@dataclass(frozen=True)
class Series:
    """One curve (``kind="line"``, or ``"dashed"`` for a fit) or measured points with their
    band (``"measured"``)."""

    label: str
    x: np.ndarray
    y: np.ndarray
    kind: str = "line"
    low: np.ndarray | None = None
    high: np.ndarray | None = None


@dataclass(frozen=True)
class Panel:
    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]


@dataclass
class Outcome:
    """What an experiment returns: simulated values by measurement id, the inputs in
    words, and the panels of its figure."""

    values: dict[str, float] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    #: Extra table (header, rows) for checks without a measurement.
    table: tuple[tuple[str, ...], list[tuple[str, ...]]] | None = None


@dataclass
class Context:
    """Shared state of one report run: the default model is assembled once."""

    reduced: bool = False
    #: Tissues of every experiment (default: ``Tissues()``), e.g. trial values of a fit.
    tissues: Tissues | None = None

    @cached_property
    def model(self) -> Model:
        return spine_model(tissues=self.tissues)

    def model_for(self, subject: Subject) -> Model:
        return self.model if subject == Subject() else spine_model(subject, None, self.tissues)


def first_time(times: np.ndarray, reached: np.ndarray, what: str) -> float:
    """The first of ``times`` (s) at which ``reached`` holds; an error naming ``what`` if
    it never does (``argmax`` would silently return the first time)."""
    if not np.any(reached):
        raise ValueError(f"{what} is not reached within the simulated {times[-1]:g} s")
    return float(times[np.argmax(reached)])


def measured_points(
    label: str, x: Sequence[float] | np.ndarray, measurements: Sequence[Measurement]
) -> Series:
    """Measured means and bands of ``measurements`` at abscissae ``x`` (for plotting)."""
    return Series(
        label,
        np.asarray(x, dtype=float),
        np.array([m.mean for m in measurements]),
        kind="measured",
        low=np.array([m.low for m in measurements]),
        high=np.array([m.high for m in measurements]),
    )


# ------------------------------------------------------------------ Wilke 1999: pressure
def wilke_pressure(ctx: Context) -> Outcome:
    """L4-L5 pressure over a 16 h day upright and the 7 h night after it (a periodic
    day-night cycle: a day and a night precede it)."""
    day, night = 16 * HOUR, 7 * HOUR
    protocol = Protocol(
        (
            upright(16.0),
            lying(8.0),
            Phase(day, -90.0, -90.0, kind="upright", name="day"),
            Phase(night, 0.0, 0.0, kind="lying", name="night"),
        )
    )
    r = simulate(protocol, model=ctx.model, output_interval_s=300.0 if ctx.reduced else 60.0)
    p = r["L4-L5"].pressure
    standing = float(np.mean(p[r.time_s <= day]))
    start = float(p[r.index_at(day + 600.0)])
    end = float(p[r.index_at(day + night)])
    out = Outcome(
        values={
            "wilke_standing": standing,
            "wilke_lying_start": start,
            "wilke_lying_end": end,
            "wilke_overnight_rise": end - start,
        }
    )
    out.inputs = [
        "Default subject (70 kg, 1.75 m, male: Wilke's volunteer was 70 kg, male).",
        "Protocol: `upright(16)`, `lying(8)` before; then 16 h upright and 7 h lying in bed "
        "(a periodic day and night).",
        "Standing: mean L4-L5 `pressure` over the 16 h day (the time of Wilke's standing "
        "reading is not in the excerpt; the simulated pressure falls through the day: "
        + ", ".join(
            f"{p[r.index_at(hours * HOUR)]:.2f} MPa at {hours:g} h"
            for hours in (0.1, 1.0, 4.0, day / HOUR)
        )
        + ", so a reading in the first hours would lie above the band). Lying: 10 min and "
        "7 h into the night.",
    ]
    out.panels = [
        Panel(
            "L4-L5 nucleus pressure, day and night",
            "time (h)",
            "pressure (MPa)",
            (
                Series("simulated", r.time_s / HOUR, p),
                measured_points(
                    "Wilke 1999",
                    [8.0, (day + 600.0) / HOUR, (day + night) / HOUR],
                    _rows("wilke_standing", "wilke_lying_start", "wilke_lying_end"),
                ),
            ),
        )
    ]
    return out


# ------------------------------------------------- Tyrrell, Martin, Botsford: a day upright
def _day_and_night(model: Model, day_h: float, step: float) -> Result:
    """A periodic day (``day_h`` upright) and night (lying the rest of 24 h), after one
    such day and night; output every ``step`` s."""
    night_h = 24.0 - day_h
    protocol = Protocol(
        (
            upright(day_h),
            lying(night_h),
            Phase(day_h * HOUR, -90.0, -90.0, kind="upright", name="day"),
            Phase(night_h * HOUR, 0.0, 0.0, kind="lying", name="night"),
        )
    )
    return simulate(protocol, model=model, output_interval_s=step)


def _daily_loss(r: Result, day_h: float, step: float) -> float:
    """Stature change (mm) from ``step`` s after rising to the end of the day."""
    length = r.spine_length_change
    return float(length[r.index_at(day_h * HOUR)] - length[r.index_at(step)])


#: Wilby et al.'s ten women (abstract): stature 1.674 m (their 15.4 mm are 0.92 % of it),
#: 7 h of sleep; body mass not in the abstract (assumption: 60 kg, BMI 21).
FEMALE_SUBJECT = Subject(mass_kg=60.0, height_m=1.674, sex="female")
FEMALE_DAY_H = 17.0


def diurnal(ctx: Context) -> Outcome:
    """Stature over a day and a night (Tyrrell 1985, Leatt 1986; women: Wilby 1987), disc
    height and volume between a morning and an afternoon scan (Martin 2022) and after 6 h
    supine vs 7 h upright (Botsford 1994)."""
    step = 60.0
    r = _day_and_night(ctx.model, 16.0, step)
    length = r.spine_length_change

    def at(t: float) -> float:
        return float(length[r.index_at(t)])

    loss = _daily_loss(r, 16.0, step)
    female_loss = _daily_loss(
        _day_and_night(ctx.model_for(FEMALE_SUBJECT), FEMALE_DAY_H, step), FEMALE_DAY_H, step
    )
    first_hour = 100.0 * (at(HOUR) - at(step)) / loss
    night0 = 16 * HOUR + step
    night_share = 100.0 * (at(20 * HOUR) - at(night0)) / (at(24 * HOUR) - at(night0))

    scans = Protocol(
        (
            upright(16.0),
            lying(8.0),
            Phase(8 * HOUR, -90.0, -90.0, kind="upright", name="day"),
            Phase(600.0, 0.0, 0.0, kind="lying", name="scan"),
        )
    )
    rs = simulate(scans, model=ctx.model, output_interval_s=600.0)
    j = rs.levels.index("L4-L5")
    height = rs.disc_height[:, j]
    martin_height = 100.0 * (height[-1] / height[0] - 1.0)
    martin_volume = float(rs.fluid_change[-1, j])

    botsford = Protocol(
        (
            upright(16.0),
            Phase(6 * HOUR, 0.0, 0.0, kind="lying", name="supine"),
            Phase(4 * HOUR, -90.0, -90.0, kind="upright", name="standing"),
            Phase(3 * HOUR, -90.0, -90.0, kind="sitting", name="sitting"),
        )
    )
    rb = simulate(botsford, model=ctx.model, output_interval_s=600.0)
    fluid = rb["L4-L5"].fluid_change
    k6 = rb.index_at(6 * HOUR)
    out = Outcome(
        values={
            "tyrrell_circadian_loss": loss,
            "leatt_circadian_variation": loss,
            "wilby_female_circadian_loss": female_loss,
            "tyrrell_first_hour": first_hour,
            "tyrrell_night_regain": night_share,
            "martin_height_loss": martin_height,
            "martin_volume_loss": martin_volume,
            "botsford_volume_loss": float(fluid[-1] - fluid[k6]),
        }
    )
    out.inputs = [
        "Default subject. Stature is compared with `spine_length_change` (sum of the middle "
        "disc-space changes head-C1 to L5-S1): it leaves out curvature, vertebrae and legs.",
        "Tyrrell: a periodic day (16 h upright) and night (8 h lying); the day's loss from "
        "1 min standing after rising to the end of the day (stadiometer readings are "
        "standing); the night's regain from 1 min lying. Leatt: the same day's loss "
        "(the peak-to-trough of the circadian variation).",
        f"Wilby: the same for a woman of {FEMALE_SUBJECT.height_m:g} m and "
        f"{FEMALE_SUBJECT.mass_kg:g} kg (mass: assumption, not in the abstract) with 7 h of "
        f"sleep ({FEMALE_DAY_H:g} h upright).",
        "Martin: both MRI scans lying; the morning scan at the end of the night, the "
        "afternoon scan after 8 h upright (assumption: hours not in the excerpt) and "
        "10 min lying; L4-L5 middle `disc_height` and `fluid_change` (the model's disc "
        "volume is its fluid content).",
        "Botsford: 6 h lying after a 16 h day, then 4 h standing and 3 h sitting (the "
        "model's sitting: upright on a seat, model.md §7.2); L4-L5 `fluid_change` between "
        "the end of lying and the end of sitting.",
    ]
    hours = r.time_s / HOUR
    out.panels = [
        Panel(
            "Spine length over a day and a night",
            "time (h)",
            "spine length change (mm)",
            (
                Series("simulated", hours, length - at(step)),
                measured_points("Tyrrell 1985", [16.0], _rows("tyrrell_circadian_loss")),
                measured_points("Leatt 1986", [16.0], _rows("leatt_circadian_variation")),
            ),
        ),
        Panel(
            "L4-L5 fluid: 6 h supine, then 4 h standing and 3 h sitting",
            "time (h)",
            "fluid change from the end of lying (%)",
            (
                Series("simulated", rb.time_s / HOUR, fluid - fluid[k6]),
                measured_points("Botsford 1994", [13.0], _rows("botsford_volume_loss")),
            ),
        ),
    ]
    return out


# ------------------------------------------------------ O'Connell 2011: creep and recovery
def creep_recovery(ctx: Context) -> Outcome:
    """L4-L5 disc in vitro (no ligaments, no muscles): 1000 N for 4 h, 24 h unloaded."""
    load, ramp, hold, rest = 1000.0, 10.0, 4 * HOUR, 24 * HOUR
    model = motion_segment("L4-L5", load, ctx.tissues, ligaments=False)
    t_off = ramp + hold
    knots = load_history(
        [0.0, ramp, t_off, t_off + ramp, t_off + ramp + rest], [0.0, -1.0, -1.0, 0.0, 0.0]
    )
    step = 300.0 if ctx.reduced else 60.0
    creep_t = np.arange(ramp, t_off + 1.0, step)
    recover_t = np.arange(t_off + ramp, t_off + ramp + rest + 1.0, step)
    closing = -1e3 * run_segment(model, knots, np.concatenate([creep_t, recover_t]))
    creep, recovery = closing[: creep_t.size], closing[creep_t.size :]

    elastic = creep[0]
    tau_fast = model.joint[0, J_C_CREEP] / model.joint[0, J_K_CREEP]  # (s)

    def two_exp(t: np.ndarray, a_fast: float, a_slow: float, tau_slow: float) -> np.ndarray:
        return a_fast * (1 - np.exp(-t / tau_fast)) + a_slow * (1 - np.exp(-t / tau_slow))

    t = creep_t - ramp
    (a_fast, a_slow, tau_slow), _ = curve_fit(
        two_exp, t, creep - elastic, p0=(0.1, 0.3, 2 * HOUR), bounds=(0, np.inf)
    )
    total = elastic + a_fast + a_slow
    settle = max(60.0, step)  # the first output at least 60 s after the load change
    after_load = creep - creep[np.searchsorted(t, settle)]
    t_half_load = first_time(t, after_load >= 0.5 * after_load[-1], "half the creep")
    tr = recover_t - recover_t[0]
    rebound = recovery[np.searchsorted(tr, settle)]
    t_half_recover = first_time(tr, recovery <= 0.5 * rebound, "half the recovery")
    late = tr >= settle  # the recovery fitted as the creep, its fast constant fixed too

    def two_exp_decay(t: np.ndarray, a_fast: float, a_slow: float, tau: float) -> np.ndarray:
        return a_fast * np.exp(-t / tau_fast) + a_slow * np.exp(-t / tau)

    (_, _, tau_slow_recovery), _ = curve_fit(
        two_exp_decay, tr[late], recovery[late], p0=(0.1, 0.3, 4 * HOUR), bounds=(0, np.inf)
    )
    out = Outcome(
        values={
            "oconnell_fast_fraction": 100.0 * a_fast / total,
            "oconnell_slow_fraction": 100.0 * a_slow / total,
            "oconnell_recovery_ratio": t_half_recover / t_half_load,
        }
    )
    out.inputs = [
        "`spinesim.validation.segment.motion_segment('L4-L5', 1000, ligaments=False)`: the "
        "default L4-L5 disc between a fixed and a loaded vertebra, no ligaments or muscles.",
        f"Load ramped in {ramp:g} s (assumption), held 4 h, removed in {ramp:g} s, 24 h unloaded.",
        "Fractions: the 4 h creep is fitted like O'Connell's with a fast and a slow "
        f"exponential (fast time constant fixed at the creep element's {tau_fast:.0f} s); "
        "total equilibrium = elastic + fast + slow amplitudes. "
        f"Fitted slow time constant {tau_slow / HOUR:.2f} h.",
        f"Recovery ratio: half-time of recovery after the elastic rebound ({t_half_recover:.0f}"
        f" s) over the half-time of creep after the elastic response ({t_half_load:.0f} s), "
        f"both from {settle:g} s after the load change. Fitted as the creep (two "
        f"exponentials, the fast constant fixed), the recovery's slow time constant is "
        f"{tau_slow_recovery / HOUR:.2f} h, {tau_slow_recovery / tau_slow:.2f} times the "
        "creep's (measured: 3-4 times).",
    ]
    out.panels = [
        Panel(
            "L4-L5 in vitro: 1000 N creep and unloaded recovery",
            "time since the load change (h)",
            "disc closing (mm)",
            (
                Series("creep", t / HOUR, creep),
                Series("recovery", tr / HOUR, recovery),
                Series(
                    "two-exponential fit",
                    t / HOUR,
                    elastic + two_exp(t, a_fast, a_slow, tau_slow),
                    kind="dashed",
                ),
            ),
        )
    ]
    return out


# ------------------------------------------------- Kitazaki & Griffin 1997: axial stiffness
def axial_stiffness(ctx: Context) -> Outcome:
    """Compression test of each lumbar motion segment: tangent stiffness at the preload."""
    anat = load_anatomy(Subject())
    out = Outcome()
    curves = []
    for level in LUMBAR:
        area = anat.endplate_area[anat.joint_names.index(level)]
        preload = REFERENCE_PRELOAD * area / REFERENCE_AREA
        model = motion_segment(level, 2.0 * preload, ctx.tissues)
        ramp = 5.0
        times = np.linspace(0.0, ramp, 501)
        opening = run_segment(model, load_history([0.0, ramp], [0.0, -1.0]), times)
        force = 2.0 * preload * np.sin(0.5 * math.pi * times / ramp)  # compression (N)
        near = np.abs(force - preload) <= 0.2 * preload
        slope = np.polyfit(-opening[near], force[near], 1)[0]
        out.values[f"kitazaki_{level.replace('-', '_')}"] = slope * 1e-6
        curves.append(Series(level, -1e3 * opening, force))
    out.inputs = [
        "`motion_segment(level, 2 x preload)` with ligaments: compression ramped over 5 s "
        "(fluid and creep do not move in that time).",
        "Preload: the reference 500 N scaled with the level's endplate area (the convention "
        "of `spinesim.properties.REFERENCE_PRELOAD`).",
        "Stiffness: slope of force against closing within +-20% of the preload.",
    ]
    out.panels = [
        Panel(
            "Compression tests of the lumbar motion segments",
            "closing (mm)",
            "compressive force (N)",
            tuple(curves),
        )
    ]
    return out


# -------------------------------------- Cannon, Rodacki, Bridger: stature regained lying
LYING_RUNS = {
    "cannon_supine_20min": (Subject(84.0, 1.79), 20.0),
    "bridger_crook_lying_25min": (Subject(), 25.0),
}
#: Traction runs: subject, minutes, traction force as a fraction of body weight (Rodacki's
#: 0% control lies on the traction table, harnessed, without a pull).
TRACTION_RUNS = {
    "rodacki_lying_42min": (Subject(87.0, 1.80), 42.0, 0.0),
    "rodacki_traction_30pct": (Subject(87.0, 1.80), 42.0, 0.30),
    "rodacki_traction_60pct": (Subject(87.0, 1.80), 42.0, 0.60),
    "bridger_traction_25min": (Subject(), 25.0, 1.0 / 3.0),
}
#: Rise time of the traction pull (s) (assumption: the studies do not report it).
TRACTION_RAMP_S = 30.0
#: Traction pull as a fraction of body weight for Cholewicki's EMG time course
#: (assumption: a typical lumbar traction force; the guarding does not depend on it above
#: ``MuscleProperties.guard_full_pull_N``, 170 N).
TRACTION_PULL_FRACTION = 0.4


def stature_regain(ctx: Context) -> Outcome:
    """Standing reading, lying (or traction) for the study's minutes, standing reading."""
    out = Outcome()
    curves = []
    for mid, (subject, minutes) in LYING_RUNS.items():
        rest = (Phase(minutes * 60, 0.0, 0.0, kind="lying"),)
        r, gain, _ = _regain(ctx.model_for(subject), rest)
        out.values[mid] = gain
        curves.append(Series(f"{mid} ({minutes:g} min)", r.time_s / 60.0, r.spine_length_change))
    for mid, (subject, minutes, fraction) in TRACTION_RUNS.items():
        pull = fraction * subject.mass_kg * GRAVITY
        rest = (
            Phase(TRACTION_RAMP_S, 0.0, 0.0, start_pull_N=0.0, end_pull_N=pull, name="pull"),
            Phase(minutes * 60 - TRACTION_RAMP_S, 0.0, 0.0, start_pull_N=pull, end_pull_N=pull),
        )
        model = spine_model(subject, TractionTable(), ctx.tissues)
        _, out.values[mid], _ = _regain(model, rest)
    out.inputs = [
        f"Protocol: `upright({PRECEDING_UPRIGHT_H:g})` before (assumption: the preceding "
        "loading (weightlifting, loaded walking) is not modelled); then 1 min standing, "
        "lying in bed for the study's duration, 1 min standing. Stature gain = "
        f"`spine_length_change` {STADIOMETER_S:g} s into the second standing minus "
        f"{STADIOMETER_S:g} s into the first.",
        "Subjects: Cannon 84 kg, 1.79 m; Rodacki 87 kg, 1.80 m; Bridger the default. Crook "
        "lying (Bridger) is simulated as supine lying.",
        "Traction: lying on `TractionTable()` (pelvic harness, thoracic counter-harness, no "
        "split) with the study's fraction of body weight as the pull, rising over "
        f"{TRACTION_RAMP_S:g} s (assumption), for the study's duration; Rodacki's 0% control "
        "the same without a pull.",
    ]
    out.panels = [
        Panel(
            "Stature regained lying (standing, lying, standing)",
            "time (min)",
            "spine length change (mm)",
            tuple(curves),
        )
    ]
    return out


def _regain(
    model: Model,
    rest: tuple[Phase, ...],
    preceding: tuple[Phase, ...] | None = None,
    standing_after_s: float = 60.0,
) -> tuple[Result, float, int]:
    """A standing reading, ``rest``, standing ``standing_after_s`` with the second reading
    :data:`STADIOMETER_S` into it: the result, the stature gained between the readings
    (mm) and the index of the second reading. Before: ``preceding`` (default
    ``upright(PRECEDING_UPRIGHT_H)``; ``()``: none)."""
    if preceding is None:
        preceding = (upright(PRECEDING_UPRIGHT_H),)
    stand = Phase(60.0, -90.0, -90.0, kind="upright", name="stadiometer")
    after = Phase(standing_after_s, -90.0, -90.0, kind="upright", name="stadiometer")
    protocol = Protocol((*preceding, stand, *rest, after))
    r = simulate(protocol, model=model, output_interval_s=STADIOMETER_S)
    length = r.spine_length_change
    second = r.index_at(protocol.session_duration_s - standing_after_s + STADIOMETER_S)
    return r, float(length[second] - length[r.index_at(STADIOMETER_S)]), second


# ------------------------------------------ Nosse 1978, Cholewicki 2009: muscle activation
def muscle_activation(ctx: Context) -> Outcome:
    """Activation (1 = lying tone) during Nosse's inversion and a 15 min traction hold."""
    inverted_s, ramp = 122.5, 10.0
    nosse = Protocol.inversion(90.0, ramp_s=ramp, hold_s=inverted_s - ramp)
    r = simulate(nosse, model=ctx.model, output_interval_s=0.5)
    act = r.muscle_activation
    inverted = (r.time_s >= ramp) & (r.time_s <= ramp + 10.0)  # the first 10 s inverted
    first = 100.0 * (np.mean(act[inverted]) - 1.0)
    mean = 100.0 * (np.mean(act[r.time_s <= inverted_s]) - 1.0)

    subject = Subject()
    pull = TRACTION_PULL_FRACTION * subject.mass_kg * GRAVITY
    hold = Protocol.traction(pull, ramp_s=ramp, hold_s=15 * 60.0)
    traction = spine_model(subject, TractionTable(), ctx.tissues)
    rh = simulate(hold, model=traction, output_interval_s=1.0)
    holding = (rh.time_s >= ramp) & (rh.time_s <= hold.hold_end_s)
    guard = rh.muscle_activation[holding] - 1.0  # lying on the traction table: tone 1
    peak = np.argmax(guard)
    back = first_time(
        rh.time_s[holding][peak:],
        guard[peak:] <= BASELINE_FRACTION * guard[peak],
        "the guarding's return to baseline",
    )
    out = Outcome(
        values={
            "nosse_emg_first_10s": first,
            "nosse_emg_inversion": mean,
            "cholewicki_emg_return": back / 60.0,
        }
    )
    out.inputs = [
        f"Nosse: `Protocol.inversion(90, ramp_s={ramp:g}, hold_s={inverted_s - ramp:g})` "
        f"(inverted for {inverted_s:g} s, half of 245 s; angle and ramp time are not in the "
        "abstract: full inversion and 10 s assumed); baseline: lying tone 1.",
        "EMG is compared with `muscle_activation` (tone plus guarding) as a % change; the "
        "first 10 s period is taken as the first 10 s fully inverted (the reading by which "
        "`inverted_tone` was set; the abstract does not say how the window relates to the "
        "tilt: from the tilt onset the mean would be about half).",
        f"Cholewicki: time from the onset of a traction pull ({TRACTION_PULL_FRACTION:.0%} "
        f"body weight on `TractionTable()`, {ramp:g} s ramp, 15 min hold; above 170 N the "
        f"pull's size does not change the guarding) until guarding falls below "
        f"{BASELINE_FRACTION:.0%} of its peak.",
    ]
    out.panels = [
        Panel(
            "Back muscle activation",
            "time from the tilt or pull onset (s)",
            "change from the lying tone (%)",
            (
                Series("Nosse protocol (90 deg)", r.time_s, 100.0 * (act - 1.0)),
                Series("15 min of traction", rh.time_s, 100.0 * (rh.muscle_activation - 1.0)),
                measured_points("Nosse 1978 [V-sec]", [5.0], _rows("nosse_emg_first_10s")),
            ),
        )
    ]
    return out


# ------------- Nosse 1978, Kane 1985, Gianakopoulos 1985, Boocock 1990: inversion
#: Minutes inverted or hanging where the abstract gives none (assumption: the middle of
#: Gianakopoulos' sessions of up to 20 min).
UNSTATED_HOLD_MIN = 10.0
#: Minutes of Boocock's post-exercise inversion and of the standing monitored after it
#: (from the abstract).
BOOCOCK_MIN = 20.0
BOOCOCK_STANDING_MIN = 40.0
#: Boocock's subjects were tested at 14:00 (abstract): a night in bed, then the morning
#: on their feet (assumption: rising at 07:30, their 30 min standing before the jumps
#: included).
BOOCOCK_PRECEDING = (lying(8.0), upright(6.5))
#: Minutes of Tekeoglu's hanging (assumption: not in the abstract; Gianakopoulos' longest
#: session).
TEKEOGLU_MIN = 20.0
LOWER_LUMBAR = ("L4-L5", "L5-S1")


def _tilt(angle_deg: float, minutes: float) -> tuple[Phase, ...]:
    """10 s ramp from horizontal to ``angle_deg``, the hold, 10 s return: ``minutes`` in all."""
    return Protocol.inversion(angle_deg, ramp_s=10.0, hold_s=minutes * 60.0 - 20.0).phases


def _gaps_from_standing(r: Result, levels: tuple[str, ...]) -> np.ndarray:
    """Middle disc-space change (mm) at the end of the hold against the first standing
    reading (the radiograph)."""
    k, b = r.index_at(r.attrs["hold_end_s"]), r.index_at(STADIOMETER_S)
    return np.array([r[n].gap_change[k, 1] - r[n].gap_change[b, 1] for n in levels])


def inversion(ctx: Context) -> Outcome:
    """Spinal length after 1 min inverted against sitting (Nosse), the lumbar disc spaces
    after 10 min fully inverted (Kane), the lower lumbar spaces inverted against a standing
    radiograph (Gianakopoulos), and the stature gained by 20 min of inversion and lost
    over the 40 min standing after it (Boocock)."""
    sit = Phase(60.0, -90.0, -90.0, kind="sitting", name="sitting erect")
    nosse = Protocol((sit, Phase(10.0, 0.0, 90.0), Phase(60.0, 90.0, 90.0)))
    r = simulate(nosse, model=ctx.model, output_interval_s=STADIOMETER_S)
    upright_reading = r.spine_length_change[r.index_at(STADIOMETER_S)]
    gain = r.spine_length_change[-1] - upright_reading
    kane = Protocol.inversion(90.0, ramp_s=10.0, hold_s=600.0)
    rk = simulate(kane, model=ctx.model, output_interval_s=10.0)
    lumbar = [rk.levels.index(n) for n in LUMBAR]
    gaps = rk.gap_change[-1, lumbar, 1]  # the post-inversion radiograph, after the return
    rg, _, _ = _regain(ctx.model, _tilt(90.0, UNSTATED_HOLD_MIN))
    lower = _gaps_from_standing(rg, LOWER_LUMBAR)
    boots = spine_model(Subject(), GravityBoots(), ctx.tissues)
    rb, boocock, reading = _regain(
        boots, _tilt(90.0, BOOCOCK_MIN), BOOCOCK_PRECEDING, BOOCOCK_STANDING_MIN * 60.0
    )
    boocock_loss = rb.spine_length_change[reading] - rb.spine_length_change[-1]
    # the study's control stood for the same 20 min after its jumps: its gain comes off
    stood = (Phase(BOOCOCK_MIN * 60.0, -90.0, -90.0, kind="upright", name="control"),)
    _, control, _ = _regain(boots, stood, BOOCOCK_PRECEDING)
    out = Outcome(
        values={
            "nosse_spinal_length": float(gain),
            "kane_lumbar_separation": float(gaps.min()),
            "gianakopoulos_lower_lumbar_distraction": float(lower.mean()),
            "boocock_inversion_stature": boocock - control,
            "boocock_standing_loss": float(boocock_loss),
        }
    )
    out.inputs = [
        "Nosse: 1 min sitting erect, lie down, 10 s ramp to "
        "90 deg, 1 min inverted; `spine_length_change` against the upright reading.",
        "Kane: `Protocol.inversion(90, ramp_s=10, hold_s=600)` from lying (posture of the "
        "pre- and postinversion radiographs not in the excerpt); smallest middle "
        "`gap_change` of L1-L2 to L5-S1 at the end of the 10 s return, against the start. "
        "Per level (mm): " + ", ".join(f"{n} {g:+.2f}" for n, g in zip(LUMBAR, gaps, strict=True)),
        f"Gianakopoulos: `upright({PRECEDING_UPRIGHT_H:g})`, 1 min standing (the radiograph "
        f"{STADIOMETER_S:g} s into it), then fully inverted (90 deg) on the inversion table "
        f"for {UNSTATED_HOLD_MIN:g} min in all (assumption: device, angle and time are not in "
        "the abstract); mean middle `gap_change` of "
        + " and ".join(LOWER_LUMBAR)
        + " at the end of the hold against the standing radiograph. Per level (mm): "
        + ", ".join(f"{n} {g:+.2f}" for n, g in zip(LOWER_LUMBAR, lower, strict=True)),
        "Boocock: tested at 14:00, so `lying(8)`, `upright(6.5)` before (assumption: "
        "rising at 07:30; the drop jumps are not modelled), 1 min standing (the first "
        "reading), gravity boots at 90 deg (assumption: 'gravity inversion', angle not in "
        f"the abstract) for {BOOCOCK_MIN:g} min in all, then {BOOCOCK_STANDING_MIN:g} min "
        f"standing: the second reading {STADIOMETER_S:g} s into it, the loss from there to "
        f"its end. The gain is taken over the standing control's (the same history, "
        f"{BOOCOCK_MIN:g} min standing instead of the boots), as the study's 5.18 mm over its "
        f"0.76 mm: inverted {boocock:+.2f} mm, control {control:+.2f} mm.",
    ]
    out.panels = [
        Panel(
            "Spine length: 1 min upright, then inverted (Nosse protocol)",
            "time (s)",
            "spine length change from upright (mm)",
            (Series("simulated", r.time_s, r.spine_length_change - upright_reading),),
        ),
        Panel(
            f"Standing, {BOOCOCK_MIN:g} min in gravity boots, {BOOCOCK_STANDING_MIN:g} min "
            "standing (Boocock protocol)",
            "time (min)",
            "spine length change (mm)",
            (Series("simulated", rb.time_s / 60.0, rb.spine_length_change),),
        ),
    ]
    return out


# -------------------------------------------------------- Tekeoglu 1998: upright suspension
def suspension(ctx: Context) -> Outcome:
    """The lumbar disc spaces hanging upright from a chest harness against a standing
    radiograph (Tekeoglu)."""
    harness = spine_model(Subject(), SuspensionHarness(), ctx.tissues)
    hang = (Phase(TEKEOGLU_MIN * 60.0, -90.0, -90.0, name="hanging"),)
    r, _, _ = _regain(harness, hang)
    gaps = _gaps_from_standing(r, LUMBAR[1:])
    out = Outcome(values={"tekeoglu_suspension_distraction": float(gaps.min())})
    out.inputs = [
        f"`upright({PRECEDING_UPRIGHT_H:g})`, 1 min standing (the radiograph "
        f"{STADIOMETER_S:g} s into it), then hanging from `SuspensionHarness()` for "
        f"{TEKEOGLU_MIN:g} min (assumption: not in the abstract); smallest middle "
        "`gap_change` of L2-L3 to L5-S1 at the end against the standing radiograph. Per "
        "level (mm): " + ", ".join(f"{n} {g:+.2f}" for n, g in zip(LUMBAR[1:], gaps, strict=True)),
    ]
    out.panels = [
        Panel(
            f"Standing, hanging {TEKEOGLU_MIN:g} min from a chest harness, standing",
            "time (min)",
            "middle disc-space change from standing (mm)",
            tuple(Series(n, r.time_s / 60.0, r[n].gap_change[:, 1]) for n in LUMBAR[1:]),
        )
    ]
    return out


# ------------------------------------- traction against angle and friction: no measurement
def traction_consistency(ctx: Context) -> Outcome:
    """Model behaviour without a measurement: the pull through L3-L4 at the end of 5 min
    holds against the frictionless W sin a and the friction-limited estimate
    W (sin a - mu cos a), W the weight beyond L3-L4 (literature.md section 8 [D]). The
    estimate assumes a normal force W cos a and the L3-L4 axis along the table (neither
    holds exactly: lordosis, lumbar bodies off the backrest), so when the body slides the
    simulated pull may lie a few newtons below it."""
    angles = (0, 30, 60, 90) if ctx.reduced else tuple(range(0, 91, 15))
    mus = (0.2, 0.5, 0.9)
    model = ctx.model
    weight = float(model.body[model.body_names.index("L3") :, B_MASS].sum() * GRAVITY)
    rows, force, upper, lower = [], [], [], []
    for mu in mus:
        table = InversionTable(friction_static=mu, friction_kinetic=0.8 * mu)
        glob = model.glob.copy()
        glob[G_MU_STATIC], glob[G_MU_KINETIC] = table.friction_static, table.friction_kinetic
        trial = dataclasses.replace(model, glob=glob, device=table)  # settles frictionless
        for angle in angles if mu == 0.5 else (30, 60):
            protocol = Protocol.inversion(float(angle), ramp_s=10.0, hold_s=300.0)
            r = simulate(protocol, model=trial, output_interval_s=10.0)
            k = r.index_at(protocol.hold_end_s)
            a = math.radians(angle)
            bounds = (max(0.0, weight * (math.sin(a) - mu * math.cos(a))), weight * math.sin(a))
            segment = float(r["L3-L4"].segment_force[k])
            rows.append(
                (
                    f"{angle}",
                    f"{mu:g}",
                    f"{segment:.1f}",
                    f"{bounds[0]:.1f}",
                    f"{bounds[1]:.1f}",
                    f"{r['L3-L4'].axial_force[k]:.1f}",
                    f"{r.spine_length_change[k]:.2f}",
                )
            )
            if mu == 0.5:
                force.append(segment)
                lower.append(bounds[0])
                upper.append(bounds[1])
    out = Outcome()
    out.table = (
        (
            "angle (deg)",
            "mu_s",
            "L3-L4 segment force (N)",
            "W(sin - mu cos) (N)",
            "W sin (N)",
            "L3-L4 disc force (N)",
            "spine length (mm)",
        ),
        rows,
    )
    out.inputs = [
        "`Protocol.inversion(angle, ramp_s=10, hold_s=300)` from the settled lying state; "
        f"W = {weight:.1f} N (L3 to head); mu_k = 0.8 mu_s; friction changed on the model's "
        "global parameters (the model settles without friction, so this equals assembling "
        "with that table).",
        "Below tan(angle) = mu the skin's pre-sliding compliance (an assumption, "
        "`ContactProperties.presliding_m`) sets how much of the pull friction holds back.",
    ]
    x = np.array(angles, dtype=float)
    out.panels = [
        Panel(
            "L3-L4 traction at the end of 5 min holds (mu_s = 0.5)",
            "inversion angle (deg)",
            "axial force through L3-L4 (N)",
            (
                Series("simulated segment force", x, np.array(force)),
                Series("W sin (no friction)", x, np.array(upper), kind="dashed"),
                Series("W (sin - mu cos)", x, np.array(lower), kind="dashed"),
            ),
        )
    ]
    return out


#: Every experiment, in report order.
EXPERIMENTS: dict[str, Callable[[Context], Outcome]] = {
    "wilke_pressure": wilke_pressure,
    "diurnal": diurnal,
    "creep_recovery": creep_recovery,
    "axial_stiffness": axial_stiffness,
    "stature_regain": stature_regain,
    "muscle_activation": muscle_activation,
    "inversion": inversion,
    "suspension": suspension,
    "traction_consistency": traction_consistency,
}


def _rows(*ids: str):
    from spinesim.validation.measurements import measurement

    return [measurement(i) for i in ids]
