"""Assembly of the anatomical spine: a :class:`~spinesim.anatomy.Subject` on a device →
a :class:`~spinesim.model.Model`.

:func:`spine_model` builds the chain (legs, pelvis, L5-C1, head) with
:class:`~spinesim.model.ModelBuilder` from the per-level tables and the tissue
properties (:class:`Tissues`), stands it in balance and lets it settle lying on the
support (:mod:`spinesim.settling`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from spinesim.anatomy import (
    LEG_COM_FRACTION,
    REFERENCE_MASS_KG,
    Anatomy,
    Subject,
    load_anatomy,
)
from spinesim.core import layout as L
from spinesim.core.holders import strap_on
from spinesim.device import (
    ARM_BODIES,
    DEVICE_TYPES,
    KINDS,
    Device,
    HipBench,
    Hold,
    InversionTable,
    TractionTable,
    ground_holds,
)
from spinesim.errors import check_type
from spinesim.model import GRAVITY, POSTURE_BLEND, Model, ModelBuilder, rest_pose
from spinesim.properties import (
    REFERENCE_AREA,
    REFERENCE_AXIAL_STIFFNESS,
    REFERENCE_PRELOAD,
    ContactProperties,
    DiscProperties,
    MuscleProperties,
    Tissues,
)
from spinesim.settling import settled

#: Disc middle height of the reference level L3-L4 (m), scales ligament lengths.
REFERENCE_DISC_HEIGHT = 12.45e-3
#: Hip rotational stiffness (N m/rad). Assumption: upright, passive hip stiffness plus
#: postural tone must exceed the trunk's gravitational toppling stiffness (~200 N m/rad).
HIP_BENDING_STIFFNESS = 500.0
#: Damping ratio of the ankle anchor (assumption: padded holder, well damped).
ANCHOR_DAMPING_RATIO = 0.5
#: Upright and sitting, the ankle holder stands for the feet and postural ankle control: its
#: rotational stiffness is at least this multiple of the subject's toppling stiffness m g h
#: (whole-body weight times the height of its centre of mass above the ankles). Standing
#: balance needs more than m g h (Loram & Lakie 2002 J Physiol 545:1041: the intrinsic ankle
#: stiffness alone is 91 % of it, active control adds the rest [M]); 2 is an assumption
#: that keeps the 1500 N m/rad of the reference subject (2 m g h = 1333 N m/rad).
FEET_TOPPLING_RATIO = 2.0


# ------------------------------------------------------------------------ the anatomical spine
def spine_model(
    subject: Subject | None = None,
    device: Device | None = None,
    tissues: Tissues | None = None,
    *,
    settle: bool = True,
) -> Model:
    """The full spine (legs, pelvis, L5-C1, head) of ``subject`` on ``device``.

    The chain is assembled in its unloaded standing shape with the legs along the table,
    lowered onto the horizontal backrest and left to settle there for :data:`SETTLE_S`
    seconds (muscles at resting tone); that settled state is the model's ``y0``.
    ``settle=False`` skips the settle (for :func:`settle_models` to settle many at once).
    """
    subject = check_type("subject", subject, Subject, optional=True) or Subject()
    device = check_type("device", device, DEVICE_TYPES, optional=True) or InversionTable()
    tissues = check_type("tissues", tissues, Tissues, optional=True) or Tissues()
    check_type("settle", settle, bool)
    anat = load_anatomy(subject)
    s = subject.length_scale
    builder = ModelBuilder(
        friction_static=device.friction_static,
        friction_kinetic=device.friction_kinetic,
        guard_time_constant_s=tissues.muscles.guard_time_constant_s,
        guard_rise_s=tissues.muscles.guard_rise_s,
        stribeck_velocity=tissues.contact.stribeck_velocity,
        slip_time_s=tissues.contact.slip_time_s,
        prone=device.prone,
    )
    holds = _holds_by_body(device, anat)
    device_columns = _device_columns(device, anat)
    for i, name in enumerate(anat.body_names):
        m = anat.mass[i]
        geo = _body_geometry(name, anat, i, s)
        if device.prone:
            geo["contact_y"] = _anterior_contact_y(name, anat, i, s)
        inertia = geo.pop("inertia")
        anchor = _hold_columns(holds[i], anat) if i in holds else {}
        builder.add_body(
            name,
            m,
            inertia,
            **_contact_columns(m, tissues.contact),
            **geo,
            **anchor,
            **device_columns.get(i, {}),
        )

    for j, name in enumerate(anat.joint_names):
        columns = _joint_attachments(anat, j, s)
        if anat.joint_kind[j] == "disc":
            columns.update(disc_columns(anat, j, s, tissues))
        else:
            columns.update(_bushing_columns(anat, j, s, tissues, name))
        builder.add_joint(name, **columns, hangs=float(j < _hanging_below(device, anat)))

    model = builder.build(levels=anat.disc_levels)
    body, joint = model.body, model.joint
    joint[0, L.J_REST_ANGLE], legs_standing = _balanced_standing(body, joint, anat)
    y = rest_pose(body, joint, 0.0, 0.0, 0.0)
    set_bending_damping(body, joint, y, tissues.disc.bending_damping_ratio)
    _stand_on_the_feet(body, y, holds, legs_standing, model.glob[L.G_GRAVITY])
    _set_rotational_damping(body, y, holds)
    # lower the chain onto the backrest: the lowest contact point touches it
    contact_y = [
        y[i * L.BLOCK + L.S_Y]
        + math.sin(y[i * L.BLOCK + L.S_PHI]) * body[i, L.B_CONTACT_X]
        + math.cos(y[i * L.BLOCK + L.S_PHI]) * body[i, L.B_CONTACT_Y]
        for i in range(model.n_body)
    ]
    # every supported body indents the padding by the same depth under its own weight; prone,
    # the table is on the anterior side (+y, see mechanics.table_side)
    if device.prone:
        y[L.S_Y :: L.BLOCK][: model.n_body] -= max(contact_y) - tissues.contact.indentation_m
    else:
        y[L.S_Y :: L.BLOCK][: model.n_body] -= min(contact_y) + tissues.contact.indentation_m
    strap_on(body, y, body[:, L.B_ANCHOR_K] > 0.0)
    assembled = dataclasses.replace(
        model, body=body, joint=joint, y0=y, subject=subject, device=device, tissues=tissues
    )
    return settled(assembled) if settle else assembled


def set_bending_damping(body: np.ndarray, joint: np.ndarray, y: np.ndarray, ratio: float) -> None:
    """Every joint's bending damping (``J_C_BEND``, N m s/rad; in place): the damping ratio
    ``ratio`` for the parts of the chain on either side turning against each other about the
    joint in the pose ``y``, ``c = 2 ratio sqrt(k_bend I)`` with ``I = I_a I_b / (I_a + I_b)``,
    ``I_a`` and ``I_b`` the inertias of the bodies caudal and cranial of the joint about its
    centre. The ratio is that of whole-body vibration modes (Kitazaki & Griffin 1997), so
    it is given to the motions of the whole chain, not to those of two vertebrae alone:
    the lower body swinging from a harness would otherwise sway for minutes.

    Postural control (``J_POSTURE_STIFFNESS``) adds its damping (``J_POSTURE_DAMPING``):
    with control on, the joint is damped at ``ratio`` for its bending plus postural
    stiffness, ``2 ratio sqrt((k_bend + k_posture) I)`` in all (muscles resist the rate of
    a joint's motion as well as its size: the derivative gain of postural control models,
    e.g. Peterka 2002 J Neurophysiol 88:1097 [M]); otherwise the upright trunk, 11 times
    stiffer, would ring at about 0.3 / sqrt(11) of critical."""
    mass, inertia = body[:, L.B_MASS], body[:, L.B_INERTIA]
    x, z = y[L.S_X :: L.BLOCK], y[L.S_Y :: L.BLOCK]
    for j in range(joint.shape[0]):
        c, s = math.cos(y[j * L.BLOCK + L.S_PHI]), math.sin(y[j * L.BLOCK + L.S_PHI])
        cx = x[j] + c * joint[j, L.J_AX] - s * joint[j, L.J_AY]
        cz = z[j] + s * joint[j, L.J_AX] + c * joint[j, L.J_AY]
        about = inertia + mass * ((x - cx) ** 2 + (z - cz) ** 2)
        caudal, cranial = about[: j + 1].sum(), about[j + 1 :].sum()
        swing = caudal * cranial / (caudal + cranial)
        k_bend, k_posture = joint[j, L.J_K_BEND], joint[j, L.J_POSTURE_STIFFNESS]
        joint[j, L.J_C_BEND] = 2.0 * ratio * math.sqrt(k_bend * swing)
        controlled = 2.0 * ratio * math.sqrt((k_bend + k_posture) * swing)
        joint[j, L.J_POSTURE_DAMPING] = controlled - joint[j, L.J_C_BEND]


def _balanced_standing(body: np.ndarray, joint: np.ndarray, anat) -> tuple[float, float]:
    """The hip's rest angle and the legs' angle standing (rad, from the vertical) for which
    the unloaded standing shape is in sagittal balance:

    - the C7 plumb line passes through the posterior-superior corner of S1, i.e. a sagittal
      vertical axis of 0 (non-pathologic adults: SVA below 4 cm, SRS-Schwab classification,
      Schwab et al. 2012 Spine 37:1077 [V-sec]); without it the trunk's weight would hang on
      the posterior ligaments upright;
    - the whole body's centre of mass lies above the ankles, so the feet stand without a
      torque (quiet standing keeps it within a few cm of them [M]).

    The first fixes the pelvis' orientation (legs' angle plus hip angle), the second then
    the legs' angle."""
    from scipy.optimize import brentq  # here: scipy.optimize costs ~0.5 s to import

    pelvis, c7 = anat.body_names.index("pelvis"), anat.body_names.index("C7")
    l5s1 = anat.joint_names.index("L5-S1")
    trial = joint.copy()
    mass = body[:, L.B_MASS]
    ankle = _ankle_x(anat)

    def pose(hip: float, legs: float) -> np.ndarray:
        trial[0, L.J_REST_ANGLE] = hip
        return rest_pose(body, trial, 0.0, 0.0, legs)

    def sva(orientation: float) -> float:
        y = pose(orientation, 0.0)
        b = pelvis * L.BLOCK
        c, s = math.cos(y[b + L.S_PHI]), math.sin(y[b + L.S_PHI])
        corner_x = trial[l5s1, L.J_AX]
        corner_y = trial[l5s1, L.J_AY] - anat.disc_depth[l5s1] / 2.0
        return y[c7 * L.BLOCK + L.S_Y] - (y[b + L.S_Y] + s * corner_x + c * corner_y)

    orientation = brentq(sva, 0.0, math.radians(80.0))

    def centre_over_ankles(legs: float) -> float:
        y = pose(orientation - legs, legs)
        return mass @ y[L.S_Y :: L.BLOCK] / mass.sum() - math.sin(legs) * ankle

    legs = brentq(centre_over_ankles, -math.radians(20.0), math.radians(20.0))
    return orientation - legs, legs


