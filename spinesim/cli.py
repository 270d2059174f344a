"""Command-line interface: ``spinesim run`` and ``spinesim sweep`` (also ``python -m
spinesim ...``).

One inversion session from options::

    spinesim run --device table --angle 60 --ramp 10 --hold 300 --mass 70 --height 1.75 \\
        --sex male --friction 0.5 --upright-hours 2 --out result.nc

or a multi-phase protocol from a TOML file (schema: :mod:`spinesim.protocol_file`)::

    spinesim run examples/protocol.toml --out result.nc --json

Prints the per-level summary table (``--json``: the summary as JSON) and writes the full
result to netCDF with ``--out``. Invalid input prints ``spinesim: error: <message>`` to
stderr and exits with status 2, a solver failure exits with status 1; in both cases no
output file is written.

This module only parses arguments and calls the public API.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from spinesim import __version__
from spinesim.anatomy import REFERENCE_STATURE, Subject
from spinesim.device import DEVICES, KINETIC_FRICTION_RATIO, InversionTable, device_from_name
from spinesim.errors import ParameterError, SolverError
from spinesim.protocol import Protocol, lying, upright
from spinesim.protocol_file import load_protocol_file
from spinesim.result import Result
from spinesim.simulate import simulate
from spinesim.sweeps import command as sweep_command
from spinesim.viz import command as render_command

#: Subcommands other than ``run``: modules with ``add_parser(subparsers)`` and ``run(args)``.
COMMANDS = {"render": render_command, "sweep": sweep_command}
#: Exit statuses.
EXIT_OK, EXIT_SOLVER, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_SUBJECT = Subject()
_TABLE = InversionTable()
#: Defaults of the single-session options (the subject and friction are the API's own).
DEFAULTS = {
    "device": "table",
    "angle": 60.0,
    "ramp": 10.0,
    "hold": 300.0,
    "mass": _SUBJECT.mass_kg,
    "height": _SUBJECT.height_m,
    "sex": _SUBJECT.sex,
    "friction": _TABLE.friction_static,
}
#: Options that describe a single session; a protocol file sets these itself.
SESSION_OPTIONS = {
    "device": "--device",
    "angle": "--angle",
    "ramp": "--ramp",
    "hold": "--hold",
    "return_s": "--return",
    "mass": "--mass",
    "height": "--height",
    "sex": "--sex",
    "friction": "--friction",
    "upright_hours": "--upright-hours",
    "lying_hours": "--lying-hours",
}
#: How the API names the parameters that the options set, to point messages at the option.
_API_NAMES = {
    "angle_deg": "--angle",
    "ramp_s": "--ramp",
    "phase 'hold'.duration_s": "--hold",
    "return_s": "--return",
    "mass_kg": "--mass",
    "height_m": "--height",
    "sex": "--sex",
    "InversionTable.friction": "--friction",
    "upright_hours": "--upright-hours",
    "lying_hours": "--lying-hours",
    "output_interval_s": "--output-interval",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spinesim",
        description="Planar multibody model of the human spine under inversion.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="simulate a session and print its per-level summary",
        description=(
            "Simulate one inversion session (ramp from horizontal to --angle, hold, return) "
            "or the protocol in a TOML file, and print the per-level summary: end-of-hold "
            "and peak axial force (N, tension positive), end-of-hold disc-space change (mm) "
            "and fluid change (%), and the spine length change. Angles: 0 deg horizontal, "
            "+90 fully inverted head-down, -90 upright."
        ),
        epilog=(
            "Invalid input exits with status 2, a solver failure with status 1; neither "
            "writes an output file."
        ),
    )
    run.add_argument(
        "protocol_file",
        nargs="?",
        metavar="PROTOCOL.toml",
        help="multi-phase protocol file (schema: spinesim/protocol_file.py, example: "
        "examples/protocol.toml); it sets the subject, device and phases, so the session "
        "options below cannot be combined with it",
    )

    session = run.add_argument_group("session (without a protocol file)")
    d = DEFAULTS
    session.add_argument(
        "--device", choices=tuple(DEVICES), help=f"device (default: {d['device']})"
    )
    session.add_argument(
        "--angle",
        type=float,
        metavar="DEG",
        help=f"hold angle in deg, -90..90, +90 head-down (default: {d['angle']:g})",
    )
    session.add_argument(
        "--ramp",
        type=float,
        metavar="S",
        help=f"ramp from horizontal to the angle, s (default: {d['ramp']:g})",
    )
    session.add_argument(
        "--hold", type=float, metavar="S", help=f"hold at the angle, s (default: {d['hold']:g})"
    )
    session.add_argument(
        "--return",
        dest="return_s",
        type=float,
        metavar="S",
        help="return to horizontal, s; 0 for no return (default: the ramp time)",
    )
    session.add_argument(
        "--mass", type=float, metavar="KG", help=f"body mass, kg (default: {d['mass']:g})"
    )
    session.add_argument(
        "--height", type=float, metavar="M", help=f"stature, m (default: {d['height']:g})"
    )
    session.add_argument(
        "--sex", choices=tuple(REFERENCE_STATURE), help=f"sex (default: {d['sex']})"
    )
    session.add_argument(
        "--friction",
        type=float,
        metavar="MU",
        help=(
            "static friction coefficient of the back on the backrest; the kinetic one is "
            f"{KINETIC_FRICTION_RATIO:g} x static (default: {d['friction']:g})"
        ),
    )
    session.add_argument(
        "--lying-hours",
        type=float,
        metavar="H",
        help="lie supine for H hours before the session (before any --upright-hours)",
    )
    session.add_argument(
        "--upright-hours",
        type=float,
        metavar="H",
        help="stand upright for H hours before the session (after any --lying-hours)",
    )

    output = run.add_argument_group("output")
    output.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="write the full result to this netCDF file (read it with spinesim.load_result)",
    )
    output.add_argument(
        "--json", action="store_true", help="print the summary as JSON instead of a table"
    )
    output.add_argument(
        "--output-interval",
        type=float,
        metavar="S",
        help="spacing of the saved times, s (default: the session in 600 intervals)",
    )
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Usage errors found by argparse raise :class:`SystemExit` (status 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in COMMANDS:
        return _subcommand(COMMANDS[args.command], args)
    try:
        _check_output(args.out)
        protocol, subject, device = _inputs(args)
    except OSError as exc:  # the protocol file: missing, a folder, unreadable
        return _fail(f"{exc.strerror or exc}: {exc.filename}", EXIT_USAGE)
    except ParameterError as exc:
        return _fail(_name_option(str(exc)), EXIT_USAGE)
    try:
        result = simulate(protocol, subject, device, output_interval_s=args.output_interval)
    except ParameterError as exc:  # e.g. --output-interval longer than the session
        return _fail(_name_option(str(exc)), EXIT_USAGE)
    except SolverError as exc:
        return _fail(f"the simulation failed: {exc}", EXIT_SOLVER)
    if args.out is not None:
        try:
            result.to_netcdf(args.out)  # atomic: nothing is left behind if it fails
        except OSError as exc:
            return _fail(f"cannot write {str(args.out)!r}: {exc}", EXIT_SOLVER)
    _report(result, as_json=args.json)
    return EXIT_OK


def _subcommand(command, args: argparse.Namespace) -> int:
    """Run a subcommand module's ``run(args)`` and print its report."""
    try:
        print(command.run(args))
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}", EXIT_USAGE)
    except ParameterError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail(f"interrupted; continue with --resume --out {args.out}", EXIT_INTERRUPTED)
    return EXIT_OK


