"""Compilation, separate from warm runs: import and first solve in a new process with an
empty Numba cache (cold: every kernel compiles) and with the on-disk cache (cached).

Run: ``python -m pytest benchmarks --benchmark-only -k first_solve``.
"""

from __future__ import annotations

from spinesim.peers.compilation import first_solve_seconds


def test_first_solve_cold(benchmark, tmp_path_factory):
    def empty_cache():
        return (str(tmp_path_factory.mktemp("numba-cache")),), {}

    seconds = benchmark.pedantic(first_solve_seconds, setup=empty_cache, rounds=2)
    assert seconds > 0.0


def test_first_solve_cached(benchmark):
    first_solve_seconds()  # fills the on-disk cache if it is empty
    seconds = benchmark.pedantic(first_solve_seconds, rounds=5)
    assert seconds > 0.0
