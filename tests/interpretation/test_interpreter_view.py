"""The interpreter's own view: their assignments and nothing else of anyone's file."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.interpretation import service
from caseapp.interpretation.models import COMPLETED, CONFIRMED, REQUESTED
from caseapp.security.audit import AuditEvent
from tests.factories import case_file_of, make_beneficiary, make_note, make_user
from tests.interpretation.factories import give_consent, in_days, make_interpreter, make_request, move_into_past, supervisor_of

CANARIES = {
    "family_name": "Qarawi-Canary",
    "phone": "6912345678",
    "document_number": "AK-CANARY-4711",
    "address": "Odos Kanari 17, Exarcheia",
    "note": "Canary note: she fears her former partner",
    "confidential_note": "Canary confidential: safe house in Kypseli",
}
PLACE = "KEPA Athinon, Vas. Sofias 8, 2nd floor"


@pytest.fixture
def scene(db_session):
    """Rania (DIS-PROG) booked with the interpreter in the future; one more person booked with
    another interpreter; a KEM person never booked."""
    supervisor = supervisor_of("DIS-PROG")
    person = make_beneficiary("DIS-PROG", actor=supervisor, given_name="Rania", family_name=CANARIES["family_name"],
                              phone=CANARIES["phone"], document_type="passport",
                              document_number=CANARIES["document_number"], address=CANARIES["address"])
    case_file = case_file_of(person, "DIS-PROG")
    make_note(case_file, CANARIES["note"], actor=supervisor)
    make_note(case_file, CANARIES["confidential_note"], confidential=True, actor=supervisor)
    give_consent(person, supervisor)
    login = make_user("interpreter")
    interpreter = make_interpreter(("ar", "fr"), name="Amir Haddad", login=login, phone="6999000111")
    booking = make_request(case_file, actor=supervisor, place=PLACE, escort=True, starts_at=in_days(2, 11))
    service.assign(booking, interpreter, actor=supervisor)
    elsewhere = make_request(actor=supervisor)
    service.assign(elsewhere, make_interpreter(("ar",)), actor=supervisor)
    unbooked = make_beneficiary("KEM")
    db.session.commit()
    return {"login": login, "interpreter": interpreter, "booking": booking, "elsewhere": elsewhere,
            "person": person, "case_file": case_file, "supervisor": supervisor, "unbooked": unbooked}


def assert_no_canary(html: str, where: str) -> None:
    for name, canary in CANARIES.items():
        assert canary not in html, f"{name} leaked on {where}"


def test_the_interpreter_sees_their_own_assignment_with_what_they_need(client, login, scene):
    login(scene["login"])
    page = client.get("/interpretation/mine")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    booking = scene["booking"]
    assert f'id="booking-{booking.id}"' in html and f'id="booking-{scene["elsewhere"].id}"' not in html
    for shown in ("Rania", PLACE, scene["supervisor"].display_name):
        assert shown in html
    assert scene["person"].reference not in html  # not even the reference
    assert_no_canary(html, "/interpretation/mine")


def test_every_page_an_interpreter_can_reach_is_free_of_the_persons_file(app, client, login, scene):
    login(scene["login"])
    values = {("uuid", "booking_id"): scene["booking"].id, ("uuid", "interpreter_id"): scene["interpreter"].id,
              ("uuid", "case_file_id"): scene["case_file"].id, ("uuid", "beneficiary_id"): scene["person"].id,
              ("uuid", "request_id"): scene["booking"].id, ("int", "request_id"): 1, ("int", "user_id"): scene["login"].id,
              ("path", "filename"): "css/app.css", ("string", "action"): "confirm",
              ("uuid", "referral_id"): scene["booking"].id,
              ("int", "structure_id"): scene["case_file"].structure_id, ("uuid", "stay_id"): scene["booking"].id,
              ("uuid", "revision_id"): scene["booking"].id, ("uuid", "goal_id"): scene["booking"].id,
              ("uuid", "action_id"): scene["booking"].id, ("string", "decision"): "approve",
              ("int", "service_id"): 1,
              ("uuid", "delivery_id"): scene["booking"].id, ("uuid", "session_id"): scene["booking"].id,
              ("int", "partner_id"): 1, ("uuid", "target_id"): scene["booking"].id}
    variable = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
    reached = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = variable.sub(lambda m: str(values[(m.group(1) or "string", m.group(2))]), rule.rule)
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        if response.status_code == 200:
            reached.append(url)
        if not response.mimetype.startswith("image/"):  # the favicon
            assert_no_canary(response.get_data(as_text=True), url)
    assert "/interpretation/mine" in reached and "/" in reached
    for staff_page in ("/beneficiaries/", f"/cases/{scene['case_file'].id}", f"/interpretation/requests/{scene['booking'].id}",
                       "/interpretation/", "/interpretation/calendar", "/interpretation/day", "/interpretation/interpreters/"):
        assert staff_page not in reached


def test_the_interpreter_confirms_then_marks_delivered_and_no_one_elses_booking(client, login, scene, post_form):
    login(scene["login"])
    booking, elsewhere = scene["booking"], scene["elsewhere"]
    response = post_form(f"/interpretation/mine/{booking.id}/confirm", token_from="/interpretation/mine",
                         version=str(booking.version))
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.status == CONFIRMED and booking.confirmed_by_id == scene["login"].id

    # Someone else's booking, a staff route and an unknown action: 404, 403, 404.
    assert post_form(f"/interpretation/mine/{elsewhere.id}/confirm", token_from="/interpretation/mine",
                     version=str(elsewhere.version)).status_code == 404
    assert post_form(f"/interpretation/requests/{booking.id}/complete", token_from="/interpretation/mine",
                     version=str(booking.version), hours="2").status_code == 403
    assert post_form(f"/interpretation/mine/{booking.id}/cancel", token_from="/interpretation/mine",
                     version=str(booking.version), reason="other").status_code == 404
    db.session.refresh(elsewhere)
    assert elsewhere.status == "assigned"

    move_into_past(booking)
    db.session.commit()
    wrong = post_form(f"/interpretation/mine/{booking.id}/complete", token_from="/interpretation/mine",
                      version=str(booking.version), hours="abc")
    assert wrong.status_code == 400 and f'id="hours-{booking.id}-error"' in wrong.get_data(as_text=True)
    assert 'value="abc"' in wrong.get_data(as_text=True)
    done = post_form(f"/interpretation/mine/{booking.id}/complete", token_from="/interpretation/mine",
                     version=str(booking.version), hours="2")
    assert done.status_code == 302
    db.session.refresh(booking)
    assert booking.status == COMPLETED and booking.delivered_minutes == 120
    assert_no_canary(client.get("/interpretation/mine").get_data(as_text=True), "/interpretation/mine after")


def test_declining_gives_the_request_back(client, login, scene, post_form):
    login(scene["login"])
    booking = scene["booking"]
    post_form(f"/interpretation/mine/{booking.id}/decline", token_from="/interpretation/mine",
              version=str(booking.version))
    db.session.refresh(booking)
    assert booking.status == REQUESTED and booking.interpreter_id is None
    html = client.get("/interpretation/mine").get_data(as_text=True)
    assert f'id="booking-{booking.id}"' not in html


def test_an_interpreter_without_a_record_sees_an_empty_page_and_nothing_else(client, login_as, scene):
    login_as("interpreter")
    html = client.get("/interpretation/mine").get_data(as_text=True)
    assert "Rania" not in html and PLACE not in html
    assert client.get(f"/beneficiaries/{scene['person'].id}").status_code == 403


def test_the_interpreters_reads_are_audited(client, login, scene):
    login(scene["login"])
    client.get("/interpretation/mine")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "interpretation.own_list")).scalar_one()
    assert event.user_id == scene["login"].id and event.object_id == str(scene["login"].id)
