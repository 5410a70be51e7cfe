"""Plan screens driven through the real pages: drafting, review, conflicts, refusals, comparison,
progress, printing, the queue and the flags, with a fixed number of queries."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.plans import service
from caseapp.plans.models import APPROVED, CHANGES_REQUESTED, DRAFT, SUBMITTED, PlanAction, PlanRevision
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.plans.factories import ACTION_TEXT, GOAL_TEXT, add_action, add_goal, approved_plan, draft_plan, make_case_file


@pytest.fixture
def login(client, login):
    """Log in as `user`, logging out whoever was logged in before (one browser, turns at the desk)."""

    def _switch(user):
        page = client.get("/")
        if page.status_code == 200:
            client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        return login(user)

    return _switch


@pytest.fixture
def team(db_session):
    """DIS-PROG staff (and a KEM supervisor), with English pages (the source strings)."""
    return {"caseworker": make_user("caseworker", structures=("DIS-PROG",), locale="en"),
            "supervisor": make_user("supervisor", structures=("DIS-PROG",), locale="en"),
            "second_supervisor": make_user("supervisor", structures=("DIS-PROG",), locale="en"),
            "kem_supervisor": make_user("supervisor", structures=("KEM",), locale="en")}


def post(client, path, token_from, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **fields})


def version_on(page: str, action: str) -> str:
    form = page.split(f'action="{action}"', 1)[1]
    return re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)


def audit_actions(**where):
    stmt = select(AuditEvent.action)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, name) == value)
    return db.session.execute(stmt.order_by(AuditEvent.id)).scalars().all()


def test_a_caseworker_starts_a_plan_from_the_case_file_and_drafts_goals_and_actions(client, login, team):
    case_file = make_case_file(actor=team["caseworker"])
    login(team["caseworker"])
    case_url = f"/cases/{case_file.id}"
    assert "Start an action plan" in client.get(case_url).get_data(as_text=True)
    response = post(client, f"/plans/cases/{case_file.id}/start", case_url)
    assert response.status_code == 302
    revision_url = response.headers["Location"]
    revision_id = revision_url.rsplit("/", 1)[1]
    page = client.get(f"/plans/revisions/{revision_id}/goals/new").get_data(as_text=True)
    response = client.post(f"/plans/revisions/{revision_id}/goals/new", data={
        "csrf_token": csrf_token(client, f"/plans/revisions/{revision_id}/goals/new"), "domain": "disability",
        "title": "Disability certificate", "version": version_on(page, f"/plans/revisions/{revision_id}/goals/new")})
    assert response.status_code == 302
    new_action_url = response.headers["Location"]
    page = client.get(new_action_url).get_data(as_text=True)
    due = (local_today() + timedelta(days=20)).isoformat()
    response = client.post(new_action_url, data={
        "csrf_token": csrf_token(client, new_action_url), "description": "Book the KEPA appointment",
        "responsible_kind": "user", "responsible_user": str(team["caseworker"].id), "due_on": due,
        "version": version_on(page, new_action_url)})
    assert response.status_code == 302, response.get_data(as_text=True)
    shown = client.get(f"/plans/revisions/{revision_id}").get_data(as_text=True)
    assert "Disability certificate" in shown and "Book the KEPA appointment" in shown
    assert team["caseworker"].display_name in shown


def test_an_action_without_description_or_responsible_is_shown_again_with_what_was_typed(client, login, team):
    revision = draft_plan(actor=team["caseworker"])
    goal = revision.goals[0]
    db.session.commit()
    login(team["caseworker"])
    url = f"/plans/goals/{goal.id}/actions/new"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "description": "Call the KEPA office",
                                      "responsible_kind": "other_structure", "responsible_structure": "",
                                      "due_on": "not a date", "version": str(revision.version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Call the KEPA office" in page and 'class="error-summary"' in page
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "description": "Call the KEPA office",
                                      "responsible_kind": "other_structure", "responsible_structure": "",
                                      "version": str(revision.version)})
    assert response.status_code == 400
    assert "Choose the other structure responsible." in response.get_data(as_text=True)


def test_submit_request_changes_resubmit_and_approve_through_the_pages(client, login, team):
    revision = draft_plan(actor=team["caseworker"], goals=2)
    db.session.commit()
    url = f"/plans/revisions/{revision.id}"
    login(team["caseworker"])
    page = client.get(url).get_data(as_text=True)
    assert post(client, f"{url}/submit", url, version=version_on(page, f"{url}/submit")).status_code == 302
    assert db.session.get(PlanRevision, revision.id).status == SUBMITTED

    login(team["supervisor"])
    queue = client.get("/plans/").get_data(as_text=True)
    assert revision.plan.beneficiary.reference in queue
    page = client.get(url).get_data(as_text=True)
    changes = f"{url}/review/request_changes"
    response = post(client, changes, url, version=version_on(page, changes), comment="")
    assert response.status_code == 400
    assert "the comment is required" in response.get_data(as_text=True)
    response = post(client, changes, url, version=version_on(page, changes), comment="Add the allowance goal")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanRevision, revision.id).status == CHANGES_REQUESTED

    login(team["caseworker"])
    page = client.get(url).get_data(as_text=True)
    assert "Add the allowance goal" in page          # the comment stays with the revision
    assert "Add a goal" not in page                  # what was reviewed is frozen
    response = post(client, f"{url}/revise", url, version=version_on(page, f"{url}/revise"))
    assert response.status_code == 302
    url = response.headers["Location"]
    second = db.session.get(PlanRevision, __import__("uuid").UUID(url.rsplit("/", 1)[1]))
    assert second.number == 2 and second.status == DRAFT
    add_goal(second, team["caseworker"], title="Disability allowance", domain="income")
    add_action(second.goals[-1], team["caseworker"], text="Apply at OPEKA")
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert post(client, f"{url}/submit", url, version=version_on(page, f"{url}/submit")).status_code == 302

    login(team["supervisor"])
    compared = client.get(f"{url}/compare").get_data(as_text=True)
    assert "From revision 1 to revision 2." in compared and "Goal added:" in compared
    assert "Disability allowance" in compared and "Apply at OPEKA" in compared and "Goal removed:" not in compared
    first = db.session.get(PlanRevision, revision.id)
    assert first.status == "superseded" and [e.comment for e in first.events if e.comment] == ["Add the allowance goal"]
    revision = second
    page = client.get(url).get_data(as_text=True)
    approve = f"{url}/review/approve"
    review_on = (local_today() + timedelta(days=60)).isoformat()
    response = post(client, approve, url, version=version_on(page, approve), review_on=review_on)
    assert response.status_code == 302
    db.session.expire_all()
    approved = db.session.get(PlanRevision, revision.id)
    assert approved.status == APPROVED and approved.review_on.isoformat() == review_on
    first_steps = audit_actions(object_id=str(first.id))
    second_steps = audit_actions(object_id=str(second.id))
    for step in ("plans.start", "plans.submit", "plans.request_changes"):
        assert step in first_steps
    for step in ("plans.revise", "plans.submit", "plans.approve"):
        assert step in second_steps


def test_two_supervisors_deciding_at_once_one_wins_the_other_is_told(client, login, team):
    revision = draft_plan(actor=team["caseworker"])
    service.submit(revision, actor=team["caseworker"])
    db.session.commit()
    url = f"/plans/revisions/{revision.id}"
    login(team["supervisor"])
    first_page = client.get(url).get_data(as_text=True)
    login(team["second_supervisor"])
    second_page = client.get(url).get_data(as_text=True)
    # Both loaded the same version; the second supervisor sends back first...
    changes = f"{url}/review/request_changes"
    assert post(client, changes, url, version=version_on(second_page, changes),
                comment="The dates are missing").status_code == 302
    # ...then the first one, still looking at the old page, approves.
    login(team["supervisor"])
    approve = f"{url}/review/approve"
    response = post(client, approve, url, version=version_on(first_page, approve))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this plan at the same time" in page
    db.session.expire_all()
    assert db.session.get(PlanRevision, revision.id).status == CHANGES_REQUESTED


def test_a_supervisor_of_another_structure_gets_404_and_the_attempt_is_audited(client, login, team):
    revision = draft_plan(actor=team["caseworker"])
    service.submit(revision, actor=team["caseworker"])
    db.session.commit()
    login(team["kem_supervisor"])
    url = f"/plans/revisions/{revision.id}"
    assert client.get(url).status_code == 404
    assert post(client, f"{url}/review/approve", "/plans/", version=str(revision.version)).status_code == 404
    denied = db.session.execute(select(AuditEvent).where(AuditEvent.action == "access.denied",
                                                         AuditEvent.object_id == str(revision.id))).scalars().all()
    assert len(denied) == 2 and all(e.outcome == "denied" for e in denied)
    db.session.expire_all()
    assert db.session.get(PlanRevision, revision.id).status == SUBMITTED
    assert revision.plan.beneficiary.reference not in client.get("/plans/").get_data(as_text=True)


def test_a_caseworker_cannot_approve_and_an_author_supervisor_is_refused_403(client, login, team):
    revision = draft_plan(actor=team["supervisor"])
    service.submit(revision, actor=team["supervisor"])
    db.session.commit()
    url = f"/plans/revisions/{revision.id}"
    login(team["caseworker"])
    assert post(client, f"{url}/review/approve", url, version=str(revision.version)).status_code == 403
    login(team["supervisor"])
    page = client.get(url).get_data(as_text=True)
    assert "another supervisor reviews it" in page and "Approve the plan" not in page
    assert post(client, f"{url}/review/approve", url, version=str(revision.version)).status_code == 403
    db.session.expire_all()
    assert db.session.get(PlanRevision, revision.id).status == SUBMITTED


def test_editing_an_approved_plan_keeps_it_in_force_and_the_comparison_shows_exactly_the_edits(client, login, team):
    approved = approved_plan(caseworker=team["caseworker"], supervisor=team["supervisor"], goals=2, actions=2)
    before = {(a.key, a.description, a.due_on) for a in approved.actions}
    db.session.commit()
    url = f"/plans/revisions/{approved.id}"
    login(team["caseworker"])
    page = client.get(url).get_data(as_text=True)
    response = post(client, f"{url}/revise", url, version=version_on(page, f"{url}/revise"))
    assert response.status_code == 302
    draft = db.session.execute(select(PlanRevision).where(PlanRevision.plan_id == approved.plan_id,
                                                          PlanRevision.status == DRAFT)).scalar_one()
    assert draft.number == 2
    # Edits: one action reworded, one goal removed, one goal added with an action.
    service.update_action(draft.goals[0].actions[0], {"description": "Book KEPA for March", "responsible_kind": "structure"},
                          __import__("caseapp.plans.queries", fromlist=["x"]).responsible_options(draft.structure_id),
                          actor=team["caseworker"])
    service.remove_goal(draft.goals[1], actor=team["caseworker"])
    goal = add_goal(draft, team["caseworker"], title="Greek lessons", domain="education")
    add_action(goal, team["caseworker"], text="Enrol at the KEM course")
    db.session.commit()

    db.session.expire_all()
    still = db.session.get(PlanRevision, approved.id)
    assert still.status == APPROVED
    assert {(a.key, a.description, a.due_on) for a in still.actions} == before
    case_panel = client.get(f"/cases/{still.plan.case_file_id}").get_data(as_text=True)
    assert "Plan in force: revision 1" in case_panel

    compared = client.get(f"/plans/revisions/{draft.id}/compare").get_data(as_text=True)
    assert "Goal added:" in compared and "Greek lessons" in compared and "Enrol at the KEM course" in compared
    assert "Goal removed:" in compared and f"{GOAL_TEXT} 2" in compared
    assert "Action changed:" in compared and "Book KEPA for March" in compared
    assert f"{ACTION_TEXT} 1.1" in compared                # the old wording, shown as before
    assert f"{ACTION_TEXT} 1.2" not in compared            # untouched: not listed
    assert compared.count("Action changed:") == 1 and compared.count("Goal changed:") == 0


def test_progress_is_recorded_on_the_approved_revision_audited_and_on_the_timeline(client, login, team):
    approved = approved_plan(caseworker=team["caseworker"], supervisor=team["supervisor"])
    action = approved.actions[0]
    db.session.commit()
    shown_version = str(action.version)
    login(team["caseworker"])
    url = f"/plans/revisions/{approved.id}"
    response = post(client, f"/plans/actions/{action.id}/progress", url, status="done", version=shown_version)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(PlanAction, action.id)
    assert stored.status == "done" and stored.done_on == local_today()
    assert db.session.get(PlanRevision, approved.id).status == APPROVED
    assert "plans.action_progress" in audit_actions(object_id=str(action.id))
    assert "Action plan: progress recorded" in client.get(f"/cases/{approved.plan.case_file_id}").get_data(as_text=True)
    # A stale page (the old version) is refused, not applied over the newer status.
    response = post(client, f"/plans/actions/{action.id}/progress", url, status="dropped", version=shown_version)
    assert "Someone else changed this plan at the same time" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status == "done"


def test_the_printable_summary_in_greek_and_english_has_plain_words_and_no_codes(client, login, team):
    approved = approved_plan(caseworker=team["caseworker"], supervisor=team["supervisor"])
    db.session.commit()
    login(team["caseworker"])
    english = client.get(f"/plans/revisions/{approved.id}/summary?lang=en").get_data(as_text=True)
    greek = client.get(f"/plans/revisions/{approved.id}/summary?lang=el").get_data(as_text=True)
    assert "My action plan" in english and "What we will do" in english and GOAL_TEXT in english
    assert '<html lang="el">' in greek and "My action plan" not in greek and GOAL_TEXT in greek
    assert "To do" in english and "Disability" in english           # words, not the codes behind them
    for page in (english, greek):
        body = page.split("<body>", 1)[1]
        assert ">todo<" not in body and ">disability<" not in body and "DIS-PROG" not in body
    assert "plan-summary.css" in english
    assert "plans.print" in audit_actions(object_id=str(approved.id))


def test_overdue_actions_and_reviews_are_flagged_on_the_case_file_home_and_queue(client, login, team):
    approved = approved_plan(caseworker=team["caseworker"], supervisor=team["supervisor"])
    approved.actions[0].due_on = local_today() - timedelta(days=3)
    approved.review_on = local_today() - timedelta(days=1)
    approved.plan.case_file.assigned_to_id = team["caseworker"].id
    db.session.commit()
    login(team["caseworker"])
    case_page = client.get(f"/cases/{approved.plan.case_file_id}").get_data(as_text=True)
    assert "1 action overdue" in case_page and "Overdue" in case_page
    home = client.get("/").get_data(as_text=True)
    assert "Action plans that need you" in home and "Review date passed" in home and "1 action overdue" in home
    login(team["supervisor"])
    queue = client.get("/plans/").get_data(as_text=True)
    overdue_section = queue.split("Plans whose review date has passed", 1)[1]
    assert approved.plan.beneficiary.reference in overdue_section


def test_the_queue_lists_the_longest_waiting_first_with_the_waiting_time(client, login, team):
    older = draft_plan(actor=team["caseworker"])
    newer = draft_plan(actor=team["caseworker"])
    service.submit(newer, actor=team["caseworker"])
    service.submit(older, actor=team["caseworker"])
    older.submitted_at = older.submitted_at - timedelta(days=4)
    db.session.commit()
    login(team["supervisor"])
    queue = client.get("/plans/").get_data(as_text=True)
    assert queue.index(older.plan.beneficiary.reference) < queue.index(newer.plan.beneficiary.reference)
    assert "4 days" in queue and "0 days" in queue
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "plans.queue")).scalars().all()[-1]
    assert event.outcome == "ok"


def queries_for(client, count_queries, url) -> int:
    client.get(url)
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200, url
    return counted.n


def test_the_queue_and_the_plan_page_take_the_same_number_of_queries_whatever_the_size(client, login, count_queries,
                                                                                       team):
    small = draft_plan(actor=team["caseworker"], goals=1, actions=1)
    service.submit(small, actor=team["caseworker"])
    big = draft_plan(actor=team["caseworker"], goals=4, actions=3)
    service.submit(big, actor=team["caseworker"])
    db.session.commit()
    login(team["supervisor"])
    client.get("/")
    urls = ["/plans/", f"/plans/revisions/{{id}}", f"/plans/revisions/{{id}}/compare",
            f"/plans/revisions/{{id}}/summary?lang=en"]
    counts_small = [queries_for(client, count_queries, u.format(id=small.id)) for u in urls]
    for _ in range(6):
        extra = draft_plan(actor=team["caseworker"])
        service.submit(extra, actor=team["caseworker"])
    db.session.commit()
    client.get("/")
    counts_big = [queries_for(client, count_queries, u.format(id=big.id)) for u in urls]
    assert counts_small == counts_big
