"""Builders for plan tests; each returns a flushed object in the test's transaction."""
from __future__ import annotations

from datetime import timedelta

from caseapp.dates import local_today
from caseapp.plans import queries, service
from tests.factories import case_file_of, make_beneficiary, make_user

GOAL_TEXT = "Secure a disability certificate from KEPA"
ACTION_TEXT = "Gather the orthopaedic reports from Evangelismos"


def make_case_file(structure_code="DIS-PROG", *, actor=None):
    actor = actor or make_user("caseworker", structures=(structure_code,))
    person = make_beneficiary(structure_code, actor=actor)
    case_file = case_file_of(person, structure_code)
    case_file.assigned_to_id = actor.id
    return case_file


def add_goal(revision, actor, *, title=GOAL_TEXT, domain="disability", description=None):
    return service.add_goal(revision, {"domain": domain, "title": title, "description": description}, actor=actor)


def add_action(goal, actor, *, text=ACTION_TEXT, due_in_days=30, kind="structure", **values):
    options = queries.responsible_options(goal.revision.structure_id)
    data = {"description": text, "responsible_kind": kind,
            "due_on": local_today() + timedelta(days=due_in_days) if due_in_days is not None else None}
    data.update(values)
    return service.add_action(goal, data, options, actor=actor)


def draft_plan(case_file=None, *, actor=None, goals=1, actions=1):
    """A draft revision with `goals` goals of `actions` actions each, drafted by `actor`."""
    if case_file is None:
        actor = actor or make_user("caseworker", structures=("DIS-PROG",))
        case_file = make_case_file("DIS-PROG", actor=actor)
    actor = actor or make_user("caseworker", structures=(case_file.structure.code,))
    revision = service.start_plan(case_file, actor=actor)
    for g in range(goals):
        goal = add_goal(revision, actor, title=f"{GOAL_TEXT} {g + 1}")
        for a in range(actions):
            add_action(goal, actor, text=f"{ACTION_TEXT} {g + 1}.{a + 1}")
    return revision


def approved_plan(*, caseworker=None, supervisor=None, **kwargs):
    caseworker = caseworker or make_user("caseworker", structures=("DIS-PROG",))
    supervisor = supervisor or make_user("supervisor", structures=("DIS-PROG",))
    revision = draft_plan(actor=caseworker, **kwargs)
    service.submit(revision, actor=caseworker)
    service.approve(revision, actor=supervisor)
    return revision