def _holds_by_body(device: Device, anat) -> dict[int, Hold]:
    """The device's holds merged with the ground holds (:func:`~spinesim.device.
    ground_holds`), by body index. Where the device holds a site the ground also holds
    (the inversion table's ankle holder), the device's holder serves in every kind it
    lists plus the ground's."""
    merged: dict[str, Hold] = {h.site: h for h in ground_holds()}
    for hold in device.holds():
        ground = merged.get(hold.site)
        kinds = hold.kinds if ground is None else tuple(dict.fromkeys(hold.kinds + ground.kinds))
        merged[hold.site] = dataclasses.replace(hold, kinds=kinds)
    site_body = {"ankles": "legs"}
    return {anat.body_names.index(site_body.get(site, site)): h for site, h in merged.items()}


def _ankle_x(anat) -> float:
    """The ankle (the legs' distal end) along the legs' axis from their centre of mass (m)."""
    return -(1.0 - LEG_COM_FRACTION) * anat.leg_length


def _hold_columns(hold: Hold, anat) -> dict[str, float]:
    """Anchor columns of ``hold``; its position on the device and its rotational damping
    (:func:`_set_rotational_damping`) are set once the chain is placed. The ankles are held
    at the legs' distal end, other sites at the centre of mass. Translational damping:
    :data:`ANCHOR_DAMPING_RATIO` of the critical damping of the legs (ankles) or of the
    whole body (other holds, which carry the body hanging on them)."""
    mass = anat.mass[0] if hold.site == "ankles" else float(anat.mass.sum())
    columns = {
        "anchor_k": hold.stiffness,
        "anchor_c": 2.0 * ANCHOR_DAMPING_RATIO * math.sqrt(hold.stiffness * mass),
        "anchor_k_rot": hold.rotational_stiffness,
        "anchor_lx": _ankle_x(anat) if hold.site == "ankles" else 0.0,
        "seat": 1.0 if hold.site == "pelvis" and "sitting" in hold.kinds else 0.0,
    }
    for kind in KINDS:
        columns[f"release_{kind}"] = 0.0 if kind in hold.kinds else 1.0
    return columns


