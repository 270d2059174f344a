"""The comparison chain in OpenSim 4.6: planar joints with bushing forces.

Every body hangs on a :class:`opensim.PlanarJoint` from the previous one (body 0 from the
ground), placed at the rest spacing; a :class:`opensim.BushingForce` between the gap's
two faces (ground and body 0's centre of mass for the anchor) holds the axial, shear and
bending springs and dampers. The traction pushes every joint open with the same force, so
on the bodies it sums to a force on the last body and its opposite on body 0: two
:class:`opensim.PrescribedForce` objects following the session's ramp.

OpenSim integrates with Simbody's CPodes (variable-order, variable-step BDF with Newton
iterations), its integrator for stiff problems; its accuracy setting is what the
comparison tunes. The explicit integrators (the default Runge-Kutta-Merson) are limited by
the stiff joints' stability bound (about 90x slower than CPodes on a 3-body bushing chain,
measured on the project's machines).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spinesim.model import GRAVITY
from spinesim.peers import import_peer
from spinesim.peers.chain import Chain, TractionSession, hanging_positions


def _import_opensim():
    opensim = import_peer("opensim")
    opensim.Logger.setLevelString("Warn")  # the Manager logs every integrate() call at Info
    opensim.Logger.removeFileSink()  # no opensim.log in the user's working directory
    return opensim


def build(chain: Chain, session: TractionSession) -> Any:
    """The OpenSim model of ``chain`` under ``session``'s traction (gravity +x)."""
    osim = _import_opensim()
    vec = osim.Vec3
    model = osim.Model()
    model.setName(chain.name)
    model.setGravity(vec(GRAVITY, 0.0, 0.0))
    parent = model.getGround()
    bodies = []
    for i in range(chain.n_body):
        inertia = float(chain.inertia[i])
        body = osim.Body(f"b{i}", float(chain.mass[i]), vec(0.0), osim.Inertia(inertia))
        model.addBody(body)
        if i == 0:
            at_parent, at_child = 0.0, 0.0
            k = (chain.anchor_k, chain.anchor_k, chain.anchor_k_rot)
            c = (chain.anchor_c, chain.anchor_c, chain.anchor_c_rot)
            offset = 0.0
        else:
            j = i - 1
            at_parent = float(chain.ax[j] + 0.5 * chain.height[j])
            at_child = float(chain.bx[j] - 0.5 * chain.height[j])
            k = (chain.k_axial[j], chain.k_shear[j], chain.k_bend[j])
            c = (chain.c_axial[j], chain.c_shear[j], chain.c_bend[j])
            offset = float(chain.spacing[j])
        joint = osim.PlanarJoint(
            f"p{i}", parent, vec(offset, 0.0, 0.0), vec(0.0), body, vec(0.0), vec(0.0)
        )
        model.addJoint(joint)
        bushing = osim.BushingForce(
            f"k{i}",
            parent, osim.Transform(vec(at_parent, 0.0, 0.0)),
            body, osim.Transform(vec(at_child, 0.0, 0.0)),
            vec(0.0), vec(0.0), vec(0.0), vec(0.0),
        )  # fmt: skip
        bushing.set_translational_stiffness(vec(float(k[0]), float(k[1]), 0.0))
        bushing.set_rotational_stiffness(vec(0.0, 0.0, float(k[2])))
        bushing.set_translational_damping(vec(float(c[0]), float(c[1]), 0.0))
        bushing.set_rotational_damping(vec(0.0, 0.0, float(c[2])))
        model.addForce(bushing)
        bodies.append(body)
        parent = body
    for name, body, sign in (("pull", bodies[-1], 1.0), ("hold", bodies[0], -1.0)):
        ramp = osim.PiecewiseLinearFunction()
        for t, a in zip(session.knot_times, session.activation(session.knot_times), strict=True):
            ramp.addPoint(float(t), float(sign * chain.traction_N * a))
        force = osim.PrescribedForce(name, body)
        force.setForceFunctions(ramp, osim.Constant(0.0), osim.Constant(0.0))
        force.setPointIsInGlobalFrame(False)
        force.setForceIsInGlobalFrame(True)
        model.addForce(force)
    model.finalizeConnections()
    return model


def simulate(chain: Chain, session: TractionSession, accuracy: float) -> np.ndarray:
    """``(n_sample, n_body)`` centre-of-mass positions along the chain at the session's
    sample times, integrated by CPodes at Simbody accuracy ``accuracy``."""
    osim = _import_opensim()
    model = build(chain, session)
    state = model.initSystem()
    x = hanging_positions(chain)
    initial = np.concatenate(([x[0]], np.diff(x) - chain.spacing))
    coordinates = model.getCoordinateSet()
    for i in range(chain.n_body):
        coordinates.get(f"p{i}_coord_1").setValue(state, float(initial[i]), False)
    model.assemble(state)
    manager = osim.Manager(model)
    manager.setIntegratorMethod(osim.Manager.IntegratorMethod_CPodes)
    manager.setIntegratorAccuracy(accuracy)
    state.setTime(0.0)
    manager.initialize(state)
    bodies = [model.getBodySet().get(f"b{i}") for i in range(chain.n_body)]
    times = session.sample_times()
    out = np.empty((times.size, chain.n_body))
    out[0] = x
    for k in range(1, times.size):
        state = manager.integrate(float(times[k]))
        model.realizePosition(state)
        out[k] = [body.getPositionInGround(state).get(0) for body in bodies]
    return out
