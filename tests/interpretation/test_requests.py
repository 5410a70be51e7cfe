"""Requesting an interpreter through the real form: consent, validation, encryption, scoping."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from caseapp.casefiles.models import TimelineEvent
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.interpretation.models import InterpretationRequest
from caseapp.security.audit import AuditEvent
from tests.factories import case_file_of, make_beneficiary, make_note
from tests.interpretation.factories import give_consent, in_days, make_request

PLACE = "Attikon hospital, 3rd floor, room 12"


def new_path(case_file) -> str:
    return f"/interpretation/cases/{case_file.id}/new"


def good_fields(**fields):
    day = (local_today() + timedelta(days=5)).isoformat()
    values = {"language": "ar", "mode": "in_person", "purpose": "disability_certification", "date": day,
              "time": "09:30", "duration_minutes": "90", "place": PLACE, "escort": "y", "preferred_gender": "female",
              "contact_phone": "210 555 0000", "notes": "Bring the medical file."}
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


def test_a_caseworker_requests_an_interpreter_with_consent(client, login_as, post_form):
    caseworker = login_as("caseworker", structures=("DIS-PROG",))
    person = make_beneficiary("DIS-PROG", actor=caseworker)
    case_file = case_file_of(person, "DIS-PROG")
    give_consent(person, caseworker)

    page = client.get(f"/cases/{case_file.id}").get_data(as_text=True)
    assert new_path(case_file) in page  # the case file offers the request
    response = post_form(new_path(case_file), **good_fields())
    assert response.status_code == 302
    booking = db.session.execute(select(InterpretationRequest)).scalar_one()
    assert response.headers["Location"].endswith(f"/interpretation/requests/{booking.id}")
    assert (booking.language, booking.mode, booking.purpose, booking.escort, booking.preferred_gender) == (
        "ar", "in_person", "disability_certification", True, "female")
    assert booking.duration_minutes == 90 and booking.caseworker_id == caseworker.id
    local_start = booking.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Athens"))
    assert (local_start.hour, local_start.minute) == (9, 30)
    assert booking.place == PLACE and booking.notes == "Bring the medical file."
    assert booking.busy_until == booking.ends_at + timedelta(minutes=30)

    shown = client.get(f"/interpretation/requests/{booking.id}").get_data(as_text=True)
    assert PLACE in shown and person.reference in shown
    timeline = db.session.execute(select(TimelineEvent.kind).where(TimelineEvent.case_file_id == case_file.id)).scalars()
    assert "interpretation.requested" in list(timeline)


def test_without_consent_no_request_can_be_created(client, login_as, post_form):
    caseworker = login_as("caseworker", structures=("DIS-PROG",))
    person = make_beneficiary("DIS-PROG", actor=caseworker)
    case_file = case_file_of(person, "DIS-PROG")
    page = client.get(new_path(case_file)).get_data(as_text=True)
    assert "consent" in page.lower() or "συναίνεση" in page.lower()

    response = post_form(new_path(case_file), **good_fields())
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert PLACE in body  # what was typed is kept
    assert db.session.execute(select(InterpretationRequest)).first() is None

    give_consent(person, caseworker)
    give_consent(person, caseworker, given=False)  # withdrawn again: the latest decision is in force
    assert post_form(new_path(case_file), **good_fields()).status_code == 400
    assert db.session.execute(select(InterpretationRequest)).first() is None


def test_bad_input_is_shown_on_its_field_and_everything_typed_is_kept(client, login_as, post_form):
    caseworker = login_as("caseworker", structures=("DIS-PROG",))
    person = make_beneficiary("DIS-PROG", actor=caseworker)
    case_file = case_file_of(person, "DIS-PROG")
    give_consent(person, caseworker)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    cases = [
        ({"language": "zz"}, "language"),
        ({"language": ""}, "language"),
        ({"time": "25:99"}, "time"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"mode": "telepathy"}, "mode"),
        ({"date": yesterday}, "date"),
        ({"place": ""}, "place"),
    ]
    for fields, field in cases:
        response = post_form(new_path(case_file), **good_fields(**fields))
        body = response.get_data(as_text=True)
        assert response.status_code == 400, fields
        assert f'id="{field}-error"' in body or f'href="#{field}"' in body, fields
        assert "Bring the medical file." in body and "None" not in body.replace("NoneType", "")
    assert db.session.execute(select(InterpretationRequest)).first() is None


def test_a_time_skipped_by_the_clocks_going_forward_is_refused(client, login_as, post_form):
    caseworker = login_as("caseworker", structures=("DIS-PROG",))
    person = make_beneficiary("DIS-PROG", actor=caseworker)
    case_file = case_file_of(person, "DIS-PROG")
    give_consent(person, caseworker)
    from caseapp.interpretation.calendar import NonexistentLocalTime, to_utc
    import datetime as dt

    year = local_today().year + 1
    last_sunday = max(dt.date(year, 3, d) for d in range(25, 32) if dt.date(year, 3, d).weekday() == 6)
    try:
        to_utc(last_sunday, dt.time(3, 30))
        raise AssertionError("03:30 on the last Sunday of March should not exist in Athens")
    except NonexistentLocalTime:
        pass
    response = post_form(new_path(case_file), **good_fields(date=last_sunday.isoformat(), time="03:30"))
    assert response.status_code == 400 and 'id="time-error"' in response.get_data(as_text=True)


def test_place_notes_and_contact_phone_are_encrypted_at_rest(db_session):
    booking = make_request(place=PLACE, notes="Hearing aid needed", contact_phone="2105550000")
    db.session.flush()
    row = db.session.execute(text("SELECT place, notes, contact_phone FROM interpretation_requests")).one()
    for raw, clear in zip(row, (PLACE, "Hearing aid needed", "2105550000")):
        assert raw is not None and clear.encode() not in bytes(raw)
    assert booking.place == PLACE


def test_another_structures_request_answers_404_and_the_attempt_is_audited(client, login_as):
    booking = make_request(structure_code="DIS-PROG")
    login_as("supervisor", structures=("KEM",))
    for path in (f"/interpretation/requests/{booking.id}", f"/interpretation/cases/{booking.case_file_id}/new"):
        assert client.get(path).status_code == 404
    denied = db.session.execute(select(AuditEvent).where(AuditEvent.action == "access.denied",
                                                         AuditEvent.object_id == str(booking.id))).scalars().all()
    assert len(denied) == 1


def test_reading_a_request_is_audited_with_ids_only(client, login_as):
    supervisor = login_as("supervisor", structures=("DIS-PROG",))
    booking = make_request(actor=supervisor, place=PLACE)
    make_note(booking.case_file, actor=supervisor)
    client.get(f"/interpretation/requests/{booking.id}")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "interpretation.view")).scalar_one()
    assert (event.object_id, event.structure_id, event.user_id) == (str(booking.id), booking.structure_id, supervisor.id)


def test_a_closed_case_file_takes_no_request(db_session):
    import pytest

    from caseapp.casefiles import service as casefile_service
    from caseapp.domain import DomainError
    from caseapp.interpretation import service
    from tests.interpretation.factories import request_values
    from tests.factories import make_user

    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    person = make_beneficiary("DIS-PROG", actor=caseworker)
    case_file = case_file_of(person, "DIS-PROG")
    give_consent(person, caseworker)
    casefile_service.close_case_file(case_file, "goals_met", actor=caseworker)
    with pytest.raises(DomainError):
        service.create_request(case_file, request_values(starts_at=in_days(2)), actor=caseworker)
