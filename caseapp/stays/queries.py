"""Scoped reads for stays: a shelter's residents, waiting list and daily occupancy.

A user sees a shelter's stays when they belong to the shelter (the case-file rule: its
stays are on its own case files). Every function here runs a fixed number of queries,
whatever the number of stays.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import visible_case_files
from caseapp.dates import local_today, month_bounds
from caseapp.extensions import db
from caseapp.pagination import Page, keyset_after, keyset_page
from caseapp.stays.models import WAITING, Stay, WaitingEntry
from caseapp.structures.models import Structure, StructureKind

WAITING_LIMIT = 50
CASE_PANEL_LIMIT = 10


def _on_visible_case_file(user, model):
    """`model` rows (stays, waiting entries) on a case file of the one scoping query
    (`visible_case_files`), at that case file's structure, of a person not erased."""
    visible = visible_case_files(user).join(CaseFile.beneficiary).where(Beneficiary.erased_at.is_(None))
    return (select(model).join(CaseFile, CaseFile.id == model.case_file_id)
            .where(CaseFile.id.in_(visible.with_only_columns(CaseFile.id).correlate(None)),
                   model.structure_id == CaseFile.structure_id))


def get_visible_stay(user, stay_id: uuid.UUID) -> Stay | None:
    return db.session.execute(_on_visible_case_file(user, Stay).where(Stay.id == stay_id)).scalar_one_or_none()


def get_visible_waiting_entry(user, entry_id: uuid.UUID) -> WaitingEntry | None:
    return db.session.execute(
        _on_visible_case_file(user, WaitingEntry).where(WaitingEntry.id == entry_id)).scalar_one_or_none()


def visible_shelter(user, structure_id: int) -> Structure | None:
    """The shelter if the user belongs to it (and may see case files), else None."""
    if not user.has_permission("cases.view") or structure_id not in user.structure_ids:
        return None
    structure = db.session.get(Structure, structure_id)
    return structure if structure is not None and structure.kind == StructureKind.SHELTER else None


def bed_summary(structure_ids) -> dict[int, tuple[int, int]]:
    """{structure_id: (beds occupied now, people waiting)} in two grouped queries."""
    ids = list(structure_ids)
    result = {sid: (0, 0) for sid in ids}
    if not ids:
        return result
    occupied = dict(db.session.execute(
        select(Stay.structure_id, func.count()).where(Stay.structure_id.in_(ids), Stay.discharged_on.is_(None))
        .group_by(Stay.structure_id)).all())
    waiting = dict(db.session.execute(
        select(WaitingEntry.structure_id, func.count()).where(WaitingEntry.structure_id.in_(ids),
                                                              WaitingEntry.status == WAITING)
        .group_by(WaitingEntry.structure_id)).all())
    return {sid: (occupied.get(sid, 0), waiting.get(sid, 0)) for sid in ids}


def residents_page(structure: Structure, after: uuid.UUID | None, limit: int) -> Page:
    """Open stays at the shelter, latest admission first (keyset on admitted_on, id), with
    each person loaded in the same round trips."""
    stmt = (select(Stay).join(Beneficiary, Beneficiary.id == Stay.beneficiary_id)
            .where(Stay.structure_id == structure.id, Stay.discharged_on.is_(None), Beneficiary.erased_at.is_(None))
            .options(selectinload(Stay.beneficiary)))
    stmt = keyset_after(stmt, Stay, "admitted_on", after,
                        lambda anchor: and_(anchor.structure_id == structure.id, anchor.discharged_on.is_(None)))
    return keyset_page(stmt, Stay, "admitted_on", limit)


def waiting_list(structure: Structure, limit: int = WAITING_LIMIT) -> list[WaitingEntry]:
    """People waiting for a bed at the shelter, oldest request first (the first `limit`)."""
    return list(db.session.execute(
        select(WaitingEntry).join(Beneficiary, Beneficiary.id == WaitingEntry.beneficiary_id)
        .where(WaitingEntry.structure_id == structure.id, WaitingEntry.status == WAITING,
               Beneficiary.erased_at.is_(None))
        .options(selectinload(WaitingEntry.beneficiary))
        .order_by(WaitingEntry.requested_on, WaitingEntry.added_at, WaitingEntry.id)
        .limit(limit)
    ).scalars())


@dataclass(frozen=True)
class Day:
    day: date
    occupied: int


def daily_occupancy(structure_id: int, year: int, month: int) -> list[Day]:
    """Beds held on each day of a local month (a bed is held on `admitted_on <= day <
    discharged_on`), one grouped query over a table of the month's days. Days after today
    are left out (nothing is known of them yet)."""
    first, last = month_bounds(year, month)
    last = min(last, local_today())
    if last < first:
        return []
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    calendar = union_all(*(select(literal(d, Date).label("day")) for d in days)).subquery("days")
    rows = dict(db.session.execute(
        select(calendar.c.day, func.count(Stay.id))
        .select_from(calendar)
        .outerjoin(Stay, and_(Stay.structure_id == structure_id, Stay.admitted_on <= calendar.c.day,
                              or_(Stay.discharged_on.is_(None), Stay.discharged_on > calendar.c.day)))
        .group_by(calendar.c.day)
    ).all())
    normalised = {(d if isinstance(d, date) else date.fromisoformat(str(d))): n for d, n in rows.items()}
    return [Day(d, normalised.get(d, 0)) for d in days]


def case_file_stays(case_file: CaseFile, limit: int = CASE_PANEL_LIMIT) -> list[Stay]:
    """The case file's stays, the latest admission first."""
    return list(db.session.execute(
        select(Stay).where(Stay.case_file_id == case_file.id)
        .order_by(Stay.admitted_on.desc(), Stay.admitted_at.desc()).limit(limit)
    ).scalars())


def companions_for(user, case_file: CaseFile) -> list[CaseFile]:
    """Open case files at the same shelter of the person's visible household members who hold
    no bed there now: the people who may be admitted with them."""
    from caseapp.households.queries import household_of

    others = [person.id for _link, person in household_of(user, case_file.beneficiary_id)]
    if not others:
        return []
    staying = select(Stay.case_file_id).where(Stay.discharged_on.is_(None)).scalar_subquery()
    return list(db.session.execute(
        select(CaseFile).where(CaseFile.beneficiary_id.in_(others), CaseFile.structure_id == case_file.structure_id,
                               CaseFile.status == "open", CaseFile.id.not_in(staying))
        .options(joinedload(CaseFile.beneficiary))
    ).unique().scalars())
