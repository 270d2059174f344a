"""Devices and postures: closed-form statics of every device, force balance, bad input.

At the end of a hold the body is at rest, so the force the cranial part of the chain
exerts on the caudal part across a joint balances the external loads on the caudal part
(gravity, holders, backrest, pull, hands) exactly. Without friction these are closed forms
in the segment masses.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import spinesim
from spinesim import cli
from spinesim.cases import Case, run_cases
from spinesim.core import layout as L
from spinesim.core import mechanics as M
from spinesim.core import observables as O
from spinesim.device import (
    DEVICES,
    GravityBoots,
    HipBench,
    InversionTable,
    SuspensionHarness,
    TractionTable,
    device_from_name,
)
from spinesim.protocol import typical_day
from spinesim.protocol_file import load_protocol_file
from tests.test_inputs import raises_naming

G = 9.81
Protocol = spinesim.Protocol


def at_rest(device, protocol: Protocol):
    """Model, the simulated session and the index of the end of the hold."""
    model = spinesim.spine_model(device=device)
    result = spinesim.simulate(protocol, model=model)
    return model, result, result.index_at(protocol.hold_end_s)


def joint_force_x(model, result, k: int, level: str) -> float:
    """Force of the cranial part on the caudal part across ``level`` at saved time ``k``,
    along the table (N, + head-ward: tension pulls the caudal part towards the head)."""
    j = model.joint_names.index(level)
    q = result.levels.index(level)
    phi = result.body_pose[k, [j, j + 1], 2].mean()  # the joint's mean axis
    total = result.segment_force[k, q]
    shear = result.shear_force[k, q]
    return total * np.cos(phi) - shear * np.sin(phi)


def weight(model, bodies: slice) -> float:
    return G * float(model.body[bodies, L.B_MASS].sum())


def contact(model, y, i: int) -> tuple[float, float]:
    """Normal and friction force (N) of the table on body ``i`` in state ``y``."""
    cs = M.body_trig(y, model.n_body)
    normal, friction, *_ = M.contact_loads(y, i, cs, model.body, 1.0, 1.0, model.glob)
    return normal, friction


def normal_forces(model, protocol: Protocol, time_s: float) -> np.ndarray:
    """Normal force (N) of the table on every body at ``time_s`` of the session."""
    knots = protocol.knots(model.tissues.muscles, model.device)
    case = Case(0, knots, np.array([0.0, time_s]), 1)
    outputs = run_cases([model], [case], spinesim.SolverOptions(), series_index=np.array([[1]]))
    return outputs.body_series[0, 0, :, O.O_NORMAL]


LEVELS = ("L5-S1", "L3-L4", "T12-L1", "T6-T7", "C5-C6")


# ------------------------------------------------------------------------ hanging devices
def test_gravity_boots_each_level_carries_the_weight_below_it():
    """Hanging from the ankles at 90 deg, no backrest: the tension across every level is
    the weight of everything on the head side of it."""
    model, result, k = at_rest(GravityBoots(), Protocol.inversion(90, hold_s=60))
    for level in LEVELS:
        j = model.joint_names.index(level)
        expected = weight(model, slice(j + 1, None))
        assert joint_force_x(model, result, k, level) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("hands", [0.0, 0.4])
def test_hip_bench_hands_carry_their_share_of_the_upper_body(hands):
    """On the hip bench the upper body hangs from the held pelvis; the hands carry the
    share ``hands`` of the weight of everything above the pelvis, at T1-T4, so levels
    below T4 carry their weight above minus that share, levels above T1 their full weight."""
    model, result, k = at_rest(HipBench(hand_support=hands), Protocol.inversion(90, hold_s=60))
    upper = weight(model, slice(model.body_names.index("pelvis") + 1, None))
    for level in LEVELS:
        j = model.joint_names.index(level)
        relief = hands * upper if j < model.body_names.index("T4") else 0.0
        expected = weight(model, slice(j + 1, None)) - relief
        assert joint_force_x(model, result, k, level) == pytest.approx(expected, abs=0.5)
    # along the table the pads and the hands carry the whole weight
    assert result.hand_force[k] == pytest.approx(hands * upper, abs=1e-9)
    carried = result.anchor_force[k] + result.hand_force[k]
    assert carried == pytest.approx(weight(model, slice(None)), abs=0.5)


def test_the_hands_on_the_hip_bench_do_not_lift_the_trunk_off_the_guide():
    """On the ramp into the hang the guide carries the weight normal to the table; the
    hands carry weight only along it, so the upper trunk stays on the guide whatever
    their share (before the fix, with all of it, the head rose 379 mm 0.7 s into the
    ramp) and they relieve the levels below them of the upper body's weight along the
    table, W_upper sin(angle): at L1-L2 by 0.83-1.00 of it through the ramp (the guide's
    friction takes the rest, most at small angles)."""
    protocol = Protocol.inversion(90, hold_s=30)
    model = spinesim.spine_model(device=HipBench(), settle=False)
    upper = weight(model, slice(model.body_names.index("pelvis") + 1, None))
    highest, along = [], []
    for hands in (0.0, 1.0):
        result = spinesim.simulate(protocol, device=HipBench(hand_support=hands))
        ramp = result.time_s <= 10.0
        highest.append(result.body_pose[ramp, result.bodies.index("T1"), 1].max())
        tilted = np.flatnonzero(ramp & (result.angle > 10.0))
        along.append([joint_force_x(model, result, k, "L1-L2") for k in tilted])
    assert highest[1] == pytest.approx(highest[0], abs=1e-3)  # T1 at 84 mm from the guide
    relief = np.subtract(*along) / (upper * np.sin(np.radians(result.angle[tilted])))
    assert np.all((0.8 < relief) & (relief < 1.0))


def test_suspension_harness_lumbar_spine_carries_the_lower_body():
    """Hanging upright from a chest harness at T10: every level below it carries the
    weight of the body below it in tension, every level above it the weight above it in
    compression; the harness carries the whole body."""
    harness = SuspensionHarness(level="T10")
    model, result, k = at_rest(harness, Protocol.inversion(-90, hold_s=60))
    held = model.body_names.index("T10")
    for level in LEVELS:
        j = model.joint_names.index(level)
        below = weight(model, slice(0, j + 1))
        expected = below if j < held else below - weight(model, slice(None))
        assert joint_force_x(model, result, k, level) == pytest.approx(expected, abs=0.5)
    result = spinesim.simulate(Protocol.inversion(-90, hold_s=60), device=harness)
    k = result.index_at(result.attrs["hold_end_s"] - 1.0)
    assert -result.anchor_force[k] == pytest.approx(weight(model, slice(None)), rel=1e-3)


def test_below_a_harness_the_body_hangs_without_postural_control():
    """The chain below a chest harness hangs like a pendulum: gravity holds it on its
    hanging line, so its joints have no postural control (those above the harness keep
    it) and the lumbar discs carry the body below in traction (less the muscles' tone).
    Balancing it as if standing would add co-contraction that compresses them."""
    harness = SuspensionHarness(level="T10")
    model = spinesim.spine_model(device=harness)
    held = model.body_names.index("T10")
    assert (model.joint[:held, L.J_HANGS] == 1.0).all()
    assert (model.joint[held:, L.J_HANGS] == 0.0).all()
    protocol = Protocol.inversion(-90, hold_s=300)
    balanced = model.joint.copy()
    balanced[:, L.J_HANGS] = 0.0
    forces = []
    for joint in (model.joint, balanced):
        result = spinesim.simulate(protocol, model=dataclasses.replace(model, joint=joint))
        k = result.index_at(protocol.hold_end_s)
        lumbar = ("L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2")
        forces.append(np.array([result[level].axial_force[k] for level in lumbar]))
    hanging, standing = forces
    assert (hanging > 0.0).all()
    assert (hanging > standing + 30.0).all()


def test_the_lower_body_hanging_from_a_harness_comes_to_rest():
    """Strapped in and lowered into the hang, the legs and pelvis swing below the harness
    at about 0.7 Hz; the joints' bending damping, given the whole-body damping ratio for
    the chain's own motions (``assembly.set_bending_damping``), stills the swing within a
    minute (with the damping of two vertebrae alone it still swung 0.26 deg after two)."""
    protocol = Protocol.inversion(-90, ramp_s=10, hold_s=120)
    result = spinesim.simulate(protocol, device=SuspensionHarness(), output_interval_s=0.05)
    t, legs = result.time_s, np.degrees(result.body_pose[:, 0, 2])
    assert legs[(t >= 10) & (t < 15)].std() > 0.3  # it does swing at first
    assert legs[(t >= 60) & (t < 120)].std() < 0.01


@pytest.mark.parametrize(
    ("device", "angle"),
    [(GravityBoots(), 90.0), (HipBench(), 90.0), (SuspensionHarness(), -90.0)],
)
def test_the_holders_damp_the_hang(device, angle):
    """Half-critically damped holders (docs/model.md §7.1): 10 s into the hang the L3-L4
    segment force is steady to 0.1 N (the harness's rotational damping once used the held
    vertebra's own inertia: it swayed by 0.4 N)."""
    result = spinesim.simulate(Protocol.inversion(angle, ramp_s=10, hold_s=60), device=device)
    window = (result.time_s >= 20.0) & (result.time_s <= 60.0)
    force = result.segment_force[window, result.levels.index("L3-L4")]
    assert force.std() < 0.1


# ------------------------------------------------------------------------------ traction
@pytest.mark.parametrize("pull_angle_deg", [0.0, 30.0])
def test_split_table_passes_the_whole_pull_to_the_lumbosacral_level(pull_angle_deg):
    """On a split table the pelvis and legs roll freely: the pull's component along the
    table reaches L5-S1 in full."""
    table = TractionTable(split_table=True, pull_angle_deg=pull_angle_deg)
    model, result, k = at_rest(table, Protocol.traction(400))
    along = 400.0 * np.cos(np.radians(pull_angle_deg))
    assert joint_force_x(model, result, k, "L5-S1") == pytest.approx(along, abs=1.0)


def test_traction_without_split_loses_the_friction_of_the_lower_body():
    """Without the split, a pull large enough to slide the lower body loses the static
    friction of the legs and pelvis on the table, mu_s x their normal force (Judovich:
    about half the body weight rests on the lower section)."""
    table = TractionTable(split_table=False)
    protocol = Protocol.traction(600)
    model, result, k = at_rest(table, protocol)
    normal = normal_forces(model, protocol, result.time_s[k])[:2].sum()  # legs, pelvis
    lost = 600.0 - joint_force_x(model, result, k, "L5-S1")
    assert lost == pytest.approx(table.friction_static * normal, rel=0.02)
    assert 0.45 < normal / weight(model, slice(None)) < 0.7


@pytest.mark.parametrize("position", ["supine", "prone"])
@pytest.mark.parametrize("pull_angle_deg", [0.0, 30.0])
def test_traction_force_balance(pull_angle_deg, position):
    """Along the table the pull is balanced by the thoracic harness and the friction on
    the table; normal to it the body's weight by the table and the harness, less the lift
    of a pull above the table (it lifts the pelvis off the table, supine and prone). The
    table's load is not the weight alone: under the pull the harness holds the chest on
    the table or off it."""
    table = TractionTable(pull_angle_deg=pull_angle_deg, position=position)
    protocol = Protocol.traction(300, hold_s=60)
    model = spinesim.spine_model(device=table)
    result = spinesim.simulate(protocol, model=model)
    k = result.index_at(result.attrs["hold_end_s"] - 1.0)
    assert result.pull_force[k] == pytest.approx(300.0)
    along = result.pull_force[k] * np.cos(np.radians(pull_angle_deg))
    balance = -result.anchor_force[k] + result.friction_force[k] - along
    assert abs(balance) < 0.5
    lift = result.pull_force[k] * np.sin(np.radians(pull_angle_deg))
    normal = result.normal_force[k] - result.anchor_normal_force[k]
    assert normal == pytest.approx(weight(model, slice(None)) - lift, abs=0.05)
    assert abs(result.anchor_normal_force[k]) > 1.0
    if pull_angle_deg > 0.0 and position == "supine":  # model.md §7.1: about a third
        level_pull = TractionTable(position=position)
        flat = spinesim.simulate(protocol, model=spinesim.spine_model(device=level_pull))
        held = result.anchor_normal_force[k] - flat.anchor_normal_force[k]
        assert 0.25 * lift < held < 0.45 * lift


def test_intermittent_traction_follows_the_pull_profile():
    protocol = Protocol.traction(300, ramp_s=5, hold_s=20, cycles=2, rest_s=10, rest_pull_N=100)
    result = spinesim.simulate(protocol, device=TractionTable(), output_interval_s=0.5)
    expected = np.interp(result.time_s, [0, 5, 25, 30, 40, 45, 65, 70, 80],
                         [0, 300, 300, 100, 100, 300, 300, 0, 0])  # fmt: skip
    np.testing.assert_allclose(result.pull_force, expected, atol=1e-9)
    assert result.attrs["hold_end_s"] == 65.0


def test_harness_strapped_on_after_a_day_does_not_pull():
    """Holders are fastened where the body is when they start to act: after a day on
    one's feet (shorter spine) the traction harness carries nothing before the pull."""
    protocol = Protocol.traction(300, preceding=typical_day(sitting_share=0.5))
    result = spinesim.simulate(protocol, device=TractionTable(), output_interval_s=1.0)
    assert abs(result.anchor_force[0]) < 1.0


@pytest.mark.parametrize(("k", "k_rot"), [(1e4, 0.0), (0.0, 50.0), (1e4, 50.0)])
def test_a_holder_with_either_spring_is_fastened_when_it_starts(k, k_rot):
    """Translational and rotational anchors alike are strapped on where the body is (a
    rotational-only holder would otherwise pull towards its assembly-time angle)."""
    from spinesim.core.holders import starting_holders, strap_on

    body = np.zeros((1, L.NB))
    body[0, L.B_ANCHOR_K], body[0, L.B_ANCHOR_K_ROT] = k, k_rot
    body[0, L.B_RELEASE_DEVICE + L.K_LYING] = 1.0  # acts on the device, not lying
    knots = np.zeros((2, L.NP))
    knots[:, L.P_KIND] = L.K_DEVICE
    mask = np.zeros(1, dtype=np.bool_)
    assert starting_holders(body, knots, 0, mask) and mask[0]
    body[0, L.B_ANCHOR_LX], body[0, L.B_ANCHOR_LY] = -0.4, 0.05  # the anchor off the axis
    body[0, L.B_ANCHOR_C] = 30.0
    y = np.zeros(L.BLOCK)
    y[[L.S_X, L.S_Y, L.S_PHI]] = 0.7, -0.2, 0.3
    strap_on(body, y, mask)
    assert body[0, L.B_ANCHOR_PHI] == 0.3
    # fastened where the body is: the holder neither pushes nor turns it
    cs = M.body_trig(y, 1)
    force_x, force_y, torque = M.anchor_loads(y, 0, cs, body, L.K_DEVICE)
    assert max(abs(force_x), abs(force_y), abs(torque)) < 1e-9
    # moved by 1 mm along the table, the body is pulled back by k x 1 mm
    y[L.S_X] += 1e-3
    assert M.anchor_loads(y, 0, cs, body, L.K_DEVICE)[0] == pytest.approx(-k * 1e-3)


def test_a_holder_with_a_fixed_angle_keeps_it_when_it_starts():
    """A holder whose angle is fixed by the device (``B_ANCHOR_FIXED_ANGLE``, e.g. the
    feet on the floor) is strapped on at the body's position but keeps its angle."""
    from spinesim.core.holders import strap_on

    body = np.zeros((1, L.NB))
    body[0, L.B_ANCHOR_K_ROT], body[0, L.B_ANCHOR_FIXED_ANGLE] = 50.0, 1.0
    body[0, L.B_ANCHOR_PHI] = 0.05
    y = np.zeros(L.BLOCK)
    y[L.S_PHI] = 0.3
    strap_on(body, y, np.ones(1, dtype=np.bool_))
    assert body[0, L.B_ANCHOR_PHI] == 0.05


@pytest.mark.parametrize("position", ["supine", "prone"])
def test_a_body_lying_down_is_placed_onto_the_support_without_loading_it(position):
    """A body that lies down after standing may stand inside the support's plane (beside
    a traction table); it is shifted normal to the support until its deepest point
    touches, rigidly: no joint deforms, and a holder that acts lying moves with it."""
    from spinesim.core.holders import place_on_support

    model = spinesim.spine_model(device=TractionTable(position=position))
    side = M.table_side(model.glob)
    y = model.y0.copy()
    y[L.S_Y :: L.BLOCK] -= side * 0.05  # 5 cm into the support
    body = model.body.copy()
    body[0, L.B_ANCHOR_K] = 1e5  # a holder on the legs that acts lying
    body[0, L.B_RELEASE_DEVICE + L.K_LYING] = 0.0
    anchor = body[0, L.B_ANCHOR_Y]
    placed = y.copy()
    place_on_support(body, placed, model.glob, L.K_LYING)

    def deepest(state):
        cs = M.body_trig(state, model.n_body)
        depths = []
        for i in np.flatnonzero(model.body[:, L.B_K_NORMAL] > 0.0):
            contact = model.body[i, [L.B_CONTACT_X, L.B_CONTACT_Y]]
            depth = -side * M.body_point(state, i, cs, *contact)[1]
            tilt = M.contact_tilt(state, i, model.body, side)
            depths.append(M.contact_spring(depth, tilt, model.body, i, model.glob[L.G_SMOOTH])[2])
        return max(depths)

    shift = deepest(y)
    assert shift > 0.04
    assert deepest(placed) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(placed[L.S_Y :: L.BLOCK] - y[L.S_Y :: L.BLOCK], side * shift)
    assert body[0, L.B_ANCHOR_Y] - anchor == pytest.approx(side * shift)
    before, after = M.body_trig(y, model.n_body), M.body_trig(placed, model.n_body)
    for j in range(model.n_body - 1):
        np.testing.assert_allclose(
            M.joint_deformation(placed, j, after, model.joint)[:8],
            M.joint_deformation(y, j, before, model.joint)[:8],
            atol=1e-12,
        )


def test_lying_down_beside_a_traction_table_is_cheap_with_a_stiff_contact():
    """Standing beside the traction table the pelvis lies 98 mm inside its plane; placed
    onto it when it lies down, a session after 2 h upright takes a few hundred steps at
    every contact stiffness (at 1 mm of indentation it exhausted 200,000 steps, at 5 mm it
    took 19,232)."""
    contact = spinesim.ContactProperties(indentation_m=1e-3)
    result = spinesim.simulate(
        Protocol.traction(300, preceding=(spinesim.upright(2.0),)),
        device=TractionTable(),
        tissues=spinesim.Tissues(contact=contact),
    )
    assert result.summary()["solver"]["steps"] < 1500


# ------------------------------------------------------------------------------ postures
def test_the_hip_joint_centre_has_the_measured_pelvic_incidence_and_radius():
    """Seen from the S1 endplate centre, the hip joint centre lies at the pelvic incidence
    from the endplate's normal (the pelvis' axis), and the pelvic radius (to the S1
    endplate's posterior-superior corner) has its measured length, scaled with stature."""
    from spinesim.assembly import PELVIC_INCIDENCE_DEG, PELVIC_RADIUS

    subject = spinesim.Subject(height_m=1.9)
    model = spinesim.spine_model(subject=subject, settle=False)
    hip = model.joint[0, [L.J_BX, L.J_BY]]
    s1 = model.joint[1, [L.J_AX, L.J_AY]]
    along, anterior = hip - s1
    assert np.degrees(np.arctan2(anterior, -along)) == pytest.approx(PELVIC_INCIDENCE_DEG)
    corner = s1 - [0.0, model.joint[1, L.J_DEPTH] / 2.0]
    radius = PELVIC_RADIUS * subject.length_scale
    assert np.hypot(*(hip - corner)) == pytest.approx(radius)


def test_lying_on_the_table_the_legs_rest_on_their_length():
    """Lying on the traction table the legs rest on the table along their length: prone
    the whole length touches, and supine (where the buttocks carry the thighs' upper end)
    neither end sinks deeper than three times the static indentation. Resting on one
    point they tilted 12 deg prone, the feet 6 cm into the tabletop. At rest L4-L5 carries
    about the same prone as supine (Wilke 1999 measured about the same pressure)."""
    forces = {}
    for position in ("supine", "prone"):
        model = spinesim.spine_model(device=TractionTable(position=position))
        y, body = model.y0, model.body
        side = M.table_side(model.glob)
        cs = M.body_trig(y, model.n_body)
        _, py, *_ = M.body_point(y, 0, cs, body[0, L.B_CONTACT_X], body[0, L.B_CONTACT_Y])
        tilt = M.contact_tilt(y, 0, body, side)
        *_, deepest = M.contact_spring(-side * py, tilt, body, 0, model.glob[L.G_SMOOTH])
        lifted_end = deepest - body[0, L.B_CONTACT_LENGTH] * abs(tilt)
        assert 0.0 < deepest < 3.0 * model.tissues.contact.indentation_m, position
        if position == "prone":
            assert lifted_end > 0.0  # the shallower end touches too
        flat = Protocol((spinesim.Phase(1.0, 0.0, 0.0),))
        forces[position] = spinesim.simulate(flat, model=model)["L4-L5"].axial_force[0]
    assert forces["prone"] == pytest.approx(forces["supine"], rel=0.15)


def test_standing_each_level_balances_the_gravity_moment_of_the_body_above_it():
    """Upright at rest, the moment across a level (disc, ligaments, muscles) equals the
    moment of the weight above it about the disc centre, where the level's forces act;
    postural control holds each level within 0.25 deg of its rest angle."""
    model = spinesim.spine_model()
    protocol = Protocol((spinesim.Phase(600.0, -90.0, -90.0, kind="upright"),))
    result = spinesim.simulate(protocol, model=model)
    pose = result.body_pose[-1]  # x, y, phi of every body; gravity along -x upright

    def point(i, lx, ly):
        x, y, phi = pose[i]
        c, s = np.cos(phi), np.sin(phi)
        return np.array([x + c * lx - s * ly, y + s * lx + c * ly])

    for level in LEVELS:
        j = model.joint_names.index(level)
        row = model.joint[j]
        centre = 0.5 * (point(j, row[L.J_AX], row[L.J_AY]) + point(j + 1, row[L.J_BX], row[L.J_BY]))
        above = slice(j + 1, None)
        lever = pose[above, 1] - centre[1]  # anterior offset of each centre of mass
        expected = G * float(np.sum(model.body[above, L.B_MASS] * lever))
        moment = result.bending_moment[-1, result.levels.index(level)]
        assert moment == pytest.approx(expected, rel=1e-4, abs=1e-3), level
        bend = pose[j + 1, 2] - pose[j, 2] - row[L.J_REST_ANGLE]
        assert abs(np.degrees(bend)) < 0.25, level


@pytest.mark.parametrize("before", ["lying", "upright"])
def test_sitting_loads_the_disc_as_standing_whatever_came_before(before):
    """The seat carries the pelvis along the spine only (not fore-aft, not its tilt), so
    sitting down from bed does not hold the lying pose off balance (which had L4-L5 at
    -895 N against -787 N standing; now -759 N)."""
    first = spinesim.lying(2.0) if before == "lying" else spinesim.upright(2.0)
    forces = {}
    for kind in ("sitting", "upright"):
        phases = (first, spinesim.Phase(60, -90, -90, kind=kind), spinesim.Phase(60, 0, 0))
        result = spinesim.simulate(Protocol(phases), output_interval_s=1.0)
        k = result.index_at(59.0)
        forces[kind] = result["L4-L5"].axial_force[k]
        assert result["L4-L5"].segment_force[k] == pytest.approx(-354.0, abs=1.0)
    assert forces["sitting"] == pytest.approx(forces["upright"], rel=0.04)


def test_sitting_does_not_remember_the_device_one_lay_on():
    """Sitting after an hour on different devices: the seat takes no pose from them (held
    in its tilt, it gave -808, -636 and -885 N at L4-L5 after the table, the supine and
    the prone traction table)."""
    protocol = Protocol(
        (spinesim.Phase(3600, 0, 0, kind="lying"), spinesim.Phase(120, -90, -90, kind="sitting"))
    )
    forces = []
    for device in (None, TractionTable(), TractionTable(position="prone")):
        result = spinesim.simulate(protocol, device=device, output_interval_s=60.0)
        forces.append(result["L4-L5"].axial_force[result.index_at(3660.0)])
    assert max(forces) - min(forces) < 0.05 * abs(np.mean(forces))


@pytest.mark.parametrize(
    "tissues",
    [
        spinesim.Tissues(muscles=spinesim.MuscleProperties(postural_stiffness_ratio=100.0)),
        spinesim.Tissues(disc=spinesim.DiscProperties(bending_stiffness=5e3)),
    ],
    ids=["gain 100", "bending stiffness 5e3"],
)
def test_a_stiffer_postural_control_does_not_compress_the_standing_disc_more(tissues):
    """The blend in which extensors and flexors take over from each other at the rest
    angle leaves both pulling a little; its width shrinks as the postural stiffness (gain
    times bending stiffness) grows, so that neither changes what a standing disc carries
    (with a fixed width L4-L5 carried -787 N at the default gain of 10 and -999 N at 100;
    -5256 N at a bending stiffness of 5e4 N m/rad, against 458 by default; 5e3 is now the
    largest allowed)."""
    protocol = Protocol((spinesim.lying(1.0), spinesim.Phase(600, -90, -90, kind="upright")))
    forces = []
    for case in (spinesim.Tissues(), tissues):
        result = spinesim.simulate(protocol, tissues=case)
        forces.append(result["L4-L5"].axial_force[-1])
        assert result["L4-L5"].segment_force[-1] == pytest.approx(-354.0, abs=1.0)
    assert forces[1] == pytest.approx(forces[0], rel=0.03)


def test_postural_control_is_damped_like_the_joints_own_bending():
    """With control on, a joint is damped at the bending damping ratio for its bending plus
    postural stiffness (assembly.set_bending_damping); standing up from lying (a step, the
    worst case) then overshoots the standing L4-L5 compression by less than 1.9 times
    (2.0 times without the postural damping: the undamped step's ringing)."""
    model = spinesim.spine_model()
    j = model.joint_names.index("L4-L5")
    row = model.joint[j]
    ratio = (row[L.J_C_BEND] + row[L.J_POSTURE_DAMPING]) / row[L.J_C_BEND]
    stiffness_ratio = (row[L.J_K_BEND] + row[L.J_POSTURE_STIFFNESS]) / row[L.J_K_BEND]
    assert ratio == pytest.approx(np.sqrt(stiffness_ratio), rel=1e-12)
    stand_up = Protocol(
        (
            spinesim.Phase(60.0, 0.0, 0.0, kind="lying"),
            spinesim.Phase(30.0, -90.0, -90.0, kind="upright"),
        )
    )
    force = spinesim.simulate(stand_up, model=model, output_interval_s=0.05)["L4-L5"].axial_force
    assert force.min() / force[-1] < 1.9


@pytest.mark.parametrize(
    "device", [spinesim.InversionTable(ankle_rotational_stiffness=300.0), SuspensionHarness()]
)
@pytest.mark.parametrize(("mass_kg", "height_m"), [(70.0, 1.75), (150.0, 2.0), (250.0, 1.9)])
def test_a_heavy_or_tall_subject_stands_upright_on_the_feet(device, mass_kg, height_m):
    """Upright, the ankle holder stands for the feet: at least 2 m g h of rotational
    stiffness in upright and sitting phases, whatever the device's holder has on the
    device, so the legs stay within 3 deg of vertical
    and at rest L3-L4 carries exactly the weight above it, vertically (a 150 kg, 2 m subject
    once leaned by 50 deg, a 250 kg one hung upside down with the lumbar spine in
    tension)."""
    subject = spinesim.Subject(mass_kg=mass_kg, height_m=height_m)
    model = spinesim.spine_model(subject, device)
    # on the device and lying, the holder keeps its own stiffness (a user's choice counts)
    assert model.body[0, L.B_ANCHOR_K_ROT] == getattr(device, "ankle_rotational_stiffness", 1500.0)
    protocol = Protocol((spinesim.Phase(180.0, -90.0, -90.0, kind="upright"),))
    result = spinesim.simulate(protocol, model=model)
    assert abs(np.degrees(result.body_pose[-1, 0, 2])) < 3.0
    expected = -weight(model, slice(model.joint_names.index("L3-L4") + 1, None))
    last = result.time_s.size - 1
    assert joint_force_x(model, result, last, "L3-L4") == pytest.approx(expected, abs=0.5)


def test_muscle_tone_grows_with_body_mass_at_one_stature():
    """(mass / 70 kg) ** tone_mass_exponent: the calibration's 70 kg keeps its tone, twice
    the mass has 2 ** 0.56 of it, and exponent 0 ties the tone to stature alone."""

    def tone(mass_kg: float, exponent: float = 0.56) -> np.ndarray:
        tissues = spinesim.Tissues(muscles=spinesim.MuscleProperties(tone_mass_exponent=exponent))
        model = spinesim.spine_model(spinesim.Subject(mass_kg=mass_kg), tissues=tissues)
        return model.joint[:, L.J_MUSCLE_FORCE]

    reference = tone(70.0, 0.0)
    assert reference.max() > 100.0  # N at full activation, the lumbar levels
    np.testing.assert_allclose(tone(70.0), reference, rtol=1e-12)
    np.testing.assert_allclose(tone(140.0), 2.0**0.56 * reference, rtol=1e-12)
    np.testing.assert_allclose(tone(140.0, 0.0), reference, rtol=1e-12)


def test_the_hands_carry_nothing_off_the_bench():
    """The hands hold the bench's handles only on the device: standing before a session on
    the hip bench, every level carries the full weight above it."""
    model = spinesim.spine_model(device=HipBench(hand_support=0.5))
    protocol = Protocol((spinesim.Phase(120.0, -90.0, -90.0, kind="upright"),))
    result = spinesim.simulate(protocol, model=model)
    k = result.time_s.size - 1
    for level in ("L3-L4", "T6-T7"):  # below T4, where the hands' share would act
        j = model.joint_names.index(level)
        expected = -weight(model, slice(j + 1, None))
        assert joint_force_x(model, result, k, level) == pytest.approx(expected, abs=0.5)


def test_spine_length_counts_every_disc_space_from_the_sacrum_to_the_head():
    """``spine_length_change`` sums the middle disc-space changes of L5-S1 to head-C1
    (docs/model.md, the outputs table): every joint but the hip."""
    model = spinesim.spine_model(settle=False)
    counted = [n for n, s in zip(model.joint_names, model.joint[:, L.J_SPINAL], strict=True) if s]
    assert counted == [n for n in model.joint_names if n != "hip"]
    assert counted[0] == "L5-S1" and counted[-1] == "head-C1"
    # the sum itself, on made-up middle gaps that change by a known amount at every joint
    from spinesim.outputs import time_series

    n_joint = model.n_body - 1
    joint_out = np.zeros((2, n_joint, O.N_JOINT_OUT))
    joint_out[1, :, O.O_GAP_MIDDLE] = 1e-4 * (1.0 + np.arange(n_joint))  # m
    joint_out[1, :, O.O_GAP_ANTERIOR] = 1.0  # anterior and posterior gaps do not count
    joint_out[1, :, O.O_GAP_POSTERIOR] = -1.0
    series = time_series(
        model, joint_out, np.zeros((2, model.n_body, O.N_BODY_OUT)), np.zeros((2, O.N_GLOBAL_OUT))
    )
    expected = 1e3 * sum(
        joint_out[1, j, O.O_GAP_MIDDLE] for j, n in enumerate(model.joint_names) if n in counted
    )
    assert series["spine_length_change"][1] == pytest.approx(expected, rel=1e-12)
    assert series["spine_length_change"][0] == 0.0


def test_sitting_spine_carries_the_weight_above_and_the_seat_the_pelvis():
    """Sitting: each level is compressed by the weight above it; the seat and feet carry
    the whole body."""
    protocol = Protocol((spinesim.Phase(720.0, -90.0, -90.0, kind="sitting"),))
    model = spinesim.spine_model()
    result = spinesim.simulate(protocol, model=model)
    k = result.time_s.size - 1  # the end of the sitting
    for level in ("L3-L4", "T12-L1"):
        j = model.joint_names.index(level)
        expected = -weight(model, slice(j + 1, None))
        assert joint_force_x(model, result, k, level) == pytest.approx(expected, abs=0.5)
    # the pull of the body on its holders (seat, feet) is its weight, towards the feet
    assert -result.anchor_force[k] == pytest.approx(weight(model, slice(None)), rel=1e-3)


def test_typical_day_phases():
    day = typical_day(hours_upright=15, hours_asleep=9, sitting_share=0.4)
    assert [(p.kind, p.duration_s) for p in day] == [
        ("lying", 9 * 3600.0),
        ("sitting", 6 * 3600.0),
        ("upright", 9 * 3600.0),
    ]
    assert not any(p.session for p in day)


def test_day_on_ones_feet_compresses_the_discs_against_a_night():
    """The disc space at L3-L4 is smaller after a day upright than after a night lying."""
    heights = []
    for preceding in ((typical_day()), (typical_day()[0],)):
        result = spinesim.simulate(Protocol.inversion(30, hold_s=10, preceding=preceding))
        heights.append(result.disc_height[0, result.levels.index("L3-L4")])
    assert heights[0] < heights[1] - 0.3  # mm


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("name", "options", "fragments"),
    [
        ("sled", {}, ("'sled'", "allowed", "table", "boots")),
        ("boots", {"friction_static": 0.5}, ("friction_static", "'boots'", "no backrest")),
        ("hip_bench", {"pull_N": 100.0}, ("pull_N", "'hip_bench'", "hand_support")),
        ("hip_bench", {"hand_support": 1.5}, ("HipBench.hand_support", "1.5", "[0, 1]")),
        ("hip_bench", {"hand_support": -0.1}, ("HipBench.hand_support", "[0, 1]")),
        ("harness", {"level": "L3"}, ("SuspensionHarness.level", "'L3'", "T10")),
        ("traction", {"split_level": "C3-C4"}, ("TractionTable.split_level", "L5-S1")),
        ("traction", {"split_table": 1}, ("TractionTable.split_table", "true or false")),
        ("traction", {"position": "side"}, ("TractionTable.position", "'prone'")),
        ("boots", {"ankle_stiffness": 0.0}, ("GravityBoots.ankle_stiffness", "30000")),
    ],
)
def test_device_options_refused_with_names(name, options, fragments):
    with raises_naming(*fragments):
        device_from_name(name, **options)


def test_numpy_booleans_are_booleans():
    """NumPy's booleans (from arrays and tables) are accepted, and kept as Python's."""
    table = TractionTable(split_table=np.True_)
    assert table.split_table is True and table == TractionTable(split_table=True)


@pytest.mark.parametrize(
    ("device", "protocol", "fragments"),
    [
        (GravityBoots(), Protocol.inversion(60), ("'hold'", "'boots'", "90 deg", "60")),
        (HipBench(), Protocol.inversion(45), ("'hip_bench'", "hangs free at 90")),
        (SuspensionHarness(), Protocol.inversion(90), ("'harness'", "-90 deg")),
        (TractionTable(), Protocol.inversion(30), ("'traction'", "works at 0 deg")),
        (InversionTable(), Protocol.traction(200), ("pull_N", "'table'", "traction")),
    ],
)
def test_protocols_a_device_cannot_do(device, protocol, fragments):
    with raises_naming(*fragments):
        spinesim.simulate(protocol, device=device)


def test_pull_outside_a_device_phase_and_out_of_range():
    with raises_naming("pull_N = 5000", "[0, 3000]"):
        Protocol.traction(5000)
    with raises_naming("rest_pull_N", "[0, 200]"):
        Protocol.traction(200, cycles=2, rest_pull_N=300)
    with raises_naming("'s'", "only in device phases", "'upright'"):
        spinesim.Phase(60.0, -90.0, -90.0, kind="upright", name="s", start_pull_N=50.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"hours_upright": 30}, "hours_upright"), ({"sitting_share": 2}, "sitting_share")],
)
def test_typical_day_ranges(kwargs, name):
    with raises_naming(name, "allowed"):
        typical_day(**kwargs)


