"""Closed-form cases on hand-assembled chains: statics, creep and recovery, friction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

import spinesim
from spinesim.core import layout as L
from spinesim.core.mechanics import (
    FRICTION_FLOOR,
    SLIP_BLEND,
    ligament_tension,
    nucleus_pressure_rise,
)
from spinesim.solver import SolverOptions, run

from .conftest import knots

G = 9.81
TIGHT = SolverOptions(rtol=1e-7, atol_m=1e-10)

#: One ligament: rest length (m), toe and linear rigidity (N), transition strain (-).
LIGAMENT = dict(len=0.013, ea1=400.0, ea2=1000.0, strain=0.1)


def ligaments(offset: float) -> dict[str, float]:
    """Equal ligaments ``offset`` (m) in front of and behind the disc centre."""
    columns = {
        f"lig_{side}_{key}": value for side in ("ant", "post") for key, value in LIGAMENT.items()
    }
    return {**columns, "lig_ant_y": offset, "lig_post_y": -offset}


DISC = dict(
    height=0.01,
    depth=0.03,
    nucleus_area=1.0e-3,
    nucleus_k=8e6,
    nucleus_e0=0.04,
    k_axial=1.5e5,
    c_axial=1200.0,
    k_shear=1e5,
    c_shear=1200.0,
    k_bend=500.0,
    c_bend=5.0,
    **ligaments(0.015),
)


def ramp(x: float, w: float) -> float:
    """max(0, x) with a parabolic blend of half-width ``w`` (docs/model.md §2.8)."""
    return 0.0 if x <= -w else x if x >= w else (x + w) ** 2 / (4.0 * w)


def disc_law(u: float) -> float:
    """Static axial force of DISC at opening ``u`` (m), written out from docs/model.md
    §2.3 and §2.8: annulus spring, nucleus pressure on its area (exponential stiffening in
    compression, linear in tension), two bilinear tension-only ligaments."""
    e = -u / DISC["height"]  # volumetric mismatch with no fluid exchanged, no creep
    k0, e0 = DISC["nucleus_k"], DISC["nucleus_e0"]
    pressure_rise = k0 * e0 * (math.exp(e / e0) - 1.0) if e > 0 else k0 * e
    strain, eps_t = u / LIGAMENT["len"], LIGAMENT["strain"]
    w = 0.1 * eps_t
    tension = LIGAMENT["ea1"] * ramp(strain, w) + (LIGAMENT["ea2"] - LIGAMENT["ea1"]) * ramp(
        strain - eps_t, w
    )
    return DISC["k_axial"] * u - DISC["nucleus_area"] * pressure_rise + 2.0 * tension


def test_element_laws_match_their_written_forms():
    """Point values of the kernel's laws: the ligament beyond its transition, the nucleus'
    toe stiffness and its exponential stiffening."""
    ea1, ea2, eps_t = LIGAMENT["ea1"], LIGAMENT["ea2"], LIGAMENT["strain"]
    assert ligament_tension(2 * eps_t, ea1, ea2, eps_t) == pytest.approx(ea1 * eps_t + ea2 * eps_t)
    assert ligament_tension(-0.05, ea1, ea2, eps_t) == 0.0
    k0, e0 = DISC["nucleus_k"], DISC["nucleus_e0"]
    assert nucleus_pressure_rise(-1e-3, k0, e0) == pytest.approx(-k0 * 1e-3)
    assert nucleus_pressure_rise(e0, k0, e0) == pytest.approx(k0 * e0 * (math.e - 1.0))


def column(n: int, mass: float) -> spinesim.Model:
    """``n`` equal bodies 0.1 m apart joined by DISC, body 0 held by a stiff anchor."""
    b = spinesim.ModelBuilder()
    for i in range(n):
        anchor = (
            dict(anchor_k=1e9, anchor_c=1e5, anchor_k_rot=1e6, anchor_c_rot=1e3) if i == 0 else {}
        )
        b.add_body(f"b{i}", mass, 0.01, **anchor)
    for i in range(n - 1):
        b.add_joint(f"j{i}", ax=0.045, bx=-0.045, **DISC)
    return b.build()


@pytest.mark.parametrize("angle_deg", [90.0, -90.0])
def test_static_stretch_equals_force_law_at_weight_beyond(angle_deg):
    """Hanging (tension) and standing (compression) columns: joint j carries the weight of
    the bodies beyond it, and its opening solves the disc's force law at that weight."""
    n, mass = 5, 3.0
    model = column(n, mass)
    table = knots((0, angle_deg, 0, 0, 0), (5.0, angle_deg, 0, 0, 0))
    state = run(model, table, np.array([5.0]), TIGHT)[0][-1]
    sign = math.copysign(1.0, angle_deg)
    for j in range(n - 1):
        weight_beyond = sign * mass * G * (n - 1 - j)
        u = brentq(lambda x, w=weight_beyond: disc_law(x) - w, -5e-3, 5e-3, xtol=1e-14)
        a, b = j * L.BLOCK, (j + 1) * L.BLOCK
        opening = state[b + L.S_X] - state[a + L.S_X] - 0.1
        assert opening == pytest.approx(u, rel=1e-5, abs=1e-10)
    # the tension law is stiffer in compression than in tension
    assert disc_law(-1e-3) < -abs(disc_law(1e-3))


