"""Smoke test of the solver comparisons (tiny chain, short session): every peer solves the
same equations as spinesim and agrees with the tight reference. MuJoCo and OpenSim are
optional (``pip install spinesim[peers]``); without them their checks are skipped."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L
from spinesim.errors import ParameterError
from spinesim.model import GRAVITY, spine_section
from spinesim.peers import accuracy, lower_bound, scipy_reference
from spinesim.peers import chain as C
from spinesim.peers.compilation import first_solve_seconds
from spinesim.peers.matching import cheaper_tolerance, fewest_steps, loosest_tolerance
from spinesim.solver import SolverOptions, run

SESSION = C.TractionSession(6.0, ramp_s=1.0, sample_s=0.25)
TIGHT = SolverOptions(rtol=1e-9, atol_m=1e-11)


@pytest.fixture(scope="module")
def chain():
    return C.uniform_chain(4)


@pytest.fixture(scope="module")
def reference(chain):
    states, _ = run(C.build_model(chain), SESSION.knots(), SESSION.sample_times(), TIGHT)
    return C.axial_positions(states)


def test_hanging_state_is_the_static_equilibrium(chain):
    """Without traction the chain stays where it starts, and its joints carry the weight
    beyond them: the start state is the equilibrium every engine starts from."""
    model = C.build_model(chain)
    knots = SESSION.knots()
    knots[:, L.P_TONE] = 0.0  # no traction
    states, _ = run(model, knots, SESSION.sample_times(), TIGHT)
    np.testing.assert_allclose(states[-1], model.y0, atol=1e-9)
    x = C.hanging_positions(chain)
    top_opening = x[-1] - x[-2] - chain.spacing[-1]
    assert top_opening == pytest.approx(chain.mass[-1] * GRAVITY / chain.k_axial[-1], rel=1e-12)


def test_traction_opens_every_joint_by_force_over_stiffness(chain, reference):
    """Mid-hold the joints are in quasi-static equilibrium: each opens by F / k beyond its
    hanging opening (the reference is a physical solution, not just a converged one)."""
    hold = np.searchsorted(SESSION.sample_times(), 0.5 * SESSION.duration_s)
    extra = np.diff(reference[hold]) - np.diff(reference[0])
    np.testing.assert_allclose(extra, chain.traction_N / chain.k_axial, rtol=1e-6)


@pytest.mark.parametrize("method", scipy_reference.METHODS)
def test_scipy_agrees_with_the_reference(chain, reference, method):
    model = C.build_model(chain)
    atol = SolverOptions(atol_m=1e-10).absolute_tolerances(chain.n_body)
    states = scipy_reference.solve(
        model, SESSION.knots(), SESSION.sample_times(), method, 1e-8, atol
    )
    assert C.position_error(C.axial_positions(states), reference) < 1e-7


def test_lsodas_banded_jacobian_holds_the_sparse_one():
    """LSODA's packed banded Jacobian has every entry of the block-tridiagonal one, in
    row ``HALF_BAND + i - j`` of column ``j``, and nothing else."""
    model = spine_section(spinesim.spine_model(), "pelvis", "L1")
    knots = SESSION.knots()
    y = model.y0 + 1e-4 * np.sin(np.arange(model.y0.size))  # not an equilibrium
    sparse = scipy_reference.block_jacobian(model, knots, 1)(0.5, y).toarray()
    packed = scipy_reference.block_jacobian(model, knots, 1, banded=True)(0.5, y)
    band = scipy_reference.HALF_BAND
    rows, cols = np.nonzero(packed)
    unpacked = np.zeros_like(sparse)
    unpacked[rows - band + cols, cols] = packed[rows, cols]
    assert np.count_nonzero(sparse) > 10 * model.n_body
    np.testing.assert_array_equal(unpacked, sparse)


def test_mujoco_chain_agrees_with_the_reference(chain, reference):
    pytest.importorskip("mujoco", reason="MuJoCo not installed: pip install 'spinesim[peers]'")
    from spinesim.peers import mujoco_chain

    def error(n_sub: int) -> float:
        positions = mujoco_chain.simulate(chain, SESSION, SESSION.sample_s / n_sub)
        return C.position_error(positions, reference)

    coarse, fine = error(128), error(512)
    assert fine < 1e-6
    assert 2.0 < coarse / fine < 8.0  # first-order convergence to the same solution
    assert error(16) == math.inf  # beyond the explicit springs' stability limit


def test_opensim_chain_agrees_with_the_reference(chain, reference):
    pytest.importorskip("opensim", reason="OpenSim not installed: pip install 'spinesim[peers]'")
    from spinesim.peers import opensim_chain

    positions = opensim_chain.simulate(chain, SESSION, 1e-8)
    assert C.position_error(positions, reference) < 1e-6


def test_matching_finds_the_cheapest_setting():
    """Against a model error law (error ~ tol, error ~ 1 / steps) the search returns the
    loosest tolerance and the fewest steps that meet the target."""
    tol = loosest_tolerance(lambda t: 0.3 * t, 1e-6)
    assert tol.setting == pytest.approx(10**-5.5) and tol.error_m <= 1e-6
    steps = fewest_steps(lambda n: 1e-3 / n if n > 5 else math.inf, 1e-6)
    assert steps.setting == pytest.approx(1000, abs=16) and steps.error_m <= 1e-6


def test_cheaper_tolerance_keeps_a_tighter_setting_only_if_it_is_faster():
    """Cost falls from 1e-3 to 10**-3.5 (a tighter tolerance can be cheaper, as for an
    implicit method struggling at a loose one), then rises; errors fall throughout."""
    cost = {10**-3.0: 0.02, 10**-3.5: 0.0, 10**-4.0: 0.02}

    def run(tol):
        time.sleep(cost[tol])
        return tol

    def error_of(tol):
        return 0.3 * tol

    loose = loosest_tolerance(error_of, 1e-3, tolerances=tuple(cost))
    assert loose.setting == 1e-3
    match, timing = cheaper_tolerance(run, error_of, loose, 1e-3, 2, 0, tuple(cost))
    assert match.setting == 10**-3.5 and timing.best_s < 0.01
    slow_tighter = {10**-3.0: 0.0, 10**-3.5: 0.02}
    match, _ = cheaper_tolerance(
        lambda tol: time.sleep(slow_tighter[tol]), lambda _: 0.0, loose, 1e-3, 2, 0,
        tuple(slow_tighter),
    )  # fmt: skip
    assert match.setting == 1e-3


def test_cheaper_tolerance_times_the_timed_run_and_measures_the_error_of_run():
    """The error comes from ``run`` (e.g. finely sampled output), the time from
    ``timed_run`` (the session's usual output)."""
    measured = []

    def run(tol):
        measured.append(tol)
        return tol

    def slow(tol):
        time.sleep(0.02 if tol == 1e-3 else 0.04)

    loose = loosest_tolerance(lambda tol: 0.3 * tol, 1e-3, tolerances=(1e-3, 1e-4))
    match, timing = cheaper_tolerance(
        run, lambda tol: 0.3 * tol, loose, 1e-3, 2, 0, (1e-3, 1e-4), timed_run=slow
    )
    assert measured == [1e-4]  # the tighter candidate's error; none of the timed runs
    assert timing.best_s >= 0.02 and match.setting == 1e-3  # the faster of the two


def test_sizes_are_sections_of_the_spine(default_model):
    model = default_model
    lumbar = spine_section(model, *C.SIZES["lumbar"])
    assert lumbar.body_names == ("pelvis", "L5", "L4", "L3", "L2", "L1")
    assert lumbar.levels == ("L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2")
    assert lumbar.body[0, L.B_ANCHOR_K] > 0.0  # held by an anchor
    assert C.anatomical_chain("thoracolumbar").n_body == 18
    with pytest.raises(ParameterError, match="last"):
        spine_section(model, "L1", "pelvis")
    with pytest.raises(ParameterError, match="size"):
        C.anatomical_chain("cervical")


def test_match_tolerance_meets_the_target_on_the_chain(chain):
    """The benchmark's search on the tiny chain: the setting found meets the target
    against the tight reference, and the next looser one on its grid does not."""
    session = C.TractionSession(6.0, ramp_s=1.0, sample_s=0.25)
    error_of = accuracy.chain_error(accuracy.chain_reference(chain, session))
    states = accuracy.spinesim_states(C.build_model(chain), session.knots(), session.sample_times())
    target = 1e-7
    match = accuracy.match_tolerance(states, error_of, target)
    assert match.error_m <= target
    assert error_of(states(match.setting * 10**0.5)) > target


def test_spine_error_is_zero_at_the_reference_and_grows_with_the_tolerance(default_model):
    model = spine_section(default_model, "pelvis", "L1")
    knots, _ = C.inversion_session(30.0)
    times = np.linspace(0.0, 30.0, 7)
    error_of = accuracy.spine_error(model, knots, times)
    states = accuracy.spinesim_states(model, knots, times)
    assert error_of(states(accuracy.REFERENCE.rtol)) < 1e-9
    assert 0.0 < error_of(states(1e-6)) < error_of(states(1e-3))


def test_the_lower_bound_counts_and_times_every_primitive(default_model):
    """Flop counts grow linearly with the bodies; every primitive's timed cost is positive
    and a block solve costs less than a factorisation."""
    flops = [lower_bound.step_flops(n) for n in (10, 20, 30)]
    assert flops[2] - flops[1] == flops[1] - flops[0] > 0
    knots, _ = C.inversion_session(60.0)
    seconds = lower_bound.primitive_seconds(default_model, knots, 5.0, repeats=20)
    assert set(seconds) == {"rhs", "jacobian", "factorization", "block_solve"}
    assert all(0.0 < s < 1e-2 for s in seconds.values())
    assert seconds["block_solve"] < seconds["factorization"]


def test_first_solve_probe_loads_the_cached_kernels():
    """With the on-disk cache the earlier tests filled, a new process imports and solves
    without compiling: well under the cold compile's 18 s (docs/performance.md)."""
    assert 0.0 < first_solve_seconds() < 10.0
