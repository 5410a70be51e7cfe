"""Writes for structures: loading the reference data idempotently, the partner directory."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from caseapp.beneficiaries import iso
from caseapp.domain import ConflictError, DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.formtools import has_visible_character
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.security.key_models import DataKey
from caseapp.structures.catalogue import PARTNER_SERVICES, SERVICE_UNIT
from caseapp.structures.models import PartnerProfile, Service, Structure, StructureKind
from caseapp.structures.reference_data import STRUCTURES


@dataclass
class LoadResult:
    structures_created: int = 0
    services_created: int = 0
    partners_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.structures_created or self.services_created or self.partners_created)


def load_reference_data(entries=STRUCTURES) -> LoadResult:
    """Create missing structures and services; never overwrite what admins edited."""
    result = LoadResult()
    with_directory = _directory_exists()
    by_code = {s.code: s for s in db.session.execute(select(Structure)).scalars()}
    for entry in entries:
        structure = by_code.get(entry["code"])
        if structure is None:
            structure = Structure(
                code=entry["code"], name_el=entry["name_el"], name_en=entry["name_en"],
                kind=entry["kind"], confidential=entry["confidential"], active=True,
                capacity=entry.get("capacity"),
            )
            db.session.add(structure)
            by_code[structure.code] = structure
            result.structures_created += 1
        elif structure.capacity is None and entry.get("capacity"):
            structure.capacity = entry["capacity"]  # a capacity added to the reference data later
        result.services_created += _add_missing_services(structure, entry["services"])
        if with_directory and "partner" in entry and structure.partner is None:
            _new_profile(structure, **entry["partner"])
            result.partners_created += 1
    db.session.flush()
    _link_parents(entries, by_code)
    db.session.flush()
    return result


def _directory_exists() -> bool:
    """False on a database migrated only part of the way (before 0015_partners: tests of older
    migrations load the structures there); the directory entries wait for their table."""
    return inspect(db.session.connection()).has_table(PartnerProfile.__tablename__)


def _add_missing_services(structure: Structure, services) -> int:
    existing = {s.code for s in structure.services}
    created = 0
    for code, name_el, name_en, unit in services:
        if code not in existing:
            structure.services.append(Service(code=code, name_el=name_el, name_en=name_en, unit=unit))
            created += 1
    return created


def _link_parents(entries, by_code) -> None:
    for entry in entries:
        structure = by_code[entry["code"]]
        if entry["parent"] and structure.parent_id is None:
            structure.parent = by_code[entry["parent"]]


# --- the partner directory ------------------------------------------------------------------


class PartnerError(DomainError):
    """A partner entry that cannot be saved; `field` names the form field."""


PARTNER_CODE_PREFIX = "P-"


def _new_profile(structure: Structure, *, language_codes=(), website=None) -> PartnerProfile:
    profile = PartnerProfile(structure=structure, website=website, created_at=utcnow())
    profile.language_codes = language_codes
    db.session.add(profile)
    return profile


def _check_partner_values(values: dict, structure: Structure | None) -> None:
    for name, message in (("name_el", _l("Enter the name in Greek.")), ("name_en", _l("Enter the name in English."))):
        if not isinstance(values.get(name), str) or not has_visible_character(values[name]):
            raise PartnerError(message, name)
    code = values["code"] or ""
    if not code.startswith(PARTNER_CODE_PREFIX) or len(code) <= len(PARTNER_CODE_PREFIX):
        raise PartnerError(_l("A partner's code starts with “P-”, for example P-PRAKSIS."), "code")
    taken = db.session.execute(
        select(Structure.id).where(func.upper(Structure.code) == code.upper())
    ).scalar_one_or_none()
    if taken is not None and (structure is None or taken != structure.id):
        raise PartnerError(_l("Another structure already has this code."), "code")
    unknown = [c for c in values["service_codes"] if c not in PARTNER_SERVICES]
    if unknown or not values["service_codes"]:
        raise PartnerError(_l("Choose at least one service from the catalogue."), "service_codes")
    if any(not iso.is_language(c) for c in values["language_codes"]):
        raise PartnerError(_l("Choose languages from the list."), "language_codes")


def save_partner(structure: Structure | None, values: dict, *, actor,
                 expected_version: int | None = None) -> Structure:
    """Create (`structure` None) or update a partner organisation and its directory entry.

    `values`: code (str, "P-..."), name_el, name_en (str), service_codes (codes of
    `catalogue.PARTNER_SERVICES`, at least one), language_codes (shared ISO 639-1 codes),
    contact_name, phone, email, website, address, notes (str or None), active (bool).
    A service taken off is deactivated, never deleted (referrals may name it); ticked
    again, it is reactivated. Raises `PartnerError` on bad values, `ConflictError` when
    the entry changed since `expected_version` was read (or meanwhile). Audited with ids only.
    """
    _check_partner_values(values, structure)
    creating = structure is None
    if creating:
        structure = Structure(kind=StructureKind.PARTNER, confidential=False)
        db.session.add(structure)
        profile = _new_profile(structure)
    else:
        if not structure.is_partner:
            raise PartnerError(_l("Only partner organisations are edited here."))
        profile = structure.partner or _new_profile(structure)
        check_version(profile, expected_version)
    structure.code = values["code"]
    structure.name_el = values["name_el"]
    structure.name_en = values["name_en"]
    structure.active = bool(values["active"])
    _set_services(structure, values["service_codes"])
    profile.language_codes = values["language_codes"]
    for name in ("contact_name", "phone", "email", "website", "address"):
        setattr(profile, name, values.get(name) or None)
    if values.get("notes") and profile.data_key is None:
        profile.data_key = DataKey.create()
        db.session.add(profile.data_key)
    profile.notes = values.get("notes") or None
    profile.updated_at = utcnow()  # the entry's row changes on every save: its version guards all of it
    profile.updated_by_id = actor.id
    try:
        flush_or_conflict()
    except IntegrityError:  # a code taken at the same moment (unique constraint)
        raise ConflictError(_l("Another structure took this code at the same time."), "code") from None
    record("partners.create" if creating else "partners.update", object_type="structure",
           object_id=structure.id, user=actor)
    return structure


def _set_services(structure: Structure, codes) -> None:
    wanted = set(codes)
    existing = {s.code: s for s in structure.services}
    for code, service in existing.items():
        service.active = code in wanted
    for code in sorted(wanted - set(existing)):
        name_el, name_en = PARTNER_SERVICES[code]
        structure.services.append(Service(code=code, name_el=name_el, name_en=name_en, unit=SERVICE_UNIT,
                                          active=True))
