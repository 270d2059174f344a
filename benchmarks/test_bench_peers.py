"""Same-run comparisons at matched accuracy: the linear chain of the full spine over a
10-minute traction session (spinesim, scipy, MuJoCo, OpenSim) and the full non-linear spine
over a 10-minute inversion session (spinesim, scipy). Each engine is first tuned to its
cheapest setting within ``TARGET_ERROR_M`` of the tight reference (spinesim.peers.accuracy),
then timed at it; compare the benchmarks' means. The peers are optional extras
(``pip install spinesim[peers]``); without them their benchmarks are skipped.

Run: ``python -m pytest benchmarks --benchmark-only -k peers`` (several minutes: the
settings are searched first; MuJoCo's fixed step makes each of its rounds ~20-60 s).
"""

from __future__ import annotations

import pytest

import spinesim
from spinesim.peers import accuracy, scipy_reference
from spinesim.peers import chain as C

SESSION = C.TractionSession(600.0, sample_s=0.5)


@pytest.fixture(scope="module")
def chain():
    return C.anatomical_chain("full")


@pytest.fixture(scope="module")
def chain_problem(chain):
    """Model, knots, times and the error function of the chain session."""
    reference = accuracy.chain_reference(chain, SESSION)
    model = C.build_model(chain)
    return (
        model,
        SESSION.knots(),
        SESSION.sample_times(),
        accuracy.chain_error(reference),
        reference,
    )


@pytest.fixture(scope="module")
def spine_problem():
    model = spinesim.spine_model()
    knots, times = C.inversion_session(600.0)
    return model, knots, times, accuracy.spine_error(model, knots, times)


def bench_at_matched_tolerance(benchmark, states, error_of, rounds):
    match = accuracy.match_tolerance(states, error_of)
    result = benchmark.pedantic(states, args=(match.setting,), rounds=rounds, warmup_rounds=1)
    benchmark.extra_info.update(tolerance=match.setting, error_m=match.error_m)
    assert error_of(result) <= C.TARGET_ERROR_M


@pytest.mark.parametrize("problem", ["chain", "spine"])
def test_peers_spinesim(benchmark, problem, chain_problem, spine_problem):
    model, knots, times, error_of = chain_problem[:4] if problem == "chain" else spine_problem
    states = accuracy.spinesim_states(model, knots, times)
    bench_at_matched_tolerance(benchmark, states, error_of, rounds=10)


@pytest.mark.parametrize("method", scipy_reference.METHODS)
@pytest.mark.parametrize("problem", ["chain", "spine"])
def test_peers_scipy(benchmark, problem, method, chain_problem, spine_problem):
    model, knots, times, error_of = chain_problem[:4] if problem == "chain" else spine_problem
    states = accuracy.scipy_states(model, knots, times, method)
    bench_at_matched_tolerance(benchmark, states, error_of, rounds=3)


def test_peers_mujoco(benchmark, chain, chain_problem):
    pytest.importorskip("mujoco", reason="MuJoCo not installed: pip install 'spinesim[peers]'")
    from spinesim.peers import mujoco_chain

    match = accuracy.match_mujoco_step(chain, SESSION)
    positions = benchmark.pedantic(
        mujoco_chain.simulate, args=(chain, SESSION, match.setting), rounds=1
    )
    error = C.position_error(positions, chain_problem[4])
    benchmark.extra_info.update(timestep_s=match.setting, error_m=error)
    assert error <= C.TARGET_ERROR_M


def test_peers_opensim(benchmark, chain, chain_problem):
    pytest.importorskip("opensim", reason="OpenSim not installed: pip install 'spinesim[peers]'")
    from spinesim.peers import opensim_chain

    reference = chain_problem[4]
    match = accuracy.match_opensim_accuracy(chain, SESSION, reference)
    positions = benchmark.pedantic(
        opensim_chain.simulate, args=(chain, SESSION, match.setting), rounds=2
    )
    benchmark.extra_info.update(accuracy=match.setting, error_m=match.error_m)
    assert C.position_error(positions, reference) <= C.TARGET_ERROR_M