def test_every_registered_device_pulls_the_lumbar_spine_apart():
    """Every device decompresses: at the end of a hold the L3-L4 motion segment is in
    tension, less than the whole body's weight, and its disc space has opened."""
    angles = {"boots": 90.0, "hip_bench": 90.0, "harness": -90.0}
    for name in DEVICES:
        device = device_from_name(name)
        if device.pulls:
            protocol = Protocol.traction(300, ramp_s=2, hold_s=30)
        else:
            protocol = Protocol.inversion(angles.get(name, 60.0), ramp_s=2, hold_s=30)
        model = spinesim.spine_model(device=device)
        result = spinesim.simulate(protocol, model=model)
        k = result.index_at(protocol.hold_end_s)
        tension = result["L3-L4"].segment_force[k]
        assert 0.0 < tension < weight(model, slice(None)), (name, tension)
        assert result["L3-L4"].gap_change[k, 1] > 0.0, name


# ------------------------------------------------------------------- CLI and protocol files
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("options", "angle"),
    [
        (["--device", "boots"], 90.0),
        (["--device", "hip_bench", "--option", "hand_support=0.3"], 90.0),
        (["--device", "harness", "--option", "level=T8"], -90.0),
        (["--device", "table", "--angle", "45", "--cycles", "2", "--rest", "5"], 45.0),
    ],
)
def test_cli_devices_and_their_hanging_angle(options, angle):
    args = cli.build_parser().parse_args(["run", "--ramp", "2", "--hold", "5", *options])
    protocol, _, device = cli._inputs(args)
    assert device.name == options[1]
    holds = [p for p in protocol.phases if p.name.startswith("hold")]
    assert holds and all(p.start_deg == p.end_deg == angle for p in holds)


