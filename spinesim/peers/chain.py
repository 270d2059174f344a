"""The shared comparison model: a linear Kelvin-Voigt chain hanging head-down under traction.

This is the part of spinesim's physics that MuJoCo and OpenSim can express: planar rigid
bodies (3 degrees of freedom each) joined by joints with an axial, a shear and a bending
spring-damper (linear, Kelvin-Voigt), the first body held by a spring-damper anchor,
gravity along the chain (+90 deg, fully inverted) and no backrest. The non-linear disc
(nucleus, ligaments), creep, fluid flow, muscles and the backrest contact with friction
are left out because the peers have no equivalent.

The chain hangs straight, so its bodies move only along its axis: every engine's joint
definition (spinesim's mean-frame disc, MuJoCo's slide and hinge joints in the parent's
frame, OpenSim's bushing between two frames) then reduces to the same equations, and the
transverse and rotational degrees of freedom stay in the problem at zero. The load is a
traction force ``F(t)`` pushing every joint open (equivalently, pulling the last body
away from the anchored first one): 0 -> ``traction_N`` over ``ramp_s``, held, and back
to 0 over the last ``ramp_s``. Every engine starts from the same state: the chain at
rest, hanging in static equilibrium under its own weight (:func:`hanging_state`).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from spinesim.assembly import spine_model
from spinesim.core import layout as L
from spinesim.errors import ParameterError, check_number
from spinesim.model import GRAVITY, Model, ModelBuilder
from spinesim.properties import MuscleProperties
from spinesim.protocol import Protocol

#: Anatomical model sizes: first and last body of each section of the full spine.
SIZES = {
    "lumbar": ("pelvis", "L1"),
    "thoracolumbar": ("pelvis", "T1"),
    "full": ("legs", "head"),
}
#: Default traction (N). Assumption: a benchmark load of about 40 % of a 70 kg body weight;
#: the linear chain's results scale with it and no physiological claim rests on it.
TRACTION_N = 300.0
#: Accuracy that every engine is asked to meet: largest body-position error (m) against
#: the tight reference over the session, 1 um (disc-space changes are 0.1-5 mm).
TARGET_ERROR_M = 1e-6


@dataclass(frozen=True)
class Chain:
    """Bodies (caudal first) and the linear joints between them, SI units.

    Body ``i`` has ``mass[i]`` (kg) and ``inertia[i]`` (kg m^2). Joint ``j`` links body
    ``j`` (attachment ``ax[j]`` along its axis from its centre of mass, m) to body
    ``j + 1`` (attachment ``bx[j]``) across a gap ``height[j]`` (m); its springs (N/m,
    N m/rad) and dampers (N s/m, N m s/rad) act on the axial opening, the shear and the
    bending angle. The anchor holds body 0's centre of mass and angle.
    """

    name: str
    mass: np.ndarray
    inertia: np.ndarray
    ax: np.ndarray
    bx: np.ndarray
    height: np.ndarray
    k_axial: np.ndarray
    c_axial: np.ndarray
    k_shear: np.ndarray
    c_shear: np.ndarray
    k_bend: np.ndarray
    c_bend: np.ndarray
    anchor_k: float
    anchor_c: float
    anchor_k_rot: float
    anchor_c_rot: float
    traction_N: float = TRACTION_N

    @property
    def n_body(self) -> int:
        return self.mass.size

    @property
    def spacing(self) -> np.ndarray:
        """Rest distance (m) between the centres of mass of bodies ``j`` and ``j + 1``."""
        return self.ax + self.height - self.bx


@dataclass(frozen=True)
class TractionSession:
    """Traction ramped up over ``ramp_s``, held, ramped down over the last ``ramp_s``;
    positions are compared every ``sample_s`` seconds (a whole number of them in the
    session: MuJoCo steps from sample to sample)."""

    duration_s: float
    ramp_s: float = 10.0
    sample_s: float = 1.0

    def __post_init__(self) -> None:
        check_number("TractionSession.ramp_s", self.ramp_s, 0.0, 3600.0, low_open=True)
        check_number(
            "TractionSession.duration_s", self.duration_s, 2.0 * self.ramp_s, 1e7, low_open=True
        )
        check_number("TractionSession.sample_s", self.sample_s, 0.0, self.ramp_s, low_open=True)
        samples = self.duration_s / self.sample_s
        if abs(samples - round(samples)) > 1e-9 * samples:
            raise ParameterError(
                f"TractionSession.duration_s = {self.duration_s!r} is not a whole number of "
                f"sample_s = {self.sample_s!r}"
            )

    @property
    def knot_times(self) -> np.ndarray:
        return np.array([0.0, self.ramp_s, self.duration_s - self.ramp_s, self.duration_s])

    def activation(self, t: np.ndarray) -> np.ndarray:
        """Traction as a fraction of its full value at times ``t`` (s)."""
        return np.interp(t, self.knot_times, [0.0, 1.0, 1.0, 0.0])

    def sample_times(self) -> np.ndarray:
        """Every ``sample_s`` from 0 to the session's end."""
        n = round(self.duration_s / self.sample_s)
        return np.linspace(0.0, self.duration_s, n + 1)

    def knots(self) -> np.ndarray:
        """spinesim protocol table: head-down, no backrest, the traction as activation."""
        table = np.zeros((4, L.NP))
        table[:, L.P_TIME] = self.knot_times
        table[:, L.P_ANGLE] = np.pi / 2.0
        table[:, L.P_TONE] = [0.0, 1.0, 1.0, 0.0]
        return table


