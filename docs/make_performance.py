"""Measure spinesim against scipy, MuJoCo and OpenSim and write docs/performance.md.

Run from the repository root: ``python docs/make_performance.py`` (about 2 minutes;
``--quick`` for a rough pass in about one). It writes ``docs/performance.md`` and
``docs/figures/performance_size.png``, ``docs/figures/performance_duration.png``.
Timings are the minimum and median of repeated runs in this process, after a warm-up; the
machine and its load are recorded in the document. MuJoCo and OpenSim are optional
(``pip install spinesim[peers]``): without them their rows say so.

Every comparison is at matched accuracy: each engine is tuned to its cheapest setting
whose largest body-position error against a tight reference of the same equations stays
below ``TARGET_ERROR_M`` (see spinesim.peers.matching: the loosest such tolerance or the
next tighter one, whichever is faster; the largest such fixed step), then timed there.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import spinesim
from spinesim.core.integrator import RAMP_STEPS
from spinesim.core.layout import P_ANGLE
from spinesim.errors import SolverError
from spinesim.model import spine_section
from spinesim.peers import accuracy, lower_bound, scipy_reference
from spinesim.peers import chain as C
from spinesim.peers.compilation import first_solve_seconds
from spinesim.peers.matching import TOLERANCES, cheaper_tolerance, timed
from spinesim.solver import SolverOptions, SolverStats, run

DOCS = Path(__file__).resolve().parent
FIGURES = DOCS / "figures"
TARGET = C.TARGET_ERROR_M
SESSION_S = 600.0
#: Tolerance of the independent check of the tight reference (scipy's Radau).
CHECK_RTOL = 2e-10
DURATIONS_S = (60.0, 600.0, 3600.0, 6 * 3600.0, 24 * 3600.0)
#: Tolerances of the work-precision diagram of the full spine (loose to tight).
WORK_PRECISION_RTOLS = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7)


def line(text: str = "") -> None:
    print(text, flush=True)


def optional(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@dataclass
class Row:
    """One engine at matched accuracy: its setting, error (m) and times (s)."""

    engine: str
    setting: str
    error_m: float
    best_s: float
    median_s: float
    note: str = ""
    value: float = float("nan")  # the setting as a number (tolerance or step, s)
    # met the target at the loosest setting tried: a looser one might too, so the time is
    # an upper bound of the engine's cost at matched accuracy
    loosest: bool = False


def ratio(row: Row, base: Row) -> str:
    """``row``'s time over ``base``'s, marked ``<=`` (an upper bound) when only ``row`` met
    the target at its loosest setting, ``>=`` when only ``base`` did, ``~`` when both."""
    mark = {(True, False): "<=", (False, True): ">=", (True, True): "~"}
    value = row.best_s / base.best_s
    return mark.get((row.loosest, base.loosest), "") + (
        f"{value:.3g}" if value < 100 else f"{value:,.0f}"
    )


@dataclass
class Measurements:
    """Everything the document reports (see :func:`document`)."""

    info: dict[str, str]
    compile_s: tuple[float, float]  # first solve in a new process: cold, cached
    spine_rows: list[Row]
    spine_stats: SolverStats  # spinesim's work at matched accuracy, full spine
    chain_rows: dict[str, list[Row]]  # by chain size (see spinesim.peers.chain.SIZES)
    sizes: dict[str, list[tuple[int, float, int]]]  # bodies, best seconds, steps
    durations: list[tuple[float, float, int]]  # simulated s, best seconds, steps
    throughput: float  # cases per second
    peak: float  # flop/s, one core
    bound_s: float  # floating-point lower bound of the full-spine session
    n_body: int  # bodies of the full spine
    reference_checks: dict[str, float]  # m, Radau at CHECK_RTOL against the reference
    primitives: dict[str, float]  # seconds per call (spinesim.peers.lower_bound)
    fine_rows: list[Row]  # full spine, matched accuracy also between the saved times
    work_precision: dict[str, list[tuple[float, float, float]]]  # engine: rtol, m, best s
    steps_by_part: list[tuple[str, SolverStats]]  # the matched session's work, part by part


# --------------------------------------------------------------------------- the machine
def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {
        name: getattr(optional(name), "__version__", "not installed")
        for name in ("numpy", "scipy", "numba", "mujoco", "opensim")
    }
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ---------------------------------------------------------------------- compilation cost
def compilation() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as empty:
        cold = first_solve_seconds(empty)
    cached = min(first_solve_seconds() for _ in range(3))
    return cold, cached


# ------------------------------------------------------------- the chain against the peers
NOT_INSTALLED = "not installed: pip install 'spinesim[peers]'"


def tolerance_row(
    engine: str, states, error_of, repeats: int, label: str = "rtol", timed_states=None
) -> Row:
    """``engine`` at matched accuracy; ``timed_states`` (default ``states``) is timed."""
    loosest = accuracy.match_tolerance(states, error_of, TARGET)
    match, t = cheaper_tolerance(states, error_of, loosest, TARGET, repeats, timed_run=timed_states)
    row = Row(
        engine, f"{label} {match.setting:.2g}", match.error_m, t.best_s, t.median_s,
        value=match.setting, loosest=loosest.setting == TOLERANCES[0],
    )  # fmt: skip
    line(f"  {row}")
    return row


def scipy_rows(model, knots, times, error_of, repeats: int, output_times=None) -> list[Row]:
    """scipy's methods at matched accuracy; their errors at ``times``, their times with the
    output at ``output_times`` (default ``times``)."""
    output_times = times if output_times is None else output_times
    return [
        tolerance_row(
            f"scipy {method}", accuracy.scipy_states(model, knots, times, method), error_of,
            repeats, timed_states=accuracy.scipy_states(model, knots, output_times, method),
        )
        for method in scipy_reference.METHODS
    ]  # fmt: skip


def reference_check(model, knots, times, error_of) -> float:
    """Error (m) of scipy's Radau at :data:`CHECK_RTOL` against spinesim's tight reference:
    how far the reference itself can be trusted."""
    check = error_of(accuracy.scipy_states(model, knots, times, "Radau")(CHECK_RTOL))
    line(f"  reference check: Radau at rtol {CHECK_RTOL:g} within {check:.2g} m")
    return check


def chain_comparison(
    chain: C.Chain, session: C.TractionSession, repeats: int
) -> tuple[list[Row], float]:
    """spinesim, scipy, MuJoCo and OpenSim on ``chain`` at matched accuracy, and the
    reference check."""
    model = C.build_model(chain)
    knots, times = session.knots(), session.sample_times()
    reference = accuracy.chain_reference(chain, session)
    error_of = accuracy.chain_error(reference)
    check = reference_check(model, knots, times, error_of)
    rows = [
        tolerance_row(
            "spinesim TR-BDF2", accuracy.spinesim_states(model, knots, times), error_of, repeats
        )
    ]
    rows += scipy_rows(model, knots, times, error_of, max(1, repeats // 2))
    rows.append(mujoco_row(chain, session, reference))
    rows.append(opensim_row(chain, session, reference))
    return rows, check


def mujoco_row(chain: C.Chain, session: C.TractionSession, reference: np.ndarray) -> Row:
    """The largest step meeting the target (searched on a short session), then the full
    session once at that step: its time and its own error."""
    if optional("mujoco") is None:
        return Row("MuJoCo implicitfast", "-", np.nan, np.nan, np.nan, NOT_INSTALLED)
    from spinesim.peers import mujoco_chain

    dt = accuracy.match_mujoco_step(chain, session, TARGET).setting
    start = time.perf_counter()
    positions = mujoco_chain.simulate(chain, session, dt)
    seconds = time.perf_counter() - start
    error = C.position_error(positions, reference)
    row = Row(
        "MuJoCo implicitfast", f"dt {dt * 1e3:.3g} ms", error, seconds, seconds, "one run",
        loosest=dt >= session.sample_s,  # one step per sample interval, the largest tried
    )  # fmt: skip
    line(f"  {row}")
    return row


def opensim_row(chain: C.Chain, session: C.TractionSession, reference: np.ndarray) -> Row:
    if optional("opensim") is None:
        return Row("OpenSim CPodes", "-", np.nan, np.nan, np.nan, NOT_INSTALLED)
    from spinesim.peers import opensim_chain

    loosest = accuracy.match_opensim_accuracy(chain, session, reference, TARGET)
    match, t = cheaper_tolerance(
        lambda tol: opensim_chain.simulate(chain, session, tol),
        lambda positions: C.position_error(positions, reference),
        loosest, TARGET, repeats=2, warmup=0,
    )  # fmt: skip
    row = Row(
        "OpenSim CPodes", f"accuracy {match.setting:.2g}", match.error_m, t.best_s, t.median_s,
        loosest=loosest.setting == TOLERANCES[0],
    )  # fmt: skip
    line(f"  {row}")
    return row


#: Parts of the 10-minute session, each ``(name, end s)``, for where its steps go.
SESSION_PARTS = (
    ("10 s ramp to 60 deg", 10.0),
    ("the 10 s after the ramp", 20.0),
    ("the rest of the hold (570 s)", SESSION_S - 10.0),
    ("10 s return", SESSION_S),
)


def steps_by_part(model, rtol: float) -> list[tuple[str, SolverStats]]:
    """spinesim's work over each of :data:`SESSION_PARTS` at ``rtol``: the difference of
    the statistics of runs to the end of each part and of the one before (a run to a time
    within a segment ends on a knot there, which can move a step or two near it)."""
    knots = C.inversion_session(SESSION_S)[0]
    options = accuracy.spinesim_options(rtol)
    parts, before = [], np.zeros(len(dataclasses.fields(SolverStats)))
    for name, end in SESSION_PARTS:
        inside = knots[knots[:, 0] < end]
        last = np.array([np.interp(end, knots[:, 0], column) for column in knots.T])
        stats = run(model, np.vstack([inside, last]), np.array([end]), options)[1]
        counts = np.array(dataclasses.astuple(stats), dtype=float)
        parts.append((name, SolverStats(*(int(c) for c in counts - before))))
        before = counts
    return parts


# ------------------------------------------------------- the full non-linear spine vs scipy
def spine_comparison(model, repeats: int) -> tuple[list[Row], SolverStats, float]:
    """The full model (27 bodies, every tissue law, backrest with friction) over a
    10-minute 60-deg session: spinesim against scipy on the same compiled equations; and
    the reference check."""
    knots, times = C.inversion_session(SESSION_S)
    error_of = accuracy.spine_error(model, knots, times)
    check = reference_check(model, knots, times, error_of)
    rows = spine_rows(model, knots, times, error_of, times, repeats)
    stats = run(model, knots, times, accuracy.spinesim_options(rows[0].value))[1]
    return rows, stats, check


def spine_rows(model, knots, error_times, error_of, output_times, repeats: int) -> list[Row]:
    """spinesim and scipy on the full spine at matched accuracy: their errors at
    ``error_times``, their times with the output at ``output_times``."""
    spinesim_row = tolerance_row(
        "spinesim TR-BDF2", accuracy.spinesim_states(model, knots, error_times), error_of,
        repeats, timed_states=accuracy.spinesim_states(model, knots, output_times),
    )  # fmt: skip
    scipy_repeats = max(1, repeats // 2)
    return [
        spinesim_row,
        *scipy_rows(model, knots, error_times, error_of, scipy_repeats, output_times),
    ]


#: Finer sampling for the errors between the saved times: every FINE_S seconds over the
#: FINE_AFTER_S seconds after each protocol knot, where the transients are.
FINE_S = 0.025
FINE_AFTER_S = 30.0


def between_samples(model, repeats: int) -> list[Row]:
    """The full spine's engines at matched accuracy also between the saved times: the error
    sampled every :data:`FINE_S` after each knot as well as at the saved times; each engine
    timed with the session's usual output (the saved times)."""
    knots, times = C.inversion_session(SESSION_S)
    fine = [np.arange(t, min(t + FINE_AFTER_S, SESSION_S), FINE_S) for t in knots[:, 0]]
    fine_times = np.unique(np.concatenate([times, *fine]))
    error_of = accuracy.spine_error(model, knots, fine_times)
    return spine_rows(model, knots, fine_times, error_of, times, repeats)


