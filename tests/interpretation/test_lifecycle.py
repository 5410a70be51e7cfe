"""The request lifecycle: every (state, action, party) triple, and what each step records."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.casefiles.models import TimelineEvent
from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.interpretation import service
from caseapp.interpretation.models import (ASSIGNED, CANCELLED, COMPLETED, CONFIRMED, NO_SHOW, REQUESTED,
                                           InterpretationRequest)
from caseapp.lifecycle import TransitionError
from caseapp.security.audit import AuditEvent
from tests.factories import make_user
from tests.interpretation.factories import make_interpreter, make_request, move_into_past, supervisor_of

LIFECYCLE = service.LIFECYCLE


@pytest.fixture
def cast(db_session):
    """The people around one DIS-PROG request, and interpreters free for it."""
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = supervisor_of("DIS-PROG")
    login = make_user("interpreter")
    interpreter = make_interpreter(("ar",), login=login)
    spare = make_interpreter(("ar",))
    return {"caseworker": caseworker, "supervisor": supervisor, "interpreter_login": login,
            "interpreter": interpreter, "spare": spare,
            "outsider": make_user("caseworker", structures=("KEM",)),
            "other_supervisor": supervisor_of("KEM"), "other_interpreter": make_user("interpreter")}


def request_in(state: str, cast) -> InterpretationRequest:
    booking = make_request(actor=cast["caseworker"])
    if state == REQUESTED:
        return booking
    service.assign(booking, cast["interpreter"], actor=cast["supervisor"])
    if state == ASSIGNED:
        return booking
    service.confirm(booking, actor=cast["interpreter_login"])
    move_into_past(booking)  # the appointment took place: it can be closed now
    if state == CONFIRMED:
        return booking
    if state == COMPLETED:
        return service.complete(booking, 90, actor=cast["interpreter_login"])
    if state == NO_SHOW:
        return service.no_show(booking, actor=cast["caseworker"])
    return service.cancel(booking, "appointment_cancelled", actor=cast["caseworker"])


def run(action: str, booking, user, cast):
    if action in ("assign", "reassign"):
        return service.assign(booking, cast["spare"], actor=user, action=action)
    return service.apply_action(booking, action, actor=user, delivered_minutes=120, reason="other")


def expected_parties(state: str, who: str) -> set[str]:
    if who == "caseworker":
        return {"caseworker"}
    if who == "supervisor":
        return {"caseworker", "supervisor"}
    if who == "interpreter_login":
        return set() if state == REQUESTED else {"interpreter"}
    return set()


@pytest.mark.parametrize("state", list(LIFECYCLE.states))
def test_every_state_action_and_party_is_allowed_exactly_as_the_table_says(cast, state):
    booking = request_in(state, cast)
    checked = 0
    for who in ("caseworker", "supervisor", "interpreter_login", "outsider", "other_supervisor",
                "other_interpreter"):
        user = cast[who]
        parties = service.parties(booking, user)
        assert parties == expected_parties(state, who), (state, who)
        for action in LIFECYCLE.actions:
            allowed = any(LIFECYCLE.permits(state, action, party) for party in parties)
            savepoint = db.session.begin_nested()
            try:
                run(action, booking, user, cast)
            except TransitionError:
                assert not allowed, f"{who} refused {action} in {state}"
            else:
                assert allowed, f"{who} could {action} in {state}"
                assert booking.status == LIFECYCLE.find(state, action).target
            finally:
                savepoint.rollback()
            checked += 1
    assert checked == 6 * len(LIFECYCLE.actions)


def test_the_table_covers_every_triple_the_issue_names():
    permits = LIFECYCLE.permits
    assert permits(REQUESTED, "assign", "supervisor") and not permits(REQUESTED, "assign", "caseworker")
    assert permits(ASSIGNED, "reassign", "supervisor") and not permits(CONFIRMED, "reassign", "supervisor")
    assert permits(ASSIGNED, "confirm", "interpreter") and permits(ASSIGNED, "confirm", "supervisor")
    assert LIFECYCLE.find(ASSIGNED, "decline").target == REQUESTED and permits(ASSIGNED, "decline", "interpreter")
    assert permits(CONFIRMED, "complete", "interpreter") and permits(CONFIRMED, "no_show", "caseworker")
    assert not permits(CONFIRMED, "cancel", "interpreter")
    for done in (COMPLETED, NO_SHOW, CANCELLED):
        assert not any(permits(done, action, party) for action in LIFECYCLE.actions for party in LIFECYCLE.all_parties)


def test_a_full_booking_records_history_timeline_and_audit(cast):
    booking = make_request(actor=cast["caseworker"])
    service.assign(booking, cast["interpreter"], actor=cast["supervisor"])
    service.decline(booking, actor=cast["interpreter_login"])
    assert booking.status == REQUESTED and booking.interpreter_id is None
    service.assign(booking, cast["spare"], actor=cast["supervisor"])
    service.assign(booking, cast["interpreter"], actor=cast["supervisor"])  # re-assigned before confirmation
    service.confirm(booking, actor=cast["interpreter_login"])
    move_into_past(booking)
    service.complete(booking, 120, actor=cast["interpreter_login"])
    db.session.flush()

    assert booking.status == COMPLETED and booking.delivered_minutes == 120
    assert [(e.action, e.to_status, e.party) for e in booking.history] == [
        ("request", REQUESTED, "caseworker"), ("assign", ASSIGNED, "supervisor"), ("decline", REQUESTED, "interpreter"),
        ("assign", ASSIGNED, "supervisor"), ("reassign", ASSIGNED, "supervisor"), ("confirm", CONFIRMED, "interpreter"),
        ("complete", COMPLETED, "interpreter")]
    assert booking.history[2].interpreter_id == cast["interpreter"].id  # who declined
    events = db.session.execute(select(TimelineEvent).where(TimelineEvent.case_file_id == booking.case_file_id,
                                                            TimelineEvent.kind.like("interpretation.%"))
                                .order_by(TimelineEvent.id)).scalars().all()
    assert [e.kind for e in events] == ["interpretation.requested", "interpretation.assigned",
                                        "interpretation.declined", "interpretation.assigned",
                                        "interpretation.assigned", "interpretation.confirmed",
                                        "interpretation.completed"]
    assert {e.text for e in events} == {"ar"}  # a language code: nothing that identifies anyone
    audited = db.session.execute(select(AuditEvent.action).where(AuditEvent.object_id == str(booking.id))
                                 .order_by(AuditEvent.id)).scalars().all()
    assert audited == ["interpretation.request", "interpretation.assign", "interpretation.decline",
                       "interpretation.assign", "interpretation.reassign", "interpretation.confirm",
                       "interpretation.complete"]


def test_cancelling_needs_a_reason_and_records_it(cast):
    booking = make_request(actor=cast["caseworker"])
    with pytest.raises(DomainError) as refused:
        service.cancel(booking, None, actor=cast["caseworker"])
    assert refused.value.field == "reason" and booking.status == REQUESTED
    service.cancel(booking, "no_interpreter", actor=cast["caseworker"])
    assert booking.status == CANCELLED and booking.cancel_reason == "no_interpreter"


def test_delivery_needs_hours_between_zero_and_a_day_and_the_appointment_to_have_started(cast):
    booking = make_request(actor=cast["caseworker"])
    service.assign(booking, cast["interpreter"], actor=cast["supervisor"])
    service.confirm(booking, actor=cast["supervisor"])  # on the interpreter's behalf
    with pytest.raises(DomainError) as early:
        service.complete(booking, 60, actor=cast["interpreter_login"])
    assert str(early.value.message) == str(service._l("The appointment has not started yet."))
    move_into_past(booking)
    for wrong in (0, -30, 24 * 60 + 1, None):
        with pytest.raises(DomainError) as refused:
            service.complete(booking, wrong, actor=cast["interpreter_login"])
        assert refused.value.field == "hours"
    assert booking.status == CONFIRMED
    service.complete(booking, 24 * 60, actor=cast["interpreter_login"])
    assert booking.status == COMPLETED


def test_a_stale_page_cannot_act_on_a_request_that_moved_on(cast):
    booking = make_request(actor=cast["caseworker"])
    seen = booking.version
    service.assign(booking, cast["interpreter"], actor=cast["supervisor"])
    with pytest.raises(DomainError):
        service.confirm(booking, actor=cast["supervisor"], expected_version=seen)
    assert booking.status == ASSIGNED
