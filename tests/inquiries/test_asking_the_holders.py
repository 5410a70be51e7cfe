"""Asking the holders: a requester registering someone who may be known elsewhere asks the
structures holding the record to refer the person, and learns nothing of who they are."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseapp.casefiles import service as casefile_service
from caseapp.casefiles.models import TimelineEvent
from caseapp.extensions import db
from caseapp.inquiries import service
from caseapp.inquiries.models import DECLINED, OPEN, REFERRED, Inquiry, InquiryTarget
from caseapp.lifecycle import TransitionError
from caseapp.security.audit import AuditEvent
from caseapp.security.audit_subjects import AuditEventSubject
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, case_file_of, make_user, structure
from tests.inquiries.factories import ask, held_person, make_target

ASK_BUTTON = "Ask the structures that hold it"


def registration_form(client, person=None, *, structure_code="DIS-PROG", family_name=None, birth_date=None):
    """The registration form's fields, as the browser posts them (to register or to ask)."""
    return {"csrf_token": csrf_token(client, "/beneficiaries/new"), "structure": str(structure(structure_code).id),
            "given_name": "Maria", "family_name": family_name or person.family_name, "sex": "female",
            "legal_status": "asylum_seeker", "birth_date": birth_date or person.birth_date.isoformat()}


def targets() -> list[InquiryTarget]:
    return list(db.session.execute(select(InquiryTarget)).scalars())


def events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


@pytest.fixture
def person(db_session):
    """Held by KEM (open) and by the GBV centre (confidential), then asked about from DIS-PROG."""
    held = held_person("KEM")
    casefile_service.open_case_file(held, structure("GBV-CC"), actor=make_user("supervisor", structures=("GBV-CC",)))
    db.session.flush()
    return held


def test_the_registration_warning_offers_to_ask_the_holders(client, login_as, person):
    login_as("caseworker", structures=("DIS-PROG",))
    body = client.post("/beneficiaries/new", data=registration_form(client, person)).get_data(as_text=True)
    assert "A record may exist elsewhere" in body and ASK_BUTTON in body
    assert 'formaction="/inquiries/send"' in body


def test_no_button_when_nothing_matches_elsewhere(client, login_as, person):
    login_as("caseworker", structures=("DIS-PROG",))
    response = client.post("/beneficiaries/new", data=registration_form(client, person, family_name="Unrelatedou"))
    assert response.status_code == 302  # registered: no warning, no button


def test_the_request_reaches_the_open_holder_and_never_the_confidential_one(client, login_as, person):
    login_as("caseworker", structures=("DIS-PROG",))
    response = client.post("/inquiries/send", data=registration_form(client, person))
    assert response.status_code == 302 and response.headers["Location"].endswith("/inquiries/sent")
    assert [(t.structure.code, t.beneficiary_id, t.status) for t in targets()] == [("KEM", person.id, OPEN)]
    assert db.session.execute(select(InquiryTarget).where(
        InquiryTarget.structure_id == structure("GBV-CC").id)).first() is None


def test_the_requester_learns_nothing_of_the_holders(client, login_as, person):
    requester = login_as("caseworker", structures=("DIS-PROG",))
    sent = client.post("/inquiries/send", data=registration_form(client, person), follow_redirects=True)
    nobody = client.post("/inquiries/send", data=registration_form(client, family_name="Nobodyopoulou",
                                                                   birth_date="1960-01-01"), follow_redirects=True)
    first, second = sent.get_data(as_text=True), nobody.get_data(as_text=True)
    # CSRF tokens (in forms and in the page head) carry the second they were made: not a difference.
    strip = lambda html: re.sub(r'"[\w-]+\.[\w-]+\.[\w-]+"', '""', html)  # noqa: E731
    assert sent.status_code == nobody.status_code == 200 and strip(first) == strip(second)
    for hidden in ("KEM", "GBV-CC", person.reference, str(person.id), person.family_name):
        assert hidden not in first
    # Their audit trail names the request only: no holder, no person.
    mine = list(db.session.execute(select(AuditEvent).where(AuditEvent.user_id == requester.id,
                                                            AuditEvent.action == "inquiries.send")).scalars())
    assert len(mine) == 2 and {e.structure_id for e in mine} == {structure("DIS-PROG").id}
    assert {e.object_type for e in mine} == {"inquiry"}
    assert not db.session.execute(select(AuditEventSubject).where(
        AuditEventSubject.event_id.in_([e.id for e in mine]))).first()
    # And the requester cannot open the holder's copy.
    target = targets()[0]
    assert client.get(f"/inquiries/{target.id}").status_code == 404
    assert client.get("/inquiries/").status_code == 200
    assert person.reference not in client.get("/inquiries/").get_data(as_text=True)


