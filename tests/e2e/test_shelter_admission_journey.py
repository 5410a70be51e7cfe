"""A shelter admission in the real UI: the women's shelter's caseworker admits a woman with her
two children in one step (the children registered on the same form), sees the family on the
case file and three beds taken on the occupancy page; on a phone-sized window too."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.dates import local_today
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from caseapp.stays import service
from tests.e2e.conftest import assert_no_axe_violations, browser_page, log_in_in_english
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser


@pytest.fixture
def mother(live_app):
    """A woman registered at SHELTER-W (an open case file there), not yet admitted."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "shelter")).scalar_one()
        person = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name="Amal", family_name="Journeyhaddad", sex="female"),
            structure=structure("SHELTER-W"), actor=caseworker)
        ids = {"case_file_id": person.case_files[0].id, "structure_id": structure("SHELTER-W").id,
               "before": service.occupied_beds(structure("SHELTER-W").id)}
        db.session.commit()
        db.session.remove()
    return ids


def test_a_mother_and_two_children_admitted_in_one_step(browser, live_server, mother, keep_user_locales):
    today = local_today()
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "shelter", DEMO_PASSWORD)
        page.goto(f"/cases/{mother['case_file_id']}")
        panel = page.get_by_role("region", name="Stay at the shelter")
        expect(panel).to_contain_text("Not staying at the shelter now.")
        panel.get_by_role("link", name="Admit").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Admission to the shelter")
        assert_no_axe_violations(page, "admission form")
        expect(page.get_by_label("Day of admission")).to_have_value(today.isoformat())
        first = page.get_by_role("group", name="Child 1")
        first.get_by_label("Given name").fill("Lina")
        first.get_by_label("Sex").select_option(label="Female")
        first.get_by_label("Date of birth").fill(date(today.year - 6, 3, 1).isoformat())
        second = page.get_by_role("group", name="Child 2")
        second.get_by_label("Given name").fill("Omar")
        second.get_by_label("Sex").select_option(label="Male")
        # A typo first: a birth date in the future is refused on its field, with everything kept.
        second.get_by_label("Date of birth").fill(date(today.year + 1, 1, 1).isoformat())
        page.get_by_role("button", name="Admit").click()
        expect(page.get_by_role("alert")).to_contain_text("Date of birth")
        expect(page.get_by_role("group", name="Child 1").get_by_label("Given name")).to_have_value("Lina")
        page.get_by_role("group", name="Child 2").get_by_label("Date of birth").fill(
            date(today.year - 3, 9, 12).isoformat())
        page.get_by_role("button", name="Admit").click()

        expect(page.get_by_text("Admitted: 3 beds taken.")).to_be_visible()
        expect(page.get_by_role("region", name="Stay at the shelter")).to_contain_text("Staying since")
        household = page.get_by_role("region", name="Household")
        expect(household.get_by_role("row")).to_have_count(3)  # header + two children
        expect(household).to_contain_text("Journeyhaddad Lina")
        expect(household).to_contain_text("Journeyhaddad Omar")
        expect(household).to_contain_text("Child")

        # A child's file shows the mother as her parent.
        household.get_by_role("link", name="Journeyhaddad Lina").click()
        expect(page.get_by_role("region", name="Household")).to_contain_text("Journeyhaddad Amal")
        expect(page.get_by_role("region", name="Household")).to_contain_text("Parent")

        page.get_by_role("link", name="Shelter beds").click()
        page.get_by_role("link", name=re.compile("SHELTER-W")).click()
        expect(page.locator("#occupied-today")).to_have_text(str(mother["before"] + 3))
        expect(page.get_by_role("region", name="Staying now")).to_contain_text("Journeyhaddad Omar")
        assert_no_axe_violations(page, "occupancy page")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"/cases/{mother['case_file_id']}")
        expect(page.get_by_role("link", name="Record the discharge")).to_be_visible()
