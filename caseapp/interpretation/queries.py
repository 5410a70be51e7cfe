"""Scoped reads of interpretation requests and interpreters.

Staff see a request when they see its case file (`casefiles.queries.visible_case_files`,
the one scoping query): it belongs to the requesting structure's file. An interpreter sees
the requests they are (or were) booked for, through `own_requests`, and nothing else. Every
read here loads what its page shows in a fixed number of queries, whatever the number of rows.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, exists, false, func, select
from sqlalchemy.orm import joinedload, selectinload

from caseapp.auth.models import User
from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import visible_case_files
from caseapp.extensions import db
from caseapp.interpretation import languages
from caseapp.interpretation.models import (ACTIVE_BOOKING, REQUESTED, InterpretationRequest, Interpreter,
                                           InterpreterLanguage)
from caseapp.models_base import utcnow
from caseapp.pagination import Page, keyset_after, keyset_page

R = InterpretationRequest


def _live(stmt: Select) -> Select:
    """Requests of people not erased (their place and notes no longer decrypt)."""
    return stmt.join(Beneficiary, Beneficiary.id == R.beneficiary_id).where(Beneficiary.erased_at.is_(None))


def visible_requests(user) -> Select:
    """Requests on case files the user sees; nothing for users without `interpretation.request`."""
    stmt = select(R)
    if not user.has_permission("interpretation.request"):
        return stmt.where(false())
    return _live(stmt.where(R.case_file_id.in_(visible_case_files(user).with_only_columns(CaseFile.id))))


PAGE_OPTIONS = (joinedload(R.beneficiary), joinedload(R.interpreter), joinedload(R.structure),
                joinedload(R.caseworker))


def get_visible_request(user, request_id: uuid.UUID) -> InterpretationRequest | None:
    return db.session.execute(
        visible_requests(user).where(R.id == request_id)
        .options(*PAGE_OPTIONS, joinedload(R.case_file), selectinload(R.history).joinedload(_history_actor()))
    ).unique().scalar_one_or_none()


def _history_actor():
    from caseapp.interpretation.models import RequestEvent

    return RequestEvent.actor


def requests_page(user, statuses, after: uuid.UUID | None, limit: int) -> Page:
    """The user's structures' requests in `statuses`, latest appointment first (keyset)."""
    stmt = visible_requests(user).where(R.status.in_(list(statuses))).options(*PAGE_OPTIONS)
    stmt = keyset_after(stmt, R, "starts_at", after,
                        lambda anchor: anchor.case_file_id.in_(visible_case_files(user).with_only_columns(CaseFile.id)))
    return keyset_page(stmt, R, "starts_at", limit)


def case_file_requests(case_file: CaseFile, limit: int) -> list[InterpretationRequest]:
    """The latest requests on a case file (its panel), in one query."""
    return list(db.session.execute(
        select(R).where(R.case_file_id == case_file.id)
        .options(joinedload(R.interpreter)).order_by(R.starts_at.desc(), R.id.desc()).limit(limit)
    ).unique().scalars())


def waiting_count(user) -> int:
    """Requests of the user's structures waiting for an interpreter (the navigation badge)."""
    return db.session.execute(
        visible_requests(user).where(R.status == REQUESTED, R.starts_at > utcnow())
        .with_only_columns(func.count())
    ).scalar_one()


# --- the interpreter's own view -------------------------------------------------------------------------


def own_interpreter(user) -> Interpreter | None:
    if not user.has_permission("interpretation.own"):
        return None
    return db.session.execute(select(Interpreter).where(Interpreter.user_id == user.id)).scalar_one_or_none()


def own_requests(user) -> Select:
    """Requests the user's interpreter record is booked for (or was, until done or cancelled)."""
    if not user.has_permission("interpretation.own"):
        return select(R).where(false())
    mine = select(Interpreter.id).where(Interpreter.user_id == user.id)
    return _live(select(R).where(R.interpreter_id.in_(mine)))


OWN_OPTIONS = (joinedload(R.beneficiary), joinedload(R.caseworker))


def own_upcoming(user, limit: int) -> list[InterpretationRequest]:
    """Active bookings (assigned or confirmed: still to happen, or to be marked delivered), soonest first."""
    return list(db.session.execute(
        own_requests(user).where(R.status.in_(ACTIVE_BOOKING))
        .options(*OWN_OPTIONS).order_by(R.starts_at, R.id).limit(limit)
    ).unique().scalars())


def own_past_page(user, after: uuid.UUID | None, limit: int) -> Page:
    """What the interpreter was booked for and is closed (delivered, no-show, cancelled), latest first."""
    past = R.status.not_in(ACTIVE_BOOKING)
    mine = select(Interpreter.id).where(Interpreter.user_id == user.id)
    stmt = own_requests(user).where(past).options(*OWN_OPTIONS)
    stmt = keyset_after(stmt, R, "starts_at", after, lambda anchor: anchor.interpreter_id.in_(mine))
    return keyset_page(stmt, R, "starts_at", limit)


