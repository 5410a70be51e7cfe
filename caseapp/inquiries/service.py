"""Writes of "asking the holders": sending a request, and a holder's answer.

Sending (`send_inquiry`) does the same work whatever the city's records hold, so that
neither the page nor its timing tells the requester whether, where or how often the
person is known: the check for a repeated request (requester's side only), the duplicate
check (constant work, `find_possible_duplicates`; only its confirmed matches are asked
about, never "similar names"), then two statements whose text never changes: the request
row, and one INSERT ... SELECT that finds the holders (never a confidential structure, never a partner, never the
requester's own structures) and writes their copies, with the matching ids padded to a
fixed number of parameters. Nothing about holders comes back to Python.

A holder answers its copy (`answer`): it declines (with a coded reason) or says it has
referred the person, after sending the referral from the person's profile. Each answer
is a transition of `LIFECYCLE`, audited (ids only) and written on the holder's case-file
timeline. The requester is told nothing: a referral, if one comes, is the answer.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, Uuid, exists, insert, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from caseapp.beneficiaries.queries import find_possible_duplicates
from caseapp.beneficiaries.service import duplicate_fingerprint, registration_structures
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import user_structure_ids
from caseapp.domain import DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.inquiries.models import DECLINED, EXACT, OPEN, REFERRED, Inquiry, InquiryTarget
from caseapp.lifecycle import Lifecycle, Transition
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.audit import record
from caseapp.structures.models import Structure, StructureKind

MAX_PEOPLE = 16
"""At most this many matching people are asked about per request (the parameters are padded to it)."""

OPEN_DAYS = 30
"""A request stays open for the requester this many days (config `INQUIRY_OPEN_DAYS`): the same
structure asking again about the same details meanwhile is refused, whatever the holders did."""

DECLINE_REASONS = {
    "not_same_person": _l("Not the same person"),
    "no_consent": _l("The person does not agree to be referred"),
    "not_needed": _l("A referral is not needed"),
    "other": _l("Another reason"),
}

STATES = {OPEN: _l("Waiting for your answer"), DECLINED: _l("Declined"), REFERRED: _l("Referred")}


def _parties(target: InquiryTarget, user) -> set[str]:
    """"holder": the user answers for the structure the copy went to."""
    if user.has_permission("inquiries.answer") and target.structure_id in user.structure_ids:
        return {"holder"}
    return set()


LIFECYCLE = Lifecycle(
    name="inquiry",
    states=STATES,
    transitions=[
        Transition("decline", {OPEN}, DECLINED, parties={"holder"}),
        Transition("mark_referred", {OPEN}, REFERRED, parties={"holder"}),
    ],
    parties=_parties,
    action_labels={"decline": _l("Decline"), "mark_referred": _l("I have referred the person")},
)

timeline.register_kind("inquiry.declined", _l("Request from another structure declined"))
timeline.register_kind("inquiry.referred", _l("Request from another structure answered with a referral"))


class InquiryError(DomainError):
    """A request that cannot be sent or answered; `field` names the form field."""


# --- a random UUID made by the database (rows written by INSERT ... SELECT) ------------------


class random_uuid(FunctionElement):
    type = Uuid()
    inherit_cache = True


@compiles(random_uuid)
def _random_uuid_postgresql(element, compiler, **kw):
    return "gen_random_uuid()"


@compiles(random_uuid, "sqlite")
def _random_uuid_sqlite(element, compiler, **kw):
    return "lower(hex(randomblob(16)))"  # how SQLAlchemy's Uuid is stored there: 32 hex digits


def _padded(ids) -> list[uuid.UUID]:
    ids = list(ids)[:MAX_PEOPLE]
    return ids + [uuid.uuid4() for _ in range(MAX_PEOPLE - len(ids))]


# --- sending --------------------------------------------------------------------------------


def can_ask_from(structure: Structure) -> bool:
    """A confidential structure never asks: its request would tell others the person is known there."""
    return not structure.confidential and structure.kind != StructureKind.PARTNER


def asking_structures(user) -> list[Structure]:
    """The user's structures from which a request can succeed (none: the button is not offered)."""
    if not user.has_permission("inquiries.send"):
        return []
    return [s for s in registration_structures(user) if can_ask_from(s)]


def can_receive(user) -> bool:
    """Requests reach only open municipal structures: a user of confidential ones only never gets one."""
    return any(can_ask_from(s) for s in user.structures)


def _details_key(values: dict) -> str:
    """What the request was about, as a keyed hash (the app's secret) of the identifying details,
    distinct from the registration form's token for the same details."""
    return hashlib.sha256(b"inquiry-details|" + duplicate_fingerprint(values).encode()).hexdigest()


def _open_days() -> int:
    return int(current_app.config.get("INQUIRY_OPEN_DAYS", OPEN_DAYS))


