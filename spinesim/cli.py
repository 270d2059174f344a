"""Command-line interface: ``spinesim run``, ``spinesim sweep`` and ``spinesim render``
(also ``python -m spinesim ...``).

One inversion session from options::

    spinesim run --device table --angle 60 --ramp 10 --hold 300 --mass 70 --height 1.75 \\
        --sex male --friction 0.5 --upright-hours 2 --out result.nc

another device, with its options (``--option NAME=VALUE``, see ``spinesim.DEVICES``)::

    spinesim run --device boots --hold 300                  # hangs at 90 deg
    spinesim run --device hip_bench --option hand_support=0.3
    spinesim run --device harness --option level=T8         # hangs upright at -90 deg
    spinesim run --device traction --pull 300 --hold 600 --option split_table=true
    spinesim run --device traction --pull 300 --cycles 5 --ramp 10 --hold 60 --rest 20

or a multi-phase protocol from a TOML file (schema: :mod:`spinesim.protocol_file`)::

    spinesim run examples/protocol.toml --out result.nc --json

Prints the per-level summary table (``--json``: the summary as JSON) and writes the full
result to netCDF with ``--out`` (which replaces an earlier session result, never a sweep's
results or another file). Invalid input prints ``spinesim: error: <message>`` to
stderr and exits with status 2, a solver failure exits with status 1; in both cases no
output file is written. ``spinesim sweep`` also exits with 1 when any case failed; its
results are then written in full (each case's status and reason). Warnings (e.g. a
protocol file whose trace never holds its largest angle: add a top-level
``end_of_hold_s``) print ``spinesim: warning: <message>``. Ctrl-C exits with status 130, a
reader closing the output early (``| head``) with 141.

This module only parses arguments and calls the public API.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import inspect
import json
import os
import re
import shlex
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

from spinesim import __version__
from spinesim._files import InterruptedAfterWriting, path_argument
from spinesim.anatomy import REFERENCE_STATURE, Subject
from spinesim.device import (
    DEVICES,
    KINETIC_FRICTION_RATIO,
    Device,
    InversionTable,
    device_from_name,
    device_options,
)
from spinesim.errors import (
    CasesFailed,
    ParameterError,
    SolverError,
    SpinesimWarning,
    check_integer,
)
from spinesim.protocol import MAX_CYCLES, TILT_RAMP_S, Protocol, posture_phases
from spinesim.protocol_file import load_protocol_file
from spinesim.result import Result, check_result_output
from spinesim.simulate import simulate
from spinesim.sweeps import command as sweep_command
from spinesim.viz import command as render_command

#: Subcommands other than ``run``: modules with ``add_parser(subparsers)`` and ``run(args)``.
COMMANDS = {"render": render_command, "sweep": sweep_command}
#: Exit statuses.
EXIT_OK, EXIT_SOLVER, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141
#: Exit status after SIGTERM, as the shell reports a process it ended (128 + 15).
EXIT_TERMINATED = 143

_SUBJECT = Subject()
_TABLE = InversionTable()
#: Defaults of the single-session options (the subject and friction are the API's own).
DEFAULTS = {
    "device": "table",
    "angle": 60.0,
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
    "sitting_hours": "--sitting-hours",
    "after_lying_hours": "--after-lying-hours",
    "after_sitting_hours": "--after-sitting-hours",
    "after_upright_hours": "--after-upright-hours",
    "options": "--option",
    "pull": "--pull",
    "cycles": "--cycles",
    "rest": "--rest",
}
#: The device classes' names, which start the messages about their fields.
_DEVICE_CLASSES = {cls.__name__ for cls in DEVICES.values()}
#: How the API names the parameters that the options set, to point messages at the option.
_API_NAMES = {
    "angle_deg": "--angle",
    "ramp_s": "--ramp",
    "hold_s": "--hold",
    "return_s": "--return",
    "release_s": "--return",
    "mass_kg": "--mass",
    "height_m": "--height",
    "sex": "--sex",
    "friction_static": "--friction",
    "upright_hours": "--upright-hours",
    "lying_hours": "--lying-hours",
    "sitting_hours": "--sitting-hours",
    "after_lying_hours": "--after-lying-hours",
    "after_sitting_hours": "--after-sitting-hours",
    "after_upright_hours": "--after-upright-hours",
    "pull_N": "--pull",
    "cycles": "--cycles",
    "rest_s": "--rest",
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
            "or the protocol in a TOML file, and print the per-level summary: the axial "
            "force at the end of the hold across the motion segment and in the disc, and the "
            "disc's peak (N, tension positive; the peak is the extreme up to the end of the "
            "hold, the way the session loads), end-of-hold disc-space change (mm), the change "
            "left at the session end, its rise time (s), the lowest nucleus pressure (MPa) and the "
            "fluid change (%), and the spine length change. Angles: 0 deg horizontal, "
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
        type=path_argument,
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
        help=f"hold angle in deg, -90..90, +90 head-down (default: {d['angle']:g}; the "
        "hanging devices boots and hip_bench 90, harness -90)",
    )
    session.add_argument(
        "--ramp",
        type=float,
        metavar="S",
        help="ramp from horizontal to the angle, or of a traction pull, s (default: the API's, "
        f"{TILT_RAMP_S:g} s tilting, "
        f"{_default(Protocol.traction, 'ramp_s'):g} s traction)",
    )
    session.add_argument(
        "--hold",
        type=float,
        metavar="S",
        help="hold at the angle or the pull, s (default: the API's, "
        f"{_default(Protocol.inversion, 'hold_s'):g} s for one tilt; "
        f"{_default(Protocol.intermittent, 'hold_s'):g} s per cycle for an intermittent tilt "
        f"(--cycles above 1 or --rest); {_default(Protocol.traction, 'hold_s'):g} s per "
        "traction cycle)",
    )
    session.add_argument(
        "--return",
        dest="return_s",
        type=float,
        metavar="S",
        help="return to horizontal, or release of a traction pull, s; 0 for none, where "
        "nothing follows at a lower load (no --cycles above 1, --rest or --after-*-hours "
        "after a pull; no --after-*-hours after a head-down hold) (default: the ramp time)",
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
        help="lie supine for H hours before the session (first of the preceding phases; 0: none)",
    )
    session.add_argument(
        "--sitting-hours",
        type=float,
        metavar="H",
        help="sit for H hours before the session (after any --lying-hours; 0: none)",
    )
    session.add_argument(
        "--upright-hours",
        type=float,
        metavar="H",
        help="stand upright for H hours before the session (last of the preceding phases; 0: none)",
    )
    for posture, doing in (("lying", "lie"), ("sitting", "sit"), ("upright", "stand")):
        session.add_argument(
            f"--after-{posture}-hours",
            type=float,
            metavar="H",
            help=f"{doing} for H hours after getting off the device, as part of the session "
            "(its changes stay against the session start; lying, sitting, then standing; "
            "0: none)",
        )
    session.add_argument(
        "--option",
        dest="options",
        action="append",
        metavar="NAME=VALUE",
        help="a device option, repeatable, e.g. hand_support=0.3 (hip_bench), level=T8 "
        "(harness, traction), split_table=true (traction), friction_kinetic=0.3 (table, "
        "traction; the static one is --friction); the options of each device are the "
        "fields of its class in spinesim.device",
    )
    session.add_argument(
        "--pull",
        type=float,
        metavar="N",
        help="traction force on the pelvis, N (device traction only; it works flat, so no "
        "--angle); ramped in --ramp, held --hold, released in --return (defaults those of "
        f"Protocol.traction: {_default(Protocol.traction, 'ramp_s'):g} s, "
        f"{_default(Protocol.traction, 'hold_s'):g} s and the ramp time)",
    )
    session.add_argument(
        "--cycles",
        type=int,
        metavar="N",
        help="intermittent session: N cycles of ramp, hold, return and --rest (default: 1, one "
        "session without a rest)",
    )
    session.add_argument(
        "--rest",
        type=float,
        metavar="S",
        help="rest after each cycle, the last one too, s (flat; for traction at zero pull; "
        "default with --cycles above 1: 60 for "
        "the inversion table, 0 for traction and for the hanging devices, which cannot "
        "hold the body flat)",
    )

    output = run.add_argument_group("output")
    output.add_argument(
        "--out",
        type=path_argument,
        metavar="PATH",
        help="write the full result to this netCDF file, ending in .nc (read it with "
        "spinesim.load_result)",
    )
    output.add_argument(
        "--json",
        action="store_true",
        help="print the summary as JSON instead of a table (Result.summary() and "
        "'sham': whether --sham ran the control)",
    )
    output.add_argument(
        "--output-interval",
        type=float,
        metavar="S",
        help="spacing of the saved times, s (default: the session in 600 intervals); the "
        "summary's peaks, lowest pressure and rise times are read at the saved times, so a "
        "coarse spacing can miss a transient",
    )
    run.add_argument(
        "--sham",
        action="store_true",
        help="run the session's control instead (also of a protocol file): the same phases "
        "and times with the device flat and no pull (Protocol.sham); the session's effect is "
        "its result minus this one (table and traction only: the hanging devices hold the "
        "body at one angle)",
    )
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Usage errors found by argparse raise :class:`SystemExit` (status 2). A reader that
    closes the output early (``spinesim run | head``) ends the command quietly with
    :data:`EXIT_BROKEN_PIPE`, as the shell reports a process ended by SIGPIPE."""
    try:
        with _terminate_as_interrupt():
            return _main(argv)
    except BrokenPipeError:
        # later writes (and the interpreter's final flush) go nowhere instead of failing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt as exc:  # before or after the work (reading inputs, reporting)
        return _fail("interrupted", _interrupt_status(exc))


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as an interrupt (:func:`_terminate_as_interrupt`)."""


def _interrupt_status(exc: BaseException) -> int:
    """Exit status of an interrupt: :data:`EXIT_TERMINATED` for SIGTERM (also when held
    off until a file was written whole), else :data:`EXIT_INTERRUPTED`."""
    terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)
    return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``, a job scheduler's time limit) ends the command as Ctrl-C does:
    temporary files are removed, a file being renamed into place is finished first, and a
    sweep says how to resume. Without it SIGTERM ended the process at once and left hidden
    partial files behind until the next write of the same target. Left alone where a
    handler not installed from Python takes SIGTERM (it could not be restored)."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is None
    ):
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in COMMANDS:
        return _subcommand(COMMANDS[args.command], args)
    try:
        _check_output(args.out)
        protocol, subject, device = _inputs(args)
    except OSError as exc:  # the protocol file: missing, a folder, unreadable
        return _fail(_os_error(exc), EXIT_USAGE)
    except ParameterError as exc:
        return _fail(_name_option(str(exc)), EXIT_USAGE)
    try:
        with _spinesim_warnings():
            result = simulate(protocol, subject, device, output_interval_s=args.output_interval)
        if args.out is not None:
            result.to_netcdf(args.out)  # atomic: nothing is left behind if it fails
    except ParameterError as exc:  # e.g. --output-interval longer than the session
        return _fail(_name_option(str(exc)), EXIT_USAGE)
    except SolverError as exc:
        return _fail(f"the simulation failed: {exc}", EXIT_SOLVER)
    except OSError as exc:
        return _fail(f"cannot write {str(args.out)!r}: {exc}", EXIT_SOLVER)
    except InterruptedAfterWriting as exc:  # Ctrl-C held off until the file was complete
        return _fail(
            f"interrupted after --out {str(args.out)!r} was written", _interrupt_status(exc)
        )
    except KeyboardInterrupt as exc:
        unchanged = "" if args.out is None else "; --out was not written"
        return _fail(f"interrupted{unchanged}", _interrupt_status(exc))
    _report(result, as_json=args.json, sham=args.sham)
    return EXIT_OK


@contextlib.contextmanager
def _spinesim_warnings() -> Iterator[None]:
    """Print spinesim's own warnings as the CLI's messages (``spinesim: warning: ...``),
    also when the run then fails; other warnings (NumPy's, xarray's) as Python shows them."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SpinesimWarning)
            yield
    finally:  # once the recording has ended, so that Python's own display prints
        for w in caught:
            if issubclass(w.category, SpinesimWarning):
                print(f"spinesim: warning: {w.message}", file=sys.stderr)
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _subcommand(command, args: argparse.Namespace) -> int:
    """Run a subcommand module's ``run(args)`` and print its report."""
    try:
        print(command.run(args))
    except BrokenPipeError:
        raise  # main ends quietly: the reader has gone
    except CasesFailed as exc:  # written in full; a pipeline must still see the failures
        print(exc.report)
        return _fail(
            f"{exc.failed} case(s) failed; their status and reason are in the results",
            EXIT_SOLVER,
        )
    except OSError as exc:
        return _fail(_os_error(exc), EXIT_USAGE)
    except ParameterError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ImportError as exc:  # an optional extra is missing
        return _fail(str(exc), EXIT_USAGE)
    except InterruptedAfterWriting as exc:  # Ctrl-C held off until the file was complete
        return _fail(f"interrupted after {str(exc.path)!r} was written", _interrupt_status(exc))
    except KeyboardInterrupt as exc:
        resumable = getattr(args, "resume", None) is not None  # a sweep
        hint = f"; continue with: {_resume_command(args)}" if resumable else ""
        return _fail(f"interrupted{hint}", _interrupt_status(exc))
    return EXIT_OK


