"""No double booking: refused by the service with a clear message, and by the database itself,
also when two assignments race from two connections."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.interpretation import service
from caseapp.interpretation.models import ASSIGNED, InterpretationRequest
from tests.conftest import RaceStart
from tests.factories import make_user
from tests.interpretation.factories import in_days, make_interpreter, make_request, supervisor_of

TEN = in_days(4, 10)


@pytest.fixture
def booked(db_session):
    """An interpreter booked in person 10:00-11:00 (busy until 11:30 with the 30-minute travel buffer)."""
    supervisor = supervisor_of()
    interpreter = make_interpreter(("ar",))
    first = make_request(actor=supervisor, starts_at=TEN, duration_minutes=60, mode="in_person")
    service.assign(first, interpreter, actor=supervisor)
    return supervisor, interpreter, first


def other(supervisor, minutes_after_ten: int, mode="in_person", duration=60):
    return make_request(actor=supervisor, starts_at=TEN + timedelta(minutes=minutes_after_ten),
                        duration_minutes=duration, mode=mode, place="Asylum service, Katehaki")


@pytest.mark.parametrize("start, mode", [(0, "in_person"), (30, "phone"), (-30, "video"), (59, "in_person"),
                                         (60, "phone"), (75, "in_person"), (89, "video")])
def test_an_overlapping_booking_is_refused_travel_buffer_included(booked, start, mode):
    supervisor, interpreter, _first = booked
    second = other(supervisor, start, mode)
    with pytest.raises(DomainError) as refused:
        service.assign(second, interpreter, actor=supervisor)
    assert refused.value.field == "interpreter" and refused.value.message is service.DOUBLE_BOOKED
    assert second.status == "requested" and second.interpreter_id is None


@pytest.mark.parametrize("start, mode, duration", [(90, "in_person", 60), (90, "phone", 30), (-60, "phone", 60),
                                                   (-90, "in_person", 30)])
def test_adjacent_slots_are_accepted(booked, start, mode, duration):
    """After an in-person appointment the next one may start once the buffer is over; a phone
    call ending as the appointment starts, or an in-person one whose buffer ends then, fits too."""
    supervisor, interpreter, _first = booked
    second = other(supervisor, start, mode, duration)
    service.assign(second, interpreter, actor=supervisor)
    assert second.status == ASSIGNED


def test_a_phone_booking_keeps_no_travel_buffer(db_session):
    supervisor = supervisor_of()
    interpreter = make_interpreter(("ar",))
    call = make_request(actor=supervisor, starts_at=TEN, duration_minutes=60, mode="phone")
    service.assign(call, interpreter, actor=supervisor)
    right_after = other(supervisor, 60, "in_person")
    service.assign(right_after, interpreter, actor=supervisor)
    assert (call.busy_until, right_after.busy_until - right_after.ends_at) == (call.ends_at, timedelta(minutes=30))


def test_the_buffer_is_configurable(app, booked):
    supervisor, interpreter, _first = booked
    app.config["INTERPRETATION_TRAVEL_BUFFER_MINUTES"] = 0
    try:
        later = other(supervisor, 60, "in_person")
    finally:
        app.config["INTERPRETATION_TRAVEL_BUFFER_MINUTES"] = 30
    assert later.busy_until == later.ends_at
    other_interpreter = make_interpreter(("ar",))
    service.assign(later, other_interpreter, actor=supervisor)
    assert later.status == ASSIGNED


def test_cancelled_declined_and_delivered_bookings_free_the_slot(booked):
    supervisor, interpreter, first = booked
    service.cancel(first, "appointment_cancelled", actor=supervisor)
    second = other(supervisor, 0)
    service.assign(second, interpreter, actor=supervisor)
    assert second.status == ASSIGNED


def test_the_database_refuses_an_overlap_written_past_the_service(booked, backend):
    """Straight SQL, as another program (or a bug) would write: the exclusion constraint
    (PostgreSQL) or the trigger (SQLite) refuses it."""
    supervisor, interpreter, _first = booked
    second = other(supervisor, 30)
    db.session.flush()
    table = InterpretationRequest.__table__
    with pytest.raises(IntegrityError) as refused:
        with db.session.begin_nested():
            db.session.execute(update(table).where(table.c.id == second.id)
                               .values(status="assigned", interpreter_id=interpreter.id))
    assert ("double-booked" in str(refused.value)) or ("no_double_booking" in str(refused.value))
    # Not active, the same overlap is fine: a cancelled booking holds no slot.
    with db.session.begin_nested():
        db.session.execute(update(table).where(table.c.id == second.id)
                           .values(status="cancelled", interpreter_id=interpreter.id, cancel_reason="other"))


# --- two connections racing ------------------------------------------------------------------------


def _race(app, jobs):
    """Run each job in its own thread and app context (own session, own connection); all of
    them read first, then wait for each other, then write. Returns each job's outcome."""
    start = RaceStart(app, len(jobs))
    outcomes = [None] * len(jobs)

    def work(index, job):
        with app.app_context():
            try:
                start.before_reads()
                write = job()            # reads, returns the write to do
                start.after_reads()
                write()
                db.session.commit()
                outcomes[index] = "booked"
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = type(error).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_assignments_of_one_interpreter_exactly_one_wins(own_database):
    app = own_database
    with app.app_context():
        supervisors = [supervisor_of(), supervisor_of()]
        interpreter = make_interpreter(("ar",))
        requests = [make_request(actor=supervisors[0], starts_at=TEN), make_request(actor=supervisors[1],
                                                                                     starts_at=TEN + timedelta(minutes=45))]
        ids = [r.id for r in requests] + [interpreter.id] + [s.id for s in supervisors]
        db.session.commit()
        db.session.remove()

    def job(n):
        def read():
            from caseapp.auth.models import User
            from caseapp.interpretation.models import Interpreter

            booking = db.session.get(InterpretationRequest, ids[n])
            person = db.session.get(Interpreter, ids[2])
            actor = db.session.get(User, ids[3 + n])
            actor.structure_ids  # noqa: B018  (loaded before the race, as a request would)
            return lambda: service.assign(booking, person, actor=actor)
        return read

    outcomes = _race(app, [job(0), job(1)])
    # The loser is told: the interpreter is already booked (it waited for the winner's row lock,
    # PostgreSQL), or someone booked them a moment ago (SQLite's write lock was taken).
    assert sorted(outcomes) in (["ConflictError", "booked"], ["InterpretationError", "booked"]), outcomes
    with app.app_context():
        active = db.session.execute(select(func.count()).select_from(InterpretationRequest)
                                    .where(InterpretationRequest.interpreter_id == ids[2],
                                           InterpretationRequest.status == ASSIGNED)).scalar_one()
        db.session.remove()
    assert active == 1


