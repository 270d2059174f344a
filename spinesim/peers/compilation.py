"""Compilation cost: import and first solve in a fresh process, with a cold or warm cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import spinesim

_FIRST_SOLVE = """
import time
t0 = time.perf_counter()
from spinesim.peers import chain as C
from spinesim.solver import SolverOptions, run
chain = C.uniform_chain(4)
session = C.TractionSession(30.0)
run(C.build_model(chain), session.knots(), session.sample_times(), SolverOptions())
print(time.perf_counter() - t0)
"""


def first_solve_seconds(cache_dir: str | None = None) -> float:
    """Seconds from ``import spinesim`` to the end of a first solve, in a new process.

    ``cache_dir``: an empty directory makes Numba compile every kernel (cold); ``None``
    uses the usual on-disk cache (cached, once any process has compiled).
    """
    package_root = str(Path(spinesim.__file__).resolve().parents[1])
    paths = [package_root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))  # no empty entry (the cwd)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_SOLVE], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"the first-solve probe failed:\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])