def _stand_on_the_feet(
    body: np.ndarray, y: np.ndarray, holds: dict[int, Hold], legs_angle: float, gravity: float
) -> None:
    """Where the ankle holder also serves as the feet (upright or sitting phases), make it
    stand (in place): the legs at ``legs_angle`` from the table axis (the reference angle,
    kept when the feet are put down, whatever angle the legs had lying), and in upright and sitting
    phases a rotational stiffness of at least :data:`FEET_TOPPLING_RATIO` times the
    toppling stiffness m g h in the pose ``y`` (a heavy or tall subject would otherwise
    fall over standing: 150 kg, 2 m: m g h = 1.6 kN m/rad), damped at
    :data:`ANCHOR_DAMPING_RATIO` of the critical damping of the whole body turning about
    the ankles. Device and lying phases keep the holder's own stiffness."""
    mass = body[:, L.B_MASS]
    x, z = y[L.S_X :: L.BLOCK], y[L.S_Y :: L.BLOCK]
    for i, hold in holds.items():
        if hold.site != "ankles" or not {"upright", "sitting"} & set(hold.kinds):
            continue
        body[i, L.B_ANCHOR_PHI] = legs_angle
        body[i, L.B_ANCHOR_FIXED_ANGLE] = 1.0
        c, s = math.cos(y[i * L.BLOCK + L.S_PHI]), math.sin(y[i * L.BLOCK + L.S_PHI])
        ankle_x = x[i] + c * body[i, L.B_ANCHOR_LX]
        ankle_y = z[i] + s * body[i, L.B_ANCHOR_LX]
        height = math.hypot(mass @ x / mass.sum() - ankle_x, mass @ z / mass.sum() - ankle_y)
        stiffness = max(
            hold.rotational_stiffness, FEET_TOPPLING_RATIO * mass.sum() * gravity * height
        )
        inertia = _inertia_about(body, y, ankle_x, ankle_y)
        body[i, L.B_FEET_K_ROT] = stiffness
        body[i, L.B_FEET_C_ROT] = 2.0 * ANCHOR_DAMPING_RATIO * math.sqrt(stiffness * inertia)