def test_two_concurrent_writes_past_the_service_exactly_one_stands(own_database):
    """Without the service's lock (plain UPDATEs from two connections), the database alone
    keeps the interpreter from being double-booked."""
    app = own_database
    with app.app_context():
        supervisor = supervisor_of()
        interpreter = make_interpreter(("ar",))
        ids = [make_request(actor=supervisor, starts_at=TEN).id, make_request(actor=supervisor, starts_at=TEN).id]
        interpreter_id = interpreter.id
        db.session.commit()
        db.session.remove()
    table = InterpretationRequest.__table__

    def job(n):
        def read():
            db.session.execute(select(table.c.status).where(table.c.id == ids[n])).scalar_one()

            def write():
                try:
                    db.session.execute(update(table).where(table.c.id == ids[n])
                                       .values(status="assigned", interpreter_id=interpreter_id))
                    db.session.flush()
                except Exception as error:  # IntegrityError, or SQLite's "database is locked"
                    raise DomainError(type(error).__name__) from error
            return write
        return read

    outcomes = _race(app, [job(0), job(1)])
    assert outcomes.count("booked") == 1, outcomes
    with app.app_context():
        assigned = db.session.execute(select(func.count()).select_from(table)
                                      .where(table.c.status == "assigned")).scalar_one()
        db.session.remove()
    assert assigned == 1