def creep_model(k=1e6, k_creep=2e6, tau=50.0) -> spinesim.Model:
    """A load hanging on one disc from an anchored base; shear and bending are made so stiff
    that unloading (gravity turned across the chain) leaves the axial direction alone."""
    b = spinesim.ModelBuilder()
    b.add_body("base", 1.0, 0.01, anchor_k=1e9, anchor_c=1e5, anchor_k_rot=1e8, anchor_c_rot=1e4)
    b.add_body("load", 10.0, 0.05)
    b.add_joint(
        "disc",
        ax=0.05,
        bx=-0.05,
        height=0.01,
        k_axial=k,
        c_axial=2000.0,
        k_creep=k_creep,
        c_creep=k_creep * tau,
        k_shear=1e9,
        c_shear=1e5,
        k_bend=1e7,
        c_bend=1e3,
    )
    return b.build()


def test_single_disc_creep_and_recovery_match_analytic_solution():
    """Spring + Kelvin creep element under a constant pull, then unloaded:
    u(t) = F/k + F/kc (1 - exp(-t/tau)) and afterwards u_c(t1) exp(-(t - t1)/tau)."""
    k, kc, tau, mass = 1e6, 2e6, 50.0, 10.0
    model = creep_model(k, kc, tau)
    force = mass * G
    t1, t2 = 200.0, 400.0
    table = knots((0, 90, 0, 0, 0), (t1, 90, 0, 0, 0), (t1, 0, 0, 0, 0), (t2, 0, 0, 0, 0))
    times = np.array([20.0, 50.0, 100.0, 200.0, 230.0, 260.0, 300.0, 400.0])
    states, _ = run(model, table, times, TIGHT)
    opening = states[:, L.BLOCK + L.S_X] - states[:, L.S_X] - 0.11
    creep_at_t1 = force / kc * (1 - math.exp(-t1 / tau))
    expected = np.where(
        times <= t1,
        force / k + force / kc * (1 - np.exp(-times / tau)),
        creep_at_t1 * np.exp(-(times - t1) / tau),
    )
    np.testing.assert_allclose(opening, expected, rtol=1e-3, atol=1e-9)


def sliding_body(mu_s: float, mu_k: float) -> spinesim.Model:
    b = spinesim.ModelBuilder(friction_static=mu_s, friction_kinetic=mu_k)
    m = 5.0
    b.add_body(
        "block",
        m,
        0.02,
        contact_y=-0.05,
        k_normal=m * G / 0.01,
        c_normal=2 * math.sqrt(m * m * G / 0.01),
        k_tangent=0.5 * m * G / 0.002,
        c_tangent=2 * 0.5 * math.sqrt(m * 0.5 * m * G / 0.002),
        anchor_k_rot=1e4,
        anchor_c_rot=50.0,  # a flat block: it does not tip over
    )
    return b.build(y0=0.05 - m * G / (m * G / 0.01))