def _inertia_about(body: np.ndarray, y: np.ndarray, px: float, py: float) -> float:
    """Rotational inertia (kg m^2) of all the bodies, in the pose ``y``, about the point
    (px, py) (m, table frame): their own inertias plus m r^2."""
    arm2 = (y[L.S_X :: L.BLOCK] - px) ** 2 + (y[L.S_Y :: L.BLOCK] - py) ** 2
    return float(np.sum(body[:, L.B_INERTIA] + body[:, L.B_MASS] * arm2))


def _set_rotational_damping(body: np.ndarray, y: np.ndarray, holds: dict[int, Hold]) -> None:
    """Rotational damping of every hold in ``body`` (in place): :data:`ANCHOR_DAMPING_RATIO`
    of the critical damping of what turns with the held body, in the pose ``y``: the legs
    about their centre of mass (ankles), the whole body about the held body's centre of
    mass (other holds, which carry the body hanging on them)."""
    for i, hold in holds.items():
        inertia = body[i, L.B_INERTIA]
        if hold.site != "ankles":
            b = i * L.BLOCK
            inertia = _inertia_about(body, y, y[b + L.S_X], y[b + L.S_Y])
        body[i, L.B_ANCHOR_C_ROT] = (
            2.0 * ANCHOR_DAMPING_RATIO * math.sqrt(hold.rotational_stiffness * inertia)
        )


