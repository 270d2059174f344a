"""``spinesim sweep SWEEP.toml --out results.zarr [--resume]``: the sweep command."""

from __future__ import annotations

import argparse
import time

from spinesim._files import path_argument
from spinesim.errors import CasesFailed


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register the ``sweep`` subcommand on the CLI's subparsers."""
    parser = commands.add_parser(
        "sweep",
        help="run a parameter sweep from a TOML file",
        description=(
            "Run every case of a sweep file (schema: spinesim/sweeps/spec_file.py, example: "
            "examples/sweep.toml) and write per-level summaries (end-of-hold and peak force, "
            "disc-space change, pressure, fluid) and any requested time series to a Zarr "
            "store (or a .nc file). Batches are written as they finish: after an "
            "interruption, the same command with --resume continues where it stopped."
        ),
        epilog=(
            "Invalid input exits with status 2 before any case runs; nothing is written. "
            "If any case fails, the results are still written (with each case's status and "
            "reason) and the command exits with status 1."
        ),
    )
    parser.add_argument("spec", type=path_argument, metavar="SWEEP.toml", help="sweep file")
    parser.add_argument(
        "--out",
        type=path_argument,
        required=True,
        metavar="PATH",
        help="Zarr store (.zarr) or netCDF file (.nc)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep in --out (a finished one is reported as it is)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask.distributed scheduler address (e.g. tcp://host:8786); default: this machine",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> str:
    """Run the sweep of ``args``; return the line to report. Raises
    :class:`ParameterError` for invalid input, :class:`OSError` for unreadable files and,
    once the results are written, :class:`CasesFailed` with that line if any case failed."""
    from spinesim.sweeps.runner import sweep
    from spinesim.sweeps.spec_file import load_sweep_file
    from spinesim.sweeps.store import SweepStore, check_target

    out = check_target(args.out, option="--out")
    spec = load_sweep_file(args.spec)
    stored = SweepStore(out, {})
    finished_before = args.resume and stored.exists() and not stored.batches_left()
    start = time.perf_counter()
    ds = sweep(
        spec.design,
        fixed=spec.fixed,
        out=out,
        resume=args.resume,
        client=args.scheduler,
        progress=not args.no_progress,
        **spec.run,
    )
    seconds = time.perf_counter() - start
    n = int(ds["status"].size)
    failed = int((ds["status"] != 0).sum())
    if finished_before:
        report = f"{n} cases ({failed} failed), finished before: nothing left to run -> {out}"
    else:
        report = f"{n} cases ({failed} failed) in {seconds:.1f} s -> {out}"
    if failed:
        raise CasesFailed(report, failed)
    return report
