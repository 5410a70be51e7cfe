"""What other domains build on: the refer link with its pre-fill, referrals per plan action, and the
people each referral page records in the audit log."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from caseapp.extensions import db
from caseapp.referrals import queries
from caseapp.referrals.models import Referral
from caseapp.security.audit import AuditEvent
from caseapp.security.audit_subjects import AuditEventSubject
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_user, structure
from tests.referrals.factories import make_referral, person_at, service_of


def test_a_referral_made_from_a_plan_action_keeps_its_link(client, login, db_session):
    from flask import url_for

    kem = make_user("caseworker", structures=("KEM",))
    person = person_at("KEM", actor=kem)
    from tests.plans.factories import draft_plan

    action_id = draft_plan(case_file_of(person, "KEM"), actor=kem).actions[0].key   # an action of the person's plan
    wanted = service_of("DIS-PROG", "DISABILITY_CERT")
    db.session.commit()
    login(kem)
    with client.application.test_request_context():
        url = url_for("referrals.new", beneficiary_id=person.id, service=wanted.id, plan_action=action_id)
    html = client.get(url).get_data(as_text=True)
    assert str(action_id) in html
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "from_structure": structure("KEM").id,
                                      "service": wanted.id, "urgency": "routine", "reason": "Plan step 2.",
                                      "plan_action": str(action_id)})
    assert response.status_code == 302
    referral = db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).scalar_one()
    assert referral.plan_action_id == action_id


def test_referrals_for_plan_actions_are_scoped_to_what_the_user_sees(db_session):
    kem = make_user("caseworker", structures=("KEM",))
    outsider = make_user("caseworker", structures=("GBV-CC",))
    action_id, other_action = uuid.uuid4(), uuid.uuid4()
    referral = make_referral(actor=kem)
    referral.plan_action_id = action_id
    db.session.flush()
    found = queries.referrals_for_plan_actions(kem, [action_id, other_action])
    assert found == {action_id: [referral], other_action: []}
    assert queries.referrals_for_plan_actions(outsider, [action_id]) == {action_id: []}
    assert queries.referrals_for_plan_actions(kem, []) == {}


def test_the_boxes_and_the_referral_page_record_the_people_they_showed(client, login, db_session):
    kem = make_user("caseworker", structures=("KEM",))
    dis = make_user("caseworker", structures=("DIS-PROG",))
    referral = make_referral(actor=kem)
    db.session.commit()
    login(dis)
    for url, action in (("/referrals/", "referrals.inbox"), (f"/referrals/{referral.id}", "referrals.view")):
        assert client.get(url).status_code == 200
        event = db.session.execute(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.user_id == dis.id)
                                   .order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        shown = db.session.execute(select(AuditEventSubject.beneficiary_id).where(
            AuditEventSubject.event_id == event.id)).scalars().all()
        assert [str(s) for s in shown] == [str(referral.beneficiary_id)]
