"""One person, five devices: end-of-hold traction and disc-space change per level.

A 70 kg, 1.75 m man at the end of a typical day (8 h asleep, 16 h on his feet) tries an
inversion table at 60 deg, gravity boots, a hip-supported bench with the hands carrying
30 % of the upper body, a chest suspension harness and 300 N of mechanical traction on a
split table, each held 5 min. Prints the comparison table and writes the figure.

Run: ``python examples/compare_devices.py [output folder]`` (default ``out/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import spinesim
from spinesim import Protocol

LUMBAR = ("L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2")


def run() -> spinesim.Comparison:
    day = spinesim.typical_day(hours_upright=16, hours_asleep=8)
    return spinesim.compare(
        {
            "table 60 deg": Protocol.inversion(60, hold_s=300, preceding=day),
            "boots": (Protocol.inversion(90, hold_s=300, preceding=day), spinesim.GravityBoots()),
            "hip bench": (
                Protocol.inversion(90, hold_s=300, preceding=day),
                spinesim.HipBench(hand_support=0.3),
            ),
            "harness": (
                Protocol.inversion(-90, hold_s=300, preceding=day),
                spinesim.SuspensionHarness(),
            ),
            "traction 300 N": (
                Protocol.traction(300, hold_s=300, preceding=day),
                spinesim.TractionTable(split_table=True),
            ),
        },
        subject=spinesim.Subject(mass_kg=70, height_m=1.75, sex="male"),
    )


def main(folder: str = "out") -> spinesim.Comparison:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    comparison = run()
    print(comparison.table_text(levels=LUMBAR))
    comparison.figure().savefig(out / "devices.png", dpi=120)
    return comparison


if __name__ == "__main__":
    main(*sys.argv[1:])