def _resume_command(args: argparse.Namespace) -> str:
    """The command that continues the interrupted sweep of ``args`` (quoted for a shell)."""
    scheduler = ["--scheduler", args.scheduler] if args.scheduler else []
    again = ["spinesim", "sweep", str(args.spec), "--out", str(args.out), *scheduler]
    return shlex.join([*again, "--resume"])


def _inputs(args: argparse.Namespace) -> tuple[Protocol, Subject, Device]:
    protocol, subject, device = _session_inputs(args)
    if args.sham:  # the session itself is checked when it runs: check_sham refuses first
        device.check_sham("--sham")
        protocol = protocol.sham()
    return protocol, subject, device


def _session_inputs(args: argparse.Namespace) -> tuple[Protocol, Subject, Device]:
    if args.protocol_file is not None:
        given = [opt for dest, opt in SESSION_OPTIONS.items() if getattr(args, dest) is not None]
        if given:
            raise ParameterError(
                f"{', '.join(given)} cannot be combined with a protocol file; "
                "set the subject, device and phases in the file"
            )
        return load_protocol_file(args.protocol_file)
    v = {k: getattr(args, k) for k in SESSION_OPTIONS}
    angle_given = v["angle"] is not None
    v.update({k: default for k, default in DEFAULTS.items() if v[k] is None and k != "friction"})
    preceding, after = posture_phases(v), posture_phases(v, "after_")
    subject = Subject(mass_kg=v["mass"], height_m=v["height"], sex=v["sex"])
    options = _device_options(v["device"], v["options"] or [])
    device = device_from_name(v["device"], v["friction"], **options)
    return _session(device, v, angle_given, preceding, after), subject, device


