"""Writes for beneficiaries and consent: check, change, audit, flush. Views commit.

Audit events carry ids only: never a name, a date of birth or a number.
"""
from __future__ import annotations

import uuid
from datetime import date
import hashlib
import hmac
from typing import Mapping

from flask import current_app

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from caseapp.beneficiaries import codes, phones
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.beneficiaries import references
from caseapp.beneficiaries.models import Beneficiary, ConsentRecord, FormerReference, normalise_codes
from caseapp.beneficiaries.queries import has_consent
from caseapp.domain import ConflictError as DomainConflict
from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.formtools import has_visible_character
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.security.blind_index import INDEX_NORMALISERS
from caseapp.security.key_models import DataKey
from caseapp.structures.models import Structure, StructureKind

EDITABLE_FIELDS = Beneficiary.IDENTITY_FIELDS + Beneficiary.CODED_FIELDS


class BeneficiaryError(DomainError):
    """A request that cannot be carried out; `field` says where to show `message`."""

    def __init__(self, field: str | None, message):
        super().__init__(message, field)


class ConflictError(DomainConflict):
    def __init__(self):
        super().__init__(_l(
            "Someone else saved changes to this record while you were editing it. Your changes have "
            "NOT been saved yet: they are still in the form below. Check the values saved meanwhile, "
            "then save again."), "version")


# --- structures a user may act for --------------------------------------------------


def registration_structures(user) -> list[Structure]:
    """The user's own structures where people can be registered (not partners, active)."""
    if not user.has_permission("beneficiaries.register"):
        return []
    return [s for s in user.structures if s.active and s.kind != StructureKind.PARTNER]


def can_register_at(user, structure: Structure) -> bool:
    return structure in registration_structures(user)


def acting_structure(user, beneficiary: Beneficiary) -> Structure | None:
    """The user's first structure that holds a case file for the beneficiary."""
    mine = set(user.structure_ids)
    held = db.session.execute(
        select(Structure).join(CaseFile, CaseFile.structure_id == Structure.id)
        .where(CaseFile.beneficiary_id == beneficiary.id).order_by(Structure.code)
    ).scalars()
    return next((s for s in held if s.id in mine), None)


# --- references ------------------------------------------------------------------------


REFERENCE_ATTEMPTS = 8


def _reference_taken(reference: str) -> bool:
    return db.session.execute(select(
        select(Beneficiary.id).where(Beneficiary.reference == reference).exists()
        | select(FormerReference.reference).where(FormerReference.reference == reference).exists()
    )).scalar_one()


def _insert_with_new_reference(beneficiary: Beneficiary, year: int) -> None:
    """Give `beneficiary` a random reference (`references.new_reference`) and insert it.

    A reference already issued is drawn again; so is one a concurrent registration
    took between the check and the insert (the unique index refuses it inside a
    savepoint). Eight draws failing in a row would mean the year's space is full.
    """
    for _attempt in range(REFERENCE_ATTEMPTS):
        beneficiary.reference = references.new_reference(year)
        if _reference_taken(beneficiary.reference):
            continue
        try:
            with db.session.begin_nested():
                db.session.add(beneficiary)
                db.session.flush()
            return
        except IntegrityError:
            continue
    raise BeneficiaryError(None, _l("No free reference could be drawn; try again."))


# --- beneficiaries ------------------------------------------------------------------------


def duplicate_fingerprint(values) -> str:
    """Binds "register anyway" to the identifying values the warning was about.

    If the user changes the surname, date or year of birth, phone or document
    after seeing the warning, the check runs again.
    """
    parts = [INDEX_NORMALISERS["surname"](values.get("family_name")),
             INDEX_NORMALISERS["birth_date"](values.get("birth_date")),
             str(values.get("birth_year") or ""),
             INDEX_NORMALISERS["phone"](values.get("phone")),
             INDEX_NORMALISERS["document"](values.get("document_number"))]
    key = hashlib.sha256(b"duplicate-check|" + current_app.secret_key.encode()).digest()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def warning_acknowledged(values, token: str | None) -> bool:
    """True when `token` is the fingerprint of exactly these values (the warning was about them)."""
    return hmac.compare_digest(token or "", duplicate_fingerprint(values))



class PossibleDuplicate(BeneficiaryError):
    """A new person who may already have a record: `report` (a `queries.DuplicateReport`)
    says what the user may be told, `fingerprint` what "register anyway" must carry."""

    def __init__(self, field: str | None, message, report, fingerprint: str):
        super().__init__(field, message)
        self.report = report
        self.fingerprint = fingerprint


