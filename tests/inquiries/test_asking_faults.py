"""Faults a new user found in asking the holders: the form keeps its own action, a request is not
sent twice, only confirmed matches are asked about, the button is offered only where it can succeed."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select, update

from caseapp.extensions import db
from caseapp.inquiries.models import OPEN, Inquiry, InquiryTarget
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, make_user, structure
from tests.inquiries.factories import BIRTH, held_person
from tests.inquiries.test_asking_the_holders import ASK_BUTTON, registration_form, targets

FORM_ACTION = re.compile(r'<form method="post" action="([^"]*)"')


def _main_form_action(body: str) -> str:
    return FORM_ACTION.findall(body)[-1]


def test_the_form_shown_again_after_a_refused_request_still_registers(client, login_as, db_session):
    person = held_person("KEM")
    login_as("caseworker", structures=("DIS-PROG",))
    refusals = []
    data = registration_form(client, person)
    data["given_name"] = ""  # refused by the form
    refusals.append(client.post("/inquiries/send", data=data))
    client.post("/inquiries/send", data=registration_form(client, person))  # sent
    refusals.append(client.post("/inquiries/send", data=registration_form(client, person)))  # refused: a repeat
    data = registration_form(client, person)
    data["structure"] = str(structure("KEM").id)  # not one of theirs
    refusals.append(client.post("/inquiries/send", data=data))
    for response in refusals:
        body = response.get_data(as_text=True)
        assert response.status_code == 400
        assert _main_form_action(body) == "/beneficiaries/new"  # "Register" registers
        assert 'formaction="/inquiries/send"' not in body or ASK_BUTTON in body
    # Pressing "Register" on that page registers (after the duplicate warning, "register anyway").
    response = client.post(_main_form_action(refusals[1].get_data(as_text=True)),
                           data=registration_form(client, person))
    assert response.status_code == 200 and "This person may already be registered" in response.get_data(as_text=True)
    assert len(db.session.execute(select(Inquiry)).all()) == 1


def test_the_registration_page_posts_to_itself_whatever_the_query(client, login_as, db_session):
    login_as("caseworker", structures=("DIS-PROG",))
    assert _main_form_action(client.get("/beneficiaries/new").get_data(as_text=True)) == "/beneficiaries/new"


def test_the_same_request_is_not_sent_twice_and_the_requester_is_told(client, login_as, db_session):
    person = held_person("KEM")
    login_as("caseworker", structures=("DIS-PROG",))
    assert client.post("/inquiries/send", data=registration_form(client, person)).status_code == 302
    for _ in range(3):
        again = client.post("/inquiries/send", data=registration_form(client, person))
        body = again.get_data(as_text=True)
        assert again.status_code == 400 and "already asked about this person" in body
        assert person.family_name in body  # what was typed stays
    assert len(targets()) == 1 and len(db.session.execute(select(Inquiry)).all()) == 1


def test_a_colleague_of_the_same_structure_cannot_repeat_it_either(app, client, login_as, db_session):
    person = held_person("KEM")
    login_as("caseworker", structures=("DIS-PROG",))
    client.post("/inquiries/send", data=registration_form(client, person))
    colleague = app.test_client()
    other = make_user("caseworker", structures=("DIS-PROG",))
    colleague.post("/login", data={"username": other.username, "password": DEFAULT_PASSWORD,
                                   "csrf_token": csrf_token(colleague)})
    response = colleague.post("/inquiries/send", data=registration_form(colleague, person))
    assert response.status_code == 400 and len(targets()) == 1


def test_other_details_of_the_same_person_reach_the_holder_once(client, login_as, db_session):
    """Same person found through a phone typed this time: the holder has an open copy already."""
    person = held_person("KEM", phone="6941234567")
    login_as("caseworker", structures=("DIS-PROG",))
    assert client.post("/inquiries/send", data=registration_form(client, person)).status_code == 302
    data = registration_form(client, person, family_name="Otherspelling", birth_date="1970-02-02")
    data["phone"] = "694 123 4567"
    assert client.post("/inquiries/send", data=data).status_code == 302  # other details: sent
    assert [(t.structure.code, t.beneficiary_id) for t in targets()] == [("KEM", person.id)]


def test_another_structure_or_a_closed_request_may_ask_again(client, login_as, db_session, app):
    person = held_person("KEM")
    login_as("caseworker", structures=("DIS-PROG", "KYADA"))
    assert client.post("/inquiries/send", data=registration_form(client, person)).status_code == 302
    assert client.post("/inquiries/send",
                       data=registration_form(client, person, structure_code="KYADA")).status_code == 302
    assert sorted(t.inquiry.structure.code for t in targets()) == ["DIS-PROG", "KYADA"]
    # Once the request is no longer open (past the open period, and the holder answered), it can be sent again.
    old = utc_days_ago(app.config.get("INQUIRY_OPEN_DAYS", 30) + 1)
    db.session.execute(update(Inquiry).values(created_at=old))
    db.session.execute(update(InquiryTarget).values(status="declined"))
    db.session.commit()
    assert client.post("/inquiries/send", data=registration_form(client, person)).status_code == 302
    assert sum(t.status == OPEN for t in targets()) == 1


def utc_days_ago(days: int):
    from caseapp.models_base import utcnow

    return utcnow() - timedelta(days=days)


def test_only_confirmed_matches_are_asked_never_similar_names(client, login_as, db_session):
    """The holder of "Youssef" is asked; the holder of "Yusuf" (sounds alike, same birth date) is not."""
    same = held_person("KEM", family_name="Youssef")
    similar = held_person("KYADA", family_name="Yusuf")
    similar_too = held_person("OSN", family_name="يوسف", given_name="Other")
    login_as("caseworker", structures=("DIS-PROG",))
    assert client.post("/inquiries/send", data=registration_form(client, same)).status_code == 302
    asked = [(t.structure.code, t.beneficiary_id, t.match) for t in targets()]
    assert asked == [("KEM", same.id, "exact")]
    assert similar.id not in {t.beneficiary_id for t in targets()}
    assert similar_too.id not in {t.beneficiary_id for t in targets()}


def test_only_a_similar_name_elsewhere_asks_nobody_and_says_the_same(client, login_as, db_session):
    held_person("KEM", family_name="Papadopulos")
    login_as("caseworker", structures=("DIS-PROG",))
    response = client.post("/inquiries/send", data=registration_form(client, family_name="Papadopoulou",
                                                                     birth_date=BIRTH.isoformat()),
                           follow_redirects=True)
    assert response.status_code == 200 and "Your request has been sent." in response.get_data(as_text=True)
    assert targets() == []


def test_a_confidential_structure_is_not_offered_the_button(client, login_as, db_session):
    person = held_person("KEM")
    login_as("caseworker", structures=("SHELTER-W",))
    body = client.post("/beneficiaries/new",
                       data=registration_form(client, person, structure_code="SHELTER-W")).get_data(as_text=True)
    assert "This person may already be registered" in body
    assert ASK_BUTTON not in body and "/inquiries/send" not in body
    assert "use “Ask the structures that hold it”" not in body


def test_a_user_of_an_open_and_a_confidential_structure_is_offered_it(client, login_as, db_session):
    person = held_person("KEM")
    login_as("caseworker", structures=("SHELTER-W", "DIS-PROG"))
    body = client.post("/beneficiaries/new",
                       data=registration_form(client, person, structure_code="DIS-PROG")).get_data(as_text=True)
    assert ASK_BUTTON in body


def test_a_user_without_the_permission_is_not_offered_it(client, login_as, db_session):
    person = held_person("KEM")
    user = login_as("caseworker", structures=("DIS-PROG",))
    if user.has_permission("inquiries.send"):
        return  # every caseworker may ask: nothing to show here
    body = client.post("/beneficiaries/new", data=registration_form(client, person)).get_data(as_text=True)
    assert ASK_BUTTON not in body


def test_a_birth_date_corrected_after_a_refusal_moves_the_year_with_it(client, login_as, db_session):
    login_as("caseworker", structures=("DIS-PROG",))
    data = registration_form(client, family_name="Nazari", birth_date="1987-04-03")
    data["given_name"] = ""  # refused
    body = client.post("/beneficiaries/new", data=data).get_data(as_text=True)
    shown = re.search(r'name="birth_year_shown"[^>]*value="([^"]*)"', body) or re.search(
        r'value="([^"]*)"[^>]*name="birth_year_shown"', body)
    year = re.search(r'id="birth_year"[^>]*value="([^"]*)"', body) or re.search(
        r'value="([^"]*)"[^>]*id="birth_year"', body)
    assert year and year.group(1) == "1987" and shown and shown.group(1) == "1987"
    # The user corrects the date (and the name), leaving the year box as shown.
    data = registration_form(client, family_name="Nazari", birth_date="1988-04-03")
    data.update(birth_year=year.group(1), birth_year_shown=shown.group(1))
    response = client.post("/beneficiaries/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    from caseapp.beneficiaries.models import Beneficiary
    registered = db.session.execute(select(Beneficiary)).scalars().all()
    assert [(b.birth_date, b.birth_year) for b in registered] == [(date(1988, 4, 3), 1988)]


def test_a_year_typed_on_purpose_is_kept_and_checked(client, login_as, db_session):
    login_as("caseworker", structures=("DIS-PROG",))
    data = registration_form(client, family_name="Nazari", birth_date="1987-04-03")
    data.update(birth_year="1990", birth_year_shown="1987")  # the user changed the box
    response = client.post("/beneficiaries/new", data=data)
    assert response.status_code == 400 and "does not match" in response.get_data(as_text=True)


def test_the_requests_inbox_is_offered_only_where_requests_can_arrive(client, login_as, db_session):
    login_as("caseworker", structures=("SHELTER-W",))
    assert "Requests from others" not in client.get("/").get_data(as_text=True)


def test_an_open_structure_caseworker_is_offered_the_requests_inbox(client, login_as, db_session):
    login_as("caseworker", structures=("KEM",))
    assert "Requests from others" in client.get("/").get_data(as_text=True)
