"""The food-centre desk in the real UI, keyboard only: 20 people served, half by a reference
typed the way people type it, half by a scanned card (a USB scanner types the QR payload and
presses Enter); the time per person is printed. A second meal the same day asks first."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.deliveries.models import ServiceDelivery
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from tests.e2e.conftest import assert_no_axe_violations, log_in_in_english
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser

PEOPLE = 20
PER_PERSON_LIMIT = 1.0  # seconds, from Enter to the desk ready for the next person
# The shared 2-core test machine stalls now and then (other suites run beside this one): the
# typical person must take under a second; a stalled one is allowed twice that.
STALL_LIMIT = 2.0


@pytest.fixture
def queue(live_app):
    """Twenty people known at the food centre, registered by its desk user."""
    with live_app.app_context():
        desk = db.session.execute(select(User).where(User.username == "food")).scalar_one()
        food = structure("KYADA-FOOD")
        people = [beneficiary_service.register_beneficiary(beneficiary_values(family_name=f"Deskqueue{n}"),
                                                           structure=food, actor=desk) for n in range(PEOPLE)]
        data = {"structure_id": food.id, "references": [p.reference for p in people],
                "ids": [p.id for p in people]}
        db.session.commit()
        db.session.remove()
    return data


def _meals_of(live_app, beneficiary_id) -> int:
    with live_app.app_context():
        count = db.session.execute(select(func.count()).select_from(ServiceDelivery).where(
            ServiceDelivery.beneficiary_id == beneficiary_id, ServiceDelivery.entry == "delivery",
            ServiceDelivery.reversed_at.is_(None))).scalar_one()
        db.session.remove()
    return count


def _as_typed(reference: str) -> str:
    """How people type a reference read off a paper: lower case, spaces for dashes."""
    return reference.lower().replace("-", " ")


def test_twenty_people_served_from_the_keyboard_by_reference_and_by_card(page, live_app, queue,
                                                                        keep_user_locales):
    log_in_in_english(page, "food", DEMO_PASSWORD)
    page.goto(f"/deliveries/desk/{queue['structure_id']}")
    expect(page.get_by_label("Reference or card")).to_be_focused()
    assert_no_axe_violations(page, "the desk")
    done = page.locator("#desk-done")
    timings = []
    for n, reference in enumerate(queue["references"]):
        how = "card" if n % 2 else "typed"
        page.keyboard.type(reference if how == "card" else _as_typed(reference))
        started = time.perf_counter()
        page.keyboard.press("Enter")
        expect(done).to_contain_text(reference)
        expect(page.get_by_label("Reference or card")).to_be_focused()
        elapsed = time.perf_counter() - started
        timings.append(elapsed)
        print(f"person {n + 1:2d} ({how:5s}): {elapsed * 1000:6.1f} ms")
    median = sorted(timings)[len(timings) // 2]
    print(f"median {median * 1000:.1f} ms, slowest {max(timings) * 1000:.1f} ms")
    assert median < PER_PERSON_LIMIT and max(timings) < STALL_LIMIT
    assert all(_meals_of(live_app, person) == 1 for person in queue["ids"])

    # The first person comes back: the desk asks before a second meal; Enter confirms.
    page.keyboard.type(queue["references"][0])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Already given today")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, record it again")).to_be_focused()
    assert_no_axe_violations(page, "the same-day question")
    assert _meals_of(live_app, queue["ids"][0]) == 1
    page.keyboard.press("Enter")
    expect(done).to_contain_text(queue["references"][0])
    assert _meals_of(live_app, queue["ids"][0]) == 2

    # The second one comes back too: Tab to "No, next person", Enter, nothing recorded.
    page.keyboard.type(queue["references"][1])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Already given today")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="No, next person")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Reference or card")).to_be_focused()
    assert _meals_of(live_app, queue["ids"][1]) == 1
