"""Writes for interpretation: requests and their lifecycle, interpreters. Views commit.

Every change records who and when (`RequestEvent`), writes a short, non-identifying
event on the case timeline (a language code, a reason code) and an audit event with ids
only. Raises `DomainError` (shown on the form) or `ConflictError` (someone else changed
it, or booked the same interpreter, at the same moment).
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from caseapp.beneficiaries.queries import has_consent
from caseapp.casefiles import timeline
from caseapp.domain import ConflictError, DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.interpretation import codes, languages
from caseapp.interpretation.models import (ACTIVE_BOOKING, ASSIGNED, CANCELLED, COMPLETED, CONFIRMED, IN_PERSON,
                                           NO_SHOW, REQUESTED, InterpretationRequest, Interpreter, RequestEvent)
from caseapp.lifecycle import Lifecycle, Transition
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.security.key_models import DataKey

CONSENT_PURPOSE = "interpretation"
MIN_DURATION, MAX_DURATION = 15, 12 * 60          # minutes
MAX_DELIVERED_MINUTES = 24 * 60
DEFAULT_TRAVEL_BUFFER = 30                          # minutes, INTERPRETATION_TRAVEL_BUFFER_MINUTES


class InterpretationError(DomainError):
    """A request or interpreter change that cannot be made."""


CONFLICT = _l("Someone else changed this request at the same time. Nothing was saved; look at it again and retry.")
BOOKED_MEANWHILE = _l("This interpreter was booked for an overlapping time a moment ago by someone else. "
                      "Nothing was saved: choose again from the suggestions.")
DOUBLE_BOOKED = _l("This interpreter is already booked at that time (travel time included). "
                   "Choose someone free from the suggestions.")


# --- the lifecycle ---------------------------------------------------------------------------


def _staff_parties(structure_id: int, user) -> set[str]:
    """"caseworker" and/or "supervisor" when `user` works at `structure_id`."""
    found = set()
    if structure_id in user.structure_ids:
        if user.has_permission("interpretation.request"):
            found.add("caseworker")
        if user.has_permission("interpretation.assign"):
            found.add("supervisor")
    return found


def parties(request: InterpretationRequest, user) -> set[str]:
    """The parts `user` plays for `request`: the requesting structure's staff ("caseworker"),
    its supervisors ("supervisor"), the assigned interpreter ("interpreter")."""
    found = _staff_parties(request.structure_id, user)
    interpreter = request.interpreter
    if (user.has_permission("interpretation.own") and interpreter is not None
            and interpreter.user_id is not None and interpreter.user_id == user.id):
        found.add("interpreter")
    return found


STAFF = {"caseworker", "supervisor"}
ANYONE = {"caseworker", "supervisor", "interpreter"}

LIFECYCLE = Lifecycle(
    name="interpretation",
    states=dict(codes.STATUSES),
    transitions=[
        Transition("assign", {REQUESTED}, ASSIGNED, parties={"supervisor"}),
        Transition("reassign", {ASSIGNED}, ASSIGNED, parties={"supervisor"}),
        # The interpreter, or a supervisor on their behalf (they phoned in).
        Transition("confirm", {ASSIGNED}, CONFIRMED, parties={"interpreter", "supervisor"}),
        Transition("decline", {ASSIGNED}, REQUESTED, parties={"interpreter", "supervisor"}),
        Transition("complete", {CONFIRMED}, COMPLETED, parties=ANYONE),
        Transition("no_show", {CONFIRMED}, NO_SHOW, parties=ANYONE),
        Transition("cancel", {REQUESTED, ASSIGNED, CONFIRMED}, CANCELLED, parties=STAFF),
    ],
    parties=parties,
    action_labels={
        "assign": _l("Assign"), "reassign": _l("Re-assign"), "confirm": _l("Confirm"),
        "decline": _l("Decline"), "complete": _l("Mark as delivered"), "no_show": _l("Record a no-show"),
        "cancel": _l("Cancel the request"),
    },
)

TIMELINE_KINDS = {
    "request": ("interpretation.requested", _l("Interpreter requested")),
    "assign": ("interpretation.assigned", _l("Interpreter assigned")),
    "reassign": ("interpretation.assigned", _l("Interpreter assigned")),
    "confirm": ("interpretation.confirmed", _l("Interpretation confirmed")),
    "decline": ("interpretation.declined", _l("Interpreter declined")),
    "complete": ("interpretation.completed", _l("Interpretation delivered")),
    "no_show": ("interpretation.no_show", _l("Interpretation: no-show")),
    "cancel": ("interpretation.cancelled", _l("Interpretation cancelled")),
}
for _kind, _label in {kind: label for kind, label in TIMELINE_KINDS.values()}.items():
    describe = ((lambda code: codes.CANCEL_REASONS.get(code, code)) if _kind == "interpretation.cancelled"
                else languages.language_name)
    timeline.register_kind(_kind, _label, lambda value, _d=describe: str(_d(value)))


def _party_of(request: InterpretationRequest, action: str, user) -> str:
    mine = LIFECYCLE.find(request.status, action).parties & parties(request, user)
    return sorted(mine)[0]


def _after(request: InterpretationRequest, action: str, from_status: str, actor, *, party: str,
           timeline_text: str | None = None, interpreter_id=None) -> None:
    """History, timeline and audit of a change already applied to `request`."""
    request.history.append(RequestEvent(action=action, from_status=from_status, to_status=request.status,
                                        interpreter_id=interpreter_id or request.interpreter_id,
                                        actor_id=actor.id, party=party,
                                        occurred_at=utcnow()))
    kind = TIMELINE_KINDS[action][0]
    timeline.add_event(request.case_file, kind, actor=actor, text=timeline_text or request.language,
                       link=f"/interpretation/requests/{request.id}")
    record(f"interpretation.{action}", object_type="interpretation_request", object_id=request.id,
           structure_id=request.structure_id, user=actor)


def _flush() -> None:
    flush_or_conflict(CONFLICT)


# --- requests ------------------------------------------------------------------------------------


def travel_buffer() -> timedelta:
    return timedelta(minutes=current_app.config.get("INTERPRETATION_TRAVEL_BUFFER_MINUTES", DEFAULT_TRAVEL_BUFFER))


def busy_range(starts_at, duration_minutes: int, mode: str):
    """[from, until) the interpreter is kept busy: the appointment, plus the travel buffer after
    an in-person one (getting from that place to the next one)."""
    until = starts_at + timedelta(minutes=duration_minutes)
    if mode == IN_PERSON:
        until += travel_buffer()
    return starts_at, until


def interpretation_consent(beneficiary, structure_id: int) -> bool:
    """The person's consent to interpretation is in force (as the requesting structure sees it)."""
    return has_consent(beneficiary, CONSENT_PURPOSE, structure_id=structure_id)