def test_cli_traction_options_reach_the_api():
    args = cli.build_parser().parse_args(
        ["run", "--device", "traction", "--pull", "250", "--option", "split_table=true",
         "--cycles", "3", "--hold", "60", "--rest", "20", "--sitting-hours", "2"]
    )  # fmt: skip
    protocol, _, device = cli._inputs(args)
    assert device == TractionTable(split_table=True)
    assert max(p.end_pull_N for p in protocol.phases) == 250.0
    assert sum(p.name.startswith("hold") for p in protocol.phases) == 3
    assert protocol.phases[0].kind == "sitting"


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--device", "boots", "--friction", "0.5"], ("friction_static", "'boots'", "--friction")),
        (["--device", "table", "--pull", "100"], ("--pull", "traction", "'table'")),
        (["--device", "traction"], ("needs --pull",)),
        (["--device", "traction", "--pull", "100", "--angle", "30"], ("--angle", "0 deg")),
        (["--device", "hip_bench", "--option", "hand_support=2"], ("HipBench.hand_support",)),
        (["--device", "boots", "--option", "hand_support=0.2"], ("hand_support", "'boots'")),
        (["--device", "boots", "--option", "bad"], ("--option 'bad'", "NAME=VALUE")),
        (["--device", "boots", "--angle", "60"], ("'boots'", "90 deg")),
    ],
)
def test_cli_bad_device_input_exits_2_naming_it(options, fragments, capsys, tmp_path):
    out = tmp_path / "r.nc"
    status = cli.main(["run", "--ramp", "2", "--hold", "5", *options, "--out", str(out)])
    err = capsys.readouterr().err
    assert status == cli.EXIT_USAGE
    for fragment in fragments:
        assert fragment in err
    assert not out.exists()


