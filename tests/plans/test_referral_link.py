"""Actions link referrals: "make a referral for this action" opens the referral form pre-filled,
and the referrals made for an action show on the plan, in every later revision too."""
from __future__ import annotations

import pytest

from caseapp.extensions import db
from caseapp.plans import service
from caseapp.referrals.models import Referral
from tests.conftest import csrf_token
from tests.factories import make_user, structure
from tests.plans.factories import approved_plan
from tests.referrals.factories import give_consent, service_of


@pytest.fixture
def plan(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",), locale="en")
    supervisor = make_user("supervisor", structures=("DIS-PROG",), locale="en")
    revision = approved_plan(caseworker=caseworker, supervisor=supervisor)
    give_consent(revision.plan.beneficiary, caseworker, "share_municipal")
    db.session.commit()
    return {"revision": revision, "caseworker": caseworker, "supervisor": supervisor}


def test_make_a_referral_for_an_action_then_see_it_on_the_plan(client, login, plan):
    revision, caseworker = plan["revision"], plan["caseworker"]
    action = revision.actions[0]
    login(caseworker)
    page = client.get(f"/plans/revisions/{revision.id}").get_data(as_text=True)
    link = f"/referrals/new/{revision.plan.beneficiary_id}?plan_action={action.key}"
    assert f'href="{link}"' in page and "Make a referral for this action" in page
    form = client.get(link).get_data(as_text=True)
    assert str(action.key) in form                                   # pre-filled
    wanted = service_of("KEM")
    response = client.post(link, data={"csrf_token": csrf_token(client, link), "from_structure": structure("DIS-PROG").id,
                                       "service": wanted.id, "urgency": "routine", "reason": "Greek course for the plan",
                                       "plan_action": str(action.key)})
    assert response.status_code == 302, response.get_data(as_text=True)
    referral = db.session.query(Referral).filter_by(plan_action_id=action.key).one()
    page = client.get(f"/plans/revisions/{revision.id}").get_data(as_text=True)
    assert f'href="/referrals/{referral.id}"' in page and "KEM: " in page

    # Changed and approved again: the referral follows the action into the new revision.
    draft = service.revise(revision, actor=caseworker)
    service.submit(draft, actor=caseworker)
    service.approve(draft, actor=plan["supervisor"])
    db.session.commit()
    page = client.get(f"/plans/revisions/{draft.id}").get_data(as_text=True)
    assert f'href="/referrals/{referral.id}"' in page


def test_no_referral_link_on_a_revision_still_being_prepared(client, login, plan):
    revision = plan["revision"]
    login(plan["caseworker"])
    draft = service.revise(revision, actor=plan["caseworker"])
    db.session.commit()
    assert "Make a referral for this action" not in client.get(f"/plans/revisions/{draft.id}").get_data(as_text=True)