def _check_values(values: dict) -> None:
    if not languages.is_language(values.get("language")):
        raise InterpretationError(_l("Choose a language from the list."), "language")
    if values.get("mode") not in codes.MODES:
        raise InterpretationError(_l("Choose how the interpretation takes place."), "mode")
    if values.get("purpose") not in codes.PURPOSES:
        raise InterpretationError(_l("Choose the purpose from the list."), "purpose")
    if (values.get("preferred_gender") or "") not in codes.GENDER_PREFERENCES:
        raise InterpretationError(_l("Choose a preference from the list."), "preferred_gender")
    duration = values.get("duration_minutes")
    if not isinstance(duration, int) or not MIN_DURATION <= duration <= MAX_DURATION:
        raise InterpretationError(_l("The duration is between %(low)d and %(high)d minutes.",
                                     low=MIN_DURATION, high=MAX_DURATION), "duration_minutes")
    starts_at = values.get("starts_at")
    if starts_at is None or starts_at.tzinfo is None:
        raise InterpretationError(_l("Enter the date and time of the appointment."), "date")
    if starts_at <= utcnow():
        raise InterpretationError(_l("The appointment must be in the future."), "date")
    if values.get("mode") == IN_PERSON and not values.get("place"):
        raise InterpretationError(_l("Enter where the appointment takes place."), "place")


