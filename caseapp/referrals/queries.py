"""Scoped reads of referrals. Every read here runs a fixed number of queries, whatever the data size.

A user sees a referral

- as its sender, when they see the sending case file (`casefiles.queries.visible_case_files`,
  the one scoping query): its structure's staff;
- as its receiver, when one of their structures is the receiving one and the referral is
  waiting for their answer, accepted or completed (or withdrawn after they accepted it).
  Never as a draft, and never after they declined it or it was withdrawn before they
  accepted: then they see nothing of the person (404).

Seeing a referral is not seeing the person: before acceptance the receiver's page shows only
what it needs to decide (`Minimum`); the person's file is reached through the receiving case
file that acceptance opens, under the one scoping query.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from caseapp.beneficiaries.models import Beneficiary
from caseapp.beneficiaries.stats import age_band
from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import user_structure_ids, visible_case_files
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.pagination import Page, keyset_after, keyset_page
from caseapp.referrals.codes import ACCEPTED, COMPLETED, DRAFT, OPEN_STATES, SENT, WITHDRAWN
from caseapp.referrals.models import Referral, ReferralEvent
from caseapp.structures.models import Service, Structure

R = Referral


def _sender_side(user):
    return R.case_file_id.in_(visible_case_files(user).with_only_columns(CaseFile.id))


def _receiver_side(user):
    seen = or_(R.status.in_((SENT, ACCEPTED, COMPLETED)), and_(R.status == WITHDRAWN, R.answered_at.is_not(None)))
    return and_(R.to_structure_id.in_(user_structure_ids(user)), seen)


def _live(stmt: Select) -> Select:
    """Referrals of people not erased (their reasons no longer decrypt)."""
    return stmt.join(Beneficiary, Beneficiary.id == R.beneficiary_id).where(Beneficiary.erased_at.is_(None))


def visible_referrals(user) -> Select:
    """Referrals the user sees as sender or receiver; nothing without `referrals.view`."""
    if not user.has_permission("referrals.view"):
        return select(R).where(false())
    return _live(select(R).where(or_(_sender_side(user), _receiver_side(user))))


def sent_referrals(user) -> Select:
    if not user.has_permission("referrals.view"):
        return select(R).where(false())
    return _live(select(R).where(_sender_side(user)))


def received_referrals(user) -> Select:
    if not user.has_permission("referrals.view"):
        return select(R).where(false())
    return _live(select(R).where(_receiver_side(user)))


PAGE_OPTIONS = (joinedload(R.beneficiary), joinedload(R.from_structure), joinedload(R.to_structure),
                joinedload(R.service))


def get_visible_referral(user, referral_id: uuid.UUID) -> Referral | None:
    """A referral the user sees, with what its page shows loaded (three round trips)."""
    return db.session.execute(
        visible_referrals(user).where(R.id == referral_id)
        .options(*PAGE_OPTIONS, joinedload(R.case_file), joinedload(R.receiving_case_file),
                 selectinload(R.history).joinedload(ReferralEvent.actor))
    ).unique().scalar_one_or_none()


# --- the boxes -----------------------------------------------------------------------------------

INBOX_LISTS = ("to_answer", "accepted", "overdue", "closed")
OUTBOX_LISTS = ("draft", "sent", "accepted", "overdue", "declined", "completed", "withdrawn")


@dataclass
class Filters:
    structure_id: int | None = None     # one of the user's structures
    urgency: str | None = None


def _filtered(stmt: Select, filters: Filters, side_column) -> Select:
    if filters.structure_id is not None:
        stmt = stmt.where(side_column == filters.structure_id)
    if filters.urgency:
        stmt = stmt.where(R.urgency == filters.urgency)
    return stmt


def _list_condition(shown: str, today: date):
    if shown == "to_answer":
        return R.status == SENT
    if shown == "overdue":
        return and_(R.status.in_(OPEN_STATES), R.due_on < today)
    if shown == "closed":
        return R.status.in_((COMPLETED, WITHDRAWN))
    return R.status == shown


def inbox_page(user, shown: str, filters: Filters, after: uuid.UUID | None, limit: int) -> Page:
    """Referrals received by the user's structures in list `shown` (INBOX_LISTS), newest first (keyset)."""
    stmt = _filtered(received_referrals(user).where(_list_condition(shown, local_today())), filters,
                     R.to_structure_id).options(*PAGE_OPTIONS)
    stmt = keyset_after(stmt, R, "created_at", after, lambda anchor: anchor.to_structure_id.in_(user_structure_ids(user)))
    return keyset_page(stmt, R, "created_at", limit)


