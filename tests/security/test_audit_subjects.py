"""Audit: admins' reads are recorded, and lists record which people they showed (ids, chained)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select, text

from caseapp.beneficiaries import erasure
from caseapp.beneficiaries.sightings import who_has_seen
from caseapp.extensions import db
from caseapp.security.audit import AuditEvent, record, verify_chain
from caseapp.security.audit_subjects import AuditEventSubject
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user


def _events_after(last_id: int) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.id > last_id)
                                   .order_by(AuditEvent.id)).scalars())


def _last_id() -> int:
    return db.session.execute(select(db.func.coalesce(db.func.max(AuditEvent.id), 0))).scalar_one()


def _subjects(event: AuditEvent) -> set[uuid.UUID]:
    return set(db.session.execute(select(AuditEventSubject.beneficiary_id)
                                  .where(AuditEventSubject.event_id == event.id)).scalars())


def _one_view(client, path: str) -> AuditEvent:
    mark = _last_id()
    assert client.get(path).status_code == 200
    events = _events_after(mark)
    assert len(events) == 1, [e.action for e in events]
    return events[0]


# --- admins' reads ----------------------------------------------------------------------------


def test_admin_reads_of_the_audit_log_users_and_erasure_requests_are_audited(client, login_as):
    admin = login_as("admin")
    target = make_user("caseworker", structures=("KEM",))
    supervisor = make_user("supervisor", structures=("KEM",))
    person = make_beneficiary("KEM")
    request = erasure.request_erasure(person, "data_subject_request", actor=supervisor)

    assert _one_view(client, "/admin/audit/").action == "audit.view"
    assert _one_view(client, "/admin/users/").action == "users.list"
    viewed = _one_view(client, f"/admin/users/{target.id}/edit")
    assert (viewed.action, viewed.object_id, viewed.user_id) == ("users.view", str(target.id), admin.id)
    listed = _one_view(client, "/admin/erasure-requests/")
    assert listed.action == "erasure.list" and _subjects(listed) == {person.id}
    confirm = _one_view(client, f"/admin/erasure-requests/{request.id}")
    assert (confirm.action, confirm.object_id) == ("erasure.view", str(request.id))
    assert _subjects(confirm) == {person.id}


def test_a_language_change_is_audited_with_the_user_id_only(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    mark = _last_id()
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client, "/")})
    events = [e for e in _events_after(mark) if e.action == "users.language"]
    assert [(e.object_type, e.object_id, e.user_id) for e in events] == [("user", str(user.id), user.id)]


# --- the people each list showed ------------------------------------------------------------------


def test_list_search_and_home_record_the_people_they_showed(client, login_as):
    me = login_as("caseworker", structures=("KEM",))
    mine = [make_beneficiary("KEM", actor=me, family_name=f"Shown{i}") for i in range(3)]
    elsewhere = make_beneficiary("CLINICS")

    listed = _one_view(client, "/beneficiaries/")
    assert listed.action == "beneficiaries.list"
    assert _subjects(listed) == {b.id for b in mine}
    home = _one_view(client, "/")
    assert home.action == "cases.my_list" and _subjects(home) == {b.id for b in mine}

    mark = _last_id()
    token = csrf_token(client, "/beneficiaries/")
    client.post("/beneficiaries/search", data={"csrf_token": token, "surname": "Shown1"})
    searched = [e for e in _events_after(mark) if e.action == "beneficiaries.search"]
    assert len(searched) == 1 and _subjects(searched[0]) == {mine[1].id}
    assert elsewhere.id not in {s for e in (listed, home, searched[0]) for s in _subjects(e)}


def test_who_has_seen_answers_from_lists_profiles_and_case_files(client, login_as):
    me = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=me)
    other = make_beneficiary("KEM", actor=me)
    client.get("/beneficiaries/")
    client.get(f"/beneficiaries/{person.id}")
    client.get(f"/cases/{case_file_of(person).id}")
    stranger = make_user("caseworker", structures=("CLINICS",))

    sightings = who_has_seen(person.id)
    assert sightings[0].action == "beneficiaries.register"  # who registered them saw them too
    assert [s.action for s in sightings][-3:] == ["beneficiaries.list", "beneficiaries.view", "cases.view"]
    assert {s.user_id for s in sightings} == {me.id}
    assert stranger.id not in {s.user_id for s in sightings}
    assert [s.action for s in who_has_seen(other.id)][-1:] == ["beneficiaries.list"]
    assert "cases.view" not in [s.action for s in who_has_seen(other.id)]


def test_a_refused_attempt_is_not_a_sighting(client, login_as):
    person = make_beneficiary("KEM")
    intruder = login_as("caseworker", structures=("CLINICS",))
    assert client.get(f"/beneficiaries/{person.id}").status_code == 404
    assert intruder.id not in {s.user_id for s in who_has_seen(person.id)}


# --- the chain covers the subjects ---------------------------------------------------------------


def _drop_subject_guards(backend):
    if backend == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event_subjects DISABLE TRIGGER audit_event_subjects_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_subjects_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_subjects_no_delete"))


@pytest.fixture
def listed_event(db_session):
    people = [uuid.uuid4(), uuid.uuid4()]
    record("test.before")
    event = record("beneficiaries.list", subjects=people)
    record("test.after")
    assert verify_chain().ok
    return event, people


def test_the_subjects_are_append_only(listed_event, backend):
    event, _people = listed_event
    with pytest.raises(Exception):
        with db.session.begin_nested():
            db.session.execute(text("DELETE FROM audit_event_subjects WHERE event_id = :id"), {"id": event.id})


def test_deleting_a_subject_row_breaks_the_chain_at_its_event(listed_event, backend):
    event, people = listed_event
    _drop_subject_guards(backend)
    table = AuditEventSubject.__table__
    db.session.execute(delete(table).where(table.c.event_id == event.id, table.c.beneficiary_id == people[0]))
    report = verify_chain()
    assert report.broken_at == event.id


def test_adding_a_subject_row_breaks_the_chain_at_its_event(listed_event, backend):
    event, _people = listed_event
    db.session.add(AuditEventSubject(event_id=event.id, beneficiary_id=uuid.uuid4()))
    db.session.flush()
    report = verify_chain()
    assert report.broken_at == event.id


def test_interpretation_pages_record_the_people_they_showed(client, login_as):
    from tests.interpretation.factories import make_request

    me = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=me)
    booking = make_request(case_file_of(person, "KEM"), actor=me)
    db.session.commit()
    listed = _one_view(client, "/interpretation/")
    viewed = _one_view(client, f"/interpretation/requests/{booking.id}")
    assert _subjects(listed) == {person.id} and _subjects(viewed) == {person.id}
    assert {"interpretation.list", "interpretation.view"} <= {s.action for s in who_has_seen(person.id)}
