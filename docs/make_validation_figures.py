"""Simulations, numbers and figures of docs/validation.md.

Run from the repository root: ``python docs/make_validation_figures.py``. It assembles the
default model once (70 kg, 1.75 m, male, default inversion table and tissues), runs every
experiment of docs/validation.md, prints the numbers quoted there and writes the figures
to ``docs/figures/``. With the compiled kernels cached it takes a few seconds; the first
run on a machine compiles them first (about 20 s).

Measured values are copied from /work/shared/reference/literature.md with their tags; see
docs/validation.md for the citations and for what each comparison does and does not show.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import spinesim
from spinesim.core import layout as L

FIGURES = Path(__file__).resolve().parent / "figures"


def save(fig, name: str) -> None:
    """Lay out, write to ``docs/figures/name`` and close a figure."""
    fig.tight_layout()
    fig.savefig(FIGURES / name, dpi=120)
    plt.close(fig)


G = 9.81
HOUR = 3600.0
LUMBAR = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")


def line(text: str = "") -> None:
    print(text, flush=True)


def night_phase() -> spinesim.Phase:
    return spinesim.Phase(7 * HOUR, 0.0, 0.0, kind="lying", name="night")


def at(result: spinesim.Result, time_s: float) -> int:
    k = result.index_at(time_s)
    assert abs(result.time_s[k] - time_s) < 1e-6, (time_s, result.time_s[k])
    return k


def with_friction(model: spinesim.Model, mu_static: float) -> spinesim.Model:
    """``model`` on a table with static friction ``mu_static`` and kinetic 0.8 x static.

    Friction enters only the global parameters; the settled state ``y0`` is computed
    without friction (assembly settles frictionless), so this equals assembling with
    ``InversionTable(friction_static=mu_static, friction_kinetic=0.8 * mu_static)``.
    """
    device = spinesim.InversionTable(friction_static=mu_static, friction_kinetic=0.8 * mu_static)
    glob = model.glob.copy()
    glob[L.G_MU_STATIC] = device.friction_static
    glob[L.G_MU_KINETIC] = device.friction_kinetic
    return dataclasses.replace(model, glob=glob, device=device)


def with_presliding(model: spinesim.Model, presliding_m: float) -> spinesim.Model:
    """``model`` with the skin's tangential stiffness of ``ContactProperties(presliding_m=
    presliding_m)`` (same formulas as ``assembly._contact_columns``). The settled state is
    kept; re-assembling instead changes end-of-hold forces by < 0.2 N (checked once)."""
    contact = dataclasses.replace(model.tissues.contact, presliding_m=presliding_m)
    damping_ratio = contact.damping_ratio
    body = model.body.copy()
    mass = body[:, L.B_MASS]
    body[:, L.B_K_TANGENT] = 0.5 * mass * G / presliding_m
    body[:, L.B_C_TANGENT] = 2.0 * damping_ratio * np.sqrt(body[:, L.B_K_TANGENT] * mass)
    tissues = dataclasses.replace(model.tissues, contact=contact)
    return dataclasses.replace(model, body=body, tissues=tissues)


def coulomb_band(weight: float, theta: np.ndarray, mu: float) -> np.ndarray:
    """Pull through a cut when the backrest friction on everything beyond it is saturated:
    W (sin theta - mu cos theta), not below 0 (literature.md section 8 [D])."""
    return np.maximum(0.0, weight * (np.sin(theta) - mu * np.cos(theta)))


# ------------------------------------------------------------------------------ section 1
def pressure_day_night(model: spinesim.Model) -> None:
    line("## 1. L4-L5 intradiscal pressure: standing, lying, overnight")
    j = model.levels.index("L4-L5")
    brief = spinesim.Protocol((spinesim.upright(2.0), night_phase()))
    r = spinesim.simulate(brief, model=model, output_interval_s=60.0)
    # the same protocol with the upright phase inside the session, to save its outputs
    whole = spinesim.Protocol(
        (spinesim.Phase(2 * HOUR, -90.0, -90.0, kind="upright", name="standing"), night_phase())
    )
    rw = spinesim.simulate(whole, model=model, output_interval_s=60.0)
    k0 = at(rw, 2 * HOUR)
    same = np.max(np.abs(rw.pressure[k0:, j] - r.pressure[:, j]))
    assert same < 1e-4, same  # the night is the same whether the day is saved or not
    # periodic day-night cycle: the night follows a 16 h day that followed a night
    periodic = spinesim.Protocol(
        (spinesim.upright(16.0), spinesim.lying(8.0), spinesim.upright(16.0), night_phase())
    )
    rp = spinesim.simulate(periodic, model=model, output_interval_s=60.0)

    p = r.pressure[:, j]
    pp = rp.pressure[:, j]
    ps = rw.pressure[:, j]
    line(f"standing, 10 min upright: {ps[at(rw, 600.0)]:.3f} MPa")
    line(f"standing, 1 h upright:    {ps[at(rw, HOUR)]:.3f} MPa")
    line(f"standing, 2 h upright:    {p[0]:.3f} MPa (t = 0 of the protocol in the brief)")
    for label, res, pr in (("after 2 h upright", r, p), ("after a 16 h day (periodic)", rp, pp)):
        line(f"night {label}:")
        for t in (60.0, 600.0, HOUR, 3 * HOUR, 7 * HOUR):
            line(f"  lying {t / HOUR:5.2f} h: {pr[at(res, t)]:.3f} MPa")
        line(f"  rise 10 min -> 7 h: {pr[at(res, 7 * HOUR)] - pr[at(res, 600.0)]:+.3f} MPa")
        line(f"  L4-L5 fluid change over the night: {res.fluid_change[-1, j]:+.2f} % of volume")
        line(f"  spine length change over the night: {res.spine_length_change[-1]:+.1f} mm")
    line(f"standing at the end of the 16 h day (periodic): {pp[0]:.3f} MPa")
    k = at(r, 600.0)
    tone = model.joint[model.level_index("L4-L5"), L.J_MUSCLE_FORCE]
    line(f"L4-L5 lying at 10 min: disc force {r['L4-L5'].axial_force[k]:.1f} N, tone {tone:.1f} N")
    k = at(rw, 600.0)
    disc, segment = rw["L4-L5"].axial_force[k], rw["L4-L5"].segment_force[k]
    other = segment - disc - tone * rw.muscle_activation[k]
    line(
        f"L4-L5 at 10 min upright: segment {segment:.1f} N, disc {disc:.1f} N, tone "
        f"{tone * rw.muscle_activation[k]:.1f} N, postural muscles + ligaments {other:.1f} N"
    )

    fig, ax = plt.subplots(figsize=(8, 5.2))
    ax.plot(
        rw.time_s / HOUR,
        ps,
        color="C0",
        label="simulated: 2 h upright, then 7 h lying (protocol of section 1)",
    )
    ax.plot(
        rp.time_s / HOUR + 2.0,
        pp,
        color="C1",
        ls="--",
        label="simulated: the night after a 16 h day (periodic day-night; day not shown)",
    )
    ax.hlines(0.50, 0.0, 2.0, colors="k", lw=2.5, label="Wilke 1999, relaxed standing 0.50 MPa [V]")
    ax.plot(
        [2.0],
        [0.10],
        "k^",
        ms=8,
        clip_on=False,
        label="Wilke 1999, lying 0.10 MPa (prone; start of the night) [V]",
    )
    ax.plot(
        [9.0],
        [0.24],
        "kv",
        ms=8,
        clip_on=False,
        label="Wilke 1999, after 7 h of sleep 0.24 MPa [V]",
    )
    ax.axvspan(0, 2, color="0.93", zorder=0)
    ax.text(1.0, 0.03, "upright", ha="center", fontsize=9)
    ax.text(5.5, 0.03, "lying in bed (no friction)", ha="center", fontsize=9)
    ax.set_xlim(0, 9.2)
    ax.set_ylim(0, 0.6)
    ax.set_xlabel("time since standing up (h)")
    ax.set_ylabel("L4-L5 nucleus pressure (MPa)")
    ax.set_title(
        "L4-L5 intradiscal pressure, 70 kg 1.75 m male (Wilke's subject: 70 kg male)", fontsize=10
    )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    save(fig, "validation_pressure.png")


# ------------------------------------------------------------------------------ section 2
def day_upright(model: spinesim.Model) -> None:
    line("## 2. A day upright: stature, lumbar disc height and volume")
    day = spinesim.Phase(16 * HOUR, -90.0, -90.0, kind="upright", name="day")
    evening = spinesim.Phase(0.5 * HOUR, 0.0, 0.0, kind="lying", name="evening lying")
    periodic = spinesim.Protocol((spinesim.upright(16.0), spinesim.lying(8.0), day, evening))
    r = spinesim.simulate(periodic, model=model, output_interval_s=60.0)
    ref = spinesim.simulate(spinesim.Protocol((day,)), model=model, output_interval_s=60.0)
    lum = [model.levels.index(n) for n in LUMBAR]
    j = model.levels.index("L4-L5")

    def height_pct(res, k, k_ref=0):
        h = res.disc_height[:, lum]
        return 100.0 * (h[k] - h[k_ref]) / h[k_ref]

    k1, k7, k16 = at(r, 60.0), at(r, 7 * HOUR), at(r, 16 * HOUR)
    k_eve = at(r, 16 * HOUR + 1800.0)
    k_eve1 = at(r, 16 * HOUR + 60.0)
    length = r.spine_length_change
    line("periodic (16 h day, 8 h night, then this day); baseline = lying at the end of the night")
    line(f"  spine length change, lying baseline -> end of day: {length[k16]:+.1f} mm")
    line(
        f"  spine length change, 1 min standing -> end of day:  {length[k16] - length[k1]:+.1f} mm"
    )
    line(f"  spine length change, 1 min standing:               {length[k1]:+.1f} mm")
    line(f"  spine length change after 7 h upright:             {length[k7]:+.1f} mm")
    line(f"  lumbar middle height change at 16 h (%): {np.round(height_pct(r, k16), 2)}")
    line(f"  lumbar middle height change at 7 h (%):  {np.round(height_pct(r, k7), 2)}")
    line(f"  lumbar height, 1 min standing -> 16 h (%): {np.round(height_pct(r, k16, k1), 2)}")
    line(
        f"  lumbar height, lying -> 1 min lying after the day (%): "
        f"{np.round(height_pct(r, k_eve1), 2)}"
    )
    line(
        f"  lumbar height, lying -> 30 min lying after the day (%): "
        f"{np.round(height_pct(r, k_eve), 2)}"
    )
    line(f"  lumbar fluid change at 16 h (%): {np.round(r.fluid_change[k16, lum], 2)}")
    line(f"  lumbar fluid change at 7 h (%):  {np.round(r.fluid_change[k7, lum], 2)}")
    # one more day-night cycle before the day: the cycle is periodic after one
    cycle = (spinesim.upright(16.0), spinesim.lying(8.0))
    twice = spinesim.Protocol((*cycle, *cycle, day))
    r2 = spinesim.simulate(twice, model=model, output_interval_s=HOUR)
    k2 = at(r2, 16 * HOUR)
    line(
        f"  one more cycle before the day changes the end-of-day length by "
        f"{r2.spine_length_change[k2] - length[k16]:+.3f} mm and the L4-L5 fluid change by "
        f"{r2.fluid_change[k2, j] - r.fluid_change[k16, j]:+.3f} %"
    )
    kr = at(ref, 16 * HOUR)
    line("from reference hydration (no preceding phase); baseline = settled lying state")
    line(f"  spine length change at 16 h: {ref.spine_length_change[kr]:+.1f} mm")
    line(f"  lumbar middle height change at 16 h (%): {np.round(height_pct(ref, kr), 2)}")
    line(f"  lumbar fluid change at 16 h (%): {np.round(ref.fluid_change[kr, lum], 2)}")
    line(f"L4-L5 baseline middle height (periodic): {r.disc_height[0, j]:.2f} mm")

    fig, (ax_len, ax_disc) = plt.subplots(1, 2, figsize=(11, 5.6))
    t = r.time_s / HOUR
    tr = ref.time_s / HOUR
    ax_len.axhspan(-20, -10, color="0.85", label="Liu 2022 review: 1-2 cm per day [V]")
    ax_len.plot(t, length, color="C0", label="simulated, periodic day (lying baseline)")
    standing = slice(k1, k16 + 1)
    ax_len.plot(
        t[standing],
        length[standing] - length[k1],
        color="C0",
        ls=":",
        label="simulated, periodic day (baseline 1 min standing; standing only)",
    )
    ax_len.plot(
        tr,
        ref.spine_length_change,
        color="C2",
        ls="--",
        label="simulated, from reference hydration",
    )
    ax_len.axvline(16, color="0.5", lw=0.8)
    ax_len.set_xlabel("hours since getting up (16-16.5 h: lying)")
    ax_len.set_ylabel("spine length change (mm)")
    ax_len.set_title("sum of disc-space changes, head-C1 ... L5-S1")
    ax_len.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    ax_len.set_ylim(-22, 4)

    h = 100.0 * (r.disc_height[:, j] - r.disc_height[0, j]) / r.disc_height[0, j]
    hr = 100.0 * (ref.disc_height[:, j] - ref.disc_height[0, j]) / ref.disc_height[0, j]
    ax_disc.axhspan(
        -8.0,
        -6.1,
        color="C3",
        alpha=0.18,
        label="Martin 2022 AM-PM height -6.1 to -8.0 % (by level) [V]",
    )
    ax_disc.axhspan(
        -8.5,
        -5.4,
        color="C4",
        alpha=0.12,
        label="Martin 2022 AM-PM volume -5.4 to -8.5 % (by level) [V]",
    )
    ax_disc.plot([7.0], [-18.7], "kD", label="Botsford 1994 L4-L5 volume -18.7 % [V]")
    ax_disc.plot(t, h, color="C0", label="simulated height = geometric volume (periodic)")
    ax_disc.plot(t, r.fluid_change[:, j], color="C1", label="simulated fluid content (periodic)")
    ax_disc.plot(tr, hr, color="C2", ls="--", label="simulated height, from reference hydration")
    ax_disc.plot(
        tr,
        ref.fluid_change[:, j],
        color="C2",
        ls=":",
        label="simulated fluid, from reference hydration",
    )
    ax_disc.axvline(16, color="0.5", lw=0.8)
    ax_disc.set_xlabel("hours since getting up (16-16.5 h: lying)")
    ax_disc.set_ylabel("L4-L5 change (% of baseline)")
    ax_disc.set_title("L4-L5 middle disc height and fluid volume")
    ax_disc.set_ylim(-21, 2)
    ax_disc.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    save(fig, "validation_day.png")


# ------------------------------------------------------------------------------ section 3
def traction_vs_angle(model: spinesim.Model) -> float:
    line("## 3. Traction at L3-L4 and spine length against the inversion angle (5 min holds)")
    names = model.body_names
    weight = float(model.body[names.index("L3") :, L.B_MASS].sum() * G)
    body_weight = float(model.body[:, L.B_MASS].sum() * G)
    line(
        f"weight beyond L3-L4 (L3 ... head): {weight:.1f} N = {100 * weight / body_weight:.1f} % BW"
    )
    angles = np.arange(0, 91, 5)
    out = {k: [] for k in ("segment", "disc", "length", "gap34", "gap45", "gap51", "p45", "act")}
    for angle in angles:
        r = spinesim.simulate(
            spinesim.Protocol.inversion(float(angle), ramp_s=10.0, hold_s=300.0),
            model=model,
            output_interval_s=5.0,
        )
        k = at(r, r.attrs["hold_end_s"])
        out["segment"].append(r["L3-L4"].segment_force[k])
        out["disc"].append(r["L3-L4"].axial_force[k])
        out["length"].append(r.spine_length_change[k])
        out["gap34"].append(r["L3-L4"].gap_change[k, 1])
        out["gap45"].append(r["L4-L5"].gap_change[k, 1])
        out["gap51"].append(r["L5-S1"].gap_change[k, 1])
        out["p45"].append(r["L4-L5"].pressure[k])
        out["act"].append(r.muscle_activation[k])
    v = {k: np.array(x) for k, x in out.items()}
    theta = np.radians(angles)
    upper = weight * np.sin(theta)
    mu_s = model.glob[L.G_MU_STATIC]
    line(
        "angle  L3-L4 segment  W sin  Coulomb(mu_s)  disc   length  gap L3-L4  L4-L5  L5-S1  "
        "p L4-L5"
    )
    for i, a in enumerate(angles):
        line(
            f"{a:5d} {v['segment'][i]:10.1f} {upper[i]:7.1f} "
            f"{coulomb_band(weight, theta[i], mu_s):9.1f} {v['disc'][i]:9.1f} "
            f"{v['length'][i]:7.2f} {v['gap34'][i]:8.3f} {v['gap45'][i]:7.3f} "
            f"{v['gap51'][i]:7.3f} {v['p45'][i]:8.3f}"
        )

    f_max = model.joint[model.level_index("L3-L4"), L.J_MUSCLE_FORCE]
    for a in (60, 90):
        i = int(np.flatnonzero(angles == a)[0])
        muscle = v["act"][i] * f_max
        line(
            f"{a} deg, L3-L4: segment {v['segment'][i]:.1f} N = disc {v['disc'][i]:.1f} N + "
            f"muscle tone {muscle:.1f} N (activation {v['act'][i]:.3f}) + ligaments "
            f"{v['segment'][i] - v['disc'][i] - muscle:.1f} N"
        )

    fig, (ax_f, ax_l) = plt.subplots(1, 2, figsize=(11, 5.2))
    fine = np.radians(np.linspace(0, 90, 181))
    deg = np.degrees(fine)
    ax_f.plot(
        deg,
        weight * np.sin(fine),
        "k-",
        lw=1,
        label="upper bound W sin(angle), W = weight beyond L3-L4",
    )
    ax_f.fill_between(
        deg,
        coulomb_band(weight, fine, mu_s),
        weight * np.sin(fine),
        color="0.88",
        label=f"Coulomb range, friction saturated (mu = {mu_s:g}) [D]",
    )
    ax_f.axhline(
        0.49 * 70 * G,
        color="k",
        ls=":",
        lw=1,
        label="literature.md sec. 8: 49 % BW = 337 N at 90 deg [D]",
    )
    ax_f.plot(angles, v["segment"], "o-", color="C0", label="simulated L3-L4 segment force")
    ax_f.plot(angles, v["disc"], "s--", color="C1", ms=4, label="simulated L3-L4 disc force")
    ax_f.axhline(0, color="0.6", lw=0.6)
    ax_f.set_xlabel("inversion angle (deg), end of a 5 min hold")
    ax_f.set_ylabel("axial force at L3-L4 (N), tension +")
    ax_f.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    ax_l.plot(angles, v["length"], "o-", color="C0", label="spine length change (mm)")
    ax_l.plot(angles, 10 * v["gap34"], "s--", color="C1", ms=4, label="10 x L3-L4 middle gap (mm)")
    ax_l.plot(angles, 10 * v["gap45"], "^--", color="C2", ms=4, label="10 x L4-L5 middle gap (mm)")
    ax_l.plot(angles, 10 * v["gap51"], "v--", color="C3", ms=4, label="10 x L5-S1 middle gap (mm)")
    ax_l.axhline(0, color="0.6", lw=0.6)
    ax_l.set_xlabel("inversion angle (deg), end of a 5 min hold")
    ax_l.set_ylabel("change against the lying baseline (mm)")
    ax_l.set_title("no measured mm under inversion in the reference set", fontsize=9)
    ax_l.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    save(fig, "validation_traction.png")
    return weight


# ------------------------------------------------------------------------------ section 4
def friction_effect(model: spinesim.Model, weight: float) -> None:
    line("## 4. Effect of backrest friction at 30 and 60 deg (5 min holds)")
    mus = np.round(np.arange(0.2, 0.91, 0.1), 2)
    presliding = (0.001, 0.002, 0.005)
    fig, (ax_f, ax_l) = plt.subplots(1, 2, figsize=(11, 5.4))
    for angle, color in ((30.0, "C0"), (60.0, "C1")):
        protocol = spinesim.Protocol.inversion(angle, ramp_s=10.0, hold_s=300.0)
        seg, length, fric = [], [], []
        for mu in mus:
            r = spinesim.simulate(protocol, model=with_friction(model, mu), output_interval_s=5.0)
            k = at(r, r.attrs["hold_end_s"])
            seg.append(r["L3-L4"].segment_force[k])
            length.append(r.spine_length_change[k])
            fric.append(r.friction_force[k])
        pre = []
        for d in presliding:
            r = spinesim.simulate(protocol, model=with_presliding(model, d), output_interval_s=5.0)
            k = at(r, r.attrs["hold_end_s"])
            pre.append((r["L3-L4"].segment_force[k], r.spine_length_change[k]))
        theta = np.radians(angle)
        line(f"{angle:.0f} deg: W sin = {weight * np.sin(theta):.1f} N, tan = {np.tan(theta):.3f}")
        line("  mu_s  L3-L4 segment  Coulomb(mu_s)  Coulomb(mu_k)  length  backrest friction")
        for i, mu in enumerate(mus):
            line(
                f"  {mu:4.1f} {seg[i]:10.1f} {coulomb_band(weight, theta, mu):12.1f} "
                f"{coulomb_band(weight, theta, 0.8 * mu):12.1f} {length[i]:8.2f} {fric[i]:10.1f}"
            )
        for d, (s, ln) in zip(presliding, pre, strict=True):
            line(f"  mu_s 0.5, presliding {1e3 * d:.0f} mm: segment {s:.1f} N, length {ln:.2f} mm")
        ax_f.plot(mus, seg, "o-", color=color, label=f"simulated, {angle:.0f} deg")
        ax_f.plot(
            mus,
            [weight * np.sin(theta)] * len(mus),
            color=color,
            lw=1,
            label=f"W sin, {angle:.0f} deg (no friction)",
        )
        mu_fine = np.linspace(0.2, 0.9, 71)
        ax_f.plot(
            mu_fine,
            coulomb_band(weight, theta, mu_fine),
            color=color,
            ls=":",
            label=f"W (sin - mu cos), {angle:.0f} deg [D]",
        )
        ax_f.errorbar([0.5] * len(pre), [p[0] for p in pre], fmt="x", color=color, ms=7)
        ax_l.plot(mus, length, "o-", color=color, label=f"simulated, {angle:.0f} deg")
        ax_l.errorbar([0.5] * len(pre), [p[1] for p in pre], fmt="x", color=color, ms=7)
    ax_f.axvspan(0.4, 0.6, color="0.92", zorder=0, label="nominal mu_s 0.4-0.6 [D]")
    ax_f.set_xlabel("static friction coefficient mu_s (kinetic = 0.8 mu_s)")
    ax_f.set_ylabel("L3-L4 segment force at end of hold (N)")
    ax_f.set_title("x: mu_s 0.5 with pre-sliding 1, 2, 5 mm", fontsize=9)
    ax_f.set_ylim(0, 350)
    ax_f.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    ax_l.set_xlabel("static friction coefficient mu_s (kinetic = 0.8 mu_s)")
    ax_l.set_ylabel("spine length change at end of hold (mm)")
    ax_l.set_title("x: mu_s 0.5 with pre-sliding 1, 2, 5 mm", fontsize=9)
    ax_l.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    ax_l.set_ylim(0, 6)
    save(fig, "validation_friction.png")


def main() -> None:
    start = time.perf_counter()
    FIGURES.mkdir(parents=True, exist_ok=True)
    model = spinesim.spine_model()
    line(f"spinesim {spinesim.__version__}; subject {model.subject}; device {model.device}")
    line(
        f"hip rest angle from the sagittal balance: "
        f"{np.degrees(model.joint[0, L.J_REST_ANGLE]):.1f} deg"
    )
    pressure_day_night(model)
    day_upright(model)
    weight = traction_vs_angle(model)
    friction_effect(model, weight)
    line(f"done in {time.perf_counter() - start:.1f} s; figures in {FIGURES}")


if __name__ == "__main__":
    main()
