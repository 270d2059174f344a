"""Picture and movie files written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from spinesim._files import atomic_output
from spinesim.errors import ParameterError

__all__ = ["atomic_output", "check_output"]


def check_output(path: str | os.PathLike, suffixes: tuple[str, ...], option: str = "path") -> Path:
    """``path`` as a :class:`Path` if it names a writable file with one of ``suffixes``;
    otherwise :class:`ParameterError` naming ``option``."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ParameterError(f"{option} = {str(path)!r} must end in one of {suffixes}")
    if path.is_dir():
        raise ParameterError(f"{option} = {str(path)!r} is a directory; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise ParameterError(f"{option} = {str(path)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ParameterError(
            f"{option} = {str(path)!r}: the folder {str(folder)!r} is not writable"
        )
    return path