@pytest.mark.parametrize("tan_ratio", [0.8, 0.98])
def test_body_on_backrest_holds_below_static_friction(tan_ratio):
    """Below tan(theta) = mu_s the body sticks, even above mu_k (static > kinetic)."""
    mu_s, mu_k = 0.5, 0.4
    theta = math.degrees(math.atan(tan_ratio * mu_s))
    model = sliding_body(mu_s, mu_k)
    table = knots((0, 0, 1, 0, 0), (2, theta, 1, 0, 0), (60, theta, 1, 0, 0))
    states, _ = run(model, table, np.array([5.0, 60.0]), TIGHT)
    x = states[:, L.S_X] - model.y0[L.S_X]
    assert abs(x[1] - x[0]) < 1e-6  # no slip during the hold
    bristle = (
        model.body[0, L.B_MASS] * G * math.sin(math.radians(theta)) / model.body[0, L.B_K_TANGENT]
    )
    assert x[1] == pytest.approx(bristle, rel=0.05)  # only the skin's elastic deflection


def test_body_on_backrest_slides_above_static_friction_at_the_law_speed():
    """Above tan(theta) = mu_s it slides; the steady speed solves the friction law
    m g sin = limit + b + k_t tau v, limit = N (mu_k + (mu_s - mu_k) exp(-(v/v_s)^2)),
    with the stick-slip blend b (``SLIP_BLEND`` x limit, plus a floor)."""
    mu_s, mu_k = 0.5, 0.4
    theta = math.radians(30.0)  # tan = 0.577 > 0.5
    model = sliding_body(mu_s, mu_k)
    table = knots((0, 0, 1, 0, 0), (1, 30, 1, 0, 0), (20, 30, 1, 0, 0))
    states, _ = run(model, table, np.array([15.0, 20.0]), TIGHT)
    m = model.body[0, L.B_MASS]
    k_t = model.body[0, L.B_K_TANGENT]
    tau = model.glob[L.G_SLIP_TIME]
    v_s = model.glob[L.G_STRIBECK_VELOCITY]
    normal = m * G * math.cos(theta)

    def balance(v):
        limit = normal * (mu_k + (mu_s - mu_k) * math.exp(-((v / v_s) ** 2)))
        blend = SLIP_BLEND * limit + FRICTION_FLOOR * m * G
        return m * G * math.sin(theta) - limit - blend - k_t * tau * v

    v_law = brentq(balance, 0.0, 1.0)
    v_sim = states[1, L.S_VX]
    assert v_sim > 1e-3
    assert v_sim == pytest.approx(v_law, rel=0.01)


def test_maxwell_disc_flows_at_constant_rate():
    """A spring and dashpot in series under a constant pull: u(t) = F/k + F t / c."""
    k, c, mass = 1e6, 5e7, 10.0
    b = spinesim.ModelBuilder()
    b.add_body("base", 1.0, 0.01, anchor_k=1e9, anchor_c=1e5, anchor_k_rot=1e8, anchor_c_rot=1e4)
    b.add_body("load", mass, 0.05)
    b.add_joint(
        "maxwell", ax=0.05, bx=-0.05, height=0.01, k_axial=k, c_axial=2000.0, c_creep=c,
        k_shear=1e9, c_shear=1e5, k_bend=1e7, c_bend=1e3,
    )  # fmt: skip
    model = b.build()
    times = np.array([10.0, 50.0, 100.0])
    states, _ = run(model, knots((0, 90, 0, 0, 0), (100, 90, 0, 0, 0)), times, TIGHT)
    opening = states[:, L.BLOCK + L.S_X] - states[:, L.S_X] - 0.11
    force = mass * G
    np.testing.assert_allclose(opening, force / k + force * times / c, rtol=1e-4)


