"""Which build of spinesim computed a result: a fingerprint of its code and data tables.

The version number stays the same while the model changes during development (a default
parameter re-fitted, a data table corrected, a law added to the kernel). A sweep that is
interrupted and resumed by such a changed build would mix cases of two models in one
dataset; its store therefore records :func:`build_fingerprint` and a resume by another
build is refused (:mod:`spinesim.sweeps.store`).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
#: The files whose content decides a simulation's numbers besides its inputs: the whole
#: package's Python source (defaults, assembly, kernels, sweeps) and its data tables.
_SOURCES = ("**/*.py", "data/*")


@functools.cache
def build_fingerprint() -> str:
    """16 hex digits of a SHA-256 over the package's source and data files (names and
    contents, in sorted order); computed once per process."""
    digest = hashlib.sha256()
    files = {path for pattern in _SOURCES for path in _PACKAGE.glob(pattern) if path.is_file()}
    for path in sorted(files):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
