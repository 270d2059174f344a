"""How long an inversion session's effect lasts once the person is off the table.

A 70 kg, 1.75 m man after 4 h on his feet spends 10 min at 60 deg on the inversion table
(10 s ramps), then 1 h on his feet, or lying. The control is the same man lying flat on
the table for the same 10 min 20 s, then the same hour: what the inversion did is the
difference between the two (both against their own session start, lying on the table).
Prints the spine length change and that difference at times after getting off the table,
with the half-life of the difference, and writes the figure.

In the model the spine is 2.2 mm longer than the control's at the end of the return, still
on the table; about half of that goes within seconds of getting off, standing or lying:
the table's friction held the inverted spine stretched and the control's short, and lets
go of both. What is left 10 s after getting off, mostly fluid the discs took up, halves
in about 12.5 min and is down to 0.2 mm after the hour. Standing
itself shortens the spine by several millimetres in both sessions (Boocock 1990 measured
4.07 mm over 40 min standing after inversion; docs/validation.md).

Run: ``python examples/how_long_it_lasts.py [output folder]`` (default ``out/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import spinesim

ANGLE_DEG = 60.0
RAMP_S = 10.0
HOLD_S = 600.0
AFTER_H = 1.0
#: Minutes after getting off the table at which the table is printed.
MINUTES = (0, 1, 5, 10, 20, 30, 60)
OUTPUT_INTERVAL_S = 5.0
#: Seconds after getting off from which the half-life is counted: the spine springs back
#: and the step of standing up rings within them (docs/model.md §6).
SETTLE_S = 10.0


def session(angle_deg: float, after: spinesim.Phase) -> spinesim.Result:
    """The session at ``angle_deg`` (0: lying flat, the control), then ``after``."""
    protocol = spinesim.Protocol.inversion(
        angle_deg, ramp_s=RAMP_S, hold_s=HOLD_S, preceding=spinesim.upright(4.0), after=after
    )
    return spinesim.simulate(protocol, output_interval_s=OUTPUT_INTERVAL_S)


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
    """Per way of spending the hour after: the minutes after getting off the table, the
    spine length change (mm) of the inversion and of the control, their difference and the
    difference's half-life (min, from :data:`SETTLE_S` after getting off)."""
    off_s = 2 * RAMP_S + HOLD_S
    out = {}
    afterwards = {"standing": spinesim.upright(AFTER_H), "lying": spinesim.lying(AFTER_H)}
    for name, after in afterwards.items():
        inverted, control = session(ANGLE_DEG, after), session(0.0, after)
        assert np.array_equal(inverted.time_s, control.time_s)  # same saved times
        keep = inverted.time_s >= off_s
        minutes = (inverted.time_s[keep] - off_s) / 60.0
        effect = inverted.spine_length_change[keep] - control.spine_length_change[keep]
        out[name] = {
            "minutes": minutes,
            "inverted_mm": inverted.spine_length_change[keep],
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
        f"{HOLD_S / 60:g} min at {ANGLE_DEG:g} deg after 4 h upright, then {AFTER_H:g} h off the "
        "table; spine length change (mm) against the session start"
    )
    print(f"{'after':>9} {'min':>4} {'inverted':>9} {'control':>8} {'effect':>7}")
    for name, r in runs.items():
        for m in MINUTES:
            k = int(np.argmin(np.abs(r["minutes"] - m)))
            print(
                f"{name:>9} {m:>4} {r['inverted_mm'][k]:>9.2f} {r['control_mm'][k]:>8.2f} "
                f"{r['effect_mm'][k]:>7.2f}"
            )
        print(
            f"{name:>9}: the effect left {SETTLE_S:g} s after getting off halves in "
            f"{r['half_life_min']:.1f} min"
        )
    fig, (length, effect) = plt.subplots(1, 2, figsize=(9, 3.6))
    for colour, (name, r) in zip(("C0", "C1"), runs.items(), strict=True):
        length.plot(r["minutes"], r["inverted_mm"], "-", color=colour, label=f"{name}: inverted")
        length.plot(r["minutes"], r["control_mm"], "--", color=colour, label=f"{name}: control")
        effect.plot(r["minutes"], r["effect_mm"], "-", color=colour, label=name)
    length.set(xlabel="minutes after getting off the table", ylabel="spine length change (mm)")
    effect.set(xlabel="minutes after getting off the table", ylabel="inverted - control (mm)")
    effect.set_ylim(bottom=0.0)
    for axes in (length, effect):
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    fig.suptitle(f"{HOLD_S / 60:g} min at {ANGLE_DEG:g} deg: what is left after getting off")
    fig.tight_layout()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / "how_long_it_lasts.png", dpi=120)
    plt.close(fig)
    print(f"wrote {folder / 'how_long_it_lasts.png'}")
    return runs


if __name__ == "__main__":
    main(*sys.argv[1:2])
