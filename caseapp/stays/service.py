"""Writes for stays and the waiting list: admission, discharge, waiting. Views commit.

Bed capacity is `Structure.capacity` (reference data, edited by administrators). Two
admissions racing for the last bed are serialised on the shelter's row:

- PostgreSQL: `_lock_shelter` updates the structure's row first, so a second admission
  waits for the first to commit and then (READ COMMITTED) counts its stays: it is told
  the shelter is full.
- SQLite: that update takes the database's write lock; an admission that had read before
  another one took it is refused by SQLite at once ("database is locked") and raises
  `Contended`. `admit_retrying` rolls back and runs the admission again in a fresh
  transaction whose first statement is the lock, so it waits for the other to commit
  and then counts its stays.

Audit events carry ids only.
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Callable, Iterable, Mapping, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from caseapp.beneficiaries import service as beneficiary_service
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.formats import local_date_text
from caseapp.domain import ConflictError, DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.formtools import EARLIEST_DATE
from caseapp.households import service as household_service
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.stays import codes
from caseapp.stays.models import ADMITTED, WAITING, WITHDRAWN, Stay, WaitingEntry, bed_scope
from caseapp.structures.models import Structure, StructureKind

T = TypeVar("T")

CHILD_FIELDS = ("given_name", "family_name", "sex", "birth_date")
ADULT_AGE = 18
MAX_CHILDREN = 6

CONFLICT = _l("Someone else changed this stay at the same time. Nothing was saved; look at it again and retry.")
CONTENDED = _l("Another admission to this shelter was being saved at the same moment. Nothing was saved: "
               "try again.")


class StayError(DomainError):
    """A stay change that cannot be made."""


class ShelterFull(StayError):
    """Not enough free beds for everyone being admitted."""


class Contended(ConflictError):
    """SQLite refused the shelter's lock because another admission holds it: run again."""


# --- reads the writes need ---------------------------------------------------------------------


def is_shelter(structure: Structure) -> bool:
    return structure.kind == StructureKind.SHELTER


def shelter_structures(user) -> list[Structure]:
    """The user's own active shelters (structures of kind "shelter"), by code."""
    if not user.has_permission("cases.view"):
        return []
    return sorted((s for s in user.structures if s.active and is_shelter(s)), key=lambda s: s.code)


def occupied_beds(structure_id: int) -> int:
    """Beds held now at the structure: its open stays (one query)."""
    return db.session.execute(
        select(func.count()).select_from(Stay).where(Stay.structure_id == structure_id, Stay.discharged_on.is_(None))
    ).scalar_one()


def open_stay(case_file: CaseFile) -> Stay | None:
    return db.session.execute(
        select(Stay).where(Stay.case_file_id == case_file.id, Stay.discharged_on.is_(None))
    ).scalar_one_or_none()


def waiting_entry(case_file: CaseFile) -> WaitingEntry | None:
    return db.session.execute(
        select(WaitingEntry).where(WaitingEntry.case_file_id == case_file.id, WaitingEntry.status == WAITING)
    ).scalar_one_or_none()


# --- checks ------------------------------------------------------------------------------------------


def _check_staff(case_file: CaseFile, actor) -> None:
    if not (actor.has_permission("stays.manage") and case_file.structure_id in actor.structure_ids):
        raise StayError(_l("Only the shelter's staff can record stays."))


def _check_shelter(structure: Structure) -> None:
    if not is_shelter(structure):
        raise StayError(_l("Stays are recorded only at shelters."))
    if not structure.capacity:
        raise StayError(_l("No bed capacity is set for this shelter: an administrator sets it in the "
                           "reference data."))


def _check_day(day: date | None, field: str) -> None:
    if day is None:
        raise StayError(_l("Enter the date."), field)
    if day > local_today():
        raise StayError(_l("The date cannot be in the future."), field)
    if day < EARLIEST_DATE:
        raise StayError(_l("The date cannot be before 1900."), field)


