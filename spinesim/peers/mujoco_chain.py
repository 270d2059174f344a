"""The comparison chain in MuJoCo: slide and hinge joints with stiffness and damping.

Body 0 hangs from the world on two slide joints and a hinge whose springs and dampers are
the anchor's; every further body is the child of the previous one, placed at the rest
spacing, with an axial slide (the joint's axial spring-damper), a transverse slide (shear)
and a hinge at the gap's centre (bending). A fixed tendon sums the axial slides; one motor
on it applies the traction force to every joint, driven by the session's activation
(held over each step, as MuJoCo applies controls). Contacts are disabled.

MuJoCo integrates with a fixed step; its implicit integrators treat the damping (and, for
``implicit``, all velocity derivatives) implicitly but the springs explicitly. The run
goes sample interval by sample interval through :func:`mujoco.rollout.rollout`, so the
whole step loop stays in C.
"""

from __future__ import annotations

import numpy as np

from spinesim.model import GRAVITY
from spinesim.peers import import_peer
from spinesim.peers.chain import Chain, TractionSession, hanging_positions

#: MuJoCo's integrators with implicit damping.
INTEGRATORS = ("implicitfast", "implicit")


def _num(x: float) -> str:
    """A number as MJCF text, exactly (shortest repr that reads back as the same float)."""
    return repr(float(x))


def _joints(prefix: str, k: tuple[float, ...], c: tuple[float, ...], hinge_x: float) -> str:
    """Axial slide, shear slide and bending hinge of one joint (springs ``k``, dampers ``c``)."""
    axial, shear, bend = (
        f'type="slide" axis="1 0 0" stiffness="{_num(k[0])}" damping="{_num(c[0])}"',
        f'type="slide" axis="0 1 0" stiffness="{_num(k[1])}" damping="{_num(c[1])}"',
        f'type="hinge" axis="0 0 1" pos="{_num(hinge_x)} 0 0" stiffness="{_num(k[2])}" '
        f'damping="{_num(c[2])}"',
    )
    return (
        f'<joint name="{prefix}_axial" {axial}/><joint name="{prefix}_shear" {shear}/>'
        f'<joint name="{prefix}_bend" {bend}/>'
    )


def chain_xml(chain: Chain, timestep: float, integrator: str = "implicitfast") -> str:
    """MJCF of ``chain`` hanging along +x (gravity +x) with step ``timestep`` (s)."""
    if integrator not in INTEGRATORS:
        raise ValueError(f"integrator = {integrator!r}; allowed: {INTEGRATORS}")
    parts = []
    for i in range(chain.n_body):
        inertia = chain.inertia[i]
        if i == 0:
            pos = 0.0
            joints = _joints(
                "anchor",
                (chain.anchor_k, chain.anchor_k, chain.anchor_k_rot),
                (chain.anchor_c, chain.anchor_c, chain.anchor_c_rot),
                0.0,
            )
        else:
            j = i - 1
            pos = chain.spacing[j]
            joints = _joints(
                f"j{j}",
                (chain.k_axial[j], chain.k_shear[j], chain.k_bend[j]),
                (chain.c_axial[j], chain.c_shear[j], chain.c_bend[j]),
                chain.bx[j] - 0.5 * chain.height[j],
            )
        parts.append(
            f'<body name="b{i}" pos="{_num(pos)} 0 0">'
            f'<inertial pos="0 0 0" mass="{_num(chain.mass[i])}" '
            f'diaginertia="{_num(inertia)} {_num(inertia)} {_num(inertia)}"/>{joints}'
        )
    bodies = "".join(parts) + "</body>" * chain.n_body
    tendon = "".join(f'<joint joint="j{j}_axial" coef="1"/>' for j in range(chain.n_body - 1))
    return (
        f'<mujoco model="{chain.name}">'
        f'<option timestep="{_num(timestep)}" integrator="{integrator}" '
        f'gravity="{_num(GRAVITY)} 0 0"><flag contact="disable"/></option>'
        f"<worldbody>{bodies}</worldbody>"
        f'<tendon><fixed name="traction">{tendon}</fixed></tendon>'
        f'<actuator><motor tendon="traction" gear="{_num(chain.traction_N)}"/></actuator>'
        "</mujoco>"
    )


def simulate(
    chain: Chain, session: TractionSession, timestep: float, integrator: str = "implicitfast"
) -> np.ndarray:
    """``(n_sample, n_body)`` centre-of-mass positions along the chain at the session's
    sample times; ``timestep`` must divide ``session.sample_s``. Positions after the
    simulation became unstable are ``inf``."""
    mujoco = import_peer("mujoco")
    rollout = import_peer("mujoco.rollout")
    n_sub = round(session.sample_s / timestep)
    if n_sub < 1 or abs(n_sub * timestep - session.sample_s) > 1e-9 * session.sample_s:
        raise ValueError(f"timestep = {timestep!r} s must divide sample_s = {session.sample_s!r} s")
    model = mujoco.MjModel.from_xml_string(chain_xml(chain, timestep, integrator))
    data = mujoco.MjData(model)
    x = hanging_positions(chain)
    data.qpos[0] = x[0]
    data.qpos[3::3] = np.diff(x) - chain.spacing
    spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    state = np.empty(mujoco.mj_stateSize(model, spec))
    mujoco.mj_getState(model, data, state, spec)
    times = session.sample_times()
    out = np.full((times.size, chain.n_body), np.inf)
    out[0] = x
    steps = np.arange(n_sub) * timestep
    states = np.empty((1, n_sub, state.size))
    previous = mujoco.get_mju_user_warning()
    mujoco.set_mju_user_warning(lambda message: None)  # instability is reported below
    try:
        for k in range(1, times.size):
            control = session.activation(times[k - 1] + steps)[None, :, None]
            rollout.rollout(model, data, state, control, state=states)
            state = states[0, -1].copy()
            if abs(state[0] - times[k]) > 0.5 * timestep:
                break  # MuJoCo reset the simulation after it became unstable: inf error
            mujoco.mj_setState(model, data, state, spec)
            mujoco.mj_kinematics(model, data)
            out[k] = data.xipos[1:, 0]
    finally:
        mujoco.set_mju_user_warning(previous)
    return out