def test_traction_example_file():
    protocol, _, device = load_protocol_file(EXAMPLES / "traction_protocol.toml")
    assert device == TractionTable(split_table=True)
    assert [p.kind for p in protocol.phases[:3]] == ["lying", "sitting", "upright"]
    assert protocol.hold_end_s == pytest.approx(2 * 110.0 + 80.0)
    assert max(p.end_pull_N for p in protocol.phases) == 300.0


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('[device]\ntype = "boots"\nfriction_static = 0.5\n', ("device.friction_static",)),
        ('[device]\ntype = "boots"\n[[phase]]\nduration_s = 5\nangle_deg = 60\n',
         ("device 'boots'", "90 deg")),
        ("[[phase]]\nduration_s = 5\nangle_deg = 0\npull_N = 100\nend_pull_N = 50\n",
         ("phase[1]", "pull_N")),
        ("[[phase]]\nduration_s = 5\nangle_deg = 0\npull_N = 9000\n",
         ("phase[1].pull_N", "9000")),
        ('[[phase]]\nduration_s = 5\nkind = "kneeling"\n', ("phase[1].kind", "'kneeling'")),
        ('[[preceding]]\nkind = "sitting"\nhours = 100\n', ("preceding[1].hours", "100")),
    ],
)  # fmt: skip
def test_protocol_file_device_errors(tmp_path, text, fragments):
    if "[[phase]]" not in text:
        text += "[[phase]]\nduration_s = 5\nangle_deg = 90\n"
    path = tmp_path / "p.toml"
    path.write_text(text)
    with raises_naming(*fragments):
        load_protocol_file(path)