def _inputs(args: argparse.Namespace) -> tuple[Protocol, Subject, InversionTable]:
    if args.protocol_file is not None:
        given = [opt for dest, opt in SESSION_OPTIONS.items() if getattr(args, dest) is not None]
        if given:
            raise ParameterError(
                f"{', '.join(given)} cannot be combined with a protocol file; "
                "set the subject, device and phases in the file"
            )
        return load_protocol_file(args.protocol_file)
    v = {k: getattr(args, k) for k in SESSION_OPTIONS}
    v.update({k: default for k, default in DEFAULTS.items() if v[k] is None})
    preceding = []
    if v["lying_hours"] is not None:
        preceding.append(lying(v["lying_hours"]))
    if v["upright_hours"] is not None:
        preceding.append(upright(v["upright_hours"]))
    subject = Subject(mass_kg=v["mass"], height_m=v["height"], sex=v["sex"])
    device = device_from_name(v["device"], friction_static=v["friction"])
    protocol = Protocol.inversion(
        v["angle"], ramp_s=v["ramp"], hold_s=v["hold"], return_s=v["return_s"], preceding=preceding
    )
    return protocol, subject, device


def _check_output(out: Path | None) -> None:
    """Fail before the simulation if ``--out`` cannot be written."""
    if out is None:
        return
    if out.is_dir():
        raise ParameterError(f"--out {str(out)!r} is a directory; give a file name")
    if not out.parent.is_dir():
        raise ParameterError(f"--out {str(out)!r}: the folder {str(out.parent)!r} does not exist")
    if not os.access(out.parent, os.W_OK):
        raise ParameterError(f"--out {str(out)!r}: the folder {str(out.parent)!r} is not writable")
    missing = [m for m in ("xarray", "h5netcdf") if importlib.util.find_spec(m) is None]
    if missing:
        raise ParameterError(f"--out needs {' and '.join(missing)}: pip install 'spinesim[io]'")


def _report(result: Result, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.summary()))
    else:
        print(result.summary_table())


def _name_option(message: str) -> str:
    """Add the command-line option to a message that starts with the API's name for it."""
    for name, option in _API_NAMES.items():
        if message.startswith(name):
            return f"{message} (option {option})"
    return message


def _fail(message: str, status: int) -> int:
    print(f"spinesim: error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
