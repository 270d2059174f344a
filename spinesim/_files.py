"""Output files: checked before any work, written whole or not at all."""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from spinesim.errors import ParameterError, check_type


def path_argument(text: str) -> Path:
    """A command-line path (``argparse`` type): an empty one is refused, where ``Path("")``
    would silently name the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is empty; give a path")
    return Path(text)


def check_output(
    path: str | os.PathLike,
    suffixes: tuple[str, ...] | None = None,
    option: str = "path",
    *,
    folder: bool = False,
) -> Path:
    """``path`` as a :class:`Path` if it names a file (with one of ``suffixes``, if given)
    that can be written: not a folder, in a folder that exists and is writable; otherwise
    :class:`ParameterError` naming ``option``. With ``folder``, ``path`` names an output
    that is a folder itself (a Zarr store), which may exist already (to be resumed)."""
    check_type(option, path, (str, os.PathLike))
    if not str(path).strip():
        raise ParameterError(f"{option} = {str(path)!r} is empty; give a file name")
    path = Path(path)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise ParameterError(
            f"{option} = {str(path)!r} must name a {'path' if folder else 'file'} ending in one "
            f"of {suffixes}"
        )
    if not folder and path.is_dir():
        raise ParameterError(f"{option} = {str(path)!r} is a directory; give a file name")
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise ParameterError(f"{option} = {str(path)!r}: {str(parent)!r} is a file, not a folder")
    if not parent.is_dir():
        raise ParameterError(f"{option} = {str(path)!r}: the folder {str(parent)!r} does not exist")
    try:  # create a file there, as the writer will: a permission check alone misses /proc
        handle, probe = tempfile.mkstemp(prefix=temporary_prefix(path, "probe"), dir=parent)
    except OSError as error:
        raise ParameterError(
            f"{option} = {str(path)!r}: the folder {str(parent)!r} is not writable "
            f"({error.strerror})"
        ) from None
    os.close(handle)
    os.unlink(probe)
    return path


def temporary_prefix(path: Path, kind: str) -> str:
    """Name start of this process's temporary files or folders of kind ``kind`` for
    ``path``: ``.<name>.<kind>-<pid>-`` beside it (hidden; the process id tells
    :func:`remove_stale_temporaries` whether its writer is still running)."""
    return f".{path.name}.{kind}-{os.getpid()}-"


def remove_stale_temporaries(path: Path, kind: str) -> None:
    """Remove the temporaries of kind ``kind`` for ``path`` whose process is gone (killed
    midway), also those of a writer that wrote into one of them (``spinesim render`` draws
    into its own temporary file, which the drawing writes atomically in turn); those of
    running processes and of other targets are left alone."""
    for start in (f".{path.name}.{kind}-", f"..{path.name}.{kind}-"):
        for stale in (path.parent or Path(".")).glob(glob.escape(start) + "*"):
            pid = stale.name[len(start) :].split("-", 1)[0]
            if pid.isdigit() and not _process_alive(int(pid)):
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
                else:
                    stale.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (always False where that cannot be
    asked without side effects, i.e. not on POSIX)."""
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


class InterruptedAfterWriting(KeyboardInterrupt):
    """Ctrl-C that came while a complete output was renamed into place: it is handed on
    once the output is written whole (``path``), so a caller can say so."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@contextmanager
def atomic_output(path: Path) -> Iterator[str]:
    """A temporary file name beside ``path`` (same folder, same suffix), renamed onto
    ``path`` with the permissions of a new file once the block completes; removed if the
    block fails or is interrupted, so neither a partial file nor a changed ``path`` is left.
    The file's data and then the rename are flushed to disk (``fsync``), so that a power
    loss does not leave an empty or truncated file under ``path`` either. Ctrl-C during
    the rename and its flush waits for them and is then raised as
    :class:`InterruptedAfterWriting`. A temporary file of ``path`` left by a process that
    was killed (SIGKILL, power loss) is removed."""
    remove_stale_temporaries(path, "part")
    folder = path.parent or Path(".")
    fd, tmp = tempfile.mkstemp(
        prefix=temporary_prefix(path, "part"), suffix=path.suffix, dir=folder
    )
    os.close(fd)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        _fsync(tmp)
        try:
            with interrupts_deferred():  # no interrupt between the rename and its flush
                os.replace(tmp, path)
                try:
                    _fsync(folder)
                except OSError:  # some platforms (Windows) cannot open a folder
                    pass
        except KeyboardInterrupt as exc:
            if os.path.exists(tmp):  # came before the deferral began: nothing is written
                raise
            raise InterruptedAfterWriting(path) from exc  # held off until the file was whole
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT), and SIGTERM where a Python handler takes it (the command line
    turns it into an interrupt), off until the block has finished, then hand the first to
    the handler it would have reached (Python's default raises :class:`KeyboardInterrupt`;
    an ignored SIGINT stays ignored): for writes that must not be cut in the middle (a
    library's half-written chunk, its pending tasks). Only the main thread receives
    signals, and a handler not installed from Python cannot be restored; there the block
    runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        signum: signal.getsignal(signum)
        for signum in (signal.SIGINT, signal.SIGTERM)
        if _deferrable(signum, signal.getsignal(signum))
    }
    caught: list[tuple[int, FrameType | None]] = []
    for signum in previous:
        signal.signal(signum, lambda number, frame: caught.append((number, frame)))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught:
        signum, frame = caught[0]
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        else:  # SIG_DFL of SIGINT: what Ctrl-C does without Python's handler
            raise KeyboardInterrupt


def _deferrable(signum: int, handler: Any) -> bool:
    """Whether :func:`interrupts_deferred` holds ``signum`` (whose handler is ``handler``)
    off: SIGINT unless it is ignored or its handler was not installed from Python, SIGTERM
    only where a Python handler takes it (its default ends the process at once)."""
    if signum == signal.SIGINT:
        return handler is not None and handler != signal.SIG_IGN
    return callable(handler)


def _fsync(path: str | Path) -> None:
    """Flush a file's or a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
