"""Case-file panel, corrections on screen, the card, group sessions and their register."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from caseapp.dates import local_today
from caseapp.deliveries import service
from caseapp.deliveries.models import ServiceDelivery
from caseapp.extensions import db
from tests.deliveries.conftest import audit_actions, people_at, service_of
from tests.factories import case_file_of, make_beneficiary, structure
from tests.deliveries.conftest import english_user as make_user


@pytest.fixture
def kem(db_session):
    return make_user("caseworker", structures=("KEM",))


def _in_force() -> int:
    return db.session.execute(select(func.count()).select_from(ServiceDelivery).where(
        ServiceDelivery.entry == "delivery", ServiceDelivery.reversed_at.is_(None))).scalar_one()


def test_a_service_recorded_from_the_case_file_shows_on_it(client, login, kem, post_form):
    login(kem)
    case_file = case_file_of(make_beneficiary("KEM", actor=kem))
    legal = service_of("KEM", "LEGAL")
    response = post_form(f"/deliveries/cases/{case_file.id}/new", service=legal.id,
                         delivered_on=local_today().isoformat(), quantity=1, note="Asylum appeal")
    assert response.status_code == 302
    page = client.get(f"/cases/{case_file.id}").get_data(as_text=True)
    assert "Legal counselling" in page or "Νομική συμβουλευτική" in page
    assert "Asylum appeal" not in page  # the note is shown only where it is edited


def test_a_bad_date_is_shown_on_its_field_with_everything_typed(client, login, kem, post_form):
    login(kem)
    case_file = case_file_of(make_beneficiary("KEM", actor=kem))
    response = post_form(f"/deliveries/cases/{case_file.id}/new", service=service_of("KEM", "LEGAL").id,
                         delivered_on="31/02/2026", quantity=1, note="keep me")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "keep me" in page and 'aria-invalid="true"' in page


def test_a_correction_on_screen_keeps_both_entries_and_a_stale_one_is_refused(client, login, kem, post_form):
    login(kem)
    case_file = case_file_of(make_beneficiary("KEM", actor=kem))
    legal = service_of("KEM", "LEGAL")
    original = service.record_delivery(case_file, legal, on=local_today(), quantity=1, actor=kem)
    db.session.commit()
    path = f"/deliveries/{original.id}/correct"
    response = post_form(path, service=legal.id, delivered_on=local_today().isoformat(), quantity=2,
                         version=original.version)
    assert response.status_code == 302
    stale = post_form(path, token_from="/deliveries/", service=legal.id, delivered_on=local_today().isoformat(),
                      quantity=3, version=1)
    assert stale.status_code == 302  # already corrected: told so, nothing saved
    assert _in_force() == 1
    actions = [a for a, _ in audit_actions()]
    assert "deliveries.reverse" in actions and "deliveries.correct" in actions


def test_another_structures_delivery_answers_404(client, login, kem):
    shelter = make_user("caseworker", structures=("SHELTER-W",))
    case_file = case_file_of(make_beneficiary("SHELTER-W", actor=shelter), "SHELTER-W")
    delivery = service.record_delivery(case_file, service_of("SHELTER-W", "MEALS"), on=local_today(), quantity=1,
                                       actor=shelter)
    db.session.commit()
    login(kem)
    assert client.get(f"/deliveries/{delivery.id}/correct").status_code == 404


def test_the_card_shows_the_reference_as_a_qr_code_and_nothing_identifying(client, login, kem):
    login(kem)
    person = make_beneficiary("KEM", actor=kem, given_name="Leyla", family_name="Cardholder")
    page = client.get(f"/deliveries/card/{person.id}").get_data(as_text=True)
    card = page[page.index('class="beneficiary-card"'):]
    card = card[:card.index("</div>\n<p")]
    assert "<svg" in card and person.reference in card
    assert "Leyla" not in card and "Cardholder" not in card and "KEM" not in card
    assert ("deliveries.card", str(person.id)) in audit_actions(person.id)


def test_the_card_of_someone_not_held_here_answers_404(client, login, kem):
    login(kem)
    other = make_beneficiary("SHELTER-W")
    assert client.get(f"/deliveries/card/{other.id}").status_code == 404


def test_the_card_holds_a_decodable_qr_of_the_reference(kem):
    import segno

    person = make_beneficiary("KEM", actor=kem)
    qr = segno.make(person.reference, error="m")
    assert qr.designator  # segno encodes the reference as a QR code (no payload but the reference)


def _new_session(post_form, code="KEM"):
    response = post_form(f"/deliveries/sessions/{structure(code).id}", service=service_of(code, "COURSE_GREEK").id,
                         held_on=local_today().isoformat(), title="Greek A1")
    assert response.status_code == 302
    return response.location


def test_a_group_session_registers_many_people_each_counted_once(client, login, kem, post_form):
    from caseapp.deliveries import stats

    login(kem)
    register = _new_session(post_form)
    people = people_at("KEM", 3, kem)
    for person in people:
        assert post_form(register + "/add", token_from=register, reference=person.reference).status_code == 302
    again = post_form(register + "/add", token_from=register, reference=people[0].reference)
    assert again.status_code == 400 and "already on the register" in again.get_data(as_text=True)
    page = client.get(register).get_data(as_text=True)
    assert all(p.reference in page for p in people)
    today = local_today()
    month = stats.monthly_counts(today.year, today.month)[structure("KEM").id]
    assert (month.people_served, month.by_service["COURSE_GREEK"].deliveries, month.group_sessions) == (3, 3, 1)


def test_taking_someone_off_the_register_reverses_their_attendance(client, login, kem, post_form):
    login(kem)
    register = _new_session(post_form)
    person = people_at("KEM", 1, kem)[0]
    post_form(register + "/add", token_from=register, reference=person.reference)
    delivery = db.session.execute(select(ServiceDelivery)).scalar_one()
    response = post_form(f"{register}/remove/{delivery.id}", token_from=register, version=delivery.version)
    assert response.status_code == 302
    assert person.reference not in client.get(register).get_data(as_text=True)
    assert _in_force() == 0


def test_an_attendee_of_another_session_answers_404_and_the_attempt_is_audited(client, login, kem, post_form):
    from caseapp.security.audit import AuditEvent

    login(kem)
    first, second = _new_session(post_form), _new_session(post_form)
    person = people_at("KEM", 1, kem)[0]
    post_form(first + "/add", token_from=first, reference=person.reference)
    delivery = db.session.execute(select(ServiceDelivery)).scalar_one()
    response = post_form(f"{second}/remove/{delivery.id}", token_from=second, version=delivery.version)
    assert response.status_code == 404
    denied = db.session.execute(select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id)
                                .where(AuditEvent.outcome == "denied")).all()
    assert [tuple(d) for d in denied] == [("access.denied", "delivery", str(delivery.id))]
    assert person.reference in client.get(first).get_data(as_text=True) and _in_force() == 1


def test_the_register_takes_the_same_number_of_queries_whatever_its_size(client, login, kem, post_form,
                                                                         count_queries):
    login(kem)
    register = _new_session(post_form)
    people = people_at("KEM", 12, kem)
    for person in people[:2]:
        post_form(register + "/add", token_from=register, reference=person.reference)
    client.get(register)
    with count_queries() as small:
        client.get(register)
    for person in people[2:]:
        post_form(register + "/add", token_from=register, reference=person.reference)
    client.get(register)
    with count_queries() as large:
        assert client.get(register).status_code == 200
    assert small.n == large.n


def test_a_session_of_another_structure_answers_404(client, login, kem, post_form):
    login(kem)
    register = _new_session(post_form)
    post_form("/logout", token_from="/deliveries/")
    login(make_user("caseworker", structures=("KYADA-FOOD",)))
    assert client.get(register).status_code == 404


def test_the_case_file_panel_takes_the_same_number_of_queries_whatever_the_deliveries(client, login, kem,
                                                                                      count_queries):
    login(kem)
    case_file = case_file_of(make_beneficiary("KEM", actor=kem))
    legal = service_of("KEM", "LEGAL")
    service.record_delivery(case_file, legal, on=local_today(), quantity=1, actor=kem)
    db.session.commit()
    client.get(f"/cases/{case_file.id}")
    with count_queries() as small:
        client.get(f"/cases/{case_file.id}")
    for _ in range(12):
        service.record_delivery(case_file, legal, on=local_today(), quantity=1, actor=kem)
    db.session.commit()
    client.get(f"/cases/{case_file.id}")
    with count_queries() as large:
        client.get(f"/cases/{case_file.id}")
    assert small.n == large.n


def test_staff_without_the_permission_do_not_reach_the_desk(client, login):
    login(make_user("coordinator"))
    assert client.get("/deliveries/").status_code == 403
    assert re.search("deliveries", client.get("/").get_data(as_text=True)) is None
