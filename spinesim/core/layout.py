"""Column and state indices shared by the model assembly and the compiled kernels.

The model is a planar chain of rigid bodies numbered caudal (0, the legs) to cranial (last,
the head). Joint ``j`` links body ``j`` (caudal, "a") to body ``j + 1`` (cranial, "b").

Frames: the *table frame* has x along the backrest towards the head and y normal to it,
away from the backrest (anterior for a supine body). A body's local axis 1 points cranially
and axis 2 anteriorly; its angle ``phi`` is measured from table x to local axis 1.

State vector: one block of :data:`BLOCK` entries per body, in body order. Block ``i`` holds
body ``i``'s pose, velocity and the bristle deflection of its contact, then the internal
states of joint ``i`` (the joint above body ``i``; unused in the last block). The Jacobian
is therefore block-tridiagonal with square blocks of size :data:`BLOCK`.
"""

# --- state entries within a block -------------------------------------------------------
S_X, S_Y, S_PHI = 0, 1, 2  # position of the centre of mass (m) and angle (rad)
S_VX, S_VY, S_OMEGA = 3, 4, 5  # velocities (m/s, rad/s)
S_BRISTLE = 6  # tangential deflection of the contact's skin/clothing bristles (m)
S_CREEP = 7  # joint: displacement of the series creep (Kelvin) element (m), + opening
S_FLUID = 8  # joint: disc fluid volume change / reference disc volume (-)
BLOCK = 9
# The first POSE entries' derivatives are the next POSE entries (x' = vx, y' = vy,
# phi' = omega): the solver condenses them out of its linear systems, which then have
# square blocks of CONDENSED entries (velocities and the rest; see core/iteration_matrix.py)
POSE = 3
CONDENSED = BLOCK - POSE

# --- body parameter columns (all SI) ----------------------------------------------------
B_MASS = 0  # kg
B_INERTIA = 1  # kg m^2 about the centre of mass
B_CONTACT_X = 2  # local position of the backrest contact point (m), from the CoM
B_CONTACT_Y = 3
B_K_NORMAL = 4  # N/m, soft tissue + padding normal stiffness
B_C_NORMAL = 5  # N s/m
B_K_TANGENT = 6  # N/m, tangential (pre-sliding) stiffness of skin and clothing
B_C_TANGENT = 7  # N s/m
B_ANCHOR_K = 8  # N/m translational stiffness of the anchor (0: body not anchored)
B_ANCHOR_C = 9  # N s/m
B_ANCHOR_K_ROT = 10  # N m/rad
B_ANCHOR_C_ROT = 11  # N m s/rad
B_ANCHOR_LX = 12  # local anchor point on the body (m), from the CoM
B_ANCHOR_LY = 13
B_ANCHOR_X = 14  # anchor point on the device, table frame (m)
B_ANCHOR_Y = 15
B_ANCHOR_PHI = 16  # reference angle of the rotational anchor spring (rad)
# The anchor is released (1) or held (0) in phases of each kind (see K_* below); the
# columns follow each other in the order of the kind codes.
B_RELEASE_DEVICE = 17
B_RELEASE_UPRIGHT = 18
B_RELEASE_SITTING = 19
B_RELEASE_LYING = 20
B_FREE_SLIDING = 21  # 1: the body rests on a free-rolling section (split table), no friction
B_PULL_SHARE = 22  # share of the protocol's pull acting on the body along table x (-)
B_SUPPORT_MASS = 23  # kg whose weight along the table the hands carry on a device
# 1: strapping the anchor on keeps its reference angle B_ANCHOR_PHI (the feet: the legs stand
# along the table axis, whatever angle they had lying); 0: it takes the body's angle
B_ANCHOR_FIXED_ANGLE = 24
# Upright and sitting the holder stands for the feet: its rotational stiffness (N m/rad) and
# damping (N m s/rad) there are these if the stiffness is larger than B_ANCHOR_K_ROT (0: none)
B_FEET_K_ROT = 25
B_FEET_C_ROT = 26
# A contact spread along the body axis (the legs lying on their length): its length (m; 0:
# a point contact, at B_CONTACT_X/Y; spread, its middle is there) and the body's angle lying
# flat on it (rad, + the cranial end farther from the surface; see mechanics.contact_spring)
B_CONTACT_LENGTH = 27
B_CONTACT_FLAT_ANGLE = 28
# share of the protocol's pull acting on the body away from the table (-): a pull angled
# above the table lifts as well as pulls (B_PULL_SHARE is the share along table x)
B_PULL_LIFT = 29
# 1: in sitting phases the body's holder is a seat: it carries the body along the table
# (the spine) only, neither fore-aft nor in its tilt: the feet and hips balance it, as standing
B_SEAT = 30
NB = 31