def test_sending_takes_the_same_statements_with_or_without_holders(client, login_as, count_queries, person):
    login_as("caseworker", structures=("DIS-PROG",))
    found = registration_form(client, person)
    nobody = registration_form(client, family_name="Nobodyopoulou", birth_date="1960-01-01")
    # The first POST after a commit opens the savepoint (other details: the same ones twice are a repeat).
    client.post("/inquiries/send", data=registration_form(client, family_name="Warmupoulou", birth_date="1950-01-01"))
    with count_queries() as with_holder:
        client.post("/inquiries/send", data=found)
    with count_queries() as without:
        client.post("/inquiries/send", data=nobody)
    assert with_holder.n == without.n


def test_a_confidential_structure_cannot_ask(client, login_as, person):
    login_as("caseworker", structures=("SHELTER-W",))
    response = client.post("/inquiries/send", data=registration_form(client, person, structure_code="SHELTER-W"))
    assert response.status_code == 400
    assert "confidential structure cannot ask" in response.get_data(as_text=True)
    assert db.session.execute(select(Inquiry)).first() is None


def test_bad_registration_values_show_the_form_again(client, login_as, person):
    login_as("caseworker", structures=("DIS-PROG",))
    data = registration_form(client, person)
    data["given_name"] = ""
    response = client.post("/inquiries/send", data=data)
    assert response.status_code == 400 and 'href="#given_name"' in response.get_data(as_text=True)
    assert person.family_name in response.get_data(as_text=True)  # what was typed stays
    assert db.session.execute(select(Inquiry)).first() is None


# --- the holders -----------------------------------------------------------------------------------


def test_the_holder_sees_it_in_the_inbox_with_a_badge_and_a_link_to_the_profile(client, login_as, person):
    ask(person)
    holder = login_as("caseworker", structures=("KEM",))
    home = client.get("/").get_data(as_text=True)
    assert 'href="/inquiries/"' in home and 'class="badge">1' in home
    assert "1 request waits for your answer" in home
    inbox = client.get("/inquiries/").get_data(as_text=True)
    assert person.reference in inbox and "DIS-PROG" in inbox
    target = targets()[0]
    page = client.get(f"/inquiries/{target.id}").get_data(as_text=True)
    assert f'href="/beneficiaries/{person.id}"' in page and "I have referred the person" in page
    listed = events("inquiries.list")[-1]
    assert listed.user_id == holder.id
    assert db.session.execute(select(AuditEventSubject.beneficiary_id).where(
        AuditEventSubject.event_id == listed.id)).scalars().all() == [person.id]


def signed_in(app, user):
    """Another browser, logged in as `user`, reading English."""
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD,
                               "csrf_token": csrf_token(other)})
    other.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(other, "/")})
    return other


def test_the_confidential_holder_and_a_third_structure_see_nothing(app, client, person):
    ask(person)
    target = targets()[0]
    for code in ("GBV-CC", "KYADA"):
        client = signed_in(app, make_user("caseworker", structures=(code,)))
        home = client.get("/").get_data(as_text=True)
        if code == "GBV-CC":  # confidential only: requests never arrive there, the inbox is not offered
            assert "Requests from others" not in home
        else:
            assert 'class="badge"' not in home.split("Requests from others")[1][:80]
        assert person.reference not in client.get("/inquiries/").get_data(as_text=True)
        assert client.get(f"/inquiries/{target.id}").status_code == 404
        response = client.post(f"/inquiries/{target.id}/decline",
                               data={"csrf_token": csrf_token(client, "/inquiries/"), "reason": "other",
                                     "version": "1"})
        assert response.status_code == 404
    denied = events("access.denied")
    assert [e.object_id for e in denied[-4:]] == [str(target.id)] * 4
    db.session.refresh(target)
    assert target.status == OPEN