def create_request(case_file, values: dict, *, actor) -> InterpretationRequest:
    """A new request on `case_file` (the requesting structure's file on the person).

    `values`: language, mode, purpose, escort, preferred_gender ("" for none), starts_at
    (aware datetime), duration_minutes (int), place, notes, contact_phone (str or None).
    Refused without the person's consent to interpretation in force.
    """
    if not case_file.is_open:
        raise InterpretationError(_l("The case file is closed: reopen it to request an interpreter."))
    if "caseworker" not in _staff_parties(case_file.structure_id, actor):
        raise InterpretationError(_l("You cannot request interpreters for this structure."))
    beneficiary = case_file.beneficiary
    if not interpretation_consent(beneficiary, case_file.structure_id):
        raise InterpretationError(_l("The person has not given consent for interpretation (or has withdrawn it). "
                                     "Record their consent first."))
    _check_values(values)
    busy_from, busy_until = busy_range(values["starts_at"], values["duration_minutes"], values["mode"])
    request = InterpretationRequest(
        id=uuid.uuid4(), beneficiary=beneficiary, case_file=case_file, structure_id=case_file.structure_id,
        caseworker_id=actor.id, status=REQUESTED, language=values["language"], mode=values["mode"],
        purpose=values["purpose"], escort=bool(values.get("escort")),
        preferred_gender=values.get("preferred_gender") or None, starts_at=values["starts_at"],
        duration_minutes=values["duration_minutes"], busy_from=busy_from, busy_until=busy_until,
        created_at=utcnow())
    request.place = values.get("place") or None
    request.notes = values.get("notes") or None
    request.contact_phone = values.get("contact_phone") or None
    db.session.add(request)
    request.history.append(RequestEvent(action="request", from_status=None, to_status=REQUESTED,
                                        actor_id=actor.id, party="caseworker", occurred_at=utcnow()))
    db.session.flush()
    timeline.add_event(case_file, "interpretation.requested", actor=actor, text=request.language,
                       link=f"/interpretation/requests/{request.id}")
    record("interpretation.request", object_type="interpretation_request", object_id=request.id,
           structure_id=request.structure_id, user=actor)
    return request


def _lock_interpreter(interpreter: Interpreter) -> None:
    """Serialise bookings of one interpreter: a write on their row, before the overlap check.

    PostgreSQL: the UPDATE takes the row lock, so a second booking of the same interpreter
    waits for the first to commit, then (READ COMMITTED) sees it. SQLite: the write takes the
    database's write lock; a transaction that read before and now finds another writer gets
    "database is locked" at once, reported as a conflict.
    """
    table = Interpreter.__table__
    try:
        db.session.execute(update(table).where(table.c.id == interpreter.id).values(version=table.c.version))
    except OperationalError as error:
        if "locked" in str(error).lower():
            raise ConflictError(BOOKED_MEANWHILE, "interpreter") from None
        raise


def overlapping_booking(interpreter_id, busy_from, busy_until, *, exclude=None):
    """The id of an active booking of the interpreter overlapping [busy_from, busy_until), or None."""
    stmt = select(InterpretationRequest.id).where(
        InterpretationRequest.interpreter_id == interpreter_id,
        InterpretationRequest.status.in_(ACTIVE_BOOKING),
        InterpretationRequest.busy_from < busy_until,
        InterpretationRequest.busy_until > busy_from)
    if exclude is not None:
        stmt = stmt.where(InterpretationRequest.id != exclude)
    return db.session.execute(stmt.limit(1)).scalar_one_or_none()


