"""Action plans in the real UI: a DIS-PROG caseworker drafts a plan with two goals and three
actions and submits it; the supervisor sends it back with a comment; the caseworker makes the
changes in a new revision and resubmits; the supervisor compares and approves; the caseworker
marks an action done and prints the summary."""
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
from caseapp.plans.models import PlanAction, PlanRevision
from tests.e2e.conftest import assert_no_axe_violations, browser_page, log_in, switch_to_english
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser

COMMENT = "Add the disability allowance as a goal of its own"


@pytest.fixture
def journey(live_app):
    """A DIS-PROG person whose case file is assigned to the demo caseworker `disprog`."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "disprog")).scalar_one()
        person = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name="Jean", family_name="Journeykabila", language_codes=["fr"]),
            structure=structure("DIS-PROG"), actor=caseworker)
        case_file = person.case_files[0]
        case_file.assigned_to_id = caseworker.id
        result = {"case_file_id": case_file.id, "reference": person.reference}
        db.session.commit()
        db.session.remove()
    return result


def log_in_in_english(page, username: str, password: str) -> None:
    """Log in; switch to English unless the account already chose it (it is remembered)."""
    log_in(page, username, password)
    expect(page.get_by_role("navigation")).to_be_visible()
    if page.locator("html").get_attribute("lang") != "en":
        switch_to_english(page)


def add_action(page, text: str, responsible: str, due: str | None = None, staff: str | None = None) -> None:
    page.get_by_label("Action", exact=True).fill(text)
    page.get_by_label(responsible, exact=True).check()
    if staff:
        page.get_by_label("Member of staff", exact=True).select_option(label=staff)
    if due:
        page.get_by_label("Due date").fill(due)
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("status")).to_have_text("The action has been added.")


def test_draft_review_change_approve_progress_and_print(browser, live_server, live_app, journey, keep_user_locales):
    due = (local_today() + timedelta(days=21)).isoformat()

    # 1. The caseworker drafts two goals with three actions and submits.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "disprog", DEMO_PASSWORD)
        page.goto(f"/cases/{journey['case_file_id']}")
        panel = page.get_by_role("region", name="Individual action plan")
        panel.get_by_role("button", name="Start an action plan").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Action plan, revision 1")
        page.get_by_role("link", name="Add a goal").click()
        page.get_by_label("Area of life").select_option(label="Disability")
        page.get_by_label("Goal", exact=True).fill("Disability certificate from KEPA")
        assert_no_axe_violations(page, "goal form")
        page.get_by_role("button", name="Add the goal").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Add an action")
        assert_no_axe_violations(page, "action form")
        add_action(page, "Gather the medical reports", "A member of staff", due, staff="Δήμητρα Ρήγα")
        page.get_by_role("link", name="Add an action to this goal").click()
        add_action(page, "Interpreter and escort to the KEPA appointment", "This structure")
        page.get_by_role("link", name="Add a goal").click()
        page.get_by_label("Area of life").select_option(label="Income and benefits")
        page.get_by_label("Goal", exact=True).fill("Disability allowance")
        page.get_by_role("button", name="Add the goal").click()
        add_action(page, "Apply to OPEKA once the certificate is issued", "This structure", due)
        expect(page.locator("section.goal tbody tr")).to_have_count(3)   # two goals, three actions
        assert_no_axe_violations(page, "draft plan")
        plan_url = page.url.split("#")[0]
        first_id = uuid.UUID(re.search(r"/plans/revisions/([0-9a-f-]{36})", plan_url).group(1))
        assert "Journeykabila" not in plan_url
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_role("status")).to_have_text("The plan has been submitted for review.")

    # 2. The supervisor finds it in the queue and sends it back with a comment.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "supervisor", DEMO_PASSWORD)
        page.get_by_role("navigation").get_by_role("link", name=re.compile("^Plans to review")).click()
        queue = page.get_by_role("table", name="Waiting for your review, longest waiting first")
        row = queue.get_by_role("row").filter(has_text=journey["reference"])
        expect(row).to_contain_text("0 days")
        assert_no_axe_violations(page, "review queue")
        row.get_by_role("link").click()
        assert_no_axe_violations(page, "plan under review")
        page.get_by_label("What should change").fill(COMMENT)
        page.get_by_role("button", name="Send back for changes").click()
        expect(page.get_by_role("status")).to_have_text("The plan has been sent back with your comment.")

    # 3. The caseworker makes the changes in a new revision and resubmits.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "disprog", DEMO_PASSWORD)
        page.goto(plan_url)
        expect(page.get_by_role("region", name="History and comments of this revision")).to_contain_text(COMMENT)
        page.get_by_role("button", name="Make the requested changes (new revision)").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Action plan, revision 2")
        page.get_by_role("region", name=re.compile("Disability allowance")).get_by_role(
            "link", name="Change the goal").click()
        page.get_by_label("Goal", exact=True).fill("Disability allowance from OPEKA")
        page.get_by_role("button", name="Save the goal").click()
        expect(page.get_by_role("status")).to_have_text("The goal has been changed.")
        second_url = page.url.split("#")[0]
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_role("status")).to_have_text("The plan has been submitted for review.")

    # 4. The supervisor compares with what was sent back, and approves.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "supervisor", DEMO_PASSWORD)
        page.goto(second_url)
        page.get_by_role("link", name="Compare with an earlier revision").click()
        expect(page.get_by_text("From revision 1 to revision 2.")).to_be_visible()
        changed = page.get_by_role("region", name=re.compile("Goal changed"))
        expect(changed).to_contain_text("Disability allowance")
        expect(changed).to_contain_text("Disability allowance from OPEKA")
        expect(page.get_by_role("region")).to_have_count(1)       # exactly the one edit
        assert_no_axe_violations(page, "comparison")
        page.get_by_role("link", name="Back to the plan").click()
        page.get_by_role("button", name="Approve the plan").click()
        expect(page.get_by_role("status")).to_have_text("The plan has been approved and is now in force.")

    # 5. The caseworker marks an action done and prints the summary.
    with browser_page(browser, live_server) as page:
        log_in_in_english(page, "disprog", DEMO_PASSWORD)
        page.goto(second_url)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Action plan, revision 2")
        row = page.get_by_role("row").filter(has_text="Gather the medical reports")
        row.get_by_label("Progress of this action").select_option(label="Done")
        row.get_by_role("button", name="Record").click()
        expect(page.get_by_role("status")).to_have_text("The progress has been recorded.")
        assert_no_axe_violations(page, "approved plan")
        page.get_by_role("link", name="Printable summary in English").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My action plan")
        expect(page.get_by_role("row").filter(has_text="Gather the medical reports")).to_contain_text("Done")
        assert_no_axe_violations(page, "printable summary")
        page.emulate_media(media="print")
        expect(page.get_by_role("link", name="Back to the plan")).to_be_hidden()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")

    with live_app.app_context():
        revisions = db.session.execute(select(PlanRevision).where(PlanRevision.plan_id == select(
            PlanRevision.plan_id).where(PlanRevision.id == first_id).scalar_subquery())
            .order_by(PlanRevision.number)).scalars().all()
        assert [(r.number, r.status) for r in revisions] == [(1, "superseded"), (2, "approved")]
        done = db.session.execute(select(PlanAction.status).where(PlanAction.revision_id == revisions[1].id)
                                  .order_by(PlanAction.position)).scalars().all()
        assert "done" in done
        db.session.remove()
