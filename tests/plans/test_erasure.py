"""A person's erasure reaches their plan: texts unreadable, pages gone, counts kept."""
from __future__ import annotations

from caseapp.beneficiaries.erasure import erase_beneficiary
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.plans import stats
from caseapp.plans.models import PlanGoal
from tests.factories import make_user, structure
from tests.plans.factories import approved_plan


def test_an_erased_persons_plan_is_unreadable_gone_from_pages_and_still_counted(client, login, db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    revision = approved_plan(caseworker=caseworker, supervisor=supervisor)
    goal_id = revision.goals[0].id
    today = local_today()
    before = stats.monthly_counts(today.year, today.month)[structure("DIS-PROG").id]
    erase_beneficiary(revision.plan.beneficiary, actor=make_user("admin"))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(PlanGoal, goal_id).title is None
    login(supervisor)
    assert client.get(f"/plans/revisions/{revision.id}").status_code == 404
    assert client.get("/plans/").status_code == 200
    after = stats.monthly_counts(today.year, today.month)[structure("DIS-PROG").id]
    assert (after.submitted, after.approved) == (before.submitted, before.approved)