def check_new_person(values: Mapping[str, object], *, actor, acknowledged: str | None = None,
                     field: str | None = None, who=None) -> None:
    """The city-wide duplicate check every registration goes through, also of people
    registered inside another step (children at a shelter admission).

    `values`: the registration values (family_name, birth_date, birth_year, phone,
    document_number; missing ones count as empty). Passes when nothing may match, or
    when `acknowledged` is the fingerprint of these very values (the user saw the
    warning and chose to register anyway). Otherwise raises `PossibleDuplicate` on
    `field`, naming visible matches by reference (`who`: how the message names the
    person, default "this person") and saying only "elsewhere" of the others; a match
    held only by confidential structures leaves no trace. Audited as
    "beneficiaries.duplicate_check" with ids of the visible matches only.
    """
    from caseapp.beneficiaries import queries

    report = queries.find_possible_duplicates(
        actor, surname=values.get("family_name"), birth_date=values.get("birth_date"),
        birth_year=values.get("birth_year") or (values["birth_date"].year if values.get("birth_date") else None),
        phone=values.get("phone"), document=values.get("document_number"))
    outcome = "visible_match" if report.visible else "match_elsewhere" if report.elsewhere else "no_match"
    record("beneficiaries.duplicate_check", object_type="beneficiary_search", outcome=outcome, user=actor,
           subjects=[b.id for b in report.visible])
    fingerprint = duplicate_fingerprint(values)
    if not report.any or warning_acknowledged(values, acknowledged):
        return
    who = who or _l("this person")
    if report.visible:
        message = _l("A record that may be %(who)s already exists: %(refs)s. If it is the same person, admit that "
                     "record instead; if not, tick the box below to register anyway.", who=who,
                     refs=", ".join(b.reference for b in report.visible))
    else:
        message = _l("A record that may be %(who)s is held by another structure. If it is the same person, ask "
                     "for a referral; if not, tick the box below to register anyway.", who=who)
    raise PossibleDuplicate(field, message, report, fingerprint)


_NAME_FIELDS = ("given_name", "family_name", "father_name", "mother_name")


def _check_names(values: Mapping[str, object]) -> None:
    """A name is letters someone can read: a name of only spaces or invisible characters (zero-width
    space, soft hyphen, direction marks, byte-order mark, ...) is refused on its field, whatever
    calls the service (the forms refuse it first, with what was typed kept)."""
    for name in _NAME_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and value and not has_visible_character(value):
            raise BeneficiaryError(name, _l("This holds only spaces or invisible characters. "
                                            "Type letters or digits."))


def _apply(beneficiary: Beneficiary, values: Mapping[str, object]) -> list[str]:
    """Set the given fields; returns the names of those that changed."""
    changed = []
    for name in EDITABLE_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, (list, tuple, set)):
            value = normalise_codes(value)
        elif name == "phone":
            value = phones.stored_form(value)
        if getattr(beneficiary, name) != value:
            setattr(beneficiary, name, value)
            changed.append(name)
    birth_date = beneficiary.birth_date
    if birth_date is not None and beneficiary.birth_year != birth_date.year:
        beneficiary.birth_year = birth_date.year
        if "birth_year" not in changed:
            changed.append("birth_year")
    return changed


def register_beneficiary(values: Mapping[str, object], *, structure: Structure, actor,
                         after_warning: bool = False) -> Beneficiary:
    """A new person with their own data key, and an open case file at `structure`.

    `after_warning`: the user was shown possible duplicates and chose to
    register anyway (the audit event says so).
    """
    if not can_register_at(actor, structure):
        raise BeneficiaryError("structure", _l("You cannot register people at this structure."))
    _check_names(values)
    key = DataKey.create()
    db.session.add(key)
    beneficiary = Beneficiary(id=uuid.uuid4(), data_key=key, registered_structure_id=structure.id,
                              registered_by_id=actor.id, created_at=utcnow())
    _apply(beneficiary, values)
    _insert_with_new_reference(beneficiary, local_today().year)
    record("beneficiaries.register", object_type="beneficiary", object_id=beneficiary.id,
           structure_id=structure.id, outcome="after_warning" if after_warning else "ok", user=actor)
    casefile_service.open_case_file(beneficiary, structure, actor=actor)
    return beneficiary