def send_inquiry(values: dict, *, structure: Structure, actor) -> Inquiry:
    """Ask the structures holding a possible duplicate of `values` to consider referring the person.

    `values`: the registration form's values (family_name, birth_date, birth_year, phone,
    document_number). `structure`: the requester's structure, one of theirs (the referral
    would come to it). Returns the `Inquiry`, which says nothing of who was asked: there may
    be nobody. Raises `InquiryError` when `structure` is confidential or a partner, or when
    it already asked about the same details in the last `OPEN_DAYS` days. Audited as
    "inquiries.send" with the request's id only.

    Only the people the duplicate check confirms (the exact keys, compared after decryption)
    are asked about, never those whose surname only sounds alike: a holder is not told about
    someone who may be another person. A holder never gets a second open copy about the same
    person from the same requesting structure (other details typed, the same person found).
    Both rules are decided in the same statements whatever the records hold: the page and its
    timing tell the requester nothing of the holders.
    """
    if structure.id not in actor.structure_ids:
        raise InquiryError(_l("Choose one of your structures."), "structure")
    if not can_ask_from(structure):
        raise InquiryError(_l("A confidential structure cannot ask other structures: the request would tell "
                              "them that the person is known here."), "structure")
    now = utcnow()
    details_key = _details_key(values)
    repeated = db.session.execute(
        select(Inquiry.id).where(Inquiry.structure_id == structure.id, Inquiry.details_key == details_key,
                                 Inquiry.created_at > now - timedelta(days=_open_days())).limit(1)
    ).scalar_one_or_none()
    if repeated is not None:
        raise InquiryError(_l("Your structure has already asked about this person, and the request is still "
                              "open: it is not sent twice. If a structure holds the record, it can refer the "
                              "person to yours; the referral arrives in your structure's inbox."))
    report = find_possible_duplicates(
        actor, surname=values.get("family_name"), birth_date=values.get("birth_date"),
        birth_year=values.get("birth_year"), phone=values.get("phone"), document=values.get("document_number"))
    inquiry = Inquiry(id=uuid.uuid4(), structure_id=structure.id, requested_by_id=actor.id, created_at=now,
                      details_key=details_key)
    db.session.add(inquiry)
    db.session.flush()
    confirmed = [person for person, kind in report.elsewhere_matches.items() if kind == EXACT]
    people = _padded(confirmed)
    earlier = InquiryTarget.__table__.alias("earlier")
    asked = Inquiry.__table__.alias("asked")
    already_open = (exists().select_from(earlier.join(asked, asked.c.id == earlier.c.inquiry_id))
                    .where(earlier.c.structure_id == CaseFile.structure_id,
                           earlier.c.beneficiary_id == CaseFile.beneficiary_id,
                           earlier.c.status == OPEN, asked.c.structure_id == structure.id))
    held = (select(CaseFile.structure_id, CaseFile.beneficiary_id)
            .join(Structure, Structure.id == CaseFile.structure_id)
            .where(CaseFile.beneficiary_id.in_(people),
                   Structure.confidential.is_(False),
                   Structure.kind != StructureKind.PARTNER,
                   CaseFile.structure_id.not_in(user_structure_ids(actor)),
                   ~already_open)
            .subquery())
    rows = select(random_uuid(), literal(inquiry.id, Uuid()), held.c.structure_id, held.c.beneficiary_id,
                  literal(EXACT, String()), literal(OPEN, String()), literal(now, UTCDateTime()),
                  literal(1, Integer()))
    table = InquiryTarget.__table__
    db.session.execute(insert(table).from_select(
        [table.c.id, table.c.inquiry_id, table.c.structure_id, table.c.beneficiary_id, table.c.match,
         table.c.status, table.c.created_at, table.c.version], rows))
    record("inquiries.send", object_type="inquiry", object_id=inquiry.id, structure_id=structure.id, user=actor)
    return inquiry


# --- answering ------------------------------------------------------------------------------


def answer(target: InquiryTarget, action: str, *, actor, expected_version: int | None,
           reason: str | None = None) -> InquiryTarget:
    """The holder's answer: "decline" (`reason` a code of `DECLINE_REASONS`, required) or
    "mark_referred". Raises `TransitionError` for an action the state or the user's part
    does not allow, `InquiryError` without a valid reason, `ConflictError` when someone
    answered meanwhile. Audited; written on the holder's case-file timeline.
    """
    check_version(target, expected_version, _l("Someone else answered this request at the same time. "
                                              "Look at its current state."))
    if action == "decline" and reason not in DECLINE_REASONS:
        raise InquiryError(_l("Choose why you decline."), "reason")
    LIFECYCLE.apply(target, action, actor)
    target.answered_at = utcnow()
    target.answered_by_id = actor.id
    target.decline_reason = reason if action == "decline" else None
    flush_or_conflict(_l("Someone else answered this request at the same time. Look at its current state."))
    case_file = db.session.execute(
        select(CaseFile).where(CaseFile.beneficiary_id == target.beneficiary_id,
                               CaseFile.structure_id == target.structure_id)
    ).scalar_one_or_none()
    if case_file is not None:
        timeline.add_event(case_file, f"inquiry.{target.status}", actor=actor)
    record(f"inquiries.{action}", object_type="inquiry_target", object_id=target.id,
           structure_id=target.structure_id, user=actor)
    return target