def _hanging_below(device: Device, anat) -> int:
    """The number of joints that hang below the device's holder in device phases (joints
    ``0 .. n - 1``): those caudal to the holder's vertebra on a device the body hangs from
    (``hangs_below_holder``: a suspension harness); none elsewhere."""
    if device.hangs_below_holder:
        return anat.body_names.index(device.level)
    return 0


def _device_columns(device: Device, anat) -> dict[int, dict[str, float]]:
    """Per-body columns of the device's loads other than holds: the traction pull on the
    pelvis and the free-rolling section of a split table (:class:`TractionTable`), the
    hands' support at the arm-carrying vertebrae (:class:`HipBench`)."""
    names = anat.body_names
    columns: dict[int, dict[str, float]] = {}
    if isinstance(device, TractionTable):
        angle = math.radians(device.pull_angle_deg)
        columns[names.index("pelvis")] = {
            "pull_share": -math.cos(angle),
            "pull_lift": math.sin(angle),
        }
        if device.split_table:
            split = anat.joint_names.index(device.split_level)
            for i in range(split + 1):  # joint j links bodies j and j + 1
                columns.setdefault(i, {})["free_sliding"] = 1.0
    if isinstance(device, HipBench) and device.hand_support > 0.0:
        upper = float(anat.mass[names.index("pelvis") + 1 :].sum())
        arms = [names.index(n) for n in ARM_BODIES]
        arm_mass = float(anat.mass[arms].sum())
        for i in arms:
            share = anat.mass[i] / arm_mass
            columns[i] = {"support_mass": device.hand_support * upper * share}
    return columns


# Geometry that is not in the per-level table, in m at the reference stature (scaled with
# stature). All but the pelvic incidence and radius and the head's radius of gyration are
# assumptions from typical adult anatomy, chosen so that the chain has the right shape.
#: Pelvis: S1 endplate centre above the pelvis' centre of mass along its axis.
PELVIS_S1_ABOVE_COM = 0.06
#: Pelvis: pelvic incidence (deg), the angle at the S1 endplate centre between the endplate's
#: normal and the line to the hip axis. 51.7 +- 12.4 deg in 100 asymptomatic adults (UCI
#: Vertebral Column data set, Barreto & Rocha Neto 2011, doi:10.24432/C5K89B, data of
#: H. da Mota, Lyon; normal class, mean +- SD computed from the data [V]); 32-74 deg
#: (mean +- 2 SD) in 709 (Mac-Thiong et al. 2011 Eur Spine J 20 Suppl 5:572 [V-sec]).
PELVIC_INCIDENCE_DEG = 52.0
#: Pelvis: pelvic radius (m), hip axis to the posterior-superior corner of S1. 123.9 +- 9.0 mm
#: in the same 100 adults (UCI data set [V]; the definition, Jackson et al. 1998 Spine
#: 23:1750, is from the data set's description [M]).
PELVIC_RADIUS = 0.124
#: Pelvis: the buttocks' contact point along the axis, from the centre of mass.
PELVIS_CONTACT_X = -0.01
#: Pelvis: sides of the uniform slab used for its moment of inertia (height, depth).
PELVIS_SLAB = (0.15, 0.20)
#: Head: occipital condyles (head-C1 joint) from the head's centre of mass.
HEAD_CONDYLES = (-0.06, -0.01)
#: Head: the occiput's contact point along the axis, from the centre of mass.
HEAD_CONTACT_X = -0.02
#: Head: radius of gyration, 0.362 x head length 0.2429 m (de Leva 1996) [V-sec].
HEAD_GYRATION = 0.362 * 0.2429
#: Legs lying flat: their axis (hip to ankle joint centre) rises this much towards the hip
#: from the surface they rest on, supine (buttock ~9 cm under the hip joint centre, heel
#: ~6 cm under the ankle's) and prone (front of the thigh ~7 cm, of the ankle ~4 cm): a
#: tilt of about 2 deg over the legs' length. The depths at the legs' middle (bodies.csv,
#: ANTERIOR_DEPTH) are the means of these. An assumption from typical adult anatomy (m, at
#: the reference stature).
LEGS_FLAT_RISE = 0.03
#: Vertebral slices: half of a ~10 mm disc on either side (10 mm in all, scaled with stature)
#: is added to the body height for inertia (an assumption: the slice between mid-discs).
SLICE_DISC_SHARE = 0.01


