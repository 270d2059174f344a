"""Comparisons with other solvers and engines on the same equations.

:mod:`~spinesim.peers.chain` defines the one model every engine can express (a planar
chain of rigid bodies joined by linear Kelvin-Voigt joints, hanging head-down under a
traction load) and builds it for spinesim; :mod:`~spinesim.peers.scipy_reference`,
:mod:`~spinesim.peers.mujoco_chain` and :mod:`~spinesim.peers.opensim_chain` integrate it
(or, for scipy, any spinesim model) with the peers; :mod:`~spinesim.peers.matching` finds
each engine's cheapest setting that meets an accuracy target. MuJoCo and OpenSim are
optional (``pip install spinesim[peers]``) and imported only when used.
"""

from __future__ import annotations

from types import ModuleType

from spinesim._optional import import_optional


def import_peer(module: str) -> ModuleType:
    """Import the optional peer engine ``module`` (``"mujoco"``, ``"opensim"``), or raise
    an ImportError that says how to install it."""
    return import_optional(module, "peers", f"the comparison with {module}")
