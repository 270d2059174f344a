"""Every engine as a function of its accuracy setting, and its setting at matched accuracy.

Used by ``docs/make_performance.py`` and ``benchmarks/test_bench_peers.py``. spinesim and
scipy share their error weights: relative tolerance ``tol`` and absolute position
tolerance ``tol * ATOL_PER_RTOL`` (m), the other states scaled as in
:meth:`spinesim.solver.SolverOptions.absolute_tolerances`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from spinesim.peers import chain as C
from spinesim.peers import scipy_reference
from spinesim.peers.matching import Match, fewest_steps, loosest_tolerance, planar_positions
from spinesim.solver import SolverOptions, run

if TYPE_CHECKING:
    from spinesim.model import Model

#: The tight reference every engine's error is measured against.
REFERENCE = SolverOptions(rtol=2e-10, atol_m=2e-12)
#: Absolute position tolerance (m) per unit of relative tolerance.
ATOL_PER_RTOL = 1e-2


def spinesim_options(tol: float) -> SolverOptions:
    return SolverOptions(rtol=tol, atol_m=tol * ATOL_PER_RTOL)


def spinesim_states(
    model: Model, knots: np.ndarray, times: np.ndarray
) -> Callable[[float], np.ndarray]:
    """``states(tol)``: spinesim's states at ``times`` at tolerance ``tol``."""
    return lambda tol: run(model, knots, times, spinesim_options(tol))[0]


def scipy_states(
    model: Model, knots: np.ndarray, times: np.ndarray, method: str
) -> Callable[[float], np.ndarray]:
    """``states(tol)``: scipy ``method``'s states at ``times`` at tolerance ``tol``."""

    def states(tol: float) -> np.ndarray:
        atol = spinesim_options(tol).absolute_tolerances(model.n_body)
        return scipy_reference.solve(model, knots, times, method, tol, atol)

    return states


def match_tolerance(
    states: Callable[[float], np.ndarray],
    error_of: Callable[[np.ndarray], float],
    target_m: float = C.TARGET_ERROR_M,
) -> Match:
    """The loosest tolerance whose states' error meets ``target_m``."""
    return loosest_tolerance(lambda tol: error_of(states(tol)), target_m)


def chain_reference(chain: C.Chain, session: C.TractionSession) -> np.ndarray:
    """Tight-reference positions along ``chain`` at ``session``'s sample times."""
    model = C.build_model(chain)
    return C.axial_positions(run(model, session.knots(), session.sample_times(), REFERENCE)[0])


def chain_error(reference: np.ndarray) -> Callable[[np.ndarray], float]:
    """``error_of(states)``: largest axial position error (m) of a chain's states against
    ``reference`` (from :func:`chain_reference`)."""
    return lambda states: C.position_error(C.axial_positions(states), reference)


def spine_error(
    model: Model, knots: np.ndarray, times: np.ndarray
) -> Callable[[np.ndarray], float]:
    """``error_of(states)``: largest in-plane body position error (m) against spinesim at
    :data:`REFERENCE` tolerances on the same session."""
    reference = planar_positions(run(model, knots, times, REFERENCE)[0])
    return lambda states: float(np.abs(planar_positions(states) - reference).max())


def match_mujoco_step(
    chain: C.Chain, session: C.TractionSession, target_m: float = C.TARGET_ERROR_M
) -> Match:
    """MuJoCo's largest time step (``Match.setting``, s) meeting ``target_m``.

    The search runs on a session with the same ramps and a hold as long as one ramp: the
    hold adds no error (the static equilibrium is a fixed point of the integrator), so the
    step carries over to longer holds. The error is that of the short session.
    """
    from spinesim.peers import mujoco_chain

    short = C.TractionSession(3.0 * session.ramp_s, session.ramp_s, session.sample_s)
    reference = chain_reference(chain, short)

    def error(n_sub: int) -> float:
        positions = mujoco_chain.simulate(chain, short, short.sample_s / n_sub)
        return C.position_error(positions, reference)

    match = fewest_steps(error, target_m)
    return Match(session.sample_s / match.setting, match.error_m)


def match_opensim_accuracy(
    chain: C.Chain,
    session: C.TractionSession,
    reference: np.ndarray,
    target_m: float = C.TARGET_ERROR_M,
) -> Match:
    """OpenSim's loosest CPodes accuracy meeting ``target_m`` over ``session``."""
    from spinesim.peers import opensim_chain

    def error(tol: float) -> float:
        return C.position_error(opensim_chain.simulate(chain, session, tol), reference)

    return loosest_tolerance(error, target_m)
