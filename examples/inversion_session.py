"""A 60-degree inversion-table session after two hours upright: the README's demo.

Simulates a 70 kg, 1.75 m man who stood for 2 h, lay down on an inversion table, tilted to
60 deg head-down in 10 s, held 5 min and came back in 10 s. Writes the result as netCDF,
a figure of the disc axial force and disc-space change per lumbar level and, where PyVista
and OpenGL are available, a 3D picture of the spine on the table; prints the summary.

Run: ``python examples/inversion_session.py [output folder]`` (default ``out/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import spinesim
from spinesim.anatomy import LUMBAR


def run() -> spinesim.Result:
    protocol = spinesim.Protocol.inversion(
        60, ramp_s=10, hold_s=300, preceding=[spinesim.upright(2.0)]
    )
    return spinesim.simulate(protocol, spinesim.Subject(mass_kg=70, height_m=1.75, sex="male"))


def figure(result: spinesim.Result, path: Path) -> None:
    """Disc axial force (the disc's share of the traction that reaches its level) and
    middle disc-space change over time for the lumbar levels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_angle, ax_force, ax_gap) = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
    ax_angle.plot(result.time_s, result.angle, color="k")
    ax_angle.set_ylabel("inversion angle (deg)")
    for level in LUMBAR:
        ax_force.plot(result.time_s, result[level].axial_force, label=level)
        ax_gap.plot(result.time_s, result[level].gap_change[:, 1], label=level)
    ax_force.axhline(0.0, color="0.6", lw=0.8)
    ax_force.set_ylabel("disc axial force (N)\ntension +")
    ax_gap.set_ylabel("middle disc-space change (mm)\nvs. t = 0, + opening")
    ax_gap.set_xlabel("time since session start (s)")
    ax_force.legend(ncol=5, fontsize=8, loc="lower center")
    fig.suptitle("spinesim: 60 deg inversion after 2 h upright (70 kg, 1.75 m)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def scene(result: spinesim.Result, path: Path) -> bool:
    """A 3D picture at the end of the hold, if PyVista and OpenGL are available here."""
    from importlib.util import find_spec

    if find_spec("pyvista") is None:
        print("no 3D picture: PyVista is not installed (pip install 'spinesim[viz]')")
        return False
    from spinesim.viz._pyvista import rendering_problem

    problem = rendering_problem()
    if problem is not None:
        print(f"no 3D picture: {problem}")
        return False
    result.plot.scene(path, camera="side", magnify=10)
    return True


def main(folder: str = "out") -> spinesim.Result:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    result = run()
    result.to_netcdf(out / "session.nc")
    figure(result, out / "session.png")
    print(result.summary_table())
    print(f"wrote {out / 'session.nc'} and {out / 'session.png'}")
    if scene(result, out / "session_3d.png"):
        print(f"wrote {out / 'session_3d.png'}")
    return result


if __name__ == "__main__":
    main(*sys.argv[1:])
