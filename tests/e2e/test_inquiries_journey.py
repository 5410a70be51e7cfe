"""Asking the holders in the real UI, keyboard only: a DIS-PROG caseworker registering someone KEM
already follows asks the holders without learning who they are; KEM's caseworker finds the request
in the inbox, opens the person's profile from it and declines. Then the partner directory search."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from tests.e2e.conftest import assert_no_axe_violations, browser_page, log_in_in_english
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser


@pytest.fixture
def held_at_kem(live_app):
    """Someone KEM follows, with a birth date a registration elsewhere can meet."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        person = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name="Samira", family_name="Journeyholder", birth_date=date(1990, 4, 4)),
            structure=structure("KEM"), actor=caseworker)
        reference, person_id = person.reference, person.id
        db.session.commit()
        db.session.remove()
    return {"reference": reference, "id": person_id}


def tab_to(page, target, limit: int = 60) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused(timeout=1)


def test_ask_the_holders_then_the_holder_declines(browser, live_server, held_at_kem, keep_user_locales):
    # 1. DIS-PROG registers "Samira Journeyholder", born 4 April 1990: a record may exist elsewhere.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "disprog", DEMO_PASSWORD)
        page.goto("/beneficiaries/new")
        tab_to(page, page.get_by_label("Given name"))
        page.keyboard.type("Samira")
        page.keyboard.press("Tab")
        page.keyboard.type("Journeyholder")
        tab_to(page, page.get_by_label("Sex"))
        page.keyboard.press("Home")
        tab_to(page, page.get_by_label("Date of birth"))
        page.keyboard.type("04041990")
        page.keyboard.press("Enter")
        warning = page.get_by_role("alert")
        expect(warning).to_contain_text("A record may exist elsewhere")
        expect(warning).not_to_contain_text(held_at_kem["reference"])
        ask = page.get_by_role("button", name="Ask the structures that hold it")
        tab_to(page, ask)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
        body = page.locator("main").inner_text()
        assert "KEM" not in body and held_at_kem["reference"] not in body and "Journeyholder" not in body
        assert_no_axe_violations(page, "request sent")

    # 2. KEM's caseworker: the badge, the inbox, the request, the profile, then decline.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "caseworker", DEMO_PASSWORD)
        nav = page.get_by_role("navigation").get_by_role("link", name=re.compile("Requests from others"))
        expect(nav.locator(".badge")).to_be_visible()
        tab_to(page, nav)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Requests from other structures")
        row = page.get_by_role("row", name=re.compile(re.escape(held_at_kem["reference"])))
        expect(row).to_contain_text("DIS-PROG")
        assert_no_axe_violations(page, "requests inbox")
        tab_to(page, row.get_by_role("link"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Request from another structure")
        profile = page.get_by_role("link", name=re.compile(re.escape(held_at_kem["reference"])))
        expect(profile).to_have_attribute("href", f"/beneficiaries/{held_at_kem['id']}")
        assert_no_axe_violations(page, "request")
        reason = page.get_by_label("Why do you decline?")
        tab_to(page, reason)
        page.keyboard.press("ArrowDown")  # the first reason, "Not the same person"
        expect(reason).to_have_value("not_same_person")
        tab_to(page, page.get_by_role("button", name="Decline", exact=True))
        page.keyboard.press("Enter")
        expect(page.get_by_text("The request has been declined.")).to_be_visible()
        expect(page.get_by_role("row", name=re.compile(re.escape(held_at_kem["reference"])))).to_have_count(0)


@pytest.fixture
def held_for_a_refusal(live_app):
    """Another person KEM follows (the session's database is shared by the journeys)."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        person = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name="Leila", family_name="Refusalholder", birth_date=date(1985, 6, 6)),
            structure=structure("KEM"), actor=caseworker)
        reference = person.reference
        db.session.commit()
        db.session.remove()
    return reference


def _type_the_person(page) -> None:
    page.goto("/beneficiaries/new")
    tab_to(page, page.get_by_label("Given name"))
    page.keyboard.type("Leila")
    page.keyboard.press("Tab")
    page.keyboard.type("Refusalholder")
    tab_to(page, page.get_by_label("Date of birth"))
    page.keyboard.type("06061985")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("A record may exist elsewhere")


def test_after_a_refused_request_the_form_still_registers(browser, live_server, held_for_a_refusal,
                                                          keep_user_locales):
    """Fault: the form shown again after a refused request posted to /inquiries/send, so "Register"
    sent another request. Now it registers (after the duplicate warning and its box)."""
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "disprog", DEMO_PASSWORD)
        _type_the_person(page)
        ask = page.get_by_role("button", name="Ask the structures that hold it")
        tab_to(page, ask)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")

        # The same request again: refused, and said so, with everything typed kept.
        _type_the_person(page)
        tab_to(page, page.get_by_role("button", name="Ask the structures that hold it"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("alert")).to_contain_text("already asked about this person")
        expect(page.get_by_label("Family name")).to_have_value("Refusalholder")
        form = page.locator("form", has=page.get_by_role("button", name="Register"))
        expect(form).to_have_attribute("action", "/beneficiaries/new")
        assert_no_axe_violations(page, "request refused")

        # "Register" registers: the duplicate warning, then the box, then the profile.
        tab_to(page, page.get_by_role("button", name="Register"))
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/beneficiaries/new$"))
        expect(page.get_by_role("alert")).to_contain_text("This person may already be registered")
        box = page.get_by_label(re.compile("this is a different person"))
        tab_to(page, box)
        page.keyboard.press("Space")
        tab_to(page, page.get_by_role("button", name="Register"))
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile("Registered with reference"))).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Refusalholder")
        assert held_for_a_refusal not in page.locator("main").inner_text()


def test_a_caseworker_searches_the_partners_by_service_and_language(browser, live_server, keep_user_locales):
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "caseworker", DEMO_PASSWORD)
        page.goto("/structures/partners/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Partner organisations")
        page.get_by_label("Service").select_option(label="Interpretation and cultural mediation")
        page.get_by_label("Language").select_option(label="Bangla")
        tab_to(page, page.get_by_role("button", name="Search"))
        page.keyboard.press("Enter")
        table = page.get_by_role("table", name="Partner organisations")
        expect(table.get_by_role("row")).to_have_count(2)  # the header and METAdrasi
        expect(table).to_contain_text("METAdrasi")
        assert_no_axe_violations(page, "partner directory")
        tab_to(page, table.get_by_role("link", name="METAdrasi"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("METAdrasi")
        expect(page.get_by_role("link", name="Edit")).to_have_count(0)
        assert_no_axe_violations(page, "partner")