def test_the_holder_declines_with_a_reason_on_the_timeline_and_in_the_audit(client, login_as, person):
    ask(person)
    target = targets()[0]
    holder = login_as("caseworker", structures=("KEM",))
    path = f"/inquiries/{target.id}"
    token = csrf_token(client, path)
    refused = client.post(f"{path}/decline", data={"csrf_token": token, "version": str(target.version), "reason": ""})
    assert refused.status_code == 400 and "Choose why you decline." in refused.get_data(as_text=True)
    response = client.post(f"{path}/decline", data={"csrf_token": token, "version": str(target.version),
                                                    "reason": "not_same_person"})
    assert response.status_code == 302
    db.session.refresh(target)
    assert (target.status, target.decline_reason, target.answered_by_id) == (DECLINED, "not_same_person", holder.id)
    kinds = db.session.execute(select(TimelineEvent.kind).where(
        TimelineEvent.case_file_id == case_file_of(person, "KEM").id)).scalars().all()
    assert "inquiry.declined" in kinds
    declined = events("inquiries.decline")[-1]
    assert (declined.object_id, declined.structure_id) == (str(target.id), structure("KEM").id)
    answered = client.get("/inquiries/?list=answered").get_data(as_text=True)
    assert person.reference in answered and "Declined" in answered
    assert 'class="badge"' not in client.get("/").get_data(as_text=True).split("Requests from others")[1][:80]


def test_two_holders_answering_at_once_one_wins_the_other_sees_a_conflict(client, login_as, person):
    ask(person)
    target = targets()[0]
    path = f"/inquiries/{target.id}"
    login_as("caseworker", structures=("KEM",))
    token, loaded = csrf_token(client, path), str(target.version)
    service.answer(target, "mark_referred", actor=make_user("caseworker", structures=("KEM",)),
                   expected_version=target.version)
    db.session.commit()
    response = client.post(f"{path}/decline", data={"csrf_token": token, "version": loaded, "reason": "other"})
    assert response.status_code == 409
    assert "Someone else answered this request at the same time" in response.get_data(as_text=True)
    db.session.refresh(target)
    assert target.status == REFERRED and target.decline_reason is None


def test_an_unknown_action_is_404(client, login_as, person):
    target = make_target(person)
    login_as("caseworker", structures=("KEM",))
    response = client.post(f"/inquiries/{target.id}/approve", data={"csrf_token": csrf_token(client, "/inquiries/")})
    assert response.status_code == 404


@pytest.mark.parametrize("state,action,party", list(service.LIFECYCLE.triples()))
def test_every_state_action_party_triple_follows_the_table(db_session, state, action, party, person):
    target = make_target(person, status=state)
    actor = make_user("caseworker", structures=("KEM",)) if party == "holder" else None
    db.session.commit()  # a refusal rolls back to here
    assert party == "holder"  # the only party: anyone else never reaches the request (404)
    allowed = service.LIFECYCLE.permits(state, action, party)
    if allowed:
        service.answer(target, action, actor=actor, expected_version=target.version, reason="other")
        assert target.status == service.LIFECYCLE.find(state, action).target
    else:
        with pytest.raises(TransitionError):
            service.answer(target, action, actor=actor, expected_version=target.version, reason="other")
        db.session.rollback()
        assert db.session.get(InquiryTarget, target.id).status == state


def test_a_user_of_another_structure_is_no_party(db_session, person):
    target = make_target(person)
    outsider = make_user("caseworker", structures=("KYADA",))
    assert service.LIFECYCLE.available(target, outsider) == []
    with pytest.raises(TransitionError):
        service.answer(target, "decline", actor=outsider, expected_version=target.version, reason="other")


def test_the_inbox_takes_the_same_number_of_queries_for_1_or_12_requests(client, login_as, count_queries, person):
    make_target(person)
    login_as("caseworker", structures=("KEM",))
    db.session.commit()
    client.get("/")

    def measured():
        client.get("/inquiries/")
        with count_queries() as counted:
            assert client.get("/inquiries/").status_code == 200
        return counted.n

    small = measured()
    for _ in range(11):
        make_target(held_person("KEM"), requester_code="KYADA")
    db.session.commit()
    client.get("/")
    assert measured() == small


def test_an_erased_person_leaves_the_inbox(client, login_as, person):
    make_target(person)
    person.erased_at = person.created_at
    db.session.flush()
    login_as("caseworker", structures=("KEM",))
    assert person.reference not in client.get("/inquiries/").get_data(as_text=True)
