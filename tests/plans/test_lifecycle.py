"""The plan lifecycle: every (state, action, party) triple, and who may never approve."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.lifecycle import TransitionError
from caseapp.plans import service
from caseapp.plans.models import (APPROVED, CHANGES_REQUESTED, CLOSED, DRAFT, SUBMITTED, SUPERSEDED, PlanRevision)
from tests.factories import make_user
from tests.plans.factories import add_goal, draft_plan, make_case_file

LIFECYCLE = service.LIFECYCLE


@pytest.fixture
def cast(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    return {
        "caseworker": caseworker,                                              # drafted it
        "colleague": make_user("caseworker", structures=("DIS-PROG",)),        # same structure, did not touch it
        "supervisor": make_user("supervisor", structures=("DIS-PROG",)),       # may review it
        "editing_supervisor": make_user("supervisor", structures=("DIS-PROG",)),  # edits it below
        "other_supervisor": make_user("supervisor", structures=("KEM",)),
        "other_caseworker": make_user("caseworker", structures=("KEM",)),
        "coordinator": make_user("coordinator"),
        "admin": make_user("admin"),
    }


def revision_in(state: str, cast) -> PlanRevision:
    revision = draft_plan(actor=cast["caseworker"])
    # A supervisor who edits the draft becomes one of its authors.
    add_goal(revision, cast["editing_supervisor"], title="Housing goal")
    service.add_action(revision.goals[-1], {"description": "Apply to the rent subsidy", "responsible_kind": "structure"},
                       _options(revision), actor=cast["editing_supervisor"])
    if state == DRAFT:
        return revision
    service.submit(revision, actor=cast["caseworker"])
    if state == SUBMITTED:
        return revision
    if state == CHANGES_REQUESTED:
        return service.request_changes(revision, actor=cast["supervisor"], comment="Add due dates")
    service.approve(revision, actor=cast["supervisor"])
    if state == APPROVED:
        return revision
    if state == CLOSED:
        return service.close(revision, actor=cast["caseworker"])
    assert state == SUPERSEDED
    draft = service.revise(revision, actor=cast["caseworker"])
    service.submit(draft, actor=cast["caseworker"])
    service.approve(draft, actor=cast["supervisor"])
    return revision


def _options(revision):
    from caseapp.plans import queries

    return queries.responsible_options(revision.structure_id)


def run(action: str, revision, user):
    if action == "edit":
        return add_goal(revision, user, title="One more goal")
    if action == "progress":
        return service.set_action_status(revision.actions[0], "done", actor=user)
    return service.apply_action(revision, action, actor=user, comment="A comment")


EXPECTED_PARTIES = {
    "caseworker": {"staff"},
    "colleague": {"staff"},
    "supervisor": {"staff", "reviewer"},
    "editing_supervisor": {"staff"},        # edited it: never its reviewer
    "other_supervisor": set(),
    "other_caseworker": set(),
    "coordinator": set(),
    "admin": set(),
}


@pytest.mark.parametrize("state", list(LIFECYCLE.states))
def test_every_state_action_and_party_is_allowed_exactly_as_the_table_says(cast, state):
    revision = revision_in(state, cast)
    checked = 0
    for who, expected in EXPECTED_PARTIES.items():
        user = cast[who]
        parties = service.parties(revision, user)
        assert parties == expected, (state, who)
        for action in LIFECYCLE.actions:
            allowed = any(LIFECYCLE.permits(state, action, party) for party in parties)
            savepoint = db.session.begin_nested()
            try:
                run(action, revision, user)
            except TransitionError:
                succeeded = False
            except DomainError:
                succeeded = True       # the table let it through; a business rule refused it
            else:
                succeeded = True
            finally:
                savepoint.rollback()
                db.session.expire_all()
            assert succeeded == allowed, (state, action, who)
            checked += 1
    assert checked == len(EXPECTED_PARTIES) * len(LIFECYCLE.actions)


def test_the_table_covers_every_triple_and_reviewing_belongs_to_reviewers_only():
    triples = list(LIFECYCLE.triples())
    assert len(triples) == len(LIFECYCLE.states) * len(LIFECYCLE.actions) * len(LIFECYCLE.all_parties)
    for state, action, party in triples:
        if action in ("approve", "request_changes"):
            assert LIFECYCLE.permits(state, action, party) == (state == SUBMITTED and party == "reviewer")


def test_a_supervisor_who_drafted_a_revision_cannot_approve_it(db_session):
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    revision = draft_plan(actor=supervisor)
    service.submit(revision, actor=supervisor)
    with pytest.raises(TransitionError):
        service.approve(revision, actor=supervisor)
    assert revision.status == SUBMITTED


def test_a_supervisor_who_only_edited_a_revision_cannot_approve_it(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    revision = draft_plan(actor=caseworker)
    service.update_goal(revision.goals[0], {"domain": "health", "title": "Edited by the supervisor"}, actor=supervisor)
    service.submit(revision, actor=caseworker)
    with pytest.raises(TransitionError):
        service.approve(revision, actor=supervisor)
    with pytest.raises(TransitionError):
        service.request_changes(revision, actor=supervisor, comment="Self-review")


def test_a_caseworker_can_never_approve(db_session):
    drafter = make_user("caseworker", structures=("DIS-PROG",))
    revision = draft_plan(actor=drafter)
    service.submit(revision, actor=drafter)
    for caseworker in (drafter, make_user("caseworker", structures=("DIS-PROG",))):
        with pytest.raises(TransitionError):
            service.approve(revision, actor=caseworker)


def test_requesting_changes_needs_a_comment_which_stays_with_the_revision(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    revision = draft_plan(actor=caseworker)
    service.submit(revision, actor=caseworker)
    with pytest.raises(DomainError) as refused:
        service.request_changes(revision, actor=supervisor, comment="   ")
    assert refused.value.field == "comment"
    service.request_changes(revision, actor=supervisor, comment="Add a due date to every action")
    assert revision.status == CHANGES_REQUESTED
    assert [e.comment for e in revision.events if e.action == "request_changes"] == ["Add a due date to every action"]


def test_a_plan_without_goals_or_with_a_goal_without_actions_cannot_be_submitted(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    revision = service.start_plan(make_case_file(actor=caseworker), actor=caseworker)
    with force_locale("en"):
        with pytest.raises(DomainError, match="at least one goal"):
            service.submit(revision, actor=caseworker)
        add_goal(revision, caseworker)
        with pytest.raises(DomainError, match="at least one action"):
            service.submit(revision, actor=caseworker)
    assert revision.status == DRAFT


def test_changes_are_made_in_a_new_revision_and_the_reviewed_one_keeps_its_comment(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    revision = draft_plan(actor=caseworker)
    service.submit(revision, actor=caseworker)
    service.request_changes(revision, actor=supervisor, comment="Split the first goal")
    draft = service.revise(revision, actor=caseworker)
    assert (revision.status, draft.status, draft.number, draft.based_on_id) == (SUPERSEDED, DRAFT, 2, revision.id)
    assert [a.key for a in draft.actions] == [a.key for a in revision.actions]
    assert [e.comment for e in revision.events if e.action == "request_changes"] == ["Split the first goal"]
    with pytest.raises(TransitionError):
        service.revise(revision, actor=caseworker)          # already replaced


def test_only_one_new_revision_at_a_time_and_the_approved_one_stays_in_force(db_session):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    approved = draft_plan(actor=caseworker)
    service.submit(approved, actor=caseworker)
    service.approve(approved, actor=supervisor)
    draft = service.revise(approved, actor=caseworker)
    with pytest.raises(DomainError):
        service.revise(approved, actor=caseworker)
    service.submit(draft, actor=caseworker)
    service.request_changes(draft, actor=supervisor, comment="Not yet")
    with pytest.raises(DomainError):
        service.revise(approved, actor=caseworker)          # the sent-back one is continued instead
    assert service.in_force(approved.plan) is approved
    third = service.revise(draft, actor=caseworker)
    service.submit(third, actor=caseworker)
    service.approve(third, actor=supervisor)
    assert (approved.status, third.status) == (SUPERSEDED, APPROVED)
    assert service.in_force(approved.plan) is third