def _session(device: Device, v: dict, angle_given: bool, preceding: list, after: list) -> Protocol:
    """The single session the options describe on ``device``, between the ``preceding``
    phases and those ``after`` it."""
    cycles = 1 if v["cycles"] is None else check_integer("--cycles", v["cycles"], 1, MAX_CYCLES)
    if device.pulls:
        if angle_given:
            raise ParameterError(
                f"--angle cannot be used with device {device.name!r}: it works flat at 0 deg"
            )
        if v["pull"] is None:
            raise ParameterError(f"device {device.name!r} needs --pull (the traction force, N)")
        return Protocol.traction(
            v["pull"], **_given(v, ramp_s="ramp", hold_s="hold", release_s="return_s"),
            cycles=cycles, rest_s=0.0 if v["rest"] is None else v["rest"],
            preceding=preceding, after=after,
        )  # fmt: skip
    if v["pull"] is not None:
        pulling = tuple(n for n, c in DEVICES.items() if c.pulls)
        raise ParameterError(
            f"--pull needs a traction device; device {device.name!r} does not pull "
            f"(allowed: --device {' or '.join(pulling)})"
        )
    angle = v["angle"] if angle_given or device.hang_deg is None else device.hang_deg
    if cycles > 1 or v["rest"] is not None:
        if v["return_s"] is not None:
            raise ParameterError("--return cannot be combined with --rest or --cycles above 1")
        if device.hang_deg is not None and v["rest"]:
            raise ParameterError(
                f"--rest = {v['rest']:g}: on device {device.name!r} the body hangs at "
                f"{device.hang_deg:g} deg and cannot rest flat between cycles; allowed: "
                "--rest 0 (the cycles follow each other) or the device 'table'"
            )
        # a hanging device cannot hold the body flat: its cycles follow each other
        rest = (60.0 if device.hang_deg is None else 0.0) if v["rest"] is None else v["rest"]
        return Protocol.intermittent(
            angle, cycles, **_given(v, ramp_s="ramp", hold_s="hold"), rest_s=rest,
            preceding=preceding, after=after,
        )  # fmt: skip
    return Protocol.inversion(
        angle, **_given(v, ramp_s="ramp", hold_s="hold", return_s="return_s"),
        preceding=preceding, after=after,
    )  # fmt: skip


