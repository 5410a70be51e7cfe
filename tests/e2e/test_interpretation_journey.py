"""Interpretation in the real UI: a DIS-PROG caseworker requests an interpreter with escort for a
disability-certification appointment, a supervisor assigns one from the suggestions, and the
interpreter, on a phone-sized window, confirms and then marks it delivered with 2 hours."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.dates import local_today
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from caseapp.interpretation import languages, service
from caseapp.interpretation.models import InterpretationRequest, Interpreter
from caseapp.models_base import utcnow
from tests.e2e.conftest import assert_no_axe_violations, browser_page, choose_in_combobox, log_in_in_english
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser

# A dialect: the interpreter speaks it (exact match) besides Arabic (same family).
WANTED = ("apc", "Levantine Arabic")
PLACE = "KEPA Athinon, Vasilissis Sofias 8, 2nd floor"


@pytest.fixture
def journey(live_app):
    """A DIS-PROG person with consent to interpretation, and the demo interpreter's record."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "disprog")).scalar_one()
        person = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name="Rania", family_name="Journeyqasem", language_codes=["ar"]),
            structure=structure("DIS-PROG"), actor=caseworker)
        beneficiary_service.record_consent(person, purpose="interpretation", given=True,
                                           decided_on=local_today(), actor=caseworker)
        login = db.session.execute(select(User).where(User.username == "interpreter")).scalar_one()
        interpreter = db.session.execute(select(Interpreter).where(Interpreter.user_id == login.id)).scalar_one_or_none()
        if interpreter is None:
            service.save_interpreter(None, {"name": "Amir Haddad", "gender": "male", "phone": "+30 690 000 0101",
                                            "language_codes": sorted({"ar", WANTED[0], "fr"}), "active": True,
                                            "user": login}, actor=caseworker)
        case_file_id = person.case_files[0].id
        db.session.commit()
        db.session.remove()
    return {"case_file_id": case_file_id}


def _the_appointment_took_place(live_app, booking_id) -> None:
    """Time passes: the appointment is now two hours in the past."""
    with live_app.app_context():
        booking = db.session.get(InterpretationRequest, booking_id)
        shift = (utcnow() - timedelta(hours=2)) - booking.starts_at
        booking.starts_at += shift
        booking.busy_from += shift
        booking.busy_until += shift
        db.session.commit()
        db.session.remove()


def test_request_assign_confirm_and_deliver(browser, live_server, live_app, journey, keep_user_locales):
    day = (local_today() + timedelta(days=8)).isoformat()

    # 1. The DIS-PROG caseworker requests a Levantine Arabic interpreter with escort.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "disprog", DEMO_PASSWORD)
        page.goto(f"/cases/{journey['case_file_id']}")
        panel = page.get_by_role("region", name="Interpretation and escort")
        panel.get_by_role("link", name="Request an interpreter").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Request an interpreter")
        choose_in_combobox(page, "Language or dialect", "levant", WANTED[1])
        page.get_by_label("In person").check()
        page.get_by_label("Purpose").select_option(label="Disability certification")
        page.get_by_label("Date of the appointment").fill(day)
        page.get_by_label("Time (Athens)").fill("10:30")
        page.get_by_label("Duration (minutes)").fill("120")
        page.get_by_label("Place").fill(PLACE)
        page.get_by_label("Escort needed (accompany the person to the appointment)").check()
        assert_no_axe_violations(page, "request form")
        page.get_by_role("button", name="Request the interpreter").click()
        expect(page.get_by_role("status")).to_have_text("The interpreter has been requested.")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Interpretation request")
        expect(page.get_by_text(PLACE)).to_be_visible()
        booking_id = uuid.UUID(re.search(r"/interpretation/requests/([0-9a-f-]{36})$", page.url).group(1))
        assert "Journeyqasem" not in page.url and PLACE not in page.url

    # 2. The supervisor assigns one of the suggested interpreters.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "supervisor", DEMO_PASSWORD)
        page.get_by_role("navigation").get_by_role("link", name=re.compile("^Interpretation")).click()
        waiting = page.get_by_role("table", name="Waiting for an interpreter")
        waiting.get_by_role("row").filter(has_text=WANTED[1]).get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(rf"/interpretation/requests/{booking_id}$"))
        suggestions = page.get_by_role("table", name=re.compile("^Interpreters free at that time"))
        expect(suggestions.get_by_role("row", name=re.compile("Amir Haddad"))).to_contain_text("Same language")
        assert_no_axe_violations(page, "request page with suggestions")
        suggestions.get_by_role("button", name="Assign Amir Haddad").click()
        expect(page.get_by_role("status")).to_have_text("The interpreter has been booked.")
        expect(page.get_by_text("Interpreter assigned").first).to_be_visible()

    # 3. The interpreter, on a phone, confirms, then marks it delivered with 2 hours.
    context = browser.new_context(base_url=live_server, locale="el-GR", viewport={"width": 375, "height": 667},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in_in_english(page, "interpreter", DEMO_PASSWORD)
        page.get_by_role("navigation").get_by_role("link", name="My assignments").click()
        card = page.get_by_role("article").filter(has_text=PLACE)
        expect(card).to_contain_text("Rania")
        expect(card).to_contain_text(WANTED[1])
        expect(card).to_contain_text("Yes: accompany the person")
        expect(card).to_contain_text("Δήμητρα Ρήγα")  # the contact caseworker
        expect(card).not_to_contain_text("Journeyqasem")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_no_axe_violations(page, "interpreter's assignments on a phone")
        card.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("status")).to_have_text("The booking is confirmed.")

        _the_appointment_took_place(live_app, booking_id)
        page.reload()
        card = page.get_by_role("article").filter(has_text=PLACE)
        card.get_by_label("Hours delivered").fill("2")
        card.get_by_role("button", name="Mark as delivered").click()
        expect(page.get_by_role("status")).to_have_text("Recorded as delivered.")
        done = page.get_by_role("region", name="Delivered, no-show or cancelled").get_by_role("article").filter(
            has_text=PLACE)
        expect(done).to_contain_text("Delivered")
        expect(done).to_contain_text("2")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()

    with live_app.app_context():
        booking = db.session.get(InterpretationRequest, booking_id)
        assert (booking.status, booking.delivered_minutes, booking.escort, booking.purpose) == (
            "completed", 120, True, "disability_certification")
        db.session.remove()