def _body_geometry(name: str, anat, i: int, s: float) -> dict[str, float]:
    """Contact (local, from the centre of mass, m) and moment of inertia (kg m^2) of body
    ``i``. Vertebral slices are uniform slabs as deep as the trunk (twice the skin depth
    plus the centre-of-mass offset), the pelvis the slab ``PELVIS_SLAB``, the legs a uniform
    rod. The legs rest on their whole length, hip to ankle (an assumption; the contact's
    middle is the legs' middle), tilted by ``LEGS_FLAT_RISE`` when flat; the other bodies
    touch at a point."""
    m = anat.mass[i]
    c = anat.com_anterior[i]
    depth = anat.posterior_depth[i]
    if name == "legs":
        return {
            "contact_x": (LEG_COM_FRACTION - 0.5) * anat.leg_length,
            "contact_y": -depth,
            "contact_length": anat.leg_length,
            "contact_flat_angle": math.atan(LEGS_FLAT_RISE * s / anat.leg_length),
            "inertia": m * anat.leg_length**2 / 12.0,
        }
    if name == "pelvis":
        height, slab = (side * s for side in PELVIS_SLAB)
        return {
            "contact_x": PELVIS_CONTACT_X * s,
            "contact_y": -c - depth,
            "inertia": m * (height**2 + slab**2) / 12.0,
        }
    if name == "head":
        return {
            "contact_x": HEAD_CONTACT_X * s,
            "contact_y": -depth,
            "inertia": m * (HEAD_GYRATION * s) ** 2,
        }
    height = anat.body_height[i] + SLICE_DISC_SHARE * s
    slab = 2.0 * (depth + c)
    return {"contact_x": 0.0, "contact_y": -c - depth, "inertia": m * (height**2 + slab**2) / 12.0}


#: Prone: distance from the vertebral-body centre (legs: their axis at their middle; head:
#: its centre of mass) to the skin in front that rests on the table, in m at the reference
#: stature, by region. Assumptions from typical adult sagittal trunk depths (chest and
#: abdomen about 0.22 m) minus the posterior depths of bodies.csv, the legs' from
#: LEGS_FLAT_RISE; they decide which bodies touch a flat table prone and are worth a
#: sensitivity sweep.
ANTERIOR_DEPTH = {"legs": 0.055, "pelvis": 0.15, "L": 0.16, "T": 0.16, "C": 0.10, "head": 0.10}


def _anterior_contact_y(name: str, anat, i: int, s: float) -> float:
    """Local y (m, from the centre of mass) of body ``i``'s contact point lying prone."""
    region = name if name in ANTERIOR_DEPTH else name[0]
    depth = ANTERIOR_DEPTH[region] * s
    return depth if name in ("legs", "head") else depth - anat.com_anterior[i]


def _contact_columns(m: float, contact: ContactProperties) -> dict[str, float]:
    weight = m * GRAVITY
    k_n = weight / contact.indentation_m
    k_t = 0.5 * weight / contact.presliding_m
    return {
        "k_normal": k_n,
        "c_normal": 2.0 * contact.damping_ratio * math.sqrt(k_n * m),
        "k_tangent": k_t,
        "c_tangent": 2.0 * contact.damping_ratio * math.sqrt(k_t * m),
    }


