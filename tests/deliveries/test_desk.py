"""The desk: a reference typed or scanned + Enter records the service for today."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from caseapp.deliveries.models import ServiceDelivery
from caseapp.extensions import db
from tests.deliveries.conftest import audit_actions, people_at, service_of
from tests.factories import make_beneficiary, structure
from tests.deliveries.conftest import english_user as make_user


def _desk(code="KYADA-FOOD"):
    return f"/deliveries/desk/{structure(code).id}"


def _deliveries() -> int:
    return db.session.execute(select(func.count()).select_from(ServiceDelivery)).scalar_one()


def _errors(response) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))


def test_a_scanned_reference_records_the_service_and_the_desk_is_ready_for_the_next(client, login, desk_user,
                                                                                     post_form):
    login(desk_user)
    person = people_at("KYADA-FOOD", 1, desk_user)[0]
    meals = service_of("KYADA-FOOD", "MEALS")
    response = post_form(_desk(), reference=person.reference, service=meals.id, quantity=1)
    assert response.status_code == 302
    assert f"service={meals.id}" in response.location  # the desk remembers the service
    page = client.get(response.location).get_data(as_text=True)
    assert person.reference in page and "autofocus" in page
    assert f'<option selected value="{meals.id}"' in page
    assert _deliveries() == 1
    assert ("deliveries.record",) in [(a,) for a, _ in audit_actions()]


def test_a_reference_typed_loosely_finds_the_person(client, login, desk_user, post_form):
    login(desk_user)
    person = people_at("KYADA-FOOD", 1, desk_user)[0]
    typed = person.reference.lower().replace("-", " ")
    response = post_form(_desk(), reference=typed, service=service_of("KYADA-FOOD", "MEALS").id, quantity=1)
    assert response.status_code == 302 and _deliveries() == 1


def test_a_mistyped_reference_is_caught_by_the_check_character(client, login, desk_user, post_form):
    login(desk_user)
    person = people_at("KYADA-FOOD", 1, desk_user)[0]
    wrong = person.reference[:-1] + ("0" if person.reference[-1] != "0" else "1")
    response = post_form(_desk(), reference=wrong, service=service_of("KYADA-FOOD", "MEALS").id, quantity=1)
    assert response.status_code == 400
    assert any("mistyped" in error for error in _errors(response))
    assert wrong in response.get_data(as_text=True)  # what was typed is kept
    assert _deliveries() == 0


def test_someone_known_only_elsewhere_gets_the_same_answer_as_no_one(client, login, desk_user, post_form):
    login(desk_user)
    at_shelter = make_beneficiary("SHELTER-W")
    at_kem = make_beneficiary("KEM")
    meals = service_of("KYADA-FOOD", "MEALS").id
    answers = {tuple(_errors(post_form(_desk(), reference=p.reference, service=meals, quantity=1)))
               for p in (at_shelter, at_kem)}
    assert len(answers) == 1
    assert "No one with this reference" in next(iter(answers))[0]
    assert _deliveries() == 0


def test_a_second_delivery_the_same_day_asks_first_and_is_recorded_once_confirmed(client, login, desk_user,
                                                                                   post_form):
    login(desk_user)
    person = people_at("KYADA-FOOD", 1, desk_user)[0]
    meals = service_of("KYADA-FOOD", "MEALS").id
    post_form(_desk(), reference=person.reference, service=meals, quantity=1)
    asked = post_form(_desk(), reference=person.reference, service=meals, quantity=1)
    assert asked.status_code == 409
    page = asked.get_data(as_text=True)
    assert "Record it again?" in page and f'name="confirm" value="{person.reference}"' in page
    assert _deliveries() == 1
    confirmed = post_form(_desk(), reference=person.reference, service=meals, quantity=1, confirm=person.reference)
    assert confirmed.status_code == 302 and _deliveries() == 2


def test_another_service_the_same_day_does_not_ask(client, login, post_form):
    user = make_user("caseworker", structures=("KYADA-MARKET",))
    login(user)
    person = people_at("KYADA-MARKET", 1, user)[0]
    desk = _desk("KYADA-MARKET")
    post_form(desk, reference=person.reference, service=service_of("KYADA-MARKET", "CLOTHES").id, quantity=2)
    response = post_form(desk, reference=person.reference, service=service_of("KYADA-MARKET", "SHOES").id, quantity=1)
    assert response.status_code == 302 and _deliveries() == 2


def test_a_desk_of_another_structure_answers_404(client, login, desk_user, post_form):
    from caseapp.security.audit import AuditEvent

    login(desk_user)
    kem = structure("KEM")
    person = make_beneficiary("KEM")
    db.session.commit()
    before = len(audit_actions())
    response = client.get(_desk("KEM"))
    assert response.status_code == 404 and kem.name not in response.get_data(as_text=True)
    posted = post_form(_desk("KEM"), token_from=_desk(), reference=person.reference,
                       service=service_of("KEM", "LEGAL").id, quantity=1)
    assert posted.status_code == 404 and _deliveries() == 0
    missing = client.get(f"/deliveries/desk/{2**31 - 2}")
    assert missing.status_code == 404                     # the same answer as a structure that does not exist
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()[before:]
    assert [(e.action, e.outcome, e.object_type, e.object_id, e.user_id) for e in events[:2]] == [
        ("access.denied", "denied", "structure", str(kem.id), desk_user.id)] * 2
    assert all(e.outcome == "denied" for e in events)


def test_a_service_of_another_structure_is_refused(client, login, desk_user, post_form):
    login(desk_user)
    person = people_at("KYADA-FOOD", 1, desk_user)[0]
    response = post_form(_desk(), reference=person.reference, service=service_of("KEM", "LEGAL").id, quantity=1)
    assert response.status_code == 400 and _deliveries() == 0


def test_the_desk_takes_the_same_number_of_queries_whatever_the_data_size(client, login, desk_user, post_form,
                                                                          count_queries):
    login(desk_user)
    meals = service_of("KYADA-FOOD", "MEALS").id
    people = people_at("KYADA-FOOD", 8, desk_user)

    def serve(person) -> tuple[int, int]:
        token_page = client.get(_desk())
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page.get_data(as_text=True)).group(1)
        with count_queries() as posted:
            response = client.post(_desk(), data={"csrf_token": token, "reference": person.reference,
                                                  "service": meals, "quantity": 1})
        with count_queries() as shown:
            client.get(response.location)
        return posted.n, shown.n

    serve(people[0])  # the first request after a commit opens the test's savepoint
    small = serve(people[1])
    for person in people[2:7]:
        serve(person)
    assert serve(people[7]) == small
