"""The referral lifecycle: every (state, action, party) triple, and what each step records."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.casefiles.models import TimelineEvent
from caseapp.extensions import db
from caseapp.lifecycle import TransitionError
from caseapp.referrals import service
from caseapp.referrals.codes import ACCEPTED, COMPLETED, DECLINED, DRAFT, SENT, WITHDRAWN
from caseapp.referrals.models import Referral
from caseapp.security.audit import AuditEvent
from tests.factories import make_user
from tests.referrals.factories import make_referral, person_at

LIFECYCLE = service.LIFECYCLE

# The table the issue asks for, written out: (state, action) -> parties allowed.
EXPECTED = {
    (DRAFT, "send"): {"sender"},
    (SENT, "accept"): {"receiver", "proxy"},
    (SENT, "decline"): {"receiver", "proxy"},
    (ACCEPTED, "complete"): {"receiver", "proxy"},
    (DRAFT, "withdraw"): {"sender"},
    (SENT, "withdraw"): {"sender"},
    (ACCEPTED, "withdraw"): {"sender"},
}


def test_the_table_is_exactly_the_one_the_issue_describes():
    for state, action, party in LIFECYCLE.triples():
        assert LIFECYCLE.permits(state, action, party) == (party in EXPECTED.get((state, action), set())), \
            (state, action, party)


@pytest.fixture
def cast(db_session):
    return {"sender": make_user("caseworker", structures=("KEM",)),
            "receiver": make_user("caseworker", structures=("DIS-PROG",)),
            "outsider": make_user("caseworker", structures=("GBV-CC",)),
            "coordinator": make_user("coordinator")}


def referral_in(state: str, cast, *, to_code: str = "DIS-PROG") -> Referral:
    partner = to_code.startswith("P-")
    answerer = cast["sender"] if partner else cast["receiver"]
    extra = {"channel": "phone", "answered_on": None} if partner else {}
    referral = make_referral(actor=cast["sender"], to_code=to_code, send=state != DRAFT)
    if state in (DRAFT, SENT):
        return referral
    if state == WITHDRAWN:
        return service.withdraw(referral, "No longer needed.", actor=cast["sender"])
    if partner:
        from caseapp.dates import local_today

        extra["answered_on"] = local_today()
    if state == DECLINED:
        return service.decline(referral, "No place this month.", actor=answerer, **extra)
    service.accept(referral, actor=answerer, **extra)
    if state == COMPLETED:
        service.complete(referral, "Certification appointment held.", actor=answerer)
    return referral


def run(action: str, referral: Referral, user):
    from caseapp.dates import local_today

    return service.apply_action(referral, action, actor=user, reason="Because.", outcome="Done.",
                                channel="email", answered_on=local_today())


def expected_parties(referral: Referral, who: str) -> set[str]:
    partner = referral.to_structure.is_partner
    if who == "sender":
        return {"sender", "proxy"} if partner else {"sender"}
    if who == "receiver" and not partner and referral.status != DRAFT:
        return {"receiver"}
    return set()


@pytest.mark.parametrize("to_code", ["DIS-PROG", "P-PRAKSIS"])
@pytest.mark.parametrize("state", list(LIFECYCLE.states))
def test_every_state_action_and_party_is_allowed_exactly_as_the_table_says(cast, state, to_code):
    referral = referral_in(state, cast, to_code=to_code)
    assert referral.status == state
    checked = 0
    for who in ("sender", "receiver", "outsider", "coordinator"):
        user = cast[who]
        parties = service.parties(referral, user)
        assert parties == expected_parties(referral, who), (state, who)
        for action in LIFECYCLE.actions:
            allowed = any(LIFECYCLE.permits(state, action, party) for party in parties)
            savepoint = db.session.begin_nested()
            version = referral.version
            try:
                if allowed:
                    run(action, referral, user)
                    assert referral.status == LIFECYCLE.find(state, action).target
                else:
                    with pytest.raises(TransitionError):
                        run(action, referral, user)
                    assert referral.status == state and referral.version == version  # nothing changed
            finally:
                savepoint.rollback()
            db.session.refresh(referral)
            assert referral.status == state
            checked += 1
    assert checked == 4 * len(LIFECYCLE.actions)


def test_each_transition_records_who_and_when_on_both_timelines_and_in_the_audit_log(cast):
    referral = make_referral(actor=cast["sender"])
    service.accept(referral, actor=cast["receiver"])
    service.complete(referral, "Held.", actor=cast["receiver"])
    db.session.flush()
    assert [(e.action, e.to_status, e.actor_id) for e in referral.history] == [
        ("create", DRAFT, cast["sender"].id), ("send", SENT, cast["sender"].id),
        ("accept", ACCEPTED, cast["receiver"].id), ("complete", COMPLETED, cast["receiver"].id)]
    assert all(e.occurred_at is not None for e in referral.history)
    sending = db.session.execute(select(TimelineEvent.kind).where(
        TimelineEvent.case_file_id == referral.case_file_id).order_by(TimelineEvent.id)).scalars().all()
    receiving = db.session.execute(select(TimelineEvent.kind).where(
        TimelineEvent.case_file_id == referral.receiving_case_file_id).order_by(TimelineEvent.id)).scalars().all()
    assert {"referral.sent", "referral.accepted", "referral.completed"} <= set(sending)
    assert "referral.accepted" in receiving and "referral.completed" in receiving
    assert "referral.sent" not in receiving  # nothing of the referral reached it before acceptance
    actions = db.session.execute(select(AuditEvent.action).where(
        AuditEvent.object_id == str(referral.id))).scalars().all()
    assert {"referrals.create", "referrals.send", "referrals.accept", "referrals.complete"} <= set(actions)


def test_declining_and_withdrawing_need_a_reason_and_change_nothing_without_one(cast):
    from caseapp.domain import DomainError

    referral = make_referral(actor=cast["sender"])
    for action, user in (("decline", cast["receiver"]), ("withdraw", cast["sender"])):
        with pytest.raises(DomainError) as refused:
            service.apply_action(referral, action, actor=user, reason="  ")
        assert refused.value.field == "reason"
        assert referral.status == SENT
    service.accept(referral, actor=cast["receiver"])
    with pytest.raises(DomainError) as refused:
        service.complete(referral, "", actor=cast["receiver"])
    assert refused.value.field == "outcome" and referral.status == ACCEPTED


def test_a_partners_answer_recorded_by_the_sender_says_how_and_when_it_came(cast):
    from caseapp.dates import local_today
    from caseapp.domain import DomainError

    referral = make_referral(actor=cast["sender"], to_code="P-PRAKSIS")
    with pytest.raises(DomainError) as refused:
        service.accept(referral, actor=cast["sender"])
    assert refused.value.field == "channel"
    service.accept(referral, actor=cast["sender"], channel="phone", answered_on=local_today())
    assert referral.answered_for_partner and referral.answer_channel == "phone"
    assert referral.answered_by_id == cast["sender"].id and referral.receiving_case_file_id is None
    event = referral.history[-1]
    assert (event.party, event.channel, event.answered_on) == ("proxy", "phone", local_today())


def test_an_outsider_person_is_unaffected(cast):
    """Sanity: referrals of one person do not touch another's files."""
    other = person_at("KEM", actor=cast["sender"])
    make_referral(actor=cast["sender"])
    assert len(other.case_files) == 1


