"""Mechanical traction pulled at an angle above the table, with and without a split table.

A 70 kg, 1.75 m man after 2 h on his feet lies supine on a traction table; a pelvic
harness pulls 441 N (45 kg) for 10 min, along the table or with the straps rising at 10 to
40 deg towards the machine. Prints, at the end of the hold, what the table carries, what
its friction holds back and how the lumbosacral disc opens, and writes the figure.

The angle lifts the pelvis off the table, so the table carries less and its friction holds
less of the pull (Lee & Evans 2001); a split table has no friction under the pelvis and
legs to lose. Through the pelvis' centre of mass the lift also extends L5-S1 (its front
opens more than its back); docs/model.md §7.1 says what this leaves out.

Run: ``python examples/traction_pull_angle.py [output folder]`` (default ``out/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import spinesim

ANGLES_DEG = (0.0, 10.0, 20.0, 30.0, 40.0)
PULL_N = 441.0


def run(split_table: bool) -> dict[float, dict[str, float]]:
    """End-of-hold table load (N), friction (N) and L5-S1 disc-space change (mm,
    anterior and posterior, against the start of the session) at each pull angle."""
    protocol = spinesim.Protocol.traction(PULL_N, hold_s=600, preceding=[spinesim.upright(2)])
    rows = {}
    for angle in ANGLES_DEG:
        table = spinesim.TractionTable(split_table=split_table, pull_angle_deg=angle)
        result = spinesim.simulate(protocol, device=table)
        k = result.index_at(result.attrs["hold_end_s"])
        anterior, _, posterior = result["L5-S1"].gap_change[k]
        rows[angle] = {
            "table_N": float(result.normal_force[k]),
            "friction_N": float(result.friction_force[k]),
            "L5-S1_anterior_mm": float(anterior),
            "L5-S1_posterior_mm": float(posterior),
        }
    return rows


def main(out: str = "out") -> dict[bool, dict[float, dict[str, float]]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tables = {split: run(split) for split in (False, True)}
    print(f"{PULL_N:g} N for 10 min, supine, after 2 h upright; end of the hold")
    print(
        f"{'table':>8} {'angle':>6} {'on table':>9} {'friction':>9} {'L5-S1 ant':>10} {'post':>7}"
    )
    for split, rows in tables.items():
        for angle, row in rows.items():
            print(
                f"{'split' if split else 'plain':>8} {angle:>5g}° {row['table_N']:>7.0f} N "
                f"{row['friction_N']:>7.0f} N {row['L5-S1_anterior_mm']:>7.2f} mm "
                f"{row['L5-S1_posterior_mm']:>5.2f} mm"
            )
    fig, (forces, gaps) = plt.subplots(1, 2, figsize=(9, 3.6))
    curves = (
        (forces, "table_N", "o-", "load"),
        (forces, "friction_N", "s--", "friction"),
        (gaps, "L5-S1_anterior_mm", "o-", "anterior"),
        (gaps, "L5-S1_posterior_mm", "s--", "posterior"),
    )
    for split, rows in tables.items():
        table = "split table" if split else "plain table"
        for axes, key, marks, what in curves:
            values = [row[key] for row in rows.values()]
            axes.plot(
                list(rows), values, marks, color="C1" if split else "C0", label=f"{table}: {what}"
            )
    forces.set(
        xlabel="pull angle above the table (deg)",
        ylabel="force (N)",
        title="Table load and friction",
    )
    gaps.set(
        xlabel="pull angle above the table (deg)", ylabel="change (mm)", title="L5-S1 disc space"
    )
    forces.legend(fontsize=7)
    gaps.legend(fontsize=7)
    fig.tight_layout()
    Path(out).mkdir(parents=True, exist_ok=True)
    fig.savefig(Path(out) / "traction_pull_angle.png", dpi=120)
    plt.close(fig)
    return tables


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out")
