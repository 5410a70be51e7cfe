"""Writes for case files and notes: state transitions, timeline, audit. Views commit."""
from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseapp.beneficiaries import codes
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CLOSED, OPEN, CaseFile, CaseFilePeriod, CaseNote
from caseapp.dates import local_today
from caseapp.domain import DomainError, flush_or_conflict
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.audit import record

MAX_NOTE_LENGTH = 20_000


class CaseFileError(DomainError):
    """A change to a case file that cannot be made."""


CONFLICT = _l("Someone else changed this case file at the same time. Nothing was saved; look at it again and retry.")


def _flush() -> None:
    flush_or_conflict(CONFLICT)


def _audit(action: str, case_file: CaseFile, actor, **kwargs) -> None:
    record(action, object_type="case_file", object_id=case_file.id, structure_id=case_file.structure_id,
           user=actor, **kwargs)


def _start_period(case_file: CaseFile) -> None:
    case_file.periods.append(CaseFilePeriod(opened_on=local_today()))


def _end_period(case_file: CaseFile) -> None:
    for period in case_file.periods:
        if period.closed_on is None:
            period.closed_on = max(local_today(), period.opened_on)


ASSIGNABLE_ROLES = ("caseworker", "supervisor")


def can_hold_files_at(user, structure_id: int) -> bool:
    """True when `user` may be the assignee of a file at `structure_id`: an active caseworker or
    supervisor of that structure."""
    return (user is not None and user.active and user.role in ASSIGNABLE_ROLES
            and structure_id in user.structure_ids)


def _assignee(actor, structure_id: int | None = None):
    if actor is None or actor.role not in ASSIGNABLE_ROLES:
        return None
    if structure_id is not None and not can_hold_files_at(actor, structure_id):
        return None
    return actor


def unassign_files_of(user, *, actor) -> int:
    """Take back the open case files `user` may no longer hold (deactivated, removed from the
    file's structure, or moved to a role that holds no files); returns how many.

    Each file becomes unassigned, so it is on its structure's supervisors' "to assign" list
    (`queries.files_to_assign`), with a timeline event and an audit event (ids only). The
    caller's transaction commits.
    """
    files = db.session.execute(
        select(CaseFile).where(CaseFile.assigned_to_id == user.id, CaseFile.status == OPEN)
    ).scalars().all()
    taken = [cf for cf in files if not can_hold_files_at(user, cf.structure_id)]
    for case_file in taken:
        case_file.assigned_to_id = None
        timeline.add_event(case_file, "case.unassigned", actor=actor)
        _audit("cases.unassign", case_file, actor, outcome="staff_change")
    if taken:
        _flush()
    return len(taken)


def open_case_file(beneficiary, structure, *, actor) -> CaseFile:
    """Open a file for the beneficiary at `structure`, or reopen the one it already has there.

    Referral acceptance calls this too: it is what gives the receiving
    structure access to the person.
    """
    existing = db.session.execute(
        select(CaseFile).where(CaseFile.beneficiary_id == beneficiary.id, CaseFile.structure_id == structure.id)
    ).scalar_one_or_none()
    if existing is not None:
        if existing.is_open:
            raise CaseFileError(_l("This structure already has an open case file for this person."), "structure")
        return reopen_case_file(existing, actor=actor)
    assignee = _assignee(actor)
    case_file = CaseFile(id=uuid.uuid4(), beneficiary=beneficiary, structure_id=structure.id, status=OPEN,
                         opened_at=utcnow(), opened_by_id=actor.id if actor else None,
                         assigned_to_id=assignee.id if assignee else None)
    db.session.add(case_file)
    _start_period(case_file)
    _flush()
    timeline.add_event(case_file, "case.opened", actor=actor)
    _audit("cases.open", case_file, actor)
    return case_file


def close_case_file(case_file: CaseFile, reason: str, *, actor, system: bool = False) -> CaseFile:
    allowed = codes.SYSTEM_CLOSE_REASONS if system else codes.CLOSE_REASONS
    if reason not in allowed:
        raise CaseFileError(_l("Choose a reason from the list."), "reason")
    if not case_file.is_open:
        raise CaseFileError(_l("This case file is already closed."))
    case_file.status = CLOSED
    case_file.closed_at = utcnow()
    case_file.close_reason = reason
    _end_period(case_file)
    _flush()
    timeline.add_event(case_file, "case.closed", actor=actor, text=reason)
    _audit("cases.close", case_file, actor)
    return case_file


def reopen_case_file(case_file: CaseFile, *, actor) -> CaseFile:
    if case_file.is_open:
        raise CaseFileError(_l("This case file is already open."))
    case_file.status = OPEN
    case_file.closed_at = None
    case_file.close_reason = None
    # Reopened, the file goes to someone who can work on it: its assignee if they still can,
    # otherwise the caseworker or supervisor reopening it, otherwise nobody (the supervisors'
    # "to assign" list), never an inactive or departed user.
    if not can_hold_files_at(case_file.assigned_to, case_file.structure_id):
        assignee = _assignee(actor, case_file.structure_id)
        case_file.assigned_to_id = assignee.id if assignee else None
    _start_period(case_file)
    _flush()
    timeline.add_event(case_file, "case.reopened", actor=actor)
    _audit("cases.reopen", case_file, actor)
    return case_file


def reassign_case_file(case_file: CaseFile, assignee, *, actor) -> CaseFile:
    """Supervisors give the file to a caseworker or supervisor of the same structure."""
    if not case_file.is_open:
        raise CaseFileError(_l("Reopen the case file before assigning it."))
    if not can_hold_files_at(assignee, case_file.structure_id):
        raise CaseFileError(_l("Choose a caseworker of this structure."), "assigned_to")
    if case_file.assigned_to_id == assignee.id:
        return case_file
    case_file.assigned_to_id = assignee.id
    _flush()
    timeline.add_event(case_file, "case.assigned", actor=actor, text=assignee.display_name[:200])
    _audit("cases.reassign", case_file, actor)
    return case_file


def add_note(case_file: CaseFile, text: str, *, confidential: bool, actor) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise CaseFileError(_l("Write the note first."), "text")
    if len(text) > MAX_NOTE_LENGTH:
        raise CaseFileError(_l("A note is at most %(n)d characters.", n=MAX_NOTE_LENGTH), "text")
    if not case_file.is_open:
        raise CaseFileError(_l("This case file is closed: reopen it to add a note."))
    note = CaseNote(id=uuid.uuid4(), case_file=case_file, author_id=actor.id, created_at=utcnow(),
                    confidential=confidential)
    note.text = text
    db.session.add(note)
    db.session.flush()
    kind = "note.added_confidential" if confidential else "note.added"
    timeline.add_event(case_file, kind, actor=actor, link=f"#note-{note.id}")
    record("notes.add", object_type="case_note", object_id=note.id, structure_id=case_file.structure_id,
           user=actor)
    return note