def _hip_from_s1(anat, s: float) -> tuple[float, float]:
    """The hip joint centre from the S1 endplate centre (m), along the pelvis' axis (the
    endplate's normal, + cranial) and anteriorly: at ``PELVIC_INCIDENCE_DEG`` from the
    normal, at the distance ``r`` for which the posterior-superior corner of S1 (half the
    L5-S1 disc depth ``D`` behind the centre) lies ``PELVIC_RADIUS`` from it:
    ``r^2 + r D sin(PI) + D^2 / 4 = PR^2``."""
    incidence = math.radians(PELVIC_INCIDENCE_DEG)
    depth = anat.disc_depth[anat.joint_names.index("L5-S1")]
    radius = PELVIC_RADIUS * s
    b = depth * math.sin(incidence)
    r = 0.5 * (-b + math.sqrt(b * b - depth * depth + 4.0 * radius * radius))
    return -r * math.cos(incidence), r * math.sin(incidence)


def _joint_attachments(anat, j: int, s: float) -> dict[str, float]:
    """Where joint ``j`` attaches on its caudal (a) and cranial (b) body, from their CoMs."""
    a, b = anat.body_names[j], anat.body_names[j + 1]

    def top(i: int, name: str) -> tuple[float, float]:
        if name == "legs":
            return LEG_COM_FRACTION * anat.leg_length, 0.0
        if name == "pelvis":
            return PELVIS_S1_ABOVE_COM * s, -anat.com_anterior[i]
        return anat.body_height[i] / 2.0, -anat.com_anterior[i]

    def bottom(i: int, name: str) -> tuple[float, float]:
        if name == "pelvis":
            along, anterior = _hip_from_s1(anat, s)
            return PELVIS_S1_ABOVE_COM * s + along, anterior - anat.com_anterior[i]
        if name == "head":
            return HEAD_CONDYLES[0] * s, HEAD_CONDYLES[1] * s
        return -anat.body_height[i] / 2.0, -anat.com_anterior[i]

    ax, ay = top(j, a)
    bx, by = bottom(j + 1, b)
    return {"ax": ax, "ay": ay, "bx": bx, "by": by, "rest_angle": anat.rest_angle[j]}


def disc_columns(anat: Anatomy, j: int, s: float, tissues: Tissues) -> dict[str, float]:
    """Disc parameters at level ``j``, scaled from the reference level (see properties);
    the bending damping is set on the assembled chain (:func:`set_bending_damping`)."""
    p = tissues.disc
    k_ref = anat.axial_stiffness[j]
    ratio = k_ref / REFERENCE_AXIAL_STIFFNESS
    h = anat.disc_middle[j]
    area = anat.endplate_area[j]
    depth = anat.disc_depth[j]
    area_n = p.nucleus_area_fraction * area
    k_ann = p.annulus_fraction * k_ref
    k_zero = k_ref / p.preload_stiffening
    nucleus_k = (k_zero - k_ann) * h / area_n
    rho = (k_ref - k_ann) / (k_zero - k_ann)
    preload = REFERENCE_PRELOAD * area / REFERENCE_AREA
    # at the preload the tangent stiffness is k_ref: the nucleus stiffens by rho at the
    # compression u = h e0 ln(rho), where nucleus and annulus together carry the preload
    carried = area_n * nucleus_k * (rho - 1.0) + k_ann * h * math.log(rho) if rho > 1.0 else 0.0
    e0 = preload / carried if rho > 1.0 else 0.0
    p0 = p.swelling_pressure_MPa * 1e6
    conductance = 1.0 / (
        p.fluid_time_constant_h * 3600.0 * (p0 / p.swelling_strain + k_ann * h / area_n)
    )
    k_creep = p.creep_stiffness_ratio * k_ref
    k_bend = p.bending_stiffness * ratio * s * s
    ant, post = tissues.ligaments.elements(depth / s)
    rigidity = area / REFERENCE_AREA
    length = h / REFERENCE_DISC_HEIGHT
    columns = {
        "height": h,
        "depth": depth,
        "nucleus_area": area_n,
        "nucleus_k": nucleus_k,
        "nucleus_e0": e0,
        "swell_p0": p0,
        "swell_eps": p.swelling_strain,
        "permeability": conductance,
        "permeability_strain": p.permeability_strain_exponent,
        "k_axial": k_ann,
        "k_creep": k_creep,
        "c_creep": k_creep * p.creep_time_constant_s,
        "c_axial": p.axial_damping,
        "k_shear": p.shear_stiffness * ratio,
        "c_shear": p.axial_damping,
        "k_bend": k_bend,
        "muscle_y": -tissues.muscles.lever_arm_m * s,
        "muscle_force": tissues.muscles.tone_stress_MPa * 1e6 * area * _muscle_size(anat, tissues),
        "posture_stiffness": tissues.muscles.postural_stiffness_ratio * k_bend,
        "posture_blend": _posture_blend(tissues.muscles, p.bending_stiffness),
        "spinal": 1.0,
    }
    for prefix, (offset, lig_len, ea1, ea2, eps) in (("lig_ant_", ant), ("lig_post_", post)):
        columns[prefix + "y"] = offset * s
        columns[prefix + "len"] = lig_len * length
        columns[prefix + "ea1"] = ea1 * rigidity
        columns[prefix + "ea2"] = ea2 * rigidity
        columns[prefix + "strain"] = eps
    return columns


