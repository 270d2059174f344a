"""Matched accuracy: each engine's cheapest setting that meets an error target, and timing.

Variable-step engines (spinesim, scipy, OpenSim) are tuned by their tolerance: tolerances
are tried from loose to tight on a grid of half decades, and the first that meets the
target is kept. Fixed-step engines (MuJoCo) are tuned by the number of steps per sample
interval: the smallest number that meets the target (doubling, then bisection), i.e. the
largest time step that stays within the accuracy. Errors are measured against a tight
reference solution of the same equations.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from spinesim.core import layout as L

#: Tolerances tried, loose to tight: 1e-3, 3.16e-4, ..., 1e-10 (looser ones do not reach
#: micrometres on these problems, and some implicit methods crawl at them).
TOLERANCES = tuple(10.0 ** (-k / 2.0) for k in range(6, 21))


@dataclass(frozen=True)
class Match:
    """An engine's setting (tolerance, or steps per sample interval) and its error (m)."""

    setting: float
    error_m: float


def loosest_tolerance(
    error_at: Callable[[float], float],
    target_m: float,
    tolerances: Sequence[float] = TOLERANCES,
) -> Match:
    """The first of ``tolerances`` (loose to tight) whose error meets ``target_m``.

    ``error_at(tol)`` runs the engine and returns its error (m); failures count as misses
    if it returns ``inf``. Raises ``RuntimeError`` if none meets the target.
    """
    for tol in tolerances:
        error = error_at(tol)
        if error <= target_m:
            return Match(tol, error)
    raise RuntimeError(f"no tolerance down to {tolerances[-1]:g} meets {target_m:g} m")


def cheaper_tolerance(
    run: Callable[[float], object],
    error_of: Callable[[object], float],
    match: Match,
    target_m: float,
    repeats: int = 5,
    warmup: int = 1,
    tolerances: Sequence[float] = TOLERANCES,
    timed_run: Callable[[float], object] | None = None,
) -> tuple[Match, Timing]:
    """The faster of ``match`` (the loosest tolerance meeting ``target_m``) and the next
    tighter tolerance, if that meets the target too, with its timing.

    The loosest tolerance is usually, not always, the cheapest: an implicit method can do
    more Newton work or take more rejected steps at a looser one. ``run(tol)`` runs the
    engine; ``error_of`` measures its result (m). ``timed_run(tol)`` (default ``run``) is
    what is timed, e.g. the same engine with the session's usual output where ``run``
    samples more finely to measure the error: it must take the same steps as ``run`` (as
    engines whose output is interpolated between their steps do).
    """
    timed_run = run if timed_run is None else timed_run
    candidates = [match]
    k = tolerances.index(match.setting)
    if k + 1 < len(tolerances):
        error = error_of(run(tolerances[k + 1]))
        if error <= target_m:
            candidates.append(Match(tolerances[k + 1], error))
    timings = [timed(lambda c=c: timed_run(c.setting), repeats, warmup) for c in candidates]
    best = min(range(len(candidates)), key=lambda i: timings[i].best_s)
    return candidates[best], timings[best]


def fewest_steps(
    error_at: Callable[[int], float], target_m: float, start: int = 1, limit: int = 1 << 16
) -> Match:
    """The smallest number of steps ``n`` (per sample interval) with ``error_at(n) <=
    target_m``: doubling from ``start``, then bisection (errors fall as steps are added,
    and unstable runs report ``inf`` or a large error)."""
    high = start
    error = error_at(high)
    while error > target_m:
        if high >= limit:
            raise RuntimeError(f"{limit} steps per interval do not meet {target_m:g} m")
        high *= 2
        error = error_at(high)
    best = Match(high, error)
    low = high // 2 if high > start else start - 1
    while high - low > max(1, high // 64):  # 1.5 % resolution in the step size is enough
        mid = (low + high) // 2
        error = error_at(mid)
        if error <= target_m:
            high, best = mid, Match(mid, error)
        else:
            low = mid
    return best


def planar_positions(states: np.ndarray) -> np.ndarray:
    """``(n_time, n_body, 2)`` centre-of-mass positions (m) from spinesim states."""
    return np.stack((states[:, L.S_X :: L.BLOCK], states[:, L.S_Y :: L.BLOCK]), axis=-1)


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated runs: the minimum and the median."""

    best_s: float
    median_s: float
    repeats: int


def timed(run: Callable[[], object], repeats: int = 5, warmup: int = 1) -> Timing:
    """Time ``run()`` ``repeats`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        run()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return Timing(min(seconds), statistics.median(seconds), repeats)
