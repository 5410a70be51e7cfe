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


# --- the action a referral links to belongs to the person's plan at the sending structure --------------


def _refer(client, beneficiary_id, plan_action):
    link = f"/referrals/new/{beneficiary_id}"
    return client.post(link, data={"csrf_token": csrf_token(client, link), "from_structure": structure("DIS-PROG").id,
                                   "service": service_of("KEM").id, "urgency": "routine",
                                   "reason": "Greek course for the plan", "plan_action": plan_action})


def _refused_without_a_referral(response, beneficiary_id):
    from sqlalchemy import func, select

    import html

    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "The plan action given is not one of this person's plan at your structure." in body
    assert "Greek course for the plan" in body                       # what was typed is kept
    assert 'name="plan_action" type="hidden" value=""' in body or 'name="plan_action" value=""' in body
    assert db.session.execute(select(func.count()).select_from(Referral)
                              .where(Referral.beneficiary_id == beneficiary_id)).scalar_one() == 0


def test_a_referral_cannot_link_to_an_action_of_another_persons_plan(client, login, plan):
    caseworker = plan["caseworker"]
    other = approved_plan(caseworker=caseworker, supervisor=plan["supervisor"])   # same structure, another person
    give_consent(other.plan.beneficiary, caseworker, "share_municipal")
    db.session.commit()
    login(caseworker)
    person_id = plan["revision"].plan.beneficiary_id
    _refused_without_a_referral(_refer(client, person_id, str(other.actions[0].key)), person_id)
    # Sending again (the link cleared) refers without it.
    response = _refer(client, person_id, "")
    assert response.status_code == 302
    assert db.session.query(Referral).filter_by(beneficiary_id=person_id).one().plan_action_id is None


def test_a_referral_cannot_link_to_an_action_of_another_structures_plan_for_the_same_person(client, login, plan):
    from caseapp.casefiles import service as casefile_service
    from tests.plans.factories import draft_plan

    person = plan["revision"].plan.beneficiary
    kem = make_user("caseworker", structures=("KEM",))
    kem_file = casefile_service.open_case_file(person, structure("KEM"), actor=kem)
    kem_revision = draft_plan(kem_file, actor=kem)
    db.session.commit()
    login(plan["caseworker"])
    _refused_without_a_referral(_refer(client, person.id, str(kem_revision.actions[0].key)), person.id)


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_malformed_or_unknown_plan_action_is_refused(client, login, plan, value):
    login(plan["caseworker"])
    person_id = plan["revision"].plan.beneficiary_id
    _refused_without_a_referral(_refer(client, person_id, value), person_id)


def test_the_row_id_of_an_own_action_is_no_key_and_is_refused_too(client, login, plan):
    revision = plan["revision"]
    login(plan["caseworker"])
    action = revision.actions[0]
    if action.id == action.key:
        pytest.skip("the first revision's action id equals its key")
    _refused_without_a_referral(_refer(client, revision.plan.beneficiary_id, str(action.id)),
                                revision.plan.beneficiary_id)
