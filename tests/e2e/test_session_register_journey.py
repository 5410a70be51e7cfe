"""A KEM caseworker runs a Greek class's register from the keyboard: creates the session, adds
three people by typed reference (a mistyped one is caught on the field, focus kept for the next
try), takes one off, and the count follows."""
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
from tests.e2e.conftest import assert_no_axe_violations, log_in_in_english
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser


@pytest.fixture
def class_members(live_app):
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        people = [beneficiary_service.register_beneficiary(beneficiary_values(family_name=f"Classmate{n}"),
                                                           structure=structure("KEM"), actor=caseworker)
                  for n in range(3)]
        references = [p.reference for p in people]
        db.session.commit()
        db.session.remove()
    return references


def test_a_greek_class_register_from_the_keyboard(page, live_app, class_members):
    log_in_in_english(page, "caseworker", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Services").click()
    page.get_by_role("link", name="Group sessions (KEM)").click()
    new = page.get_by_role("region", name="New session")
    new.get_by_label("Service").select_option(label=[o for o in new.get_by_label("Service").locator("option").all_inner_texts() if o.startswith("Greek language course")][0])
    new.get_by_label("Date").fill(local_today().isoformat())
    new.get_by_label("Title (optional)").fill("Greek A1, Tuesday group")
    new.get_by_label("Title (optional)").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session register: Greek language course")
    for reference in class_members:
        box = page.get_by_label("Reference or card")
        expect(box).to_be_focused()
        box.fill(reference.lower().replace("-", " "))   # typed loosely, as read off a paper
        box.press("Enter")
        expect(page.get_by_role("row", name=re.compile(reference))).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("Added to the register.")
        expect(page.get_by_label("Reference or card")).to_be_focused()
        expect(page.get_by_label("Reference or card")).to_have_value("")   # ready for the next, nothing "kept"
    page.get_by_label("Reference or card").fill("B-00-XXXXX-0")
    page.get_by_label("Reference or card").press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Reference or card")).to_be_focused()
    expect(page.get_by_role("heading", name=re.compile("Attendance: 3"))).to_be_visible()
    page.get_by_role("button", name=f"Take off the register {class_members[1]}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Attendance: 2"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(class_members[1]))).to_have_count(0)
    assert_no_axe_violations(page, "the session register")