def get_own_request(user, request_id: uuid.UUID) -> InterpretationRequest | None:
    return db.session.execute(
        own_requests(user).where(R.id == request_id).options(*OWN_OPTIONS, joinedload(R.interpreter),
                                                             joinedload(R.case_file))
    ).unique().scalar_one_or_none()


# --- suggestions --------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    interpreter: Interpreter
    rank: int                 # languages.EXACT or languages.FAMILY
    gender_matches: bool


def suggestions(request: InterpretationRequest, limit: int = 20) -> list[Suggestion]:
    """Active interpreters who serve the request's language and are free for its slot (travel
    buffer included): exact language first, then the same family; the preferred gender first
    within each; then by name. Two queries (the interpreters, then their languages)."""
    wanted = request.language
    codes = sorted(languages.matching_codes(wanted))
    speaks_exact = exists().where(InterpreterLanguage.interpreter_id == Interpreter.id,
                                  InterpreterLanguage.code == wanted)
    speaks_family = exists().where(InterpreterLanguage.interpreter_id == Interpreter.id,
                                   InterpreterLanguage.code.in_(codes))
    busy = exists().where(R.interpreter_id == Interpreter.id, R.status.in_(ACTIVE_BOOKING), R.id != request.id,
                          R.busy_from < request.busy_until, R.busy_until > request.busy_from)
    rank = case((speaks_exact, languages.EXACT), else_=languages.FAMILY)
    gender_first = case((Interpreter.gender == request.preferred_gender, 0), else_=1) \
        if request.preferred_gender else None
    order = [rank] + ([gender_first] if gender_first is not None else []) + [Interpreter.name, Interpreter.id]
    stmt = select(Interpreter, rank).where(Interpreter.active.is_(True), speaks_family, ~busy)
    if request.interpreter_id is not None:
        stmt = stmt.where(Interpreter.id != request.interpreter_id)
    rows = db.session.execute(stmt.order_by(*order).limit(limit)).all()
    return [Suggestion(interpreter, rank_value, bool(request.preferred_gender)
                       and interpreter.gender == request.preferred_gender)
            for interpreter, rank_value in rows]


# --- calendar -----------------------------------------------------------------------------------------


def structure_week(user, structure_id: int, start: datetime, end: datetime) -> list[InterpretationRequest]:
    """The structure's requests with an appointment in [start, end), in order (the user must see them)."""
    return list(db.session.execute(
        visible_requests(user).where(R.structure_id == structure_id, R.starts_at >= start, R.starts_at < end)
        .options(*PAGE_OPTIONS).order_by(R.starts_at, R.id)
    ).unique().scalars())


@dataclass
class Booking:
    """An interpreter's booking in their calendar: the request when the viewer may see it,
    otherwise only that the interpreter is busy then."""
    starts_at: datetime
    busy_from: datetime
    busy_until: datetime
    request: InterpretationRequest | None


def interpreter_week(user, interpreter: Interpreter, start: datetime, end: datetime) -> list[Booking]:
    """The interpreter's bookings (active or delivered) overlapping [start, end): full for the
    viewer's structures, a bare busy slot for the others (nothing of another structure's person
    or even which structure). Two queries."""
    held = (select(R.id, R.starts_at, R.busy_from, R.busy_until, R.structure_id)
            .where(R.interpreter_id == interpreter.id, R.status.in_(ACTIVE_BOOKING + ("completed",)),
                   R.busy_from < end, R.busy_until > start).order_by(R.starts_at, R.id))
    rows = db.session.execute(held).all()
    visible_ids = [row.id for row in rows if row.structure_id in user.structure_ids]
    loaded = {}
    if visible_ids:
        loaded = {r.id: r for r in db.session.execute(
            visible_requests(user).where(R.id.in_(visible_ids)).options(*PAGE_OPTIONS)).unique().scalars()}
    return [Booking(row.starts_at, row.busy_from, row.busy_until, loaded.get(row.id)) for row in rows]


# --- interpreters --------------------------------------------------------------------------------------


def interpreters_page(after: uuid.UUID | None, limit: int) -> Page:
    stmt = select(Interpreter).options(joinedload(Interpreter.user))
    stmt = keyset_after(stmt, Interpreter, "created_at", after)
    return keyset_page(stmt, Interpreter, "created_at", limit)


def active_interpreters(limit: int = 500) -> list[Interpreter]:
    return list(db.session.execute(
        select(Interpreter).where(Interpreter.active.is_(True)).order_by(Interpreter.name).limit(limit)
    ).scalars())


def linkable_logins(interpreter: Interpreter | None) -> list[User]:
    """Active interpreter accounts not linked to another interpreter record."""
    linked = select(Interpreter.user_id).where(Interpreter.user_id.is_not(None))
    if interpreter is not None:
        linked = linked.where(Interpreter.id != interpreter.id)
    return list(db.session.execute(
        select(User).where(User.role == "interpreter", User.active.is_(True), User.id.not_in(linked))
        .order_by(User.display_name)
    ).scalars())
