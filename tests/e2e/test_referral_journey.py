"""Referrals in the real UI, keyboard only: a KEM caseworker refers a woman to the women's shelter,
the shelter's caseworker accepts it from the inbox, and the KEM caseworker sees it accepted on the
case file's timeline."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.dates import local_today
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from tests.e2e.conftest import assert_no_axe_violations, browser_page, log_in, log_in_in_english
from tests.e2e.test_beneficiary_journey import tab_until
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser

WANTED_SERVICE = "Shelter stay (night) (SHELTER-W)"
REASON = "Threatened at home tonight; needs a safe place with her daughter."


@pytest.fixture
def journey(live_app):
    """A woman followed at KEM, with consent to sharing with municipal structures."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        person = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name="Samira", family_name="Journeyrefer", sex="female"),
            structure=structure("KEM"), actor=caseworker)
        beneficiary_service.record_consent(person, purpose="share_municipal", given=True,
                                           decided_on=local_today(), actor=caseworker)
        journey = {"case_file_id": person.case_files[0].id, "reference": person.reference}
        db.session.commit()
        db.session.remove()
    return journey


def _choose_with_arrows(page, select, label: str, limit: int = 200) -> None:
    """Move a focused native select to the option `label` with the arrow keys."""
    for _ in range(limit):
        if select.evaluate("s => s.options[s.selectedIndex].text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label!r} not reached with the keyboard")


def test_refer_to_the_shelter_accept_from_the_inbox_and_see_it_on_the_timeline(
        browser, live_server, journey, keep_user_locales):
    # 1. The KEM caseworker refers the woman to the women's shelter, with the keyboard only.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "caseworker", DEMO_PASSWORD)
        page.goto(f"/cases/{journey['case_file_id']}")
        refer = page.get_by_role("region", name="Referrals").get_by_role("link", name="Refer")
        tab_until(page, refer)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Refer a person")
        assert_no_axe_violations(page, "refer form")
        service = page.get_by_label("Service requested")
        tab_until(page, service)
        _choose_with_arrows(page, service, WANTED_SERVICE)
        tab_until(page, page.get_by_label("Reason for the referral"))
        page.keyboard.type(REASON)
        tab_until(page, page.get_by_role("button", name="Send the referral"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("The referral has been sent.")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Referral")
        expect(page.locator("dl.inline-summary")).to_contain_text("Waiting for an answer")

    # 2. The shelter's caseworker finds it in the inbox and accepts it.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "shelter", DEMO_PASSWORD)
        nav = page.get_by_role("navigation").get_by_role("link", name=re.compile("^Referrals"))
        expect(nav).to_contain_text("1")  # the count of referrals waiting for an answer
        tab_until(page, nav)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Referrals received")
        assert_no_axe_violations(page, "inbox")
        row_link = page.get_by_role("link", name=journey["reference"])
        tab_until(page, row_link)
        page.keyboard.press("Enter")
        expect(page.get_by_text(REASON)).to_be_visible()
        expect(page.get_by_text("Journeyrefer")).to_have_count(0)  # only the minimum before accepting
        assert_no_axe_violations(page, "referral before acceptance")
        accept = page.get_by_role("button", name="Accept", exact=True)
        tab_until(page, accept, limit=80)
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("The referral has been accepted.")
        expect(page.get_by_role("link", name="Your case file on this person")).to_be_visible()

    # 3. The KEM caseworker sees the acceptance on the case file's timeline (English is remembered).
    with browser_page(browser, live_server) as page:
        log_in(page, "caseworker", DEMO_PASSWORD)
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        page.goto(f"/cases/{journey['case_file_id']}")
        timeline = page.get_by_role("table", name="Everything that happened to this case file, newest first")
        expect(timeline.get_by_role("row").nth(1)).to_contain_text("Referral accepted")
        expect(timeline).to_contain_text("SHELTER-W")