def assign(request: InterpretationRequest, interpreter: Interpreter | None, *, actor,
           expected_version: int | None = None, action: str | None = None) -> InterpretationRequest:
    """Book `interpreter` for `request` (assign, or re-assign before confirmation; `action`
    names which one the caller means, by default the one the state calls for).

    Refused (`DomainError` on the field "interpreter") for an inactive interpreter, one who
    does not speak the language, or one already booked at an overlapping time, the travel
    buffer included; a booking that raced this one and won is a `ConflictError`.
    """
    action = action or ("reassign" if request.status == ASSIGNED else "assign")
    LIFECYCLE.check(request, action, actor)
    check_version(request, expected_version, CONFLICT)
    if interpreter is None or not interpreter.active:
        raise InterpretationError(_l("Choose an active interpreter."), "interpreter")
    if not languages.speaks(interpreter.language_codes, request.language):
        raise InterpretationError(_l("This interpreter does not speak the language asked for."), "interpreter")
    if request.interpreter_id == interpreter.id:
        raise InterpretationError(_l("This interpreter is already assigned."), "interpreter")
    if request.starts_at <= utcnow():
        raise InterpretationError(_l("The appointment has already started: it can no longer be booked."))
    _lock_interpreter(interpreter)
    if overlapping_booking(interpreter.id, request.busy_from, request.busy_until, exclude=request.id):
        raise InterpretationError(DOUBLE_BOOKED, "interpreter")
    party = _party_of(request, action, actor)
    from_status = request.status
    LIFECYCLE.apply(request, action, actor)
    request.interpreter = interpreter
    request.assigned_at = utcnow()
    request.assigned_by_id = actor.id
    try:
        _flush()
    except IntegrityError:
        # The database's own guard (exclusion constraint / trigger): only reached if a
        # booking slipped past the lock, e.g. written by another program.
        raise ConflictError(BOOKED_MEANWHILE, "interpreter") from None
    _after(request, action, from_status, actor, party=party)
    return request


def _transition(request: InterpretationRequest, action: str, actor, expected_version: int | None) -> tuple[str, str]:
    LIFECYCLE.check(request, action, actor)
    check_version(request, expected_version, CONFLICT)
    party = _party_of(request, action, actor)
    from_status = request.status
    LIFECYCLE.apply(request, action, actor)
    return party, from_status


def confirm(request: InterpretationRequest, *, actor, expected_version: int | None = None) -> InterpretationRequest:
    party, from_status = _transition(request, "confirm", actor, expected_version)
    request.confirmed_at = utcnow()
    request.confirmed_by_id = actor.id
    _flush()
    _after(request, "confirm", from_status, actor, party=party)
    return request


def decline(request: InterpretationRequest, *, actor, expected_version: int | None = None) -> InterpretationRequest:
    """The interpreter (or a supervisor for them) gives the assignment back: it waits again."""
    party, from_status = _transition(request, "decline", actor, expected_version)
    declined = request.interpreter_id
    request.interpreter = None
    request.assigned_at = None
    request.assigned_by_id = None
    _flush()
    _after(request, "decline", from_status, actor, party=party, interpreter_id=declined)
    return request


def _check_started(request: InterpretationRequest) -> None:
    if request.starts_at > utcnow():
        raise InterpretationError(_l("The appointment has not started yet."))


def complete(request: InterpretationRequest, delivered_minutes: int | None, *, actor,
             expected_version: int | None = None) -> InterpretationRequest:
    """Delivered, with the time it took (minutes, 1 to 24 hours)."""
    if not isinstance(delivered_minutes, int) or not 0 < delivered_minutes <= MAX_DELIVERED_MINUTES:
        raise InterpretationError(_l("Enter the hours delivered, more than 0 and at most 24."), "hours")
    LIFECYCLE.check(request, "complete", actor)
    _check_started(request)
    party, from_status = _transition(request, "complete", actor, expected_version)
    request.delivered_minutes = delivered_minutes
    request.closed_at = utcnow()
    request.closed_by_id = actor.id
    _flush()
    _after(request, "complete", from_status, actor, party=party)
    return request


def no_show(request: InterpretationRequest, *, actor, expected_version: int | None = None) -> InterpretationRequest:
    LIFECYCLE.check(request, "no_show", actor)
    _check_started(request)
    party, from_status = _transition(request, "no_show", actor, expected_version)
    request.closed_at = utcnow()
    request.closed_by_id = actor.id
    _flush()
    _after(request, "no_show", from_status, actor, party=party)
    return request


