"""Tissue and contact properties: frozen, validated dataclasses with their sources.

Values are given for the reference level (lumbar, L3-L4 axial stiffness 2.0 kN/mm) and
scaled per level by :mod:`spinesim.assembly`. Units are in the field names where they are
not SI. Tags: [V] seen in a primary source excerpt, [V-sec] in a secondary source, [M] from
memory and unverified, [D] derived by us, "assumption" with its reason, "calibrated" with
the measurement it was set from (see docs/model.md, "Parameters").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from spinesim.errors import ParameterError, bounded, check_type, validate_fields

#: Axial stiffness of the reference level L3-L4 in Kitazaki & Griffin 1997 (N/m) [V-sec].
REFERENCE_AXIAL_STIFFNESS = 2.0e6
#: Compressive preload at which the reference stiffness applies (N); Gardner-Morse & Stokes
#: 2004 [V] measured stiffness x2.11 at 500 N preload relative to 0 N.
REFERENCE_PRELOAD = 500.0
#: Endplate area of the reference level L3-L4 (m^2), from spinesim/data/joints.csv.
REFERENCE_AREA = 1.7e-3


class _Validated:
    def __post_init__(self) -> None:
        validate_fields(self, prefix=f"{type(self).__name__}.")


@dataclass(frozen=True)
class DiscProperties(_Validated):
    """Intervertebral disc: annulus spring, pressurised nucleus, fluid exchange, creep.

    Axial model (tension +, opening +): the solid deformation ``u - u_creep`` loads the
    annulus (linear, ``annulus_fraction`` of the level's stiffness) in parallel with the
    nucleus, whose pressure rises with the mismatch between fluid volume and disc height.
    Fluid flows in when the swelling pressure exceeds the nucleus pressure and out when it
    is lower. A series Kelvin element gives the fast creep component.
    """

    nucleus_area_fraction: float = bounded(
        1 / 1.5,
        0.1,
        1.0,
        doc="Nucleus pressure x area / axial load; Nachemson's correction factor 1.5 "
        "(Nachemson 1960, Acta Orthop Scand Suppl 43) [M]",
    )
    preload_stiffening: float = bounded(
        2.11,
        1.0,
        5.0,
        doc="Axial stiffness at the reference preload over that at zero load; "
        "Gardner-Morse & Stokes 2004 J Biomech 37:205 [V]",
    )
    annulus_fraction: float = bounded(
        0.075,
        0.025,
        0.4,
        doc="Share of the reference stiffness carried by the annulus directly "
        "(assumption: collagen/matrix axial stiffness is small next to the pressurised "
        "nucleus; sets the drained stiffness). At least a third of the default: past the "
        "nucleus's cavitation floor only the annulus and the ligaments hold a disc in "
        "tension, and at 0 with the ligaments scaled to 0 discs in boots opened by metres. "
        "It also enters the derived fluid conductance (docs/model.md 2.7): 5 min at 60 deg "
        "after 2 h upright take up 0.31 % of fluid at 0.025 and 0.009 % at 0.4",
    )
    swelling_pressure_MPa: float = bounded(
        0.16,
        0.01,
        1.0,
        low_open=True,
        doc="Swelling pressure at reference hydration; Urban & McMullin 1988 Spine 13:179 "
        "[V]: 0.10-0.23 MPa holds post-mortem hydration. The fluid conductance is derived "
        "so that fluid_time_constant_h holds (docs/model.md 2.7), so a higher swelling "
        "pressure makes the disc osmotically stiffer, not faster: 5 min at 60 deg after 2 h "
        "upright take up 0.20 % of fluid at 0.07 MPa and 0.05 % at 1 MPa; below the cited "
        "range the nucleus reaches its suction floor (p0 + 1 atm) sooner",
    )
    swelling_strain: float = bounded(
        0.108,
        0.005,
        0.5,
        low_open=True,
        doc="Fluid strain for an e-fold change of swelling pressure; calibrated (jointly "
        "with creep_stiffness_ratio and MuscleProperties.tone_stress_MPa, "
        "docs/validation.md): lumbar disc height and volume AM -> PM -7.05% and -6.95% "
        "(Martin 2022 Eur Spine J, doi:10.1007/s00586-021-07097-4 [V])",
    )
    fluid_time_constant_h: float = bounded(
        4.5,
        0.1,
        100.0,
        doc="Time constant of fluid exchange at the unloaded reference state; loading is "
        "faster because the swelling pressure stiffens with dehydration (half-time about 2 h "
        "under standing load). Chosen, not measured (assumption), within O'Connell 2011's slow "
        "component of 2-5 h [M]; recovery 3-4x slower [V]",
    )
    permeability_strain_exponent: float = bounded(
        1.18,
        0.0,
        50.0,
        doc="d ln(conductance) / d(fluid strain): the conductance is "
        "L0 exp(M fluid_strain), lower when the disc has lost fluid (the strain-dependent "
        "permeability of Lai & Mow 1980 Biorheology 17:111). 1.18 (+-1.30): human annulus "
        "in confined compression, Iatridis et al. 1998 J Biomech 31:535 [V], the only "
        "measured human value found; applying it to the whole disc's flow (mostly nucleus "
        "and endplate) is an assumption. Poroelastic disc models use 10-12 (Fan et al. 2015 BMC "
        "Musculoskelet Disord, doi:10.1186/s12891-015-0686-z, after Argoubi & Shirazi-Adl "
        "1996) [V-sec]; docs/model.md §2.4",
    )
    creep_stiffness_ratio: float = bounded(
        1.29,
        0.1,
        100.0,
        low_open=True,
        doc="Spring of the fast creep element / reference stiffness; calibrated (jointly "
        "with swelling_strain and MuscleProperties.tone_stress_MPa, docs/validation.md): "
        "the fast component is 12.5% (10-15%) of the total equilibrium displacement under "
        "1000 N (O'Connell 2011 J Mech Behav Biomed Mater 4:933 [V])",
    )
    creep_time_constant_s: float = bounded(
        720.0,
        1.0,
        1e5,
        doc="Fast creep component time constant; O'Connell 2011: 0.1-0.3 h [M]. Changes "
        "are read from the session start, so after upright hours they are not monotonic "
        "in it: a creep faster than the 10 s lie-down recovers before t = 0 (5 min at 60 "
        "deg after 2 h upright open L4-L5 by 0.45 mm at 1 s, 0.65 mm at about 120 s, 0.46 "
        "mm at 720 s and 0.33 mm at 1e5 s; without preceding phases 0.38 to 0.28 mm, "
        "monotonic)",
    )
    axial_damping: float = bounded(
        1200.0,
        100.0,
        1e5,
        doc="N s/m, axial and shear damping; Raj & Krishnapillai 2019 (after Kitazaki & "
        "Griffin 1997) [V-sec]; damping ratio ~0.3 for a 2 kg segment. At least 100 (a "
        "damping ratio of about 0.025): tissue is never undamped, and at 0 the undamped "
        "axial modes took 14,000 instead of 571 steps and exhausted max_steps after a day",
    )
    shear_stiffness: float = bounded(
        1.0e5,
        2.0e4,
        1e8,
        doc="N/m at the reference level; Miller et al. 1986 J Biomech 19:79 [V]: 53-140 N/mm. "
        "Lower bound 20 N/mm, below half the softest measured segment: softer, the vertebrae "
        "slide out of line under their own weight (5 mm at 60 deg at 20 N/mm, 60 mm at 1 N/mm)",
    )
    bending_stiffness: float = bounded(
        458.4,
        50.0,
        5e3,
        doc="N m/rad at the reference level (8 N m/deg); Miller et al. 1986 [V]: 6-11 N m/deg; "
        "at most 5000 (87 N m/deg, eight times the stiffest measured: stiffer, with a strong "
        "postural control a heavy subject's standing exhausted max_steps). "
        "Upright, the postural control is a multiple of it "
        "(MuscleProperties.postural_stiffness_ratio), and their product must be at least "
        "properties.MIN_POSTURAL_STIFFNESS (1000 N m/rad): below it the standing trunk buckles "
        "forward (at 50 N m/rad and the default ratio, L4-L5 bends under -101 N m against "
        "-5.4 N m by default; at 0 the solver failed standing)",
    )
    bending_damping_ratio: float = bounded(
        0.3,
        0.05,
        2.0,
        doc="Damping ratio of relative rotation (assumption): the one value found is 0.475 "
        "for the seated body's vertical apparent mass (Fairley & Griffin 1989 [V-sec]), "
        "not a bending mode; vibration models give 0.2-0.5 (Kitazaki & Griffin 1997/1998 "
        "[M]). At least 0.05: at 0 the undamped bending modes exhausted max_steps in long "
        "upright or sitting phases",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.annulus_fraction * self.preload_stiffening >= 0.9:
            raise ParameterError(
                f"DiscProperties.annulus_fraction = {self.annulus_fraction!r} with "
                f"preload_stiffening = {self.preload_stiffening!r}: the annulus would carry "
                "the whole zero-load stiffness; allowed: annulus_fraction x "
                "preload_stiffening < 0.9"
            )


@dataclass(frozen=True)
class LigamentProperties(_Validated):
    """Lumbar ligaments as tension-only bilinear elements (BMC Musculoskelet Disord 2010
    11:151, Table 3 [V]: E toe/linear, transition strain, area, length).

    The anterior longitudinal ligament acts at the anterior disc edge; PLL, ligamentum
    flavum, interspinous and supraspinous ligaments are lumped into one posterior element
    with their summed stiffness at its stiffness-weighted offset. Other levels scale with
    endplate area (rigidity) and disc height (length), an assumption.
    """

    scale: float = bounded(
        1.0,
        0.0,
        10.0,
        doc="Multiplier on all ligament rigidities. The ligaments are slack at the disc's "
        "rest height (no pre-strain): after hours upright a session opens the lumbar discs "
        "without taking them taut, and the results do not depend on it (60 deg after 2 h "
        "upright: L4-L5 opens 0.459 mm at scales 0, 1 and 10); it acts where the discs "
        "open beyond their rest height (a 1000 N split-table pull without preceding "
        "phases: 3.88, 1.88 and 0.58 mm)",
    )

    def elements(self, depth: float) -> tuple[tuple[float, float, float, float, float], ...]:
        """``(offset, length, EA_toe, EA_linear, transition_strain)`` of the anterior and
        lumped posterior element at the reference level for a disc of AP ``depth`` (m)."""
        half = depth / 2.0
        # name: (E_toe Pa, E_lin Pa, transition strain, area m^2, length m, offset m); the
        # moduli, strains, areas and lengths from Table 3, the offsets behind the posterior
        # disc edge an assumption from typical lumbar anatomy: ligamentum flavum at the back
        # of the ~15 mm spinal canal, interspinous and supraspinous ligaments halfway along
        # and at the tip of the spinous process (~35 and ~50 mm)
        table = {
            "ALL": (7.8e6, 20e6, 0.12, 53e-6, 13e-3, half),
            "PLL": (10e6, 50e6, 0.11, 16e-6, 11e-3, -half),
            "LF": (15e6, 19.5e6, 0.062, 67e-6, 19e-3, -half - 0.015),
            "ISL": (10e6, 11.6e6, 0.14, 26e-6, 13e-3, -half - 0.035),
            "SSL": (8e6, 15e6, 0.20, 23e-6, 11e-3, -half - 0.050),
        }
        e1, e2, eps, area, length, offset = table["ALL"]
        anterior = (offset, length, self.scale * e1 * area, self.scale * e2 * area, eps)
        k1 = k2 = moment = strain = 0.0
        for name in ("PLL", "LF", "ISL", "SSL"):
            e1, e2, eps, area, length, offset = table[name]
            k1 += e1 * area / length
            k2 += e2 * area / length
            moment += e2 * area / length * offset
            strain += e2 * area / length * eps
        length = 15e-3  # assumption: about the four ligaments' mean length (11-19 mm)
        posterior = (
            moment / k2,
            length,
            self.scale * k1 * length,
            self.scale * k2 * length,
            strain / k2,
        )
        return anterior, posterior


@dataclass(frozen=True)
class MuscleProperties(_Validated):
    """Back muscles as a compressive line of action posterior to each disc.

    Tension at activation 1 is ``tone_stress_MPa x endplate area x (mass / 70 kg) **
    tone_mass_exponent``. Activation follows the
    protocol: a posture-dependent tone plus a guarding transient at the onset of each
    traction pull (``guard_amplitude``) or head-down tilt (``tilt_guard_amplitude``) that
    relaxes with ``guard_time_constant_s``.
    """

    tone_stress_MPa: float = bounded(
        0.097,
        0.0,
        0.3,
        doc="Calibrated (jointly with DiscProperties.swelling_strain and "
        "creep_stiffness_ratio, docs/validation.md): L4-L5 pressure lying 0.10 MPa at the "
        "start and 0.24 MPa after 7 h of the night (Wilke 1999 Spine 24:755 [V]). At most "
        "0.3 MPa, three times that: at 0.4 MPa the resting tone alone compressed L4-L5 "
        "standing beyond 2000 N, and at 1 MPa lying left it at 61 % of its height",
    )
    tone_mass_exponent: float = bounded(
        0.56,
        0.0,
        2.0,
        doc="The tone grows with body mass as (mass / 70 kg) ** exponent at one stature: "
        "trunk muscle cross-sections grow by 0.8 % per kg of body weight on average over "
        "muscle groups and levels T4-L4, with mixed signs between them (CT of 507 adults aged "
        "40-90, Framingham Heart Study; J Biomech 2023;157:111710, PMID 37437459 [V]); "
        "0.008 x 70 kg = 0.56 gives that slope at the calibration's 70 kg. 0 ties the tone "
        "to stature alone",
    )
    lever_arm_m: float = bounded(
        0.05,
        0.02,
        0.15,
        doc="Erector spinae lever arm behind the disc centre; 5 cm is the usual "
        "value (Güngör 2013 [V]; Jorgensen 2001: 5-6 cm [M])",
    )
    inverted_tone: float = bounded(
        0.65,
        0.0,
        2.0,
        doc="Tone while tilted head-down relative to lying; Nosse 1978: EMG -35% within "
        "10 s of inversion [V-sec], significant decrease [V]",
    )
    guard_amplitude: float = bounded(
        0.5,
        0.0,
        5.0,
        doc="Peak extra activation at the onset of a traction pull that rises by "
        "guard_full_pull_N or more (smaller rises: in proportion; docs/model.md §2.9) "
        "(assumption: Cholewicki 2009 reports higher EMG in the first traction cycle, "
        "magnitude not retrieved)",
    )
    tilt_guard_amplitude: float = bounded(
        0.0,
        0.0,
        5.0,
        doc="Peak extra activation at the start of a head-down tilt: none, since Nosse 1978 "
        "saw paraspinal EMG fall within 10 s of inversion and no rise [V-sec]; set it > 0 "
        "to study an apprehensive first-time user (assumption)",
    )
    guard_full_pull_N: float = bounded(
        170.0,
        1.0,
        2000.0,
        doc="Rise of a pull (N) from which its onset guards with the full guard_amplitude; "
        "smaller rises guard in proportion, so that guarding, and the traction it takes, "
        "grows continuously with the pull (assumption: about the lumbar traction counted "
        "effective, 25 % of the body weight of 70 kg; Judovich's rule via the Lane "
        "Community College PTA notes [V-sec]; an absolute force, the same for every "
        "subject: the reflex answers the load on the tissues)",
    )
    guard_full_tilt_deg: float = bounded(
        15.0,
        1.0,
        90.0,
        doc="Head-down tilt from flat (deg) from which its onset guards with the full "
        "tilt_guard_amplitude; smaller tilts in proportion to the rise of sin(angle) "
        "(assumption: at 15 deg a quarter of the body weight acts along the table, as "
        "guard_full_pull_N is of a 70 kg body's)",
    )
    guard_time_constant_s: float = bounded(
        90.0,
        1.0,
        3600.0,
        doc="Relaxation of guarding; EMG back to baseline 4-6 min after traction onset "
        "(Hood 1981; Letchuman & Deusinger 1993, cited by Cholewicki 2009) [V-sec]",
    )
    postural_stiffness_ratio: float = bounded(
        10.0,
        0.01,
        100.0,
        doc="Upright, the trunk muscles hold each level's rest angle with this multiple of "
        "the disc's bending stiffness, so that the gravitational moment is "
        "carried by muscle at its lever arm, not by ligaments (assumption: active trunk "
        "stiffness in upright stance is an order of magnitude above passive; Moorhouse & "
        "Granata 2007 J Biomech 40:1058 measured active stiffness, reflexes 42 % of it, "
        "but no ratio to passive [V]). At most 100: at 300 an hour "
        "upright exceeded the solver's step limit, at 1000 its smallest step. Times "
        "DiscProperties.bending_stiffness it must reach properties.MIN_POSTURAL_STIFFNESS "
        "(1000 N m/rad; at the default bending stiffness a ratio of 2.2): below it the "
        "standing trunk buckles forward, and results jumped between ratios of 0.7 and 0.9",
    )
    guard_rise_s: float = bounded(
        2.0,
        0.1,
        60.0,
        doc="Rise time constant of guarding, s: the transient is a (exp(-t/tau) - "
        "exp(-t/rise)) / peak, so it peaks about 7.8 s after onset with the defaults, not at "
        "2 s (assumption: reflex onset)",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.guard_rise_s >= self.guard_time_constant_s:
            raise ParameterError(
                f"MuscleProperties.guard_rise_s = {self.guard_rise_s!r} must be smaller than "
                f"guard_time_constant_s = {self.guard_time_constant_s!r}"
            )


@dataclass(frozen=True)
class ContactProperties(_Validated):
    """Soft tissue between the skeleton and a support surface (all assumptions: no data on
    a clothed back on a padded backrest were found; sweep them)."""

    indentation_m: float = bounded(
        0.01,
        1e-4,
        0.1,
        doc="Static indentation under the segment's own weight (tissue + padding)",
    )
    presliding_m: float = bounded(
        0.002,
        5e-4,
        0.01,
        doc="Bristle (pre-sliding) deflection of skin and clothing at a friction force of "
        "half the segment's weight (mu = 0.5); at most 1 cm (beyond it the skin would "
        "stretch further than it slides: after 2 h upright, 5 cm let a 300 N pull on the "
        "traction table reach L4-L5 with 267 N, against 200 N at 1 cm and 154 N at 2 mm); "
        "at least 0.5 mm: the bristles' drag while they slip, k_t x slip_time_s, grows as "
        "1 / presliding_m, and at 0.01 mm the frictionless lie-down after 2 h upright "
        "stuck as with a 40 s slip time (209 N of friction left at the session start, "
        "L4-L5 -374 N instead of -177 N; at 0.5 mm 5 N and -181 N)",
    )
    damping_ratio: float = bounded(0.5, 0.0, 5.0, doc="Normal and tangential damping ratio")
    stribeck_velocity: float = bounded(
        3e-3,
        1e-4,
        1.0,
        doc="m/s; sliding speed over which friction falls from static to kinetic (Stribeck "
        "velocity of the LuGre model; assumption, mm/s is typical of soft materials)",
    )
    slip_time_s: float = bounded(
        0.2,
        0.01,
        1.0,
        doc="Viscoplastic time constant of sliding: the friction force exceeds its limit by "
        "10% at 1 mm/s (numerical regularisation of Coulomb friction); at most 1 s, 50 % "
        "over the limit at 1 mm/s (at 10 s, 500 %: no longer Coulomb friction, and after 2 "
        "h upright the frictionless lie-down left L4-L5 at -325 N instead of -177 N; at 1 "
        "s, -192 N)",
    )


#: Least postural stiffness (N m/rad) at the reference level, the muscles' gain times the
#: disc's bending stiffness (``MuscleProperties.postural_stiffness_ratio`` x
#: ``DiscProperties.bending_stiffness``; default 4584): below about 1000 the standing trunk
#: buckles forward under its weight (L4-L5 bends under -80 to -100 N m against -5 N m by
#: default, and carries up to -2500 N), and the results jump with small changes of either
#: parameter (one-at-a-time sweeps of both, docs/model.md §2.9).
MIN_POSTURAL_STIFFNESS = 1000.0


@dataclass(frozen=True)
class Tissues:
    """All tissue and contact properties of the anatomical model, with their defaults."""

    disc: DiscProperties = field(default_factory=DiscProperties)
    ligaments: LigamentProperties = field(default_factory=LigamentProperties)
    muscles: MuscleProperties = field(default_factory=MuscleProperties)
    contact: ContactProperties = field(default_factory=ContactProperties)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            check_type(f"Tissues.{f.name}", getattr(self, f.name), type(f.default_factory()))
        ratio, bending = self.muscles.postural_stiffness_ratio, self.disc.bending_stiffness
        if ratio * bending < MIN_POSTURAL_STIFFNESS:
            raise ParameterError(
                f"MuscleProperties.postural_stiffness_ratio x DiscProperties.bending_stiffness "
                f"= {ratio!r} x {bending!r} = {ratio * bending:g} N m/rad; allowed: at least "
                f"{MIN_POSTURAL_STIFFNESS:g} (the postural control; below it the standing "
                "trunk buckles forward under its weight)"
            )