def outbox_page(user, shown: str, filters: Filters, after: uuid.UUID | None, limit: int) -> Page:
    """Referrals sent (or drafted) by the user's structures in list `shown` (OUTBOX_LISTS), newest first."""
    stmt = _filtered(sent_referrals(user).where(_list_condition(shown, local_today())), filters,
                     R.from_structure_id).options(*PAGE_OPTIONS)
    stmt = keyset_after(stmt, R, "created_at", after,
                        lambda anchor: anchor.from_structure_id.in_(user_structure_ids(user)))
    return keyset_page(stmt, R, "created_at", limit)


def waiting_count(user) -> int:
    """Referrals waiting for an answer from the user's structures (the navigation badge): one query."""
    if not user.has_permission("referrals.answer"):
        return 0
    return db.session.execute(
        select(func.count()).select_from(R).where(R.status == SENT, R.to_structure_id.in_(user_structure_ids(user)))
    ).scalar_one()


def due_to_answer(user, limit: int) -> list[Referral]:
    """What the user's structures must answer or complete, earliest due first (the home page): one query."""
    return list(db.session.execute(
        received_referrals(user).where(R.status.in_(OPEN_STATES)).options(*PAGE_OPTIONS)
        .order_by(R.due_on, R.created_at, R.id).limit(limit)
    ).unique().scalars())


def overdue_at_my_structures(user, limit: int) -> list[Referral]:
    """Overdue referrals received or sent by the user's structures (supervisors' home page), most late first."""
    stmt = visible_referrals(user).where(R.status.in_(OPEN_STATES), R.due_on < local_today())
    return list(db.session.execute(
        stmt.options(*PAGE_OPTIONS).order_by(R.due_on, R.created_at, R.id).limit(limit)
    ).unique().scalars())


def case_file_referrals(case_file: CaseFile, limit: int) -> list[Referral]:
    """Referrals made from this case file, or that opened it (its panel), latest first: one query."""
    return list(db.session.execute(
        select(R).where(or_(R.case_file_id == case_file.id, R.receiving_case_file_id == case_file.id))
        .options(joinedload(R.from_structure), joinedload(R.to_structure), joinedload(R.service))
        .order_by(R.created_at.desc(), R.id.desc()).limit(limit)
    ).unique().scalars())


def referrals_for_plan_actions(user, action_ids) -> dict[uuid.UUID, list[Referral]]:
    """{plan action id: the referrals the user sees that carry it out, oldest first}, one query."""
    ids = list(action_ids)
    result: dict[uuid.UUID, list[Referral]] = {action_id: [] for action_id in ids}
    if not ids:
        return result
    rows = db.session.execute(
        visible_referrals(user).where(R.plan_action_id.in_(ids)).options(*PAGE_OPTIONS)
        .order_by(R.created_at, R.id)).unique().scalars()
    for referral in rows:
        result.setdefault(referral.plan_action_id, []).append(referral)
    return result


# --- what a referral may target -----------------------------------------------------------------------


def target_services() -> list[Service]:
    """Active services of active structures, municipal first then partners, by structure code: one query."""
    return list(db.session.execute(
        select(Service).join(Structure, Structure.id == Service.structure_id)
        .where(Service.active.is_(True), Structure.active.is_(True))
        .options(joinedload(Service.structure))
        .order_by((Structure.kind == "partner"), Structure.code, Service.code)
    ).unique().scalars())


# --- what the receiver sees before acceptance ----------------------------------------------------------


@dataclass
class Minimum:
    """Only what a receiving structure needs to decide: no family name, no contact, no document."""
    reference: str
    given_name: str | None
    age_band: str
    sex: str
    language_codes: list[str]


def minimum_of(referral: Referral) -> Minimum:
    person = referral.beneficiary
    return Minimum(person.reference, person.given_name, age_band(person.birth_year, local_today().year),
                   person.sex, person.language_codes)
