"""Scoped reads of case files: the one scoping query every screen starts from.

    a user sees a case file when they belong to its structure, and a
    beneficiary when one of their structures holds a case file for them
    (`caseapp.beneficiaries.queries.visible_beneficiaries`, built on the same rule).

Accepting a referral opens a case file at the receiving structure, so other
domains extend access by opening case files (`casefiles.service.open_case_file`),
never by changing this module. Users without `cases.view` (admins,
coordinators, interpreters) see nothing here even if a route forgot its permission.
"""
from __future__ import annotations

import uuid

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from caseapp.auth.models import User, user_structures
from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles.models import OPEN, CaseFile, CaseNote, TimelineEvent
from caseapp.extensions import db
from caseapp.pagination import Page, keyset_after, keyset_page


def user_structure_ids(user) -> Select:
    """The user's structures, as a subquery (no extra round trip)."""
    return select(user_structures.c.structure_id).where(user_structures.c.user_id == user.id)


def visible_case_files(user) -> Select:
    """Case files held by one of the user's structures."""
    stmt = select(CaseFile)
    if not user.has_permission("cases.view"):
        return stmt.where(false())
    return stmt.where(CaseFile.structure_id.in_(user_structure_ids(user)))


def get_visible_case_file(user, case_file_id: uuid.UUID) -> CaseFile | None:
    """A case file of a live beneficiary, with what its page shows loaded in the same round trips."""
    return db.session.execute(
        visible_case_files(user)
        .join(CaseFile.beneficiary)
        .where(CaseFile.id == case_file_id, Beneficiary.erased_at.is_(None))
        .options(selectinload(CaseFile.structure), selectinload(CaseFile.assigned_to),
                 selectinload(CaseFile.beneficiary))
    ).scalar_one_or_none()


def my_case_files(user, beneficiary_ids, *, with_assignee: bool = True) -> dict[uuid.UUID, list[CaseFile]]:
    """The user's structures' case files for these beneficiaries, in one query (two with the assignee)."""
    ids = list(beneficiary_ids)
    result: dict[uuid.UUID, list[CaseFile]] = {bid: [] for bid in ids}
    if not ids:
        return result
    options = [joinedload(CaseFile.structure)]
    if with_assignee:
        options.append(selectinload(CaseFile.assigned_to))
    rows = db.session.execute(
        visible_case_files(user)
        .where(CaseFile.beneficiary_id.in_(ids))
        .options(*options)
        .order_by(CaseFile.opened_at)
    ).scalars()
    for case_file in rows:
        result[case_file.beneficiary_id].append(case_file)
    return result


def my_open_case_files(user, limit: int) -> list[CaseFile]:
    """Open case files assigned to the user (their home page), newest first, in one query."""
    return list(db.session.execute(
        visible_case_files(user)
        .join(CaseFile.beneficiary)
        .where(CaseFile.assigned_to_id == user.id, CaseFile.status == OPEN, Beneficiary.erased_at.is_(None))
        .options(joinedload(CaseFile.beneficiary), joinedload(CaseFile.structure))
        .order_by(CaseFile.opened_at.desc(), CaseFile.id.desc())
        .limit(limit)
    ).unique().scalars())


def files_to_assign(user, limit: int) -> tuple[list[CaseFile], int]:
    """Open case files nobody can work on, at the structures of `user` (their "to assign" list):
    unassigned, or still assigned to someone who can no longer hold them (deactivated, left the
    structure or changed role before files were taken back on such changes). The `limit` opened
    longest ago, oldest first, and how many there are in all. Two queries."""
    holder_can_work = (
        select(User.id).join(user_structures, user_structures.c.user_id == User.id)
        .where(User.id == CaseFile.assigned_to_id, User.active.is_(True),
               User.role.in_(("caseworker", "supervisor")), user_structures.c.structure_id == CaseFile.structure_id)
        .exists()
    )
    stmt = (visible_case_files(user).join(CaseFile.beneficiary)
            .where(or_(CaseFile.assigned_to_id.is_(None), ~holder_can_work),
                   CaseFile.status == OPEN, Beneficiary.erased_at.is_(None)))
    total = db.session.execute(select(func.count()).select_from(stmt.with_only_columns(CaseFile.id).subquery())
                               ).scalar_one()
    if not total:
        return [], 0
    rows = db.session.execute(
        stmt.options(joinedload(CaseFile.beneficiary), joinedload(CaseFile.structure))
        .order_by(CaseFile.opened_at, CaseFile.id).limit(limit)
    ).unique().scalars().all()
    return list(rows), total


# --- case file contents -----------------------------------------------------------------

NOTES_PAGE = 50
TIMELINE_PAGE = 100


def notes_page(case_file: CaseFile, before: uuid.UUID | None, limit: int = NOTES_PAGE) -> Page:
    """A case file's notes, newest first, keyset on (created_at, id)."""
    stmt = select(CaseNote).where(CaseNote.case_file_id == case_file.id).options(selectinload(CaseNote.author))
    stmt = keyset_after(stmt, CaseNote, "created_at", before,
                        lambda anchor: anchor.case_file_id == case_file.id)
    page = keyset_page(stmt, CaseNote, "created_at", limit)
    for note in page.items:
        note.case_file = case_file  # already loaded: no query per note to reach its key
    return page


def shareable_notes(case_file: CaseFile) -> Select:
    """Notes that may travel with a referral: never the confidential ones."""
    return select(CaseNote).where(CaseNote.case_file_id == case_file.id, CaseNote.confidential.is_(False))


def timeline_page(case_file: CaseFile, before: int | None, limit: int = TIMELINE_PAGE) -> Page:
    stmt = (select(TimelineEvent).where(TimelineEvent.case_file_id == case_file.id)
            .options(selectinload(TimelineEvent.actor)))
    if before is not None:
        stmt = stmt.where(TimelineEvent.id < before)
    rows = db.session.execute(
        stmt.order_by(TimelineEvent.id.desc()).limit(limit + 1)
    ).scalars().all()
    return Page(rows[:limit], str(rows[limit - 1].id) if len(rows) > limit else None)


def structure_staff(structure_id: int) -> list[User]:
    """Active caseworkers and supervisors of a structure (who a file may be assigned to)."""
    return list(db.session.execute(
        select(User).join(user_structures, user_structures.c.user_id == User.id)
        .where(user_structures.c.structure_id == structure_id, User.active.is_(True),
               User.role.in_(("caseworker", "supervisor")))
        .order_by(User.display_name)
    ).scalars())