def _check_free_of_beds(case_file: CaseFile, admitted_on: date, field: str | None) -> None:
    """No open stay in the same bed scope, and no admission before the last discharge there."""
    scope = bed_scope(case_file.structure)
    stays = db.session.execute(
        select(Stay.discharged_on).where(Stay.beneficiary_id == case_file.beneficiary_id, Stay.bed_scope == scope)
    ).scalars().all()
    if any(day is None for day in stays):
        if scope:
            raise StayError(_l("This person is already staying here."), field)
        raise StayError(_l("This person already has a bed at a shelter: that stay must end before another "
                           "admission."), field)
    if stays and max(stays) > admitted_on:
        raise StayError(_l("This person was staying at a shelter until after this date: the admission must "
                           "be on or after the day that stay ended."), field)


def _lock_shelter(structure_id: int) -> None:
    """Serialise admissions to one shelter: a write on its row, before the beds are counted."""
    table = Structure.__table__
    try:
        db.session.execute(update(table).where(table.c.id == structure_id).values(capacity=table.c.capacity))
    except OperationalError as error:
        if "locked" in str(error).lower():
            raise Contended(CONTENDED) from None
        raise


class PossibleDuplicates(StayError):
    """Children who may already have a record: `found` is [(row index, PossibleDuplicate)]."""

    def __init__(self, found):
        first_index, first = found[0]
        super().__init__(first.message, first.field)
        self.found = found


def _check_children_are_new(children: list[dict], mother, actor) -> None:
    """Each child registered at admission goes through the same duplicate check as any
    registration (`beneficiaries.service.check_new_person`); a child whose row carries the
    acknowledged fingerprint ("register anyway") passes. Raises `PossibleDuplicates`."""
    found = []
    for index, values in enumerate(children, start=1):
        row = values.get("index", index)
        check = {"family_name": values.get("family_name") or mother.family_name,
                 "birth_date": values.get("birth_date")}
        try:
            beneficiary_service.check_new_person(check, actor=actor, acknowledged=values.get("duplicate_check"),
                                                 field=f"child{row}_given_name", who=_l("this child"))
        except beneficiary_service.PossibleDuplicate as error:
            found.append((row, error))
    if found:
        raise PossibleDuplicates(found)