def test_protocol_file_posture_phase_defaults_to_its_angle(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        '[[phase]]\nkind = "sitting"\nduration_s = 60\n[[phase]]\nduration_s = 5\nangle_deg = 30\n'
    )
    protocol, _, _ = load_protocol_file(path)
    assert (protocol.phases[0].kind, protocol.phases[0].start_deg) == ("sitting", -90.0)


def test_prone_traction_rests_on_the_front_and_splits_like_supine():
    """Prone, the anterior skin rests on the table: the table carries the body weight at
    0 deg through the abdomen and chest (the lordosis now touches), and on a split table
    L5-S1 again receives the whole pull."""
    prone = TractionTable(split_table=True, position="prone")
    protocol = Protocol.traction(400)
    model, result, k = at_rest(prone, protocol)
    assert joint_force_x(model, result, k, "L5-S1") == pytest.approx(400.0, abs=1.0)
    normal = normal_forces(model, protocol, result.time_s[k])
    touching = [name for name, force in zip(model.body_names, normal, strict=True) if force > 1]
    assert {"L3", "L4", "T1"} <= set(touching)
    settled = spinesim.spine_model(device=prone)
    y0 = settled.y0
    normal = sum(contact(settled, y0, i)[0] for i in range(settled.n_body))
    assert normal == pytest.approx(weight(settled, slice(None)), rel=1e-3)