def test_disc_recovers_slower_than_it_creeps(default_model):
    """O'Connell et al. 2011 [V]: recovery is slower than loading (3-4x). An L4-L5 disc of
    the anatomical model, 1000 N for 4 h, then unloaded for 8 h: the time to recover half
    of what is left after the elastic rebound exceeds the time to creep half-way. No
    direction-dependent permeability is assumed; the asymmetry comes from the swelling
    pressure's nonlinearity, and the model gives about 1.6x, less than measured."""
    disc = default_model.joint[default_model.joint_names.index("L4-L5")]
    columns = {name.lower()[2:]: disc[getattr(L, name)] for name in dir(L) if name.startswith("J_")}
    columns = {k: v for k, v in columns.items() if k not in ("ax", "ay", "bx", "by")}
    columns.update(
        k_shear=1e9, c_shear=1e5, k_bend=1e7, c_bend=1e3, muscle_force=0.0, rest_angle=0.0
    )
    mass = 1000.0 / G
    b = spinesim.ModelBuilder()
    b.add_body("base", 1.0, 0.01, anchor_k=1e9, anchor_c=1e5, anchor_k_rot=1e8, anchor_c_rot=1e4)
    b.add_body("load", mass, 1.0)
    b.add_joint("disc", ax=0.05, bx=-0.05, **columns)
    model = b.build()
    t1, t2 = 4 * 3600.0, 12 * 3600.0
    times = np.linspace(0.0, t2, 1441)
    table = knots((0, -90, 0, 0, 0), (t1, -90, 0, 0, 0), (t1, 0, 0, 0, 0), (t2, 0, 0, 0, 0))
    states, _ = run(model, table, times, SolverOptions(rtol=1e-6, atol_m=1e-9))
    u = states[:, L.BLOCK + L.S_X] - states[:, L.S_X] - 0.1 - columns["height"]
    loading = times <= t1
    creep = u[loading] - u[1]  # after the elastic response (30 s)
    t_half_load = times[loading][np.argmax(creep <= 0.5 * creep[-1])]
    after = times > t1
    rebound = u[after][0]  # 30 s after unloading
    deficit = u[0] - rebound  # what is left to recover after the elastic rebound
    t_half_recover = times[after][np.argmax(u[after] - rebound >= 0.5 * deficit)] - t1
    assert creep[-1] < -0.3e-3  # more than 0.3 mm of creep in 4 h at 1000 N
    assert t_half_recover > 1.4 * t_half_load


def test_fluid_flows_until_the_nucleus_pressure_equals_the_swelling_pressure():
    """A load standing on one disc with a nucleus (docs/model.md §2.3-2.4): fluid leaves
    until p = p0 exp(-eps / eps_s), and the disc force is the annulus spring minus the
    nucleus pressure rise on its area, k_ann u - A_n (p - p0) = -W."""
    h, area, k_ann, p0, eps_s, mass = 0.01, 1e-3, 1.5e5, 0.16e6, 0.1, 40.0
    tau = 100.0  # s, the linearised time constant (docs/model.md §2.7)
    b = spinesim.ModelBuilder()
    b.add_body("base", 1.0, 0.01, anchor_k=1e9, anchor_c=1e5, anchor_k_rot=1e8, anchor_c_rot=1e4)
    b.add_body("load", mass, 0.05)
    b.add_joint(
        "disc", ax=0.05, bx=-0.05, height=h, nucleus_area=area, nucleus_k=8e6,
        nucleus_e0=0.04, swell_p0=p0, swell_eps=eps_s, k_axial=k_ann, c_axial=2000.0,
        permeability=1.0 / (tau * (p0 / eps_s + k_ann * h / area)),
        k_shear=1e9, c_shear=1e5, k_bend=1e7, c_bend=1e3,
    )  # fmt: skip
    protocol = spinesim.Protocol.inversion(-90, ramp_s=10, hold_s=40 * tau, return_s=0)
    result = spinesim.simulate(protocol, model=b.build(), solver=TIGHT)
    fluid = result.fluid_change[-1, 0] / 100.0  # from the reference hydration at t = 0
    pressure = result.pressure[-1, 0] * 1e6
    assert fluid < -0.05  # the disc lost fluid under the load
    assert pressure == pytest.approx(p0 * math.exp(-fluid / eps_s), rel=1e-5)
    opening = result.gap_change[-1, 0, 1] * 1e-3
    force = k_ann * opening - area * (pressure - p0)
    assert result.axial_force[-1, 0] == pytest.approx(-mass * G, rel=1e-6)
    assert force == pytest.approx(-mass * G, rel=1e-6)
