"""Monthly plan counts per structure: what the reports will read, computed in SQL."""
from __future__ import annotations

from datetime import timedelta

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.plans import service, stats
from tests.factories import make_user, structure
from tests.plans.factories import draft_plan, make_case_file


def test_counts_submissions_decisions_overdue_reviews_and_actions_done_per_structure(db_session, count_queries):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    today = local_today()

    sent_back = draft_plan(actor=caseworker)
    service.submit(sent_back, actor=caseworker)
    service.request_changes(sent_back, actor=supervisor, comment="Dates please")
    corrected = service.revise(sent_back, actor=caseworker)
    service.submit(corrected, actor=caseworker)           # a resubmission counts again
    service.approve(corrected, actor=supervisor)
    action = corrected.actions[0]
    service.set_action_status(action, "done", actor=caseworker)
    # Revised and approved again: the done action is copied, and still counts once.
    draft = service.revise(corrected, actor=caseworker)
    service.submit(draft, actor=caseworker)
    service.approve(draft, actor=supervisor)

    waiting = draft_plan(actor=caseworker)
    service.submit(waiting, actor=caseworker)

    late = draft_plan(actor=caseworker)
    service.submit(late, actor=caseworker)
    service.approve(late, actor=supervisor)
    late.review_on = today - timedelta(days=1) if today.day > 1 else today   # due earlier this month
    db.session.flush()

    kem_caseworker = make_user("caseworker", structures=("KEM",))
    draft_plan(make_case_file("KEM", actor=kem_caseworker), actor=kem_caseworker)   # a draft counts nowhere

    with count_queries() as counted:
        counts = stats.monthly_counts(today.year, today.month)
    assert counted.n <= 3
    dis_prog = structure("DIS-PROG").id
    month = counts[dis_prog]
    assert (month.submitted, month.approved, month.changes_requested) == (5, 3, 1)
    assert month.actions_done == 1
    assert month.overdue_reviews == (1 if today.day > 1 else 0)
    assert structure("KEM").id not in counts
    assert stats.monthly_counts(today.year, today.month, structure_ids=[structure("KEM").id]) == {}
    total = stats.city_totals(counts)
    assert total.structure_id is None and total.submitted == 5


def test_a_review_is_overdue_only_when_the_plan_was_not_reviewed_by_its_date(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    first = draft_plan(actor=caseworker)
    service.submit(first, actor=caseworker)
    service.approve(first, actor=supervisor)
    draft = service.revise(first, actor=caseworker)
    service.submit(draft, actor=caseworker)
    service.approve(draft, actor=supervisor)
    last_month = local_today().replace(day=1) - timedelta(days=1)
    first.review_on = last_month.replace(day=10)
    dis_prog = structure("DIS-PROG").id

    first.ended_on = last_month.replace(day=10)          # replaced on its review date: in time
    db.session.flush()
    counts = stats.monthly_counts(last_month.year, last_month.month)
    assert dis_prog not in counts or counts[dis_prog].overdue_reviews == 0

    first.ended_on = last_month.replace(day=11)          # a day late
    db.session.flush()
    assert stats.monthly_counts(last_month.year, last_month.month)[dis_prog].overdue_reviews == 1
