"""Devices that hold the body: what anchors it and what it rests on."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from spinesim.errors import ParameterError, bounded, validate_fields


@dataclass(frozen=True)
class InversionTable:
    """Inversion table: ankles held in the ankle holder, back on the backrest.

    The backrest is a plane through the table's pivot; the body lies on it with friction
    (static until it breaks away, kinetic while sliding). At shallow angles, where
    ``tan(angle) < friction_static``, friction can hold the whole pull back.
    """

    friction_static: float = bounded(
        0.5,
        0.0,
        2.0,
        doc="Clothed back on a padded backrest: dry skin typically ~0.5 (Derler & Gerhardt "
        "2012 Tribol Lett 45:1 [V]); patient on a treatment table 0.5 (Judovich rule [V-sec])",
    )
    friction_kinetic: float = bounded(
        0.4, 0.0, 2.0, doc="0.8 x static [D] (literature.md section 7); must not exceed static"
    )
    ankle_stiffness: float = bounded(
        1.0e5,
        1e3,
        1e8,
        doc="N/m, padding of the ankle holder and the soft tissue it grips (assumption: "
        "7 mm at a full body-weight pull)",
    )
    ankle_rotational_stiffness: float = bounded(
        1500.0,
        0.0,
        1e6,
        doc="N m/rad, ankle holder plus ankle joint; upright it also stands for postural "
        "ankle stiffness, which must exceed m g h ~ 700 N m/rad (Loram & Lakie 2002) [M]",
    )

    name = "table"

    def __post_init__(self) -> None:
        validate_fields(self, prefix="InversionTable.")
        if self.friction_kinetic > self.friction_static:
            raise ParameterError(
                f"InversionTable.friction_kinetic = {self.friction_kinetic!r} exceeds "
                f"friction_static = {self.friction_static!r}; allowed: kinetic <= static"
            )


#: Devices by the name used in the CLI and protocol files.
DEVICES = {"table": InversionTable}


#: Kinetic / static friction when only the static coefficient is given [D]
#: (the default InversionTable uses the same ratio: 0.4 / 0.5).
KINETIC_FRICTION_RATIO = 0.8


def device_from_name(
    name: str,
    friction_static: float | None = None,
    friction_kinetic: float | None = None,
    **options: float,
) -> InversionTable:
    """The device called ``name`` in the CLI and protocol files, with the given friction;
    ``friction_kinetic`` defaults to :data:`KINETIC_FRICTION_RATIO` x ``friction_static``.
    Unknown names and invalid values raise :class:`ParameterError`."""
    if name not in DEVICES:
        raise ParameterError(f"device = {name!r} is unknown; allowed: {tuple(DEVICES)}")
    if friction_static is not None:
        options["friction_static"] = friction_static
        if friction_kinetic is None and isinstance(friction_static, numbers.Real):
            friction_kinetic = KINETIC_FRICTION_RATIO * friction_static
    if friction_kinetic is not None:
        options["friction_kinetic"] = friction_kinetic
    return DEVICES[name](**options)