def _posture_blend(muscles: MuscleProperties, bending_stiffness: float) -> float:
    """Half-width (rad) of the postural blend of a joint whose postural stiffness is the
    muscles' gain times a bending stiffness proportional to ``bending_stiffness`` (N m/rad
    at the reference level): :data:`POSTURE_BLEND` times the default stiffness over this
    one, at most 10 times :data:`POSTURE_BLEND` (the hip at gains below a tenth of the
    default; a disc's stiffness is at least
    :data:`spinesim.properties.MIN_POSTURAL_STIFFNESS`)."""
    default = MuscleProperties.postural_stiffness_ratio * DiscProperties.bending_stiffness
    stiffness = muscles.postural_stiffness_ratio * bending_stiffness
    return POSTURE_BLEND * default / max(stiffness, default / 10.0)


def _muscle_size(anat: Anatomy, tissues: Tissues) -> float:
    """The subject's trunk muscle cross-sections relative to the calibration's 70 kg, at
    the same stature (``MuscleProperties.tone_mass_exponent``)."""
    return (anat.subject_mass_kg / REFERENCE_MASS_KG) ** tissues.muscles.tone_mass_exponent


def _bushing_columns(anat, j: int, s: float, tissues: Tissues, name: str) -> dict[str, float]:
    """Joints without a disc (hip, head-C1, C1-C2): linear viscoelastic bushings. Upright,
    the hip's extensors and flexors (lever arm: the back muscles', an assumption) balance
    the trunk like the spine's muscles do."""
    p = tissues.disc
    k = anat.axial_stiffness[j]
    if name == "hip":
        k_bend = HIP_BENDING_STIFFNESS * s**3
        # the hip's bending stiffness does not follow the disc's: only the gain scales it
        blend = _posture_blend(tissues.muscles, DiscProperties.bending_stiffness)
    else:
        k_bend = p.bending_stiffness * k / REFERENCE_AXIAL_STIFFNESS * s * s
        blend = _posture_blend(tissues.muscles, p.bending_stiffness)
    return {
        "height": 0.0,
        "k_axial": k,
        "c_axial": p.axial_damping,
        "k_shear": k,
        "c_shear": p.axial_damping,
        "k_bend": k_bend,
        "muscle_y": -tissues.muscles.lever_arm_m * s,
        "posture_stiffness": tissues.muscles.postural_stiffness_ratio * k_bend,
        "posture_blend": blend,
        "spinal": 0.0 if name == "hip" else 1.0,
    }