def _given(v: dict, **arguments: str) -> dict[str, float]:
    """The protocol constructor's ``arguments`` whose options (``v[option]``) were given:
    the others keep the constructor's defaults."""
    return {name: v[option] for name, option in arguments.items() if v[option] is not None}


def _default(constructor, argument: str) -> float:
    """Default of ``argument`` of a :class:`Protocol` constructor."""
    return inspect.signature(constructor).parameters[argument].default


def _device_options(device: str, items: list[str]) -> dict[str, object]:
    """``NAME=VALUE`` strings as options of ``device``: true/false as booleans, numbers as
    floats, anything else as text (validated by the device)."""
    options: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--option {item!r}: write NAME=VALUE, e.g. hand_support=0.3")
        if name in options:
            raise ParameterError(f"--option {item!r}: {name} is given twice")
        if name == "friction_static":
            where = (
                "set the static backrest friction with --friction"
                if DEVICES[device].has_backrest
                else f"device {device!r} has no backrest, so no friction; its options: "
                f"{device_options(device)}"
            )
            raise ParameterError(f"--option {item!r}: {where}")
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            options[name] = lowered == "true"
            continue
        try:
            options[name] = float(text)
        except ValueError:
            options[name] = text.strip()
    return options


def _check_output(out: Path | None) -> None:
    """Fail before the simulation if ``--out`` cannot be written."""
    if out is None:
        return
    missing = [m for m in ("xarray", "h5netcdf") if importlib.util.find_spec(m) is None]
    if missing:
        raise ParameterError(f"--out needs {' and '.join(missing)}: pip install 'spinesim[io]'")
    check_result_output(out, "--out")