# ------------------------------------------------------------------------------- compare
def test_compare_one_subject_several_devices():
    short = {"ramp_s": 2.0, "hold_s": 5.0}
    comparison = spinesim.compare(
        {
            "table 60": Protocol.inversion(60, **short),
            "boots": (Protocol.inversion(90, **short), GravityBoots()),
        },
        subject=spinesim.Subject(mass_kg=80),
    )
    rows = comparison.rows()
    assert len(rows) == 2 * len(comparison.levels)
    assert rows[0]["case"] == "table 60" and rows[0]["level"] == "L5-S1"
    force = comparison.end_of_hold("axial_force")
    j = comparison.levels.index("L3-L4")
    assert force[1, j] > force[0, j] > 0.0
    assert rows[len(comparison.levels) + j]["axial_force_N"] == force[1, j]
    assert "fluid_change_pct" in rows[0]  # keys follow the summaries' rule, % as pct
    pressure = comparison.end_of_hold("pressure")  # MPa, lower where the boots pull harder
    assert rows[j]["pressure_MPa"] == pressure[0, j] and pressure[1, j] < pressure[0, j]
    text = comparison.table_text(levels=["L3-L4"])
    assert "boots" in text and f"{force[1, j]:.1f}" in text
    assert "against each case's session start" in text
    for result in comparison.results.values():
        assert result.attrs["subject"]["mass_kg"] == 80


@pytest.mark.parametrize(
    ("cases", "fragments"),
    [
        ({}, ("cases = {}", "allowed")),
        ({"x": 5}, ("cases['x'] = 5", "allowed")),
        ({1: Protocol.inversion(30)}, ("label 1", "not a string")),
    ],
)
def test_compare_bad_cases(cases, fragments):
    with raises_naming(*fragments):
        spinesim.compare(cases)