# --- joint parameter columns (all SI) ---------------------------------------------------
J_AX, J_AY = 0, 1  # attachment on the caudal body, local, from its CoM (m)
J_BX, J_BY = 2, 3  # attachment on the cranial body (m)
J_HEIGHT = 4  # rest distance between the attachments = disc middle height (m)
J_REST_ANGLE = 5  # rest relative angle phi_b - phi_a (rad), kyphosis positive
J_DEPTH = 6  # antero-posterior disc depth (m)
J_NUCLEUS_AREA = 7  # area on which nucleus pressure acts (m^2); 0: no nucleus
J_NUCLEUS_K = 8  # nucleus pressure per unit volumetric mismatch at zero load (Pa)
J_NUCLEUS_E0 = 9  # strain scale of the nucleus' compressive stiffening (-); 0: linear
J_SWELL_P0 = 10  # swelling (osmotic) pressure at the reference hydration (Pa)
J_SWELL_EPS = 11  # fluid strain over which swelling pressure changes e-fold (-)
J_PERMEABILITY = 12  # fluid conductance L0 at reference hydration (1/(Pa s)); 0: no fluid
J_K_AXIAL = 13  # linear axial stiffness of the annulus / bushing (N/m)
J_K_CREEP = 14  # spring of the series Kelvin creep element (N/m)
J_C_CREEP = 15  # dashpot of the creep element (N s/m); 0: no creep
J_C_AXIAL = 16  # axial damping (N s/m)
J_K_SHEAR = 17  # N/m
J_C_SHEAR = 18  # N s/m
J_K_BEND = 19  # N m/rad
J_C_BEND = 20  # N m s/rad
J_LIG_ANT_Y = 21  # anterior ligament offset from the disc centre, + anterior (m)
J_LIG_ANT_LEN = 22  # rest length (m)
J_LIG_ANT_EA1 = 23  # toe-region axial rigidity E*A (N)
J_LIG_ANT_EA2 = 24  # linear-region axial rigidity E*A (N)
J_LIG_ANT_STRAIN = 25  # transition strain (-)
J_LIG_POST_Y = 26  # posterior ligament group offset (negative, m)
J_LIG_POST_LEN = 27
J_LIG_POST_EA1 = 28
J_LIG_POST_EA2 = 29
J_LIG_POST_STRAIN = 30
J_MUSCLE_Y = 31  # line of action of the back muscles, offset (negative = posterior, m)
J_MUSCLE_FORCE = 32  # muscle tension at activation 1 (N); < 0 pulls the bodies apart
# (peers.chain prescribes its traction so)
J_SPINAL = 33  # 1 if the joint counts towards spine length, else 0
J_POSTURE_STIFFNESS = 34  # N m/rad, postural muscle control of the rest angle (upright)
# d ln(conductance) / d(fluid strain) (-): the conductance falls as the disc dehydrates
J_PERMEABILITY_STRAIN = 35
# 1: the joint hangs below the device's holder (a harness) in device phases, a chain that
# gravity keeps stable: no postural control there (mechanics.joint_posture)
J_HANGS = 36
# N m s/rad, damping of the postural control (upright): with it, the joint's bending
# damping is that of its bending stiffness plus the postural stiffness (assembly)
J_POSTURE_DAMPING = 37
# rad, half-width of the C1 blend of the postural extensors and flexors at the rest angle
J_POSTURE_BLEND = 38
NJ = 39

# --- global parameters -------------------------------------------------------------------
G_GRAVITY = 0  # m/s^2
G_MU_STATIC = 1  # backrest friction coefficients (-)
G_MU_KINETIC = 2
G_GUARD_TAU = 3  # relaxation time constant of muscle guarding (s)
G_GUARD_RISE = 4  # rise time constant of muscle guarding (s)
G_SMOOTH = 5  # contact smoothing length (m)
G_STRIBECK_VELOCITY = 6  # m/s
G_SLIP_TIME = 7  # s, viscoplastic time constant of sliding
G_PRONE = 8  # 0: the table is behind the body (supine); 1: in front of it (prone, mirrored)
NG = 9

# --- protocol table columns (one row per knot; piecewise linear in between) --------------
P_TIME = 0  # s
P_ANGLE = 1  # inversion angle (rad): 0 horizontal, +pi/2 head-down
P_BACKREST = 2  # 1 backrest present, 0 absent (upright standing); in between on ramps without one
P_TONE = 3  # baseline muscle activation (-)
P_GUARD = 4  # amplitude of guarding started at this knot (-), 0 for none
P_POSTURE = 5  # 0..1, postural control by the trunk muscles: 1 upright, -sin(angle) head-up
P_FRICTION = 6  # multiplier of the backrest friction: 1 on a device, 0 lying in bed
P_KIND = 7  # phase kind code K_* (constant within a segment)
P_PULL = 8  # N, magnitude of the device's pull (mechanical traction), >= 0
NP = 9

# --- phase kind codes (P_KIND), in the order of the B_RELEASE_* columns ------------------
K_DEVICE = 0
K_UPRIGHT = 1
K_SITTING = 2
K_LYING = 3

# --- solver status codes ------------------------------------------------------------------
OK = 0
STEP_TOO_SMALL = 1
MAX_STEPS = 2
NONFINITE = 3  # the derivatives at an accepted state
NONFINITE_OUTPUT = 4  # a saved state or an output at a saved time
DISC_COLLAPSED = 5  # a disc's middle height reached zero at a saved time

# --- why the last trial step failed (STAT_LAST_CAUSE; 0: none failed) ---------------------
CAUSE_NEWTON_STALLED = 1
CAUSE_NONFINITE_TRIAL = 2
CAUSE_SINGULAR_MATRIX = 3

# --- solver statistics -------------------------------------------------------------------
STAT_STEPS = 0
STAT_REJECTED = 1
STAT_RHS = 2
STAT_JACOBIANS = 3
STAT_FACTORIZATIONS = 4
STAT_NEWTON_FAILURES = 5
STAT_BLOCK_SOLVES = 6  # solves with the factorised iteration matrix
STAT_T_FAIL = 7
STAT_LAST_CAUSE = 8  # a CAUSE_* code
NSTAT = 9