def work_precision(model, repeats: int) -> dict[str, list[tuple[float, float, float]]]:
    """Every engine on the full spine's 10-minute session at each of
    :data:`WORK_PRECISION_RTOLS`: ``(rtol, error m, best seconds)``; a tolerance at which
    an engine fails is left out."""
    knots, times = C.inversion_session(SESSION_S)
    error_of = accuracy.spine_error(model, knots, times)
    engines = {"spinesim TR-BDF2": accuracy.spinesim_states(model, knots, times)}
    for method in scipy_reference.METHODS:
        engines[f"scipy {method}"] = accuracy.scipy_states(model, knots, times, method)
    curves = {}
    for engine, states in engines.items():
        curves[engine] = []
        for rtol in WORK_PRECISION_RTOLS:
            try:
                error = error_of(states(rtol))
            except SolverError as exc:
                line(f"  {engine} at rtol {rtol:g}: {exc}")
                continue
            seconds = timed(lambda s=states, r=rtol: s(r), repeats).best_s
            curves[engine].append((rtol, error, seconds))
            line(f"  {engine} rtol {rtol:g}: {error * 1e6:.3g} um, {seconds * 1e3:.3g} ms")
    return curves


def plot_work_precision(curves: dict[str, list[tuple[float, float, float]]]) -> None:
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for engine, points in curves.items():
        _, error, seconds = np.array(points).T
        ax.loglog(error * 1e6, seconds * 1e3, "o-", label=engine)
        for r, e, t in points:
            ax.annotate(f"{r:g}", (e * 1e6, t * 1e3), fontsize=6, alpha=0.6)
    ax.axvline(TARGET * 1e6, color="k", ls=":", label=f"matched accuracy ({TARGET * 1e6:g} um)")
    ax.set(xlabel="largest body-position error (um)", ylabel="10-minute session (ms)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(FIGURES / "performance_work_precision.png", dpi=120)
    plt.close(fig)


def fine_sampling(m: Measurements) -> list[str]:
    """The comparison at equal accuracy also between the saved times
    (:func:`between_samples`)."""
    fine = m.fine_rows
    fastest = fastest_scipy(fine)
    return [
        "The errors above are the largest at the saved times, once a second. Between them, "
        "in the transients that follow the protocol's knots (at a ramp's end the body, "
        "which slid along the backrest at up to about 1 mm/s while the angle changed, slows "
        "down over a few seconds), every engine errs more at its "
        f"setting. With the error sampled every {FINE_S * 1e3:g} ms over the "
        f"{FINE_AFTER_S:g} s after each knot as well as at the saved times, each engine "
        "needs a tighter setting to stay below "
        f"{TARGET * 1e6:g} um (times with the session's usual output, the saved times):",
        "",
        *ratio_table(fine),
        "",
        f"At equal accuracy also between the saved times, spinesim is {ratio(fastest, fine[0])}x "
        f"faster than the fastest scipy method ({fastest.engine}); it needs rtol "
        f"{fine[0].value:.2g} instead of {m.spine_rows[0].value:.2g} there. The ratios above "
        "compare the engines at the saved times, a session's usual output.",
    ]


def work_precision_table(curves: dict[str, list[tuple[float, float, float]]]) -> list[str]:
    rows = [
        f"| {engine} | {rtol:g} | {error * 1e6:.3g} | {seconds * 1e3:.3g} |"
        for engine, points in curves.items()
        for rtol, error, seconds in points
    ]
    return ["| engine | rtol | error (um) | time, best (ms) |", "|---|---|---|---|", *rows]


# ------------------------------------------------------------- size, duration, throughput
def size_scan(model, repeats: int, quick: bool) -> dict[str, list[tuple[int, float, int]]]:
    """Cost of a 10-minute session against the number of bodies at default tolerances:
    ``(bodies, best seconds, accepted steps)`` per model."""
    scan = {"anatomical sections (non-linear)": [], "uniform linear chain": []}
    knots, times = C.inversion_session(SESSION_S)
    session = C.TractionSession(SESSION_S)
    models = [
        ("anatomical sections (non-linear)", spine_section(model, *ends), knots, times)
        for ends in C.SIZES.values()
    ]
    chain_knots, chain_times = session.knots(), session.sample_times()
    models += [
        ("uniform linear chain", C.build_model(C.uniform_chain(n)), chain_knots, chain_times)
        for n in ((6, 12, 24, 48) if quick else (6, 12, 24, 48, 96, 192))
    ]
    for label, m, k, t in models:
        timing = timed(lambda m=m, k=k, t=t: run(m, k, t, SolverOptions()), repeats)
        steps = run(m, k, t, SolverOptions())[1].steps
        scan[label].append((m.n_body, timing.best_s, steps))
    return scan


def duration_scan(model, repeats: int) -> list[tuple[float, float, int]]:
    """Cost against simulated duration: 60-deg sessions of 1 minute to 24 hours."""
    rows = []
    for duration in DURATIONS_S:
        knots, times = C.inversion_session(duration)
        t = timed(lambda k=knots, s=times: run(model, k, s, SolverOptions()), repeats)
        rows.append((duration, t.best_s, run(model, knots, times, SolverOptions())[1].steps))
    return rows


def sweep_throughput(n_cases: int) -> float:
    """Cases per second of :func:`spinesim.sweep` on every core (10-minute sessions of the
    full spine, angles 20-80 deg, one compiled batch call per 256 cases)."""
    design = spinesim.Grid(angle_deg=np.linspace(20.0, 80.0, n_cases))
    fixed = {"ramp_s": 10.0, "hold_s": 580.0, "return_s": 10.0}
    spinesim.sweep(spinesim.Grid(angle_deg=[30.0]), fixed={"hold_s": 5.0}, progress=False)
    start = time.perf_counter()
    spinesim.sweep(design, fixed=fixed, progress=False)
    return n_cases / (time.perf_counter() - start)


# ------------------------------------------------------------------------------ the document
def ratio_table(rows: list[Row]) -> list[str]:
    out = [
        "| engine | setting at matched accuracy | error (um) | time, best (s) | time, median (s) "
        "| ratio to spinesim |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if np.isnan(r.best_s):
            out.append(f"| {r.engine} | {r.note} | - | - | - | - |")
            continue
        notes = [r.note] * bool(r.note) + ["loosest tried"] * r.loosest
        note = f" ({', '.join(notes)})" if notes else ""
        out.append(
            f"| {r.engine} | {r.setting}{note} | {r.error_m * 1e6:.2f} | {r.best_s:.4g} "
            f"| {r.median_s:.4g} | {ratio(r, rows[0])} |"
        )
    return out


def size_ratio_table(chain_rows: dict[str, list[Row]]) -> list[str]:
    engines = [r.engine for r in chain_rows["full"]]
    out = [
        "| chain | bodies | spinesim (ms) | " + " | ".join(engines[1:]) + " |",
        "|---" * (len(engines) + 2) + "|",
    ]
    for size, rows in chain_rows.items():
        ratios = [
            "-" if np.isnan(r.best_s) else ratio(r, rows[0]) + "x" + "*" * bool(r.note)
            for r in rows[1:]
        ]
        n_body = C.anatomical_chain(size).n_body
        out.append(
            f"| {size} | {n_body} | {rows[0].best_s * 1e3:.3g} | " + " | ".join(ratios) + " |"
        )
    return out


def plot_size(scan, chain_rows: dict[str, list[Row]]) -> None:
    """Session cost (left: spinesim's models at default tolerances, and every engine at
    matched accuracy on the linear chains) and spinesim's cost per accepted step (right)."""
    fig, (total, per_step) = plt.subplots(1, 2, figsize=(10, 4.2))
    bodies = [C.anatomical_chain(size).n_body for size in chain_rows]
    for k, engine in enumerate(r.engine for r in chain_rows["full"]):
        seconds = [rows[k].best_s for rows in chain_rows.values()]
        if not np.isnan(seconds).all():
            total.loglog(bodies, np.array(seconds) * 1e3, "s--", label=f"{engine}, matched")
    for label, points in scan.items():
        n, s, steps = np.array(points).T
        total.loglog(n, s * 1e3, "o-", label=f"spinesim, {label}, default tolerances")
        per_step.loglog(n, s / steps * 1e6, "o-", label=label)
    n = np.array([6.0, 200.0])
    last_n, last_s, last_steps = scan["uniform linear chain"][-1]
    per_step.loglog(n, last_s / last_steps * 1e6 * n / last_n, "k:", label="linear in bodies")
    total.set(xlabel="bodies", ylabel="10-minute session (ms)")
    total.legend(fontsize=7)
    per_step.set(xlabel="bodies", ylabel="per accepted step (us)")
    per_step.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(FIGURES / "performance_size.png", dpi=120)
    plt.close(fig)


def plot_duration(rows) -> None:
    d, s, steps = np.array(rows).T
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.loglog(d / 60.0, s * 1e3, "o-", label="wall time (ms)")
    ax.loglog(d / 60.0, steps, "s--", label="accepted steps")
    ax.set(xlabel="simulated session (min)", ylabel="ms / steps")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(FIGURES / "performance_duration.png", dpi=120)
    plt.close(fig)


def fastest_scipy(rows: list[Row]) -> Row:
    return min(rows[1:], key=lambda r: r.best_s)


def verdict(row: Row, base: Row, goal: float) -> str:
    """Whether ``row``'s time is at least ``goal`` times ``base``'s; a ratio that is only an
    upper bound (see :func:`ratio`) cannot establish it."""
    if row.best_s < goal * base.best_s:
        return "**not met**"
    return "not established: an upper bound" if row.loosest and not base.loosest else "met"


def targets(m: Measurements) -> list[str]:
    """One line per target of the benchmark issue, with the measured value."""
    spine = m.spine_rows[0]
    fastest = fastest_scipy(m.spine_rows)
    fine_fastest = fastest_scipy(m.fine_rows)
    lines = [
        f"- Fastest scipy method ({fastest.engine}) / spinesim, full spine: "
        f"{ratio(fastest, spine)}x (target 100x: {verdict(fastest, spine, 100)}); at equal "
        f"accuracy also between the saved times ({fine_fastest.engine}): "
        f"{ratio(fine_fastest, m.fine_rows[0])}x "
        f"({verdict(fine_fastest, m.fine_rows[0], 100)})."
    ]
    full = m.chain_rows["full"]
    for r in full[1:]:
        if not np.isnan(r.best_s) and not r.engine.startswith("scipy"):
            lines.append(
                f"- {r.engine} / spinesim, linear chain of the full spine: {ratio(r, full[0])}x "
                f"(target 10x: {verdict(r, full[0], 10)})."
            )
    n, s, steps = np.array(m.sizes["uniform linear chain"]).T
    per_step_body = s / steps / n
    growth = per_step_body[-1] / per_step_body[1]
    lines.append(
        f"- Cost per step and body from {n[1]:.0f} to {n[-1]:.0f} bodies (uniform chain) "
        f"changes by {growth:.2g}x (linear cost: 1; {'met' if growth <= 1.5 else '**not met**'})."
    )
    bound = spine.best_s / m.bound_s
    lines.append(
        f"- spinesim / floating-point lower bound: {bound:.3g}x "
        f"(target within 10x: {'met' if bound <= 10 else '**not met**'})."
    )
    return lines


def document(m: Measurements) -> str:
    cold, cached = m.compile_s
    info, spine_rows, chain_rows, n_body = m.info, m.spine_rows, m.chain_rows["full"], m.n_body
    stats, peak, bound_s = m.spine_stats, m.peak, m.bound_s
    spine_best = spine_rows[0].best_s
    scipy_ratio = ratio(fastest_scipy(spine_rows), spine_rows[0])
    peers = {r.engine: ratio(r, chain_rows[0]) for r in chain_rows[1:] if not np.isnan(r.best_s)}
    size_lines = [
        f"| {label} | {n} | {s * 1e3:.3g} | {steps} | {s / steps / n * 1e6:.3g} |"
        for label, points in m.sizes.items()
        for n, s, steps in points
    ]
    chain = m.sizes["uniform linear chain"]
    (n_few, s_few, steps_few), (n_many, s_many, steps_many) = chain[0], chain[-1]
    few_us, many_us = s_few / steps_few / n_few * 1e6, s_many / steps_many / n_many * 1e6
    per_body_span = f"{few_us:.3g} us at {n_few:.0f} bodies to {many_us:.3g} us at {n_many:.0f}"
    per_body_trend = (
        f"falls from {per_body_span}, consistent with a part of each step's cost that does "
        "not depend on the number of bodies"
        if many_us < few_us
        else f"rises from {per_body_span}"
    )
    duration_lines = [
        f"| {d / 60:g} min | {s * 1e3:.3g} | {steps:.0f} |" for d, s, steps in m.durations
    ]
    step_flops = lower_bound.step_flops(n_body)
    return "\n".join(
        [
            "# Performance",
            "",
            "Generated by `python docs/make_performance.py` (do not edit by hand). Times are "
            "the best and the median of repeated runs after a warm-up (compilation excluded); "
            "ratios use the best times.",
            "",
            f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}; "
            f"{info['versions']}. Measured {info['date']}, load average at the start "
            f"{info['load']} (the machine was shared: absolute times are indicative, ratios "
            "between engines measured in the same run are the result).",
            "",
            "## Against the targets",
            "",
            *targets(m),
            "",
            "## What is compared",
            "",
            "Matched accuracy: every engine runs at its cheapest setting (of the loosest "
            "tolerance on a half-decade grid that meets the target and the next tighter one, "
            "the faster: an implicit method can be slower at a looser tolerance; or the "
            "largest fixed step) whose largest body-position error at the session's saved "
            "times (once a second for the full spine, every 0.5 s for the chains), against a "
            f"tight reference of the same equations, stays below "
            f"{TARGET * 1e6:g} um (disc-space changes in these sessions are 0.1-5 mm). The "
            f"reference is spinesim at rtol {accuracy.REFERENCE.rtol:g}; scipy's Radau at rtol "
            f"{CHECK_RTOL:g} on the same equations stays within "
            + ", ".join(f"{v * 1e9:.2g} nm ({k})" for k, v in m.reference_checks.items())
            + " of it.",
            "",
            "1. **Full spine, non-linear, against scipy.** The complete model (27 bodies: "
            "legs, pelvis, L5-C1, head; non-linear discs with nucleus and fluid flow, "
            "ligaments, muscles, backrest contact with friction) over a 10-minute session at "
            "60 deg (10 s ramp, hold, 10 s return). scipy's `solve_ivp` (Radau, BDF, LSODA) "
            "solves the same equations: spinesim's compiled right-hand side called from "
            "Python, with the kernel's compiled analytic block-tridiagonal Jacobian "
            "(`core/jacobian.py`; sparse for Radau and BDF, banded for LSODA: until "
            "2026-11-28 LSODA got it dense and took about 3 times as long, which overstated "
            "spinesim's lead over it), restarting at protocol knots like the kernel. This is "
            "the fairest scipy set-up we know; with a Python right-hand side scipy would be "
            "far slower.",
            "2. **Linear chain of the full spine, against scipy, MuJoCo and OpenSim.** The "
            "part of the model the peers can express: the 27 bodies with their masses, "
            "inertias and attachments, joined by linear Kelvin-Voigt joints (the assembled "
            "model's annulus or bushing stiffness, shear and bending springs and dampers), "
            "the legs held by the ankle holder, hanging head-down (+90 deg, no backrest) "
            "under a 300 N traction ramped on over 10 s, held and ramped off over the last "
            "10 s (`spinesim.peers.chain`). MuJoCo: slide-slide-hinge joints with stiffness "
            "and damping, its `implicitfast` integrator, the largest step meeting the "
            "target. OpenSim "
            "4.6: planar joints with bushing forces, CPodes (its stiff integrator) at the "
            "loosest accuracy meeting the target. **Not expressible in the peers, so left "
            "out here:** the nucleus pressure with its exponential stiffening, fluid flow "
            "and swelling, creep, tension-only ligaments, muscle tone and guarding, and "
            "the backrest contact with Stribeck friction. The chain hangs straight, so "
            "spinesim's mean-frame joint and the peers' parent-frame joints give the same "
            "equations; the transverse and rotational degrees of freedom stay in every "
            "engine's problem.",
            "",
            "## Full spine (non-linear), 10-minute session: spinesim vs scipy",
            "",
            *ratio_table(spine_rows),
            "",
            f"spinesim is {scipy_ratio}x faster than the fastest scipy "
            "method at matched accuracy (target: 100x).",
            "",
            *fine_sampling(m),
            "",
            "Work against accuracy over the tolerance range (same session, same reference; "
            "the numbers by the points are the tolerances):",
            "",
            "![work-precision](figures/performance_work_precision.png)",
            "",
            "spinesim's method is of second order, so its cost grows faster as the accuracy "
            "tightens than that of scipy's fifth-order Radau or variable-order BDF and LSODA; "
            "over the range shown it stays the cheapest. At loose tolerances scipy's implicit "
            "methods can take longer than at tighter ones (more Newton work and rejected "
            "steps), which is why matched accuracy is searched, not assumed.",
            "",
            *work_precision_table(m.work_precision),
            "",
            *scipy_target(m),
            *step_parts(m),
            "",
            "## Linear chain of the full spine, 10-minute traction session",
            "",
            *ratio_table(chain_rows),
            "",
            "MuJoCo's step search runs on a 30-s session with the same ramps (the hold adds "
            "no error: the static equilibrium is a fixed point of its integrator); the full "
            "session then runs once at that step and its error is the one in the table. "
            "MuJoCo's implicit integrators treat damping implicitly but springs explicitly, "
            "so its step is bounded by stability at the stiffest lightly damped joint (the hip "
            "bushing: omega ~1650 rad/s, damping ratio 0.1, limit ~1.3 ms), not by accuracy; "
            "its cost therefore grows with the session's length, spinesim's barely. Ratios: "
            + ", ".join(f"{k} {v}x" for k, v in peers.items())
            + " (targets: 10x for MuJoCo and OpenSim).",
            "",
            "## Cost against model size",
            "",
            "![cost vs size](figures/performance_size.png)",
            "",
            "Linear chains of the three sections, 10-minute traction session, matched "
            "accuracy (time relative to spinesim):",
            "",
            *size_ratio_table(m.chain_rows),
            "",
            "<=: the engine met the target at the loosest setting tried, so its time is an "
            "upper bound of its cost at matched accuracy and so is the ratio; >=: spinesim "
            "did, so the ratio is a lower bound; ~: both did. \\* a single timed run "
            "(MuJoCo).",
            "",
            "spinesim alone on the non-linear sections and on the uniform chain, default "
            "tolerances:",
            "",
            "| model | bodies | 10-minute session (ms) | accepted steps | per step and body (us) |",
            "|---|---|---|---|---|",
            *size_lines,
            "",
            "Anatomical sections (`spinesim.model.spine_section`): lumbar = pelvis to L1, "
            "thoracolumbar = pelvis to T1, full = legs to head, at default tolerances; the "
            "uniform chain is `spinesim.peers.chain.uniform_chain`. The block-tridiagonal "
            "algebra's work per step is linear in the bodies (right panel); on the uniform "
            f"chain the per-step-and-body column {per_body_trend}. The "
            "number of steps is set by the dynamics: it barely changes across the anatomical "
            "sections, but grows with the bodies of the uniform chain: the chain lengthens "
            "(6 cm per body) at the same mass, so its lowest axial mode falls "
            "(omega_1 ~ (pi/2) sqrt(k / (M n)): 2.1 Hz at 192 bodies, 12 Hz at 6) and, with "
            "damping in each joint, is less damped (zeta_1 ~ c omega_1 / 2k: 0.8 % against "
            "4.6 %); its transients ring longer and take more steps, so the total cost grows "
            "faster than linearly.",
            "",
            "## Cost against simulated duration",
            "",
            "![cost vs duration](figures/performance_duration.png)",
            "",
            "| session at 60 deg | full spine (ms) | accepted steps |",
            "|---|---|---|",
            *duration_lines,
            "",
            "Long holds cost little: once the fast dynamics have settled the L-stable "
            "integrator's steps grow to minutes, limited by the disc's fluid flow (hours).",
            "",
            "## Compilation and throughput",
            "",
            f"- First solve in a new process with an empty Numba cache (everything "
            f"compiles): {cold:.1f} s; with the on-disk cache: {cached:.2f} s (import "
            "included). Warm runs above exclude both.",
            f"- Sweep throughput, `spinesim.sweep` on both cores (10-minute sessions, full "
            f"spine): {m.throughput:.3g} cases/s (`benchmarks/test_bench_sweep_throughput.py` "
            "times 10,000 five-minute sessions).",
            "",
            "## Floating-point lower bound",
            "",
            f"A 2nd-order L-stable one-step method (TR-BDF2) needs, per step, at least two "
            f"implicit stages with one Newton iteration each, the second stage's derivative "
            f"and the error estimate (factorisations and Jacobians can be reused across "
            f"steps and are left out): {lower_bound.RHS_PER_STEP} right-hand sides "
            f"(~{lower_bound.rhs_flops(n_body):,} flop each for {n_body} bodies, an estimate "
            f"from the operations in `core.mechanics.rhs`, transcendental functions at "
            f"{lower_bound.TRANSCENDENTAL_FLOPS} flop) and {lower_bound.SOLVES_PER_STEP} "
            f"block solves (condensed 6x6 blocks): {step_flops:,} flop per step "
            "(`spinesim.peers.lower_bound`). "
            f"As the minimal number of steps we take the accepted steps of the kernel's "
            f"error controller at the matched tolerance ({stats.steps}; rejected steps, "
            f"Newton failures and Jacobians excluded). At the single-core peak measured "
            f"with a 1024x1024 matrix product ({peak / 1e9:.3g} Gflop/s) that is "
            f"{bound_s * 1e3:.3g} ms for the 10-minute full-spine session; spinesim takes "
            f"{spine_best * 1e3:.3g} ms, {spine_best / bound_s:.3g}x the bound "
            "(target: within 10x).",
            "",
            *time_split(m),
        ]
    )


def scipy_target(m: Measurements) -> list[str]:
    """What the 100x target against scipy would take, from this run's measurements."""
    spine, fastest = m.spine_rows[0], fastest_scipy(m.spine_rows)
    needed_s = fastest.best_s / 100.0
    per_step_s = spine.best_s / m.spine_stats.steps
    knots = C.inversion_session(SESSION_S)[0]
    ramps = int(np.count_nonzero(np.diff(knots[:, P_ANGLE])))
    rtol, error, loose_s = max(m.work_precision["spinesim TR-BDF2"])  # the loosest rtol
    return [
        f"**What 100x would take.** The fastest scipy method takes {fastest.best_s * 1e3:.3g} "
        f"ms, so 100x needs spinesim at {needed_s * 1e3:.3g} ms: {needed_s / per_step_s:.0f} "
        f"steps at its {per_step_s * 1e6:.3g} us per accepted step at the matched tolerance. "
        f"The session's {ramps} ramps alone take at least {ramps * RAMP_STEPS} steps (a step "
        f"spans at most 1/{RAMP_STEPS} of a ramp of 10 deg or 50 N or more, "
        "`core.integrator.RAMP_STEPS`, because the contact and friction laws pass their kinks "
        "as the load changes), and at the "
        f"loosest tolerance above (rtol {rtol:g}, {error * 1e6:.3g} um, "
        f"{error / TARGET:.3g}x the matched accuracy) spinesim still takes "
        f"{loose_s * 1e3:.3g} ms, {fastest.best_s / loose_s:.3g}x faster than scipy's fastest "
        "method at 1 um. scipy here already runs spinesim's compiled right-hand side and "
        "analytic Jacobian. The 100x target is the stricter of the two unmet ones: at the "
        f"floating-point lower bound below ({m.bound_s * 1e3:.3g} ms) spinesim would be "
        f"{fastest.best_s / m.bound_s:.3g}x faster than scipy's fastest method, so 100x "
        f"asks for spinesim within {needed_s / m.bound_s:.3g}x of the bound, which meets the "
        "10x target on the way.",
    ]


def step_parts(m: Measurements) -> list[str]:
    """Where the matched session's steps go, part by part (:func:`steps_by_part`)."""
    total = sum(stats.steps for _, stats in m.steps_by_part)
    rows = [
        f"| {name} | {stats.steps} | {stats.rejected} | {stats.rhs_evaluations} | "
        f"{stats.newton_failures} |"
        for name, stats in m.steps_by_part
    ]
    ramp, after, hold, back = (stats.steps for _, stats in m.steps_by_part)
    return [
        "",
        "Where the steps go at the matched tolerance (runs to the end of each part, differenced):",
        "",
        "| part of the session | accepted steps | rejected | right-hand sides | Newton failures |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"The two 10 s ramps and the 10 s after the first take {ramp + after + back} of the "
        f"{total} steps, the 570 s of the hold {hold}: the cost lies where the load changes "
        "and the bodies' contacts on the backrest pass from sticking to sliding and back, "
        "not in the slow creep of the hold.",
    ]


def time_split(m: Measurements) -> list[str]:
    """Where the full-spine session's time goes, per accepted step, from the kernel's
    work counts and the micro-timed cost of each primitive."""
    stats, cost, n_body = m.spine_stats, m.primitives, m.n_body
    steps = stats.steps
    work = [
        ("right-hand sides", stats.rhs_evaluations, cost["rhs"], lower_bound.RHS_PER_STEP),
        ("block solves", stats.block_solves, cost["block_solve"], lower_bound.SOLVES_PER_STEP),
        ("factorisations", stats.factorizations, cost["factorization"], 0),
        ("Jacobians (analytic)", stats.jacobians, cost["jacobian"], 0),
    ]
    total_us = m.spine_rows[0].best_s / steps * 1e6
    rows = [
        f"| {name} | {count / steps:.3g} | {each * 1e6:.3g} | {count / steps * each * 1e6:.3g} "
        f"| {minimal} |"
        for name, count, each, minimal in work
    ]
    known_us = sum(count / steps * each * 1e6 for _, count, each, _ in work)
    minimal_us = sum(minimal * each * 1e6 for _, _, each, minimal in work)
    bound_us = m.bound_s / steps * 1e6
    rhs_rate = lower_bound.rhs_flops(n_body) / cost["rhs"]
    solve_rate = lower_bound.solve_flops(n_body) / cost["block_solve"]
    return [
        "Where the time goes, per accepted step of the 10-minute full-spine session at the "
        "matched tolerance (counts from the kernel's statistics, costs per call micro-timed "
        "on the full spine by `spinesim.peers.lower_bound.primitive_seconds`):",
        "",
        "| work | calls per step | us per call | us per step | minimal calls |",
        "|---|---|---|---|---|",
        *rows,
        f"| the rest (vector updates, error norms, interpolation) | | | "
        f"{total_us - known_us:.3g} | |",
        f"| total | | | {total_us:.3g} | |",
        "",
        f"The minimal work at these costs takes {minimal_us:.3g} us per step, "
        f"{minimal_us / bound_us:.3g}x the bound's {bound_us:.3g} us: the right-hand side runs "
        f"at about {rhs_rate / 1e9:.2g} Gflop/s and a block solve at {solve_rate / 1e9:.2g} "
        f"Gflop/s, against the {m.peak / 1e9:.3g} Gflop/s of the peak (scalar code with "
        f"branches, short loops and divisions). The solver's extra work makes up the other "
        f"{total_us / minimal_us:.3g}x: Newton iterations beyond one per stage, "
        f"{stats.rejected} rejected steps and {stats.newton_failures} Newton failures (at the "
        "contact and friction laws' kinks), factorisations when the step size changes, "
        "Jacobians.",
        "",
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 5
    info = machine()
    line(f"machine: {info}")
    cold, cached = compilation()
    line(f"compilation: cold {cold:.1f} s, cached {cached:.2f} s")
    model = spinesim.spine_model()

    line("full spine (non-linear), 10 minutes, against scipy")
    spine_rows, spine_stats, spine_check = spine_comparison(model, repeats)
    fine_rows = between_samples(model, repeats)
    checks = {"full spine (non-linear)": spine_check}
    chain_rows = {}
    for size in C.SIZES:
        line(f"linear chain, {size}, 10 minutes, against scipy, MuJoCo, OpenSim")
        chain = C.anatomical_chain(size)
        session = C.TractionSession(SESSION_S, sample_s=0.5)
        chain_rows[size], checks[f"{size} chain"] = chain_comparison(chain, session, repeats)
    line("sizes, durations, throughput")
    sizes = size_scan(model, repeats, args.quick)
    durations = duration_scan(model, repeats)
    throughput = sweep_throughput(20 if args.quick else 400)
    peak = lower_bound.single_core_peak()
    bound_s = spine_stats.steps * lower_bound.step_flops(model.n_body) / peak
    primitives = lower_bound.primitive_seconds(model, C.inversion_session(SESSION_S)[0], 100.0)
    parts = steps_by_part(model, spine_rows[0].value)
    line("work against accuracy, full spine")
    curves = work_precision(model, max(1, repeats // 2))
    plot_work_precision(curves)
    plot_size(sizes, chain_rows)
    plot_duration(durations)
    text = document(
        Measurements(
            info=info, compile_s=(cold, cached), spine_rows=spine_rows, spine_stats=spine_stats,
            chain_rows=chain_rows, sizes=sizes, durations=durations, throughput=throughput,
            peak=peak, bound_s=bound_s, n_body=model.n_body, reference_checks=checks,
            primitives=primitives, work_precision=curves, fine_rows=fine_rows,
            steps_by_part=parts,
        )
    )  # fmt: skip
    (DOCS / "performance.md").write_text(text)
    line(f"wrote {DOCS / 'performance.md'}")


if __name__ == "__main__":
    main()