def cancel(request: InterpretationRequest, reason: str | None, *, actor,
           expected_version: int | None = None) -> InterpretationRequest:
    if reason not in codes.CANCEL_REASONS:
        raise InterpretationError(_l("Choose a reason from the list."), "reason")
    party, from_status = _transition(request, "cancel", actor, expected_version)
    request.cancel_reason = reason
    request.closed_at = utcnow()
    request.closed_by_id = actor.id
    _flush()
    _after(request, "cancel", from_status, actor, party=party, timeline_text=reason)
    return request


def apply_action(request: InterpretationRequest, action: str, *, actor, expected_version: int | None = None,
                 **arguments) -> InterpretationRequest:
    """One entry for the buttons: `action` is a lifecycle action other than (re)assign."""
    if action == "confirm":
        return confirm(request, actor=actor, expected_version=expected_version)
    if action == "decline":
        return decline(request, actor=actor, expected_version=expected_version)
    if action == "complete":
        return complete(request, arguments.get("delivered_minutes"), actor=actor, expected_version=expected_version)
    if action == "no_show":
        return no_show(request, actor=actor, expected_version=expected_version)
    if action == "cancel":
        return cancel(request, arguments.get("reason"), actor=actor, expected_version=expected_version)
    raise InterpretationError(_l("This cannot be done now."))


# --- interpreters ------------------------------------------------------------------------------------


def _check_interpreter_values(values: dict, interpreter: Interpreter | None) -> None:
    if not values.get("name"):
        raise InterpretationError(_l("Enter the interpreter's name."), "name")
    if values.get("gender") not in codes.GENDERS:
        raise InterpretationError(_l("Choose from the list."), "gender")
    chosen = values.get("language_codes") or []
    if not chosen:
        raise InterpretationError(_l("Choose at least one language."), "language_codes")
    if not all(languages.is_language(code) for code in chosen):
        raise InterpretationError(_l("Choose languages from the list."), "language_codes")
    login = values.get("user")
    if login is not None:
        if login.role != "interpreter" or not login.active:
            raise InterpretationError(_l("Only an active account with the interpreter role can be linked."), "user")
        taken = db.session.execute(select(Interpreter.id).where(Interpreter.user_id == login.id)).scalar()
        if taken is not None and (interpreter is None or taken != interpreter.id):
            raise InterpretationError(_l("This account is already linked to another interpreter."), "user")


def upcoming_bookings(interpreter: Interpreter) -> int:
    return db.session.execute(
        select(func.count()).select_from(InterpretationRequest).where(
            InterpretationRequest.interpreter_id == interpreter.id,
            InterpretationRequest.status.in_(ACTIVE_BOOKING),
            InterpretationRequest.busy_until > utcnow())
    ).scalar_one()


def save_interpreter(interpreter: Interpreter | None, values: dict, *, actor,
                     expected_version: int | None = None) -> Interpreter:
    """Create (`interpreter` None) or update an interpreter.

    `values`: name, gender (codes.GENDERS), phone (str or None), language_codes (list of
    codes from the shared language list, at least one), active (bool), user (a User with
    the interpreter role, or None). Deactivating someone with upcoming bookings is refused.
    """
    _check_interpreter_values(values, interpreter)
    creating = interpreter is None
    if creating:
        key = DataKey.create()
        db.session.add(key)
        interpreter = Interpreter(id=uuid.uuid4(), data_key=key, created_at=utcnow())
        db.session.add(interpreter)
    else:
        check_version(interpreter, expected_version)
        if interpreter.active and not values.get("active") and upcoming_bookings(interpreter):
            raise InterpretationError(_l("This interpreter has upcoming bookings: re-assign or cancel them "
                                         "before deactivating."), "active")
        interpreter.updated_at = utcnow()
    interpreter.name = values["name"]
    interpreter.gender = values["gender"]
    interpreter.phone = values.get("phone") or None
    interpreter.language_codes = values["language_codes"]
    interpreter.active = bool(values.get("active"))
    login = values.get("user")
    interpreter.user_id = login.id if login is not None else None
    try:
        flush_or_conflict()
    except IntegrityError:
        raise ConflictError(_l("This account was linked to another interpreter at the same time."), "user") from None
    record("interpreters.create" if creating else "interpreters.update", object_type="interpreter",
           object_id=interpreter.id, user=actor)
    return interpreter