def inversion_session(duration_s: float, angle_deg: float = 60.0) -> tuple[np.ndarray, np.ndarray]:
    """Protocol table and 601 save times of the full model's benchmark session: a 10 s
    ramp to ``angle_deg``, a hold and a 10 s return, ``duration_s`` in all."""
    protocol = Protocol.inversion(angle_deg, ramp_s=10, hold_s=duration_s - 20, return_s=10)
    return protocol.knots(MuscleProperties()), np.linspace(0.0, duration_s, 601)


@functools.cache
def _default_spine() -> Model:
    return spine_model()


def anatomical_chain(size: str = "full", traction_N: float = TRACTION_N) -> Chain:
    """The linear chain of a section of the default anatomical spine (see :data:`SIZES`).

    Per level it keeps the assembled model's masses, inertias, attachments, gap heights and
    the linear parts of its joints (annulus or bushing stiffness, shear, bending and their
    damping); the anchor is the ankle holder's. The nucleus, ligaments, muscles, creep and
    fluid flow are dropped (see the module docstring).
    """
    if size not in SIZES:
        raise ParameterError(f"size = {size!r} is unknown; allowed: {tuple(SIZES)}")
    model = _default_spine()
    first, last = (model.body_names.index(name) for name in SIZES[size])
    bodies = slice(first, last + 1)
    joints = slice(first, last)
    body, joint = model.body, model.joint
    return Chain(
        name=size,
        mass=body[bodies, L.B_MASS].copy(),
        inertia=body[bodies, L.B_INERTIA].copy(),
        ax=joint[joints, L.J_AX].copy(),
        bx=joint[joints, L.J_BX].copy(),
        height=joint[joints, L.J_HEIGHT].copy(),
        k_axial=joint[joints, L.J_K_AXIAL].copy(),
        c_axial=joint[joints, L.J_C_AXIAL].copy(),
        k_shear=joint[joints, L.J_K_SHEAR].copy(),
        c_shear=joint[joints, L.J_C_SHEAR].copy(),
        k_bend=joint[joints, L.J_K_BEND].copy(),
        c_bend=joint[joints, L.J_C_BEND].copy(),
        anchor_k=float(body[0, L.B_ANCHOR_K]),
        anchor_c=float(body[0, L.B_ANCHOR_C]),
        anchor_k_rot=float(body[0, L.B_ANCHOR_K_ROT]),
        anchor_c_rot=float(body[0, L.B_ANCHOR_C_ROT]),
        traction_N=traction_N,
    )


