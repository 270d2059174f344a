"""Settling: an assembled model's starting state, the body lying flat on the support.

A model is assembled in its rest pose (:mod:`spinesim.model`, :mod:`spinesim.assembly`),
which gravity and the support do not hold in balance; :func:`settled` lets it lie for
:data:`SETTLE_S` first, so that every simulation starts from rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from spinesim.cases import Case, run_cases
from spinesim.core import layout as L
from spinesim.core.holders import strap_on
from spinesim.errors import SolverError
from spinesim.model import Model
from spinesim.properties import MuscleProperties
from spinesim.protocol import Phase, Protocol
from spinesim.solver import SolverOptions

#: Lying time (s) over which an assembled spine settles onto the backrest at 0 deg.
SETTLE_S = 30.0


def settled(model: Model, duration_s: float = SETTLE_S) -> Model:
    """``model`` with ``y0`` replaced by its state after lying flat for ``duration_s``.

    The body settles as in bed, without friction (as if lying down without dragging the
    skin), so no friction is locked in; the skin's bristles start undeflected. Holders that
    do not act lying (a chest harness, the seat) are then fastened where the body lies. The settle
    runs at the default :class:`SolverOptions`, whatever a later simulation uses.
    """
    return settle_models([model], duration_s)[0]


def settle_models(models: Sequence[Model], duration_s: float = SETTLE_S) -> list[Model]:
    """:func:`settled` for many models of the same bodies at once (in parallel)."""
    knots = Protocol((Phase(duration_s, 0.0, 0.0, kind="lying"),)).knots(MuscleProperties())
    end = np.array([duration_s])
    cases = [Case(k, knots, end, 0) for k in range(len(models))]
    outputs = run_cases(models, cases, SolverOptions())
    settled_models = []
    for k, model in enumerate(models):
        try:
            outputs.raise_on_failure(k)
        except SolverError as exc:
            raise SolverError(
                f"settling the model lying flat ({duration_s:g} s before the protocol) failed: "
                f"{exc}",
                time_s=exc.time_s,
                status=exc.status,
            ) from None
        y = outputs.final_state[k].copy()
        y[L.S_BRISTLE :: L.BLOCK] = 0.0
        # holders that did not act lying (a harness, the seat) are fastened on the settled body
        body = model.body.copy()
        strap_on(body, y, (body[:, L.B_ANCHOR_K] > 0) & (body[:, L.B_RELEASE_LYING] > 0))
        settled_models.append(dataclasses.replace(model, body=body, y0=y))
    return settled_models
