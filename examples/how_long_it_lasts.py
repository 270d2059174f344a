"""How long a session's effect lasts once the person is off the device.

A 70 kg, 1.75 m man after 4 h on his feet spends 10 min at 60 deg on the inversion table
(10 s ramps) or 10 min under a 300 N pelvic traction lying supine (30 s ramps), then 3 h
on his feet, or lying. The control is the session's sham (``Protocol.sham()``): the same
man on the same device for the same time without the load (the table flat, no pull), then
the same 3 h. What the session did is the difference between the two, both against their
own session start. Prints that
difference at times after getting off, with how fast it fades, and writes the figure.

In the model the inverted spine is 2.2 mm longer than the control's at the end of the
return, still on the table. About half of that goes within seconds of getting off,
standing or lying: the table's friction held the inverted spine stretched and the
control's short, and lets go of both. Most of the rest, the discs' series creep (time
constant 12 min), goes over the next half hour; the last 0.2 mm, fluid the discs took up,
fades over hours. Traction leaves about half as much. Standing itself shortens the spine
by several millimetres in both sessions (Boocock 1990 measured 4.07 mm over 40 min
standing after inversion; docs/validation.md).

Run: ``python examples/how_long_it_lasts.py [output folder]`` (default ``out/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import spinesim

HOLD_S = 600.0
AFTER_H = 3.0
#: The sessions: name, protocol kind, device, load (the angle in deg or the pull in N) and
#: the posture after it.
SESSIONS = {
    "60 deg, then standing": ("inversion", spinesim.InversionTable(), 60.0, "upright"),
    "60 deg, then lying": ("inversion", spinesim.InversionTable(), 60.0, "lying"),
    "300 N traction, then standing": ("traction", spinesim.TractionTable(), 300.0, "upright"),
}
AFTERWARDS = {"upright": spinesim.upright, "lying": spinesim.lying}
#: Minutes after getting off the device at which the table is printed.
MINUTES = (0.0, 1 / 6, 1.0, 10.0, 30.0, 60.0, 120.0, 180.0)
OUTPUT_INTERVAL_S = 10.0
#: Seconds after getting off from which the half-life is counted: the spine springs back
#: and the step of standing up rings within them (docs/model.md §6).
SETTLE_S = 10.0


def protocol(kind: str, load: float, after: str) -> spinesim.Protocol:
    """The session of ``kind`` at ``load`` after 4 h upright, then :data:`AFTER_H` hours
    ``after`` ("upright" or "lying")."""
    phases = {"preceding": spinesim.upright(4.0), "after": AFTERWARDS[after](AFTER_H)}
    if kind == "inversion":
        return spinesim.Protocol.inversion(load, ramp_s=10.0, hold_s=HOLD_S, **phases)
    return spinesim.Protocol.traction(load, ramp_s=30.0, hold_s=HOLD_S, **phases)


def effect_half_life(minutes: np.ndarray, effect: np.ndarray) -> float:
    """Minutes from :data:`SETTLE_S` after getting off until ``effect`` has fallen to half
    its value there, interpolated linearly between the saved times; inf if it does not by
    the end, NaN if nothing is left to halve."""
    start = int(np.searchsorted(minutes, SETTLE_S / 60.0))
    left = effect[start]
    if not left > 0.0:
        return np.nan
    below = start + 1 + np.flatnonzero(effect[start + 1 :] <= 0.5 * left)
    if below.size == 0:
        return np.inf
    k = below[0]
    share = (0.5 * left - effect[k - 1]) / (effect[k] - effect[k - 1])
    return float(minutes[k - 1] + share * (minutes[k] - minutes[k - 1]) - minutes[start])


def run() -> dict[str, dict[str, np.ndarray | float]]:
    """Per session of :data:`SESSIONS`: the minutes after getting off the device, the spine
    length change (mm, against the session start) with the load and of the control, their
    difference (the effect) and its half-life (min, from :data:`SETTLE_S` after getting
    off)."""
    out = {}
    for name, (kind, device, load, after) in SESSIONS.items():
        session = protocol(kind, load, after)
        loaded, control = (
            spinesim.simulate(p, device=device, output_interval_s=OUTPUT_INTERVAL_S)
            for p in (session, session.sham())
        )
        assert np.array_equal(loaded.time_s, control.time_s)  # same saved times
        off_s = session.device_end_s
        keep = loaded.time_s >= off_s
        minutes = (loaded.time_s[keep] - off_s) / 60.0
        effect = loaded.spine_length_change[keep] - control.spine_length_change[keep]
        out[name] = {
            "minutes": minutes,
            "loaded_mm": loaded.spine_length_change[keep],
            "control_mm": control.spine_length_change[keep],
            "effect_mm": effect,
            "half_life_min": effect_half_life(minutes, effect),
        }
    return out


def main(out: str = "out") -> dict[str, dict[str, np.ndarray | float]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = run()
    print(
        f"{HOLD_S / 60:g} min on the device after 4 h upright, then {AFTER_H:g} h off it: the "
        "spine length with the load minus the control's (mm)"
    )
    print(f"{'minutes after getting off':>31}" + "".join(f"{m:>7.3g}" for m in MINUTES))
    for name, r in runs.items():
        at = [r["effect_mm"][int(np.argmin(np.abs(r["minutes"] - m)))] for m in MINUTES]
        print(f"{name:>31}" + "".join(f"{value:>7.2f}" for value in at))
    for name, r in runs.items():
        print(
            f"{name}: the effect left {SETTLE_S:g} s after getting off halves in "
            f"{r['half_life_min']:.1f} min; the control's spine changes by "
            f"{r['control_mm'][-1] - r['control_mm'][0]:.1f} mm over the {AFTER_H:g} h"
        )
    fig, (length, effect) = plt.subplots(1, 2, figsize=(9, 3.6))
    for colour, (name, r) in zip(("C0", "C1", "C2"), runs.items(), strict=True):
        if name.startswith("60"):
            length.plot(r["minutes"], r["loaded_mm"], "-", color=colour, label=f"{name}")
            length.plot(r["minutes"], r["control_mm"], "--", color=colour, label="its control")
        effect.plot(r["minutes"], r["effect_mm"], "-", color=colour, label=name)
    length.set(xlabel="minutes after getting off", ylabel="spine length change (mm)")
    effect.set(xlabel="minutes after getting off", ylabel="with the load - control (mm)")
    effect.set_ylim(bottom=0.0)
    for axes in (length, effect):
        axes.grid(alpha=0.3)
        axes.legend(fontsize=7)
    fig.suptitle(f"{HOLD_S / 60:g} min on the device: what is left after getting off")
    fig.tight_layout()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / "how_long_it_lasts.png", dpi=120)
    plt.close(fig)
    print(f"wrote {folder / 'how_long_it_lasts.png'}")
    return runs


if __name__ == "__main__":
    main(*sys.argv[1:2])