def test_a_concurrent_answer_that_won_the_race_makes_the_later_one_a_conflict(cast):
    from sqlalchemy import update

    from caseapp.domain import ConflictError

    referral = make_referral(actor=cast["sender"])
    table = Referral.__table__
    # Another transaction declined it a moment ago: the row moved on under this session.
    db.session.execute(update(table).where(table.c.id == referral.id)
                       .values(version=table.c.version + 1, status=DECLINED))
    with pytest.raises(ConflictError):
        service.accept(referral, actor=cast["receiver"])


def test_a_receiver_already_following_the_person_sees_every_step_on_its_own_file(cast):
    from caseapp.casefiles import service as casefile_service
    from tests.factories import structure

    person = person_at("KEM", actor=cast["sender"])
    held = casefile_service.open_case_file(person, structure("DIS-PROG"), actor=cast["receiver"])
    declined = make_referral(person, actor=cast["sender"])
    service.decline(declined, "Already followed here.", actor=cast["receiver"])
    events = db.session.execute(select(TimelineEvent).where(TimelineEvent.case_file_id == held.id)
                                .order_by(TimelineEvent.id)).scalars().all()
    kinds = [(e.kind, e.link) for e in events if e.kind.startswith("referral.")]
    assert kinds == [("referral.sent", f"/referrals/{declined.id}"), ("referral.declined", None)]
