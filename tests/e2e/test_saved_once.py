"""A form that reaches the server twice (a connection that retries the request, a second press
while the page is slow) saves one note, and the page says the second was not saved."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.casefiles.models import CaseNote
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from tests.e2e.conftest import log_in_in_english
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser


@pytest.fixture
def case_file_id(live_app):
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        person = beneficiary_service.register_beneficiary(beneficiary_values(), structure=structure("KEM"),
                                                          actor=caseworker)
        db.session.commit()
        found = person.case_files[0].id
        db.session.remove()
    return found


def _notes(live_app, case_file_id) -> int:
    with live_app.app_context():
        count = db.session.execute(select(func.count()).select_from(CaseNote)
                                   .where(CaseNote.case_file_id == case_file_id)).scalar_one()
        db.session.remove()
    return count


def test_a_note_form_that_reaches_the_server_twice_adds_one_note(browser, live_server, live_app, case_file_id):
    context = browser.new_context(base_url=live_server, locale="el-GR")
    page = context.new_page()

    def sent_twice(route):
        route.fetch(max_redirects=0)            # the first sending reaches the server...
        route.fulfill(response=route.fetch(max_redirects=0))  # ...and the retry is what the browser sees

    try:
        log_in_in_english(page, "caseworker", DEMO_PASSWORD)
        page.goto(f"/cases/{case_file_id}")
        page.route("**/notes", sent_twice)
        notes = page.get_by_role("region", name="Notes")
        notes.get_by_label("New note").fill("Phoned about the appointment; no answer.")
        notes.get_by_role("button", name="Add the note").click()
        expect(page.get_by_role("status")).to_contain_text("already been sent and saved")
        expect(page.get_by_role("region", name="Notes").get_by_role("article")).to_have_count(1)
        assert _notes(live_app, case_file_id) == 1
    finally:
        context.close()


def test_back_then_send_again_adds_one_note(browser, live_server, live_app, case_file_id):
    """The back button shows the form again (a new token) with the text the browser kept."""
    context = browser.new_context(base_url=live_server, locale="el-GR")
    page = context.new_page()
    try:
        log_in_in_english(page, "caseworker", DEMO_PASSWORD)
        page.goto(f"/cases/{case_file_id}")
        notes = page.get_by_role("region", name="Notes")
        text = "Back-button test: asked about the appointment."
        notes.get_by_label("New note").fill(text)
        notes.get_by_role("button", name="Add the note").click()
        expect(page.get_by_role("status")).to_contain_text("The note has been added.")
        page.go_back()
        notes = page.get_by_role("region", name="Notes")
        if not notes.get_by_label("New note").input_value():
            notes.get_by_label("New note").fill(text)   # a browser that did not keep the text: typed again
        notes.get_by_role("button", name="Add the note").click()
        expect(page.get_by_role("status")).to_contain_text("already been sent and saved")
        expect(page.get_by_role("region", name="Notes").get_by_role("article").filter(has_text=text)).to_have_count(1)
    finally:
        context.close()