def update_beneficiary(beneficiary: Beneficiary, values: Mapping[str, object], *, actor,
                       expected_version: int) -> list[str]:
    """Optimistic locking: refuse if the record changed since the form was loaded.

    The version is compared here (the form was stale) and again by the
    database in the UPDATE's WHERE clause (a concurrent save won the race).
    """
    if beneficiary.version != expected_version:
        raise ConflictError()
    _check_names(values)
    changed = _apply(beneficiary, values)
    if not changed:
        return []
    beneficiary.updated_at = utcnow()
    beneficiary.updated_by_id = actor.id
    try:
        db.session.flush()
    except StaleDataError:
        raise ConflictError() from None
    record("beneficiaries.update", object_type="beneficiary", object_id=beneficiary.id, user=actor)
    for case_file in _my_case_files(actor, beneficiary):
        timeline.add_event(case_file, "beneficiary.updated", actor=actor)
    return changed


def _my_case_files(user, beneficiary: Beneficiary) -> list[CaseFile]:
    """Events go only to the actor's own structures' files: another structure's timeline
    must not learn who else follows the person."""
    return list(db.session.execute(
        select(CaseFile).where(CaseFile.beneficiary_id == beneficiary.id,
                               CaseFile.structure_id.in_(user.structure_ids))
    ).scalars())


# --- consent ----------------------------------------------------------------------------------


def record_consent(beneficiary: Beneficiary, *, purpose: str, given: bool, decided_on, actor) -> ConsentRecord:
    """Append a decision; the latest one per purpose (by decision date) is in force at once.

    Raises `BeneficiaryError` on "purpose" (unknown), "decided_on" (in the future, or before
    the person's birth date or birth year), or above the form (not followed by the actor's
    structures)."""
    if purpose not in codes.CONSENT_PURPOSES:
        raise BeneficiaryError("purpose", _l("Choose a purpose from the list."))
    if decided_on > local_today():
        raise BeneficiaryError("decided_on", _l("The date cannot be in the future."))
    born = beneficiary.birth_date or (date(beneficiary.birth_year, 1, 1) if beneficiary.birth_year else None)
    if born is not None and decided_on < born:
        raise BeneficiaryError("decided_on", _l("The decision cannot be before the person was born."))
    structure = acting_structure(actor, beneficiary)
    if structure is None:
        raise BeneficiaryError(None, _l("You can record consent only for people your structure follows."))
    entry = ConsentRecord(beneficiary_id=beneficiary.id, purpose=purpose, given=given, decided_on=decided_on,
                          recorded_at=utcnow(), recorded_by_id=actor.id, structure_id=structure.id)
    db.session.add(entry)
    db.session.flush()
    record("consent.give" if given else "consent.withdraw", object_type="beneficiary",
           object_id=beneficiary.id, structure_id=structure.id, user=actor)
    for case_file in _my_case_files(actor, beneficiary):
        timeline.add_event(case_file, "consent.given" if given else "consent.withdrawn", actor=actor,
                           text=purpose)
    return entry


# --- sharing with another structure -------------------------------------------------------------------

SHARE_MUNICIPAL, SHARE_PARTNERS = "share_municipal", "share_partners"


def consent_seen_from(beneficiary: Beneficiary, purpose: str, structure_id: int | None) -> bool:
    """`has_consent` as the structure `structure_id` sees it (a confidential structure's
    decisions stay inside it); with None, every decision counts."""
    return has_consent(beneficiary, purpose, structure_id=structure_id)


NO_SHARING_CONSENT = _l("The person has not consented to sharing with municipal structures, or has withdrawn "
                        "that consent: their file cannot be opened at another structure. Record their consent first.")


def open_case_file_elsewhere(beneficiary: Beneficiary, structure: Structure, *, actor) -> CaseFile:
    """Open (or reopen) a file at another of the actor's structures for a person one of their
    structures already follows. That is sharing the person with a second structure, so it obeys
    the referral rule: consent to sharing with municipal structures in force, as seen from the
    structure that holds the person. Raises `BeneficiaryError` (no consent, not followed) or
    `CaseFileError` (already open there)."""
    source = acting_structure(actor, beneficiary)
    if source is None:
        raise BeneficiaryError(None, _l("You can open case files only for people your structure follows."))
    if not consent_seen_from(beneficiary, SHARE_MUNICIPAL, source.id):
        raise BeneficiaryError("structure", NO_SHARING_CONSENT)
    return casefile_service.open_case_file(beneficiary, structure, actor=actor)
