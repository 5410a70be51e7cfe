"""Reference data edited on screen by administrators: structures (names, capacity,
confidential flag, active) and their service catalogues (code, names, unit, active).

Every change is checked against the version the form was loaded with (a stale tab is told,
nothing is overwritten), writes one `ReferenceChange` row per changed field (old and new
value: reference data, not personal data) and one audit event naming the object.

The confidential flag: *making* a structure confidential only narrows who learns about its
people, so it applies at once. *Lifting* it would expose, in one click, that its people are
known there (duplicate hints, search hits, small counts): it is refused on screen and left to
the operator at the server (`flask reference lift-confidential CODE`), who holds the database
and the key file anyway, like the operator's grants in caseapp/auth/four_eyes.py. It is
audited with outcome "operator".
"""
from __future__ import annotations

import re

import click
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseapp.deliveries.codes import UNITS
from caseapp.deliveries.models import ReferenceChange
from caseapp.domain import DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.structures.models import Service, Structure

STRUCTURE_FIELDS = ("name_el", "name_en", "capacity", "confidential", "active")
SERVICE_FIELDS = ("code", "name_el", "name_en", "unit", "active")
# What the history shows for each field: the label of the form's field, never the column's name.
FIELD_LABELS = {
    "code": _l("Code"),
    "name_el": _l("Name in Greek"),
    "name_en": _l("Name in English"),
    "capacity": _l("Capacity (beds or places)"),
    "confidential": _l("Confidential structure"),
    "unit": _l("Unit"),
    "active": _l("Active"),
}
_BOOLEAN_VALUES = {"True": _l("Yes"), "False": _l("No")}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def value_label(field: str, value: str | None) -> str:
    """A stored old or new value as the form showed it: yes/no, the unit's name, a number by locale."""
    from caseapp.deliveries.codes import unit_label
    from caseapp.formats import number_text

    if value is None or value == "":
        return "—"
    if value in _BOOLEAN_VALUES and field in ("confidential", "active"):
        return str(_BOOLEAN_VALUES[value])
    if field == "unit":
        return unit_label(value)
    if field == "capacity" and value.lstrip("-").isdigit():
        return number_text(int(value))
    return value


CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,47}$")

CONFLICT = _l("Someone else changed this at the same time. Nothing was saved: look at the current values and try again.")


def _text(value) -> str | None:
    return None if value is None else str(value)[:255]


def _apply(obj, object_type: str, fields, values: dict, actor) -> list[ReferenceChange]:
    changes = []
    for name in fields:
        if name not in values:
            continue
        old, new = getattr(obj, name), values[name]
        if old != new:
            changes.append(ReferenceChange(object_type=object_type, object_id=obj.id, field=name,
                                           old_value=_text(old), new_value=_text(new),
                                           changed_by_id=actor.id if actor else None, changed_at=utcnow()))
            setattr(obj, name, new)
    return changes


def _save(obj, object_type: str, action: str, changes, actor, *, outcome: str = "ok") -> None:
    flush_or_conflict(CONFLICT)
    for change in changes:
        db.session.add(change)
    db.session.flush()
    record(action, object_type=object_type, object_id=obj.id, user=actor, outcome=outcome,
           structure_id=obj.id if object_type == "structure" else obj.structure_id)


def update_structure(structure: Structure, values: dict, *, actor, expected_version: int | None) -> list[ReferenceChange]:
    """Change a structure's names, capacity, confidential flag or active flag.

    `values`: any of STRUCTURE_FIELDS. Returns the changes (empty: nothing changed, nothing
    audited). Raises `ConflictError` on a stale version, `DomainError` when lifting the
    confidential flag (see the module docstring), for a negative capacity or for one below
    the beds taken today (`stays.service.occupied_beds`)."""
    check_version(structure, expected_version, CONFLICT)
    if structure.confidential and values.get("confidential") is False:
        raise DomainError(_l("Lifting the confidential flag is not done on screen: it would reveal at once "
                             "who is known there. The operator at the server does it (see the README)."),
                          "confidential")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 0:
        raise DomainError(_l("Enter a number from 0 to %(max)s.", max=100_000), "capacity")
    if "capacity" in values and capacity != structure.capacity:
        from caseapp.stays.service import occupied_beds

        taken = occupied_beds(structure.id)
        if taken and (capacity is None or capacity < taken):
            raise DomainError(_l("%(taken)d beds are taken today: the capacity cannot be lower. Discharge "
                                 "people first, or enter at least %(taken)d.", taken=taken), "capacity")
    changes = _apply(structure, "structure", STRUCTURE_FIELDS, values, actor)
    if changes:
        _save(structure, "structure", "reference.structure_update", changes, actor)
    return changes


