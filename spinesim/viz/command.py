"""``spinesim render RESULT.nc --png/--gif/--mp4 PATH``: the render command."""

from __future__ import annotations

import argparse
import importlib.util
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from spinesim._files import atomic_output, check_output, path_argument
from spinesim.errors import ParameterError, check_integer, check_number

if TYPE_CHECKING:
    from spinesim.result import Result


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register the ``render`` subcommand on the CLI's subparsers."""
    render = commands.add_parser(
        "render",
        help="draw a saved result in 3D: a picture, a GIF or an MP4",
        description=(
            "Draw the spine, its discs (coloured by a result variable), the body outline and "
            "the device of a result written by 'spinesim run --out' (needs the viz extra). "
            "With --compare, two results side by side on a common clock."
        ),
        epilog=(
            "A missing, truncated or foreign result file, or bad options, exit with status 2 "
            "and write nothing; files are written whole or not at all."
        ),
    )
    render.add_argument("result", type=path_argument, metavar="RESULT.nc", help="result file")
    render.add_argument(
        "--compare", type=path_argument, metavar="OTHER.nc", help="a second result drawn beside it"
    )
    for kind, help_text in (
        ("png", "a picture at --time"),
        ("gif", "an animation of the session"),
        ("mp4", "an animation of the session (H.264)"),
    ):
        render.add_argument(
            f"--{kind}", type=path_argument, metavar="PATH", help=f"write {help_text}"
        )
    render.add_argument(
        "--time",
        type=float,
        metavar="S",
        help="time of the --png picture, s (default: each result's own end of hold, so with "
        "--compare two sessions of different lengths are each drawn at theirs; animations "
        "show the session on one clock)",
    )
    render.add_argument("--camera", default="side", help="side, oblique or lumbar (close-up)")
    render.add_argument(
        "--color",
        default="gap_change",
        help="disc colouring: gap_change (mm), pressure (MPa), fluid_change (%%), axial_force (N)",
    )
    render.add_argument(
        "--magnify",
        type=float,
        default=1.0,
        metavar="K",
        help="multiply the discs' opening and shear by K (labelled on the picture; default 1)",
    )
    render.add_argument("--frames", type=int, default=40, help="animation frames (default 40)")
    render.add_argument("--fps", type=float, default=10.0, help="frames per second (default 10)")
    render.add_argument(
        "--size", type=_pixels, metavar="WxH", help="picture size (per result), e.g. 800x600"
    )
    render.add_argument("--no-outline", action="store_true", help="do not draw the body outline")
    render.add_argument("--no-device", action="store_true", help="do not draw the device")


def _pixels(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 800x600") from None
    return w, h


def _check_size(size: tuple[int, int], low: int, high: int) -> None:
    w, h = size
    for name, v in (("width", w), ("height", h)):
        if not low <= v <= high:
            raise ParameterError(
                f"--size = {w}x{h}: the {name}, {v} pixels, is outside the allowed range; "
                f"allowed: {low} to {high} pixels"
            )


def _load(path: Path, option: str) -> Result:
    """The result in ``path`` (given as ``option``): a folder is not a result file."""
    from spinesim.result import load_result

    if path.is_dir():
        raise ParameterError(
            f"{option} = {str(path)!r} is a directory, not a result file "
            "(one written by 'spinesim run --out')"
        )
    try:
        return load_result(path)
    except ParameterError as exc:
        if option == "RESULT.nc":  # the message names the file already
            raise
        raise ParameterError(f"{option}: {exc}") from exc


def run(args: argparse.Namespace) -> str:
    """Check every output, load the results, then draw; return the lines to report.
    Raises :class:`ParameterError` for invalid input or where nothing can be drawn."""
    from spinesim import viz  # light: PyVista is imported only to draw
    from spinesim.viz.animate import MAX_FPS, MAX_FRAMES
    from spinesim.viz.scene import CAMERAS, COLOR_BY, MAX_MAGNIFY, PIXELS

    outputs = {k: getattr(args, k) for k in ("png", "gif", "mp4") if getattr(args, k)}
    try:
        if not outputs:
            raise ParameterError("render: give at least one of --png, --gif, --mp4")
        if args.time is not None and "png" not in outputs:
            raise ParameterError("--time sets the time of the --png picture; give --png")
        for kind, path in outputs.items():
            check_output(path, (f".{kind}",), option=f"--{kind}")
        if {"gif", "mp4"} & set(outputs):  # before a picture is written
            check_integer("--frames", args.frames, 1, MAX_FRAMES)
            check_number("--fps", args.fps, 0.1, MAX_FPS)
        # the drawing options, checked here to name the options typed (the API's names differ)
        if args.camera not in CAMERAS:
            raise ParameterError(
                f"--camera = {args.camera!r} is unknown; allowed: {', '.join(CAMERAS)}"
            )
        if args.color not in COLOR_BY:
            raise ParameterError(
                f"--color = {args.color!r} is unknown; allowed: {', '.join(COLOR_BY)}"
            )
        check_number("--magnify", args.magnify, 0.0, MAX_MAGNIFY, low_open=True)
        if args.size is not None:
            _check_size(args.size, *PIXELS)
        results = [_load(args.result, "RESULT.nc")]
        if args.compare is not None:
            results.append(_load(args.compare, "--compare"))
        if args.time is not None:  # a time every result has
            start = max(float(r.time_s[0]) for r in results)
            end = min(float(r.time_s[-1]) for r in results)
            check_number("--time", args.time, start, end)
        if importlib.util.find_spec("pyvista") is None:
            raise ParameterError("render needs PyVista and VTK: pip install 'spinesim[viz]'")
        options = {
            "camera": args.camera,
            "color_by": args.color,
            "magnify": args.magnify,
            "outline_body": not args.no_outline,
            "device": not args.no_device,
        }
        if args.size is not None:
            options["window_size"] = args.size
        # All outputs or none: each is drawn into a temporary file beside it, and they are
        # renamed into place only once every one is drawn; on a failure or an interruption
        # the temporary files are removed and existing files are left as they were.
        with ExitStack() as stack:
            for kind, path in outputs.items():
                tmp = stack.enter_context(atomic_output(path))
                if kind == "png":
                    viz.render_side_by_side(results, tmp, time_s=args.time, **options)
                else:
                    viz.animate_side_by_side(
                        results, tmp, frames=args.frames, fps=args.fps, **options
                    )
    except viz.RenderingUnavailable as exc:
        raise ParameterError(f"cannot draw here: {exc}") from exc
    return "\n".join(f"wrote {path}" for path in outputs.values())
