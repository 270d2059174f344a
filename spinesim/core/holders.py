"""Holders (ankle holder, pads, harness, seat, feet) are fastened where the body is when
they start to act: a harness is strapped on the body as it hangs, not where it was at
assembly. A holder acts in the phase kinds its ``B_RELEASE_*`` columns do not release.
Likewise a body that lies down after standing or sitting lies onto the support from
where it was (:func:`place_on_support`)."""

from __future__ import annotations

import math

from spinesim._numba import jit
from spinesim.core.layout import (
    B_ANCHOR_FIXED_ANGLE,
    B_ANCHOR_K,
    B_ANCHOR_K_ROT,
    B_ANCHOR_LX,
    B_ANCHOR_LY,
    B_ANCHOR_PHI,
    B_ANCHOR_X,
    B_ANCHOR_Y,
    B_CONTACT_X,
    B_CONTACT_Y,
    B_K_NORMAL,
    B_RELEASE_DEVICE,
    BLOCK,
    G_SMOOTH,
    K_LYING,
    P_KIND,
    S_PHI,
    S_X,
    S_Y,
)
from spinesim.core.mechanics import (
    body_point,
    body_trig,
    contact_spring,
    contact_tilt,
    on_feet,
    table_side,
)


@jit
def is_held(body, i, kind):
    """True if body ``i`` has a holder (a translational or a rotational anchor spring)
    that acts in phases of kind ``kind``."""
    has_anchor = body[i, B_ANCHOR_K] > 0.0 or body[i, B_ANCHOR_K_ROT] > 0.0
    return body[i, B_RELEASE_DEVICE + kind] == 0.0 and has_anchor


@jit
def starting_holders(body, protocol, k, mask):
    """Mark in ``mask`` the holders that act from knot ``k`` on but not just before it (before
    the first knot: lying, as the model settled); True if there is any."""
    kind = int(protocol[k, P_KIND])
    before = K_LYING if k == 0 else int(protocol[k - 1, P_KIND])
    found = False
    for i in range(body.shape[0]):
        mask[i] = is_held(body, i, kind) and not is_held(body, i, before)
        found = found or mask[i]
    return found


@jit
def strap_on(body, y, mask):
    """Fasten the holders of the bodies marked in ``mask`` where the body is in state ``y``:
    each anchor's point on the device and (unless ``B_ANCHOR_FIXED_ANGLE``) its reference
    angle take the body's current pose."""
    for i in range(body.shape[0]):
        if mask[i]:
            b = i * BLOCK
            c = math.cos(y[b + S_PHI])
            s = math.sin(y[b + S_PHI])
            lx = body[i, B_ANCHOR_LX]
            ly = body[i, B_ANCHOR_LY]
            body[i, B_ANCHOR_X] = y[b + S_X] + c * lx - s * ly
            body[i, B_ANCHOR_Y] = y[b + S_Y] + s * lx + c * ly
            if body[i, B_ANCHOR_FIXED_ANGLE] == 0.0:
                body[i, B_ANCHOR_PHI] = y[b + S_PHI]


@jit
def lies_down(protocol, k):
    """True if knot ``k`` starts a lying phase right after an upright or sitting one: the
    body lies down onto the support from wherever it stood (:func:`place_on_support`)."""
    if k == 0:
        return False
    before = int(protocol[k - 1, P_KIND])
    return int(protocol[k, P_KIND]) == K_LYING and on_feet(before)


@jit
def place_on_support(body, y, glob, kind):
    """Shift the body in state ``y`` normal to the support until its deepest contact point
    at most touches it. Standing or sitting the support does not act, and where the body
    stood need not be clear of its plane: beside a traction table the standing pelvis lay
    98 mm inside it, so that lying down shot the body off the table at up to 1.5 m/s (and
    with a contact stiffer than 5 mm of indentation took 10^4 to 10^5 steps, or failed).
    A rigid shift loads nothing; the holders that act in phases of ``kind`` move with the
    body."""
    n_body = body.shape[0]
    side = table_side(glob)
    cs = body_trig(y, n_body)
    deepest = 0.0
    for i in range(n_body):
        if body[i, B_K_NORMAL] > 0.0:
            _, py, _, _, _, _ = body_point(y, i, cs, body[i, B_CONTACT_X], body[i, B_CONTACT_Y])
            tilt = contact_tilt(y, i, body, side)
            deepest = max(deepest, contact_spring(-side * py, tilt, body, i, glob[G_SMOOTH])[2])
    if deepest > 0.0:
        for i in range(n_body):
            y[i * BLOCK + S_Y] += side * deepest
            if is_held(body, i, kind):
                body[i, B_ANCHOR_Y] += side * deepest