def _check_service(structure_id: int, values: dict, service_id: int | None) -> None:
    if not CODE.match(values.get("code") or ""):
        raise DomainError(_l("Capital letters, digits and underscores, starting with a letter."), "code")
    if values.get("unit") not in UNITS:
        raise DomainError(_l("Choose a unit."), "unit")
    clash = db.session.execute(
        select(Service.id).where(Service.structure_id == structure_id, Service.code == values["code"])
    ).scalar_one_or_none()
    if clash is not None and clash != service_id:
        raise DomainError(_l("This structure already has a service with this code."), "code")


def create_service(structure: Structure, values: dict, *, actor) -> Service:
    """Add a service to a structure's catalogue. Raises `DomainError` for a bad or taken code."""
    _check_service(structure.id, values, None)
    service = Service(structure_id=structure.id, code=values["code"], name_el=values["name_el"],
                      name_en=values["name_en"], unit=values["unit"], active=values.get("active", True))
    db.session.add(service)
    db.session.flush()
    changes = [ReferenceChange(object_type="service", object_id=service.id, field=name, old_value=None,
                               new_value=_text(getattr(service, name)), changed_by_id=actor.id, changed_at=utcnow())
               for name in SERVICE_FIELDS]
    _save(service, "service", "reference.service_create", changes, actor)
    return service


def update_service(service: Service, values: dict, *, actor, expected_version: int | None) -> list[ReferenceChange]:
    """Change a service (code, names, unit, active). Deliveries already recorded keep pointing
    at it, so a renamed service is counted as one. Raises `ConflictError`, `DomainError`."""
    check_version(service, expected_version, CONFLICT)
    _check_service(service.structure_id, values, service.id)
    changes = _apply(service, "service", SERVICE_FIELDS, values, actor)
    if changes:
        _save(service, "service", "reference.service_update", changes, actor)
    return changes


def history(object_type: str, object_id: int, limit: int = 100) -> list[ReferenceChange]:
    """The latest changes of one structure or service, newest first (one query)."""
    return list(db.session.execute(
        select(ReferenceChange).where(ReferenceChange.object_type == object_type,
                                      ReferenceChange.object_id == object_id)
        .options(selectinload(ReferenceChange.changed_by))
        .order_by(ReferenceChange.id.desc()).limit(limit)
    ).scalars())


def structures_with_services() -> list[Structure]:
    return list(db.session.execute(
        select(Structure).options(selectinload(Structure.services))
        .order_by(Structure.kind == "partner", Structure.code)
    ).scalars())


reference_cli = AppGroup("reference", help="Reference data changes reserved to the operator at the server.")


@reference_cli.command("lift-confidential")
@click.argument("code")
def lift_confidential_command(code: str):
    """Make a confidential structure ordinary again (refused on screen; audited)."""
    structure = db.session.execute(select(Structure).where(Structure.code == code)).scalar_one_or_none()
    if structure is None:
        raise click.ClickException(f"No structure with code {code}.")
    if not structure.confidential:
        click.echo(f"{code} is not confidential; nothing changed.")
        return
    changes = _apply(structure, "structure", ("confidential",), {"confidential": False}, None)
    _save(structure, "structure", "reference.structure_update", changes, None, outcome="operator")
    db.session.commit()
    click.echo(f"{code} is no longer confidential.")