#: What the report of a ``--sham`` run says it is.
SHAM_NOTE = "control (--sham): the session's phases and times with the device flat and no pull"


def _report(result: Result, *, as_json: bool, sham: bool) -> None:
    if as_json:
        print(json.dumps({"sham": sham, **result.summary()}))
    else:
        print(f"{SHAM_NOTE}\n{result.summary_table()}" if sham else result.summary_table())


def _name_option(message: str) -> str:
    """Add the command-line option to a message that starts with the API's name for it: a
    parameter of :data:`_API_NAMES`, or a device's field (``InversionTable.friction_static``
    is ``--friction``, any other field ``--option field``)."""
    name = re.match(r"[\w.]*", message).group()
    owner, _, field = name.rpartition(".")
    option = _API_NAMES.get(name)
    if option is None and owner in _DEVICE_CLASSES:
        option = _API_NAMES.get(field, f"--option {field}")
    return message if option is None else f"{message} (option {option})"


def _os_error(exc: OSError) -> str:
    """``exc`` as a message: its reason, and the file it concerns if it names one."""
    reason = exc.strerror or str(exc)
    return reason if exc.filename is None else f"{reason}: {exc.filename}"


def _fail(message: str, status: int) -> int:
    print(f"spinesim: error: {message}", file=sys.stderr)
    return status