def child_age(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _check_child(values: Mapping[str, object], index: int, admitted_on: date) -> None:
    prefix = f"child{index}_"
    if not values.get("given_name"):
        raise StayError(_l("Enter the child's given name."), prefix + "given_name")
    birth_date = values.get("birth_date")
    if birth_date is None:
        raise StayError(_l("Enter the child's date of birth."), prefix + "birth_date")
    if birth_date > local_today():
        raise StayError(_l("The date cannot be in the future."), prefix + "birth_date")
    if child_age(birth_date, admitted_on) >= ADULT_AGE:
        raise StayError(_l("A child is under 18 on the day of admission; register an adult on their own."),
                        prefix + "birth_date")


# --- admission -------------------------------------------------------------------------------------


def admit(case_file: CaseFile, admitted_on: date | None, *, actor, children: Iterable[Mapping] = (),
          companions: Iterable[CaseFile] = ()) -> list[Stay]:
    """Admit the person of `case_file` to its shelter on `admitted_on` (a local day, today or
    earlier), in one step with `children` (new people: dicts of `CHILD_FIELDS`, registered
    through the beneficiaries service with an open case file at the shelter and linked as
    the person's children) and `companions` (case files at the same shelter of people
    already registered, e.g. children linked before).

    Returns the stays made, the person's first. Raises `StayError` (on the field named in
    it) for a closed file, a structure that is not a shelter or has no capacity, a date in
    the future, anyone already holding a bed; `ShelterFull` when the free beds are fewer
    than the people; `Contended` (SQLite) when another admission holds the shelter's lock.
    """
    children = [dict(values) for values in children]
    companions = [cf for cf in companions if cf.id != case_file.id]
    structure = case_file.structure
    _check_staff(case_file, actor)
    _check_shelter(structure)
    _check_day(admitted_on, "admitted_on")
    if not case_file.is_open:
        raise StayError(_l("This case file is closed: reopen it before the admission."))
    if len(children) > MAX_CHILDREN:
        raise StayError(_l("At most %(n)d children can be registered at once.", n=MAX_CHILDREN))
    for index, values in enumerate(children, start=1):
        _check_child(values, index, admitted_on)
    _check_children_are_new(children, case_file.beneficiary, actor)
    for companion in companions:
        if companion.structure_id != structure.id or not companion.is_open:
            raise StayError(_l("Everyone admitted together needs an open case file at this shelter."), "companions")
    beds = 1 + len(children) + len(companions)
    _lock_shelter(structure.id)
    _check_free_of_beds(case_file, admitted_on, "admitted_on")
    for companion in companions:
        _check_free_of_beds(companion, admitted_on, "companions")
    taken = occupied_beds(structure.id)
    if taken + beds > structure.capacity:
        free = max(structure.capacity - taken, 0)
        raise ShelterFull(_l("The shelter is full: %(free)d of %(capacity)d beds are free and %(beds)d are "
                             "needed. Nothing was saved; you can add the person to the waiting list.",
                             free=free, capacity=structure.capacity, beds=beds))
    files = [case_file, *companions]
    mother = case_file.beneficiary
    for values in children:
        child_values = {name: values.get(name) for name in CHILD_FIELDS}
        child_values["family_name"] = child_values["family_name"] or mother.family_name
        child_values["sex"] = child_values["sex"] or "unknown"
        child_values["nationality"] = mother.nationality
        child_values["language_codes"] = mother.language_codes
        child = beneficiary_service.register_beneficiary(child_values, structure=structure, actor=actor,
                                                         after_warning=bool(values.get("duplicate_check")))
        household_service.link(mother, child, "child", structure_id=structure.id, actor=actor)
        files.append(next(cf for cf in child.case_files if cf.structure_id == structure.id))
    stays = [_new_stay(cf, admitted_on, actor) for cf in files]
    try:
        db.session.flush()
    except IntegrityError:
        raise ConflictError(_l("Someone admitted one of these people at the same moment. Nothing was saved; "
                               "look at the shelter again.")) from None
    for cf, stay in zip(files, stays):
        _close_waiting(cf, ADMITTED, actor)
        timeline.add_event(cf, "stay.admitted", actor=actor, text=admitted_on.isoformat(),
                           link=f"/stays/structures/{structure.id}")
        record("stays.admit", object_type="stay", object_id=stay.id, structure_id=structure.id, user=actor,
               subjects=[cf.beneficiary_id])
    return stays


def _new_stay(case_file: CaseFile, admitted_on: date, actor) -> Stay:
    stay = Stay(id=uuid.uuid4(), case_file_id=case_file.id, beneficiary_id=case_file.beneficiary_id,
                structure_id=case_file.structure_id, bed_scope=bed_scope(case_file.structure),
                admitted_on=admitted_on, admitted_at=utcnow(), admitted_by_id=actor.id)
    db.session.add(stay)
    return stay


def admit_retrying(work: Callable[[], T], structure_id: int, attempts: int = 3) -> T:
    """Run `work` (an admission to `structure_id`); when SQLite refuses the shelter's lock
    (`Contended`), roll back and run it again in a fresh transaction that takes the lock
    first: a transaction whose first statement writes waits for the other writer (SQLite's
    busy timeout) instead of being refused, then counts the beds the other one took."""
    for attempt in range(attempts):
        try:
            if attempt:
                _lock_shelter(structure_id)
            return work()
        except Contended:
            db.session.rollback()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# --- discharge -------------------------------------------------------------------------------------


def discharge(stay: Stay, discharged_on: date | None, reason: str | None, *, actor,
              expected_version: int | None = None) -> Stay:
    """End an open stay on `discharged_on` (local day, not before the admission, not in the
    future) for `reason` (a `codes.DISCHARGE_REASONS` code); the bed is free from that day.

    Raises `StayError` on "discharged_on" / "reason", `ConflictError` for a stale form."""
    _check_staff(stay.case_file, actor)
    check_version(stay, expected_version, CONFLICT)
    if not stay.is_open:
        raise StayError(_l("This stay has already ended."))
    _check_day(discharged_on, "discharged_on")
    if discharged_on < stay.admitted_on:
        raise StayError(_l("The discharge cannot be before the admission (%(day)s).",
                           day=local_date_text(stay.admitted_on)), "discharged_on")
    if reason not in codes.DISCHARGE_REASONS:
        raise StayError(_l("Choose a reason from the list."), "reason")
    stay.discharged_on = discharged_on
    stay.discharge_reason = reason
    stay.discharged_at = utcnow()
    stay.discharged_by_id = actor.id
    flush_or_conflict(CONFLICT)
    timeline.add_event(stay.case_file, "stay.discharged", actor=actor, text=reason,
                       link=f"/stays/structures/{stay.structure_id}")
    record("stays.discharge", object_type="stay", object_id=stay.id, structure_id=stay.structure_id, user=actor,
           subjects=[stay.beneficiary_id])
    return stay


# --- correction -------------------------------------------------------------------------------------


def correct_stay(stay: Stay, admitted_on: date | None, discharged_on: date | None, reason: str | None,
                 note: str | None, *, actor, expected_version: int | None = None) -> list[str]:
    """Correct the days of a stay entered wrongly (an audited edit, never a delete).

    `admitted_on` (and, for an ended stay, `discharged_on` and the discharge `reason`)
    replace the recorded ones; an open stay stays open (its discharge is recorded with
    `discharge`). `note`: why it was corrected (required; kept as an encrypted note on the
    case file, never in the audit or the timeline, which name only the fields changed). The days obey the same rules as at admission and discharge: not in the
    future, discharge not before admission, and no overlap with the person's other stays
    in the same bed scope. Occupancy and the monthly counts follow the corrected days.
    Returns the names of the fields that changed (empty: nothing changed, nothing recorded).

    Raises `StayError` on "admitted_on" / "discharged_on" / "reason" / "note",
    `ConflictError` for a stale form.
    """
    _check_staff(stay.case_file, actor)
    check_version(stay, expected_version, CONFLICT)
    _check_day(admitted_on, "admitted_on")
    if not stay.is_open:
        _check_day(discharged_on, "discharged_on")
        if discharged_on < admitted_on:
            raise StayError(_l("The discharge cannot be before the admission (%(day)s).",
                               day=local_date_text(admitted_on)), "discharged_on")
        if reason not in codes.DISCHARGE_REASONS:
            raise StayError(_l("Choose a reason from the list."), "reason")
    else:
        discharged_on, reason = None, None
    others = db.session.execute(
        select(Stay.admitted_on, Stay.discharged_on).where(
            Stay.beneficiary_id == stay.beneficiary_id, Stay.bed_scope == stay.bed_scope, Stay.id != stay.id)
    ).all()
    for other_in, other_out in others:
        # Nights are [admission, discharge): a stay may begin on the day another ended.
        if admitted_on < (other_out or date.max) and other_in < (discharged_on or date.max):
            raise StayError(_l("These days overlap another stay of this person (from %(day)s): one bed at a "
                               "time.", day=local_date_text(other_in)), "admitted_on")
    new = {"admitted_on": admitted_on, "discharged_on": discharged_on, "discharge_reason": reason}
    changed = [name for name, value in new.items() if getattr(stay, name) != value]
    if not changed:
        return []
    if not (note or "").strip():
        raise StayError(_l("Say why the days are corrected."), "note")
    for name in changed:
        setattr(stay, name, new[name])
    flush_or_conflict(CONFLICT)
    casefile_service.add_note(stay.case_file, note.strip(), confidential=False, actor=actor)
    timeline.add_event(stay.case_file, "stay.corrected", actor=actor, text=",".join(changed),
                       link=f"/stays/structures/{stay.structure_id}")
    record("stays.correct", object_type="stay", object_id=stay.id, structure_id=stay.structure_id, user=actor,
           subjects=[stay.beneficiary_id])
    return changed


# --- waiting list ----------------------------------------------------------------------------------


def add_to_waiting_list(case_file: CaseFile, requested_on: date | None, beds: int | None, *, actor) -> WaitingEntry:
    """Put the person on their shelter's waiting list for `beds` beds (themselves included)."""
    _check_staff(case_file, actor)
    _check_shelter(case_file.structure)
    _check_day(requested_on, "requested_on")
    if not case_file.is_open:
        raise StayError(_l("This case file is closed: reopen it first."))
    if beds is None or beds < 1 or beds > 1 + MAX_CHILDREN * 2:
        raise StayError(_l("Between 1 and %(n)d beds.", n=1 + MAX_CHILDREN * 2), "beds")
    if open_stay(case_file) is not None:
        raise StayError(_l("This person is already staying here."))
    if waiting_entry(case_file) is not None:
        raise StayError(_l("This person is already on the waiting list."))
    entry = WaitingEntry(id=uuid.uuid4(), case_file_id=case_file.id, beneficiary_id=case_file.beneficiary_id,
                         structure_id=case_file.structure_id, requested_on=requested_on, beds=beds, status=WAITING,
                         added_at=utcnow(), added_by_id=actor.id)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:
        raise ConflictError(_l("Someone added this person to the waiting list at the same moment.")) from None
    timeline.add_event(case_file, "stay.waiting", actor=actor, text=requested_on.isoformat())
    record("stays.wait", object_type="stay_waiting_entry", object_id=entry.id, structure_id=entry.structure_id,
           user=actor, subjects=[entry.beneficiary_id])
    return entry


def withdraw(entry: WaitingEntry, *, actor, expected_version: int | None = None) -> WaitingEntry:
    """Take the person off the waiting list (they found a place elsewhere, or no longer need one)."""
    _check_staff(entry.case_file, actor)
    check_version(entry, expected_version, CONFLICT)
    if entry.status != WAITING:
        raise StayError(_l("This person is no longer on the waiting list."))
    _close(entry, WITHDRAWN, actor)
    flush_or_conflict(CONFLICT)
    timeline.add_event(entry.case_file, "stay.waiting_withdrawn", actor=actor)
    record("stays.unwait", object_type="stay_waiting_entry", object_id=entry.id, structure_id=entry.structure_id,
           user=actor, subjects=[entry.beneficiary_id])
    return entry


def _close(entry: WaitingEntry, status: str, actor) -> None:
    entry.status = status
    entry.closed_at = utcnow()
    entry.closed_by_id = actor.id


def _close_waiting(case_file: CaseFile, status: str, actor) -> None:
    entry = waiting_entry(case_file)
    if entry is not None:
        _close(entry, status, actor)
        db.session.flush()


def _describe_day(text: str) -> str:
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


timeline.register_kind("stay.admitted", _l("Admitted to the shelter"), _describe_day)
timeline.register_kind("stay.discharged", _l("Discharged from the shelter"),
                       lambda code: str(codes.DISCHARGE_REASONS.get(code, code)))
timeline.register_kind("stay.waiting", _l("Added to the waiting list"), _describe_day)
timeline.register_kind("stay.waiting_withdrawn", _l("Taken off the waiting list"))
CORRECTED_FIELDS = {"admitted_on": _l("Day of admission"), "discharged_on": _l("Day of discharge"),
                    "discharge_reason": _l("Reason for leaving")}
timeline.register_kind("stay.corrected", _l("Days of the stay corrected"),
                       lambda names: ", ".join(str(CORRECTED_FIELDS.get(n, n)) for n in names.split(",")))