def uniform_chain(n_body: int, traction_N: float = TRACTION_N) -> Chain:
    """``n_body`` equal bodies (70 kg in all) with equal joints, for cost against size.

    Assumption: benchmark values of vertebral order of magnitude (those of
    ``benchmarks/test_bench_scaling.py``), not anatomical data."""
    if not 2 <= n_body <= 10_000:
        raise ParameterError(f"n_body = {n_body!r}; allowed: an integer in [2, 10000]")
    m = 70.0 / n_body
    joints = np.ones(n_body - 1)
    return Chain(
        name=f"uniform-{n_body}",
        mass=np.full(n_body, m),
        inertia=np.full(n_body, 0.004 * m),
        ax=0.03 * joints,
        bx=-0.03 * joints,
        height=0.01 * joints,
        k_axial=1e6 * joints,
        c_axial=1200.0 * joints,
        k_shear=1e5 * joints,
        c_shear=1200.0 * joints,
        k_bend=400.0 * joints,
        c_bend=2.0 * joints,
        anchor_k=1e6,
        anchor_c=2.0 * np.sqrt(1e6 * m),
        anchor_k_rot=1e4,
        anchor_c_rot=2.0 * np.sqrt(1e4 * 0.004 * m),
        traction_N=traction_N,
    )


def hanging_positions(chain: Chain) -> np.ndarray:
    """Centre-of-mass positions (m, along the chain) in static equilibrium under gravity.

    Joint ``j`` carries the weight of the bodies beyond it; the anchor carries all of it.
    """
    weight_beyond = GRAVITY * np.cumsum(chain.mass[::-1])[::-1]
    opening = weight_beyond[1:] / chain.k_axial
    x0 = weight_beyond[0] / chain.anchor_k
    return x0 + np.concatenate(([0.0], np.cumsum(chain.spacing + opening)))


def hanging_state(chain: Chain) -> np.ndarray:
    """spinesim state of :func:`hanging_positions`, at rest."""
    y = np.zeros(chain.n_body * L.BLOCK)
    y[L.S_X :: L.BLOCK] = hanging_positions(chain)
    return y


def build_model(chain: Chain) -> Model:
    """The chain as a spinesim model starting from :func:`hanging_state`.

    The traction is the joints' muscle force (negative: pushing the joint open, on its axis)
    scaled by the protocol's activation, see :meth:`TractionSession.knots`.
    """
    b = ModelBuilder()
    for i in range(chain.n_body):
        anchor = {}
        if i == 0:
            anchor = dict(
                anchor_k=chain.anchor_k,
                anchor_c=chain.anchor_c,
                anchor_k_rot=chain.anchor_k_rot,
                anchor_c_rot=chain.anchor_c_rot,
            )
        b.add_body(f"b{i}", chain.mass[i], chain.inertia[i], **anchor)
    for j in range(chain.n_body - 1):
        b.add_joint(
            f"j{j}", ax=chain.ax[j], bx=chain.bx[j], height=chain.height[j],
            k_axial=chain.k_axial[j], c_axial=chain.c_axial[j], k_shear=chain.k_shear[j],
            c_shear=chain.c_shear[j], k_bend=chain.k_bend[j], c_bend=chain.c_bend[j],
            muscle_force=-chain.traction_N,
        )  # fmt: skip
    return dataclasses.replace(b.build(), y0=hanging_state(chain))


def axial_positions(states: np.ndarray) -> np.ndarray:
    """``(n_time, n_body)`` centre-of-mass positions along the chain from spinesim states."""
    return states[:, L.S_X :: L.BLOCK]


def position_error(positions: np.ndarray, reference: np.ndarray) -> float:
    """Largest position error (m) of any body at any compared time."""
    return float(np.max(np.abs(np.asarray(positions) - reference)))
