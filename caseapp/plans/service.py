"""Writes for action plans: the revision lifecycle, editing goals and actions, action progress.

Views commit. Every change records who and when (`PlanEvent` for the revision's states,
`PlanRevisionEditor` for who drafted or edited it), writes a short, non-identifying event
on the case timeline (a code, never a text) and an audit event with ids only. Raises
`PlanError` (a `DomainError`: shown on the form field it names) or `ConflictError`
(someone else changed the same revision or action at the same moment).

Who may do what is the transition table `LIFECYCLE`, with three parties computed per
revision (`parties`): "staff" (a caseworker or supervisor of the plan's structure),
"reviewer" (a supervisor of the plan's structure who neither drafted nor edited this
revision) and nobody else: a user of another structure never reaches a revision (the
scoping query answers 404).
"""
from __future__ import annotations

import calendar
import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseapp.casefiles import timeline
from caseapp.dates import local_today
from caseapp.domain import ConflictError, DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.lifecycle import Lifecycle, Transition
from caseapp.models_base import utcnow
from caseapp.plans import codes
from caseapp.plans.models import (APPROVED, CHANGES_REQUESTED, CLOSED, DONE, DRAFT, PENDING, RESPONSIBLE_OTHER,
                                  RESPONSIBLE_PARTNER, RESPONSIBLE_STRUCTURE, RESPONSIBLE_USER, SUBMITTED,
                                  SUPERSEDED, Plan, PlanAction, PlanEvent, PlanGoal, PlanRevision,
                                  PlanRevisionEditor)
from caseapp.security.audit import record

REVIEW_MONTHS = 3          # default time until the next review of an approved plan
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_COMMENT = 4000
MAX_REVIEW_MONTHS = 24


class PlanError(DomainError):
    """A plan change that cannot be made."""


CONFLICT = _l("Someone else changed this plan at the same time. Nothing of yours was saved: "
              "look at the plan as it is now and try again.")


# --- the lifecycle ----------------------------------------------------------------------------


def parties(revision: PlanRevision, user) -> set[str]:
    """The parts `user` plays for `revision`: "staff" (works at the plan's structure, may
    draft and edit) and "reviewer" (a supervisor there who neither drafted nor edited it)."""
    found = set()
    if revision.structure_id not in user.structure_ids:
        return found
    if user.has_permission("plans.edit"):
        found.add("staff")
    if user.has_permission("plans.review") and user.id not in revision.editor_ids:
        found.add("reviewer")
    return found


STAFF = {"staff"}
REVIEWER = {"reviewer"}

LIFECYCLE = Lifecycle(
    name="plan",
    states=dict(codes.REVISION_STATUSES),
    transitions=[
        Transition("edit", {DRAFT}, DRAFT, parties=STAFF),          # editing keeps the state
        Transition("submit", {DRAFT}, SUBMITTED, parties=STAFF),
        Transition("approve", {SUBMITTED}, APPROVED, parties=REVIEWER),
        Transition("request_changes", {SUBMITTED}, CHANGES_REQUESTED, parties=REVIEWER),
        # A submitted revision is frozen: changes are made in a new draft copied from it. The
        # approved one stays in force meanwhile; one sent back for changes is replaced by it
        # (and keeps its comments, so the new draft can be compared with what was reviewed).
        Transition("revise", {APPROVED}, APPROVED, parties=STAFF),
        Transition("revise", {CHANGES_REQUESTED}, SUPERSEDED, parties=STAFF),
        Transition("progress", {APPROVED}, APPROVED, parties=STAFF),
        Transition("close", {APPROVED}, CLOSED, parties=STAFF),
    ],
    parties=parties,
    action_labels={
        "edit": _l("Edit"), "submit": _l("Submit for review"), "approve": _l("Approve"),
        "request_changes": _l("Request changes"), "revise": _l("Change the plan (new revision)"),
        "progress": _l("Record progress"), "close": _l("Close the plan"),
    },
)

TIMELINE_KINDS = {
    "start": ("plan.started", _l("Action plan started")),
    "submit": ("plan.submitted", _l("Action plan submitted for review")),
    "approve": ("plan.approved", _l("Action plan approved")),
    "request_changes": ("plan.changes_requested", _l("Changes requested to the action plan")),
    "revise": ("plan.revised", _l("New revision of the action plan started")),
    "close": ("plan.closed", _l("Action plan closed")),
    "progress": ("plan.action_progress", _l("Action plan: progress recorded")),
}


def _describe_revision(number: str) -> str:
    return str(_l("Revision %(number)s", number=number))


for _kind, _label in TIMELINE_KINDS.values():
    timeline.register_kind(_kind, _label, (lambda code: codes.label(codes.ACTION_STATUSES, code))
                           if _kind == "plan.action_progress" else _describe_revision)


def _flush() -> None:
    flush_or_conflict(CONFLICT)


def _revision_link(revision: PlanRevision) -> str:
    return f"/plans/revisions/{revision.id}"


def _log(revision: PlanRevision, action: str, from_status: str | None, actor, *, comment: str | None = None,
         timeline_text: str | None = None) -> None:
    """History (with the comment, sealed), timeline and audit of a change already applied."""
    event = PlanEvent(id=uuid.uuid4(), revision=revision, structure_id=revision.structure_id, action=action,
                      from_status=from_status, to_status=revision.status, actor_id=actor.id, occurred_at=utcnow())
    db.session.add(event)
    if comment:
        event.comment = comment
    kind = TIMELINE_KINDS.get(action)
    if kind is not None:
        timeline.add_event(revision.plan.case_file, kind[0], actor=actor,
                           text=timeline_text or str(revision.number), link=_revision_link(revision))
    record(f"plans.{action}", object_type="plan_revision", object_id=revision.id,
           structure_id=revision.structure_id, user=actor)


def _as_editor(revision: PlanRevision, actor) -> None:
    if actor.id not in revision.editor_ids:
        revision.editors.append(PlanRevisionEditor(user_id=actor.id))


# --- starting a plan --------------------------------------------------------------------------


def start_plan(case_file, *, actor) -> PlanRevision:
    """The first (draft) revision of a new plan on `case_file`; `actor` becomes its first editor.

    Raises `PlanError` when the case file is closed, already has a plan, or `actor` does
    not work at its structure; `ConflictError` when someone started one at the same moment."""
    if not case_file.is_open:
        raise PlanError(_l("The case file is closed: reopen it to start an action plan."))
    if case_file.structure_id not in actor.structure_ids or not actor.has_permission("plans.edit"):
        raise PlanError(_l("You cannot start action plans at this structure."))
    if db.session.execute(select(Plan.id).where(Plan.case_file_id == case_file.id)).first() is not None:
        raise PlanError(_l("This case file already has an action plan."))
    plan = Plan(id=uuid.uuid4(), case_file=case_file, beneficiary_id=case_file.beneficiary_id,
                beneficiary=case_file.beneficiary, structure_id=case_file.structure_id, created_by_id=actor.id)
    revision = PlanRevision(id=uuid.uuid4(), plan=plan, structure_id=plan.structure_id, number=1, status=DRAFT,
                            created_by_id=actor.id, updated_at=utcnow(), updated_by_id=actor.id)
    revision.editors.append(PlanRevisionEditor(user_id=actor.id))
    db.session.add_all([plan, revision])
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ConflictError(_l("Someone started an action plan on this case file a moment ago. "
                               "Open it from the case file.")) from None
    _log(revision, "start", None, actor)
    _flush()
    return revision


# --- editing a draft ---------------------------------------------------------------------------


def _begin_edit(revision: PlanRevision, actor, expected_version: int | None) -> None:
    check_version(revision, expected_version, CONFLICT)
    LIFECYCLE.check(revision, "edit", actor)
    _as_editor(revision, actor)
    revision.updated_at = utcnow()           # bumps the revision's version: a reviewer's page is now stale
    revision.updated_by_id = actor.id


def _text(values: dict, name: str, *, required: bool, limit: int, message) -> str | None:
    value = values.get(name)
    value = value.strip() if isinstance(value, str) else None
    if not value:
        if required:
            raise PlanError(message, name)
        return None
    if len(value) > limit:
        raise PlanError(_l("This is too long (at most %(n)d characters).", n=limit), name)
    return value


def _goal_values(values: dict) -> dict:
    if values.get("domain") not in codes.DOMAINS:
        raise PlanError(_l("Choose the area of life this goal is about."), "domain")
    return {"domain": values["domain"],
            "title": _text(values, "title", required=True, limit=MAX_TITLE, message=_l("Give the goal a title.")),
            "description": _text(values, "description", required=False, limit=MAX_TEXT, message=None)}


def add_goal(revision: PlanRevision, values: dict, *, actor, expected_version: int | None = None) -> PlanGoal:
    """A goal at the end of a draft revision. `values`: domain (code), title, description (str or None)."""
    _begin_edit(revision, actor, expected_version)
    clean = _goal_values(values)
    position = max((goal.position for goal in revision.goals), default=0) + 1
    goal = PlanGoal(id=uuid.uuid4(), revision=revision, key=uuid.uuid4(), position=position, domain=clean["domain"])
    db.session.add(goal)
    goal.title, goal.description = clean["title"], clean["description"]
    _flush()
    record("plans.goal_added", object_type="plan_revision", object_id=revision.id,
           structure_id=revision.structure_id, user=actor)
    return goal


def update_goal(goal: PlanGoal, values: dict, *, actor, expected_version: int | None = None) -> PlanGoal:
    """Change a goal of a draft revision (`expected_version` is the revision's)."""
    revision = goal.revision
    _begin_edit(revision, actor, expected_version)
    clean = _goal_values(values)
    goal.domain, goal.title, goal.description = clean["domain"], clean["title"], clean["description"]
    _flush()
    record("plans.goal_changed", object_type="plan_revision", object_id=revision.id,
           structure_id=revision.structure_id, user=actor)
    return goal


def remove_goal(goal: PlanGoal, *, actor, expected_version: int | None = None) -> PlanRevision:
    """Take a goal (and its actions) out of a draft revision."""
    revision = goal.revision
    _begin_edit(revision, actor, expected_version)
    revision.goals.remove(goal)
    _flush()
    record("plans.goal_removed", object_type="plan_revision", object_id=revision.id,
           structure_id=revision.structure_id, user=actor)
    return revision


def _action_values(revision: PlanRevision, values: dict, options) -> dict:
    """Check an action's values against `options` (a `queries.ResponsibleOptions`)."""
    description = _text(values, "description", required=True, limit=MAX_TEXT,
                        message=_l("Describe the action."))
    kind = values.get("responsible_kind")
    user_id = structure_id = None
    if kind == RESPONSIBLE_USER:
        user_id = values.get("responsible_user_id")
        if user_id not in options.user_ids:
            raise PlanError(_l("Choose the member of staff responsible."), "responsible_user")
    elif kind == RESPONSIBLE_STRUCTURE:
        structure_id = revision.structure_id
    elif kind == RESPONSIBLE_OTHER:
        structure_id = values.get("responsible_structure_id")
        if structure_id not in options.structure_ids or structure_id == revision.structure_id:
            raise PlanError(_l("Choose the other structure responsible."), "responsible_structure")
    elif kind == RESPONSIBLE_PARTNER:
        structure_id = values.get("responsible_partner_id")
        if structure_id not in options.partner_ids:
            raise PlanError(_l("Choose the partner organisation responsible."), "responsible_partner")
    else:
        raise PlanError(_l("Choose who is responsible."), "responsible_kind")
    due_on = values.get("due_on")
    if due_on is not None and not isinstance(due_on, date):
        raise PlanError(_l("Enter a real date."), "due_on")
    return {"description": description, "responsible_kind": kind, "responsible_user_id": user_id,
            "responsible_structure_id": structure_id, "due_on": due_on}


def _apply_action_values(action: PlanAction, clean: dict) -> None:
    action.description = clean["description"]
    action.responsible_kind = clean["responsible_kind"]
    action.responsible_user_id = clean["responsible_user_id"]
    action.responsible_structure_id = clean["responsible_structure_id"]
    action.due_on = clean["due_on"]


def add_action(goal: PlanGoal, values: dict, options, *, actor, expected_version: int | None = None) -> PlanAction:
    """An action at the end of a goal of a draft revision.

    `values`: description (str), responsible_kind (codes.RESPONSIBLE_KINDS), responsible_user_id /
    responsible_structure_id / responsible_partner_id (int or None, per kind), due_on (date or None).
    `options`: who may be chosen (`queries.responsible_options`)."""
    revision = goal.revision
    _begin_edit(revision, actor, expected_version)
    clean = _action_values(revision, values, options)
    position = max((action.position for action in goal.actions), default=0) + 1
    action = PlanAction(id=uuid.uuid4(), goal=goal, revision_id=revision.id, key=uuid.uuid4(), position=position)
    db.session.add(action)
    _apply_action_values(action, clean)
    _flush()
    record("plans.action_added", object_type="plan_revision", object_id=revision.id,
           structure_id=revision.structure_id, user=actor)
    return action


def update_action(action: PlanAction, values: dict, options, *, actor,
                  expected_version: int | None = None) -> PlanAction:
    """Change an action of a draft revision (`expected_version` is the revision's)."""
    revision = action.goal.revision
    _begin_edit(revision, actor, expected_version)
    _apply_action_values(action, _action_values(revision, values, options))
    _flush()
    record("plans.action_changed", object_type="plan_revision", object_id=revision.id,
           structure_id=revision.structure_id, user=actor)
    return action


def remove_action(action: PlanAction, *, actor, expected_version: int | None = None) -> PlanRevision:
    goal = action.goal
    revision = goal.revision
    _begin_edit(revision, actor, expected_version)
    goal.actions.remove(action)
    _flush()
    record("plans.action_removed", object_type="plan_revision", object_id=revision.id,
           structure_id=revision.structure_id, user=actor)
    return revision


# --- the lifecycle steps -------------------------------------------------------------------------


def submit(revision: PlanRevision, *, actor, expected_version: int | None = None) -> PlanRevision:
    """Send a draft (or a revision sent back for changes) to the supervisors.

    Raises `PlanError` without goals, or with a goal that has no action."""
    check_version(revision, expected_version, CONFLICT)
    LIFECYCLE.check(revision, "submit", actor)
    if not revision.goals:
        raise PlanError(_l("Add at least one goal before submitting the plan."))
    if any(not goal.actions for goal in revision.goals):
        raise PlanError(_l("Every goal needs at least one action before the plan is submitted."))
    before = revision.status
    LIFECYCLE.apply(revision, "submit", actor)
    revision.submitted_at = utcnow()
    revision.submitted_by_id = actor.id
    _flush()
    _log(revision, "submit", before, actor)
    _flush()
    return revision


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_on(today: date | None = None) -> date:
    return add_months(today or local_today(), REVIEW_MONTHS)


def in_force(plan: Plan) -> PlanRevision | None:
    """The approved revision of `plan` (None before the first approval, or once closed)."""
    return next((r for r in plan.revisions if r.status == APPROVED), None)


def approve(revision: PlanRevision, *, actor, review_on: date | None = None, comment: str | None = None,
            expected_version: int | None = None) -> PlanRevision:
    """Approve a submitted revision: it is frozen and in force, with its next review on
    `review_on` (a local date after today, at most two years ahead; default in three months).
    The revision it replaces is superseded; action progress recorded meanwhile on it
    carries over to the actions kept.

    Raises `TransitionError` for the person who drafted or edited it, `PlanError` for a
    review date in the past, `ConflictError` when someone decided (or edited) it meanwhile."""
    check_version(revision, expected_version, CONFLICT)
    LIFECYCLE.check(revision, "approve", actor)
    today = local_today()
    review_on = review_on or default_review_on(today)
    if review_on <= today:
        raise PlanError(_l("The next review must be after today."), "review_on")
    if review_on > add_months(today, MAX_REVIEW_MONTHS):
        raise PlanError(_l("The next review is at most two years ahead."), "review_on")
    comment = _text({"comment": comment}, "comment", required=False, limit=MAX_COMMENT, message=None)
    previous = in_force(revision.plan)
    before = revision.status
    LIFECYCLE.apply(revision, "approve", actor)
    now = utcnow()
    revision.decided_at = revision.approved_at = now
    revision.decided_by_id = actor.id
    revision.review_on = review_on
    if previous is not None and previous.id != revision.id:
        progress = {action.key: action for action in previous.actions}
        for action in revision.actions:
            earlier = progress.get(action.key)
            if earlier is not None:
                action.status, action.done_on = earlier.status, earlier.done_on
                action.status_changed_at = earlier.status_changed_at
        previous.status = SUPERSEDED
        previous.ended_at, previous.ended_on = now, today
    _flush()
    _log(revision, "approve", before, actor, comment=comment)
    _flush()
    return revision


def request_changes(revision: PlanRevision, *, actor, comment: str | None,
                    expected_version: int | None = None) -> PlanRevision:
    """Send a submitted revision back to its authors; `comment` (what to change) is required."""
    check_version(revision, expected_version, CONFLICT)
    LIFECYCLE.check(revision, "request_changes", actor)
    comment = _text({"comment": comment}, "comment", required=True, limit=MAX_COMMENT,
                    message=_l("Say what should change: the comment is required."))
    before = revision.status
    LIFECYCLE.apply(revision, "request_changes", actor)
    revision.decided_at = utcnow()
    revision.decided_by_id = actor.id
    _flush()
    _log(revision, "request_changes", before, actor, comment=comment)
    _flush()
    return revision


def pending_revision(plan: Plan) -> PlanRevision | None:
    """The revision someone is still working on (draft, submitted or sent back), if any."""
    return next((r for r in plan.revisions if r.status in PENDING), None)


def revise(revision: PlanRevision, *, actor, expected_version: int | None = None) -> PlanRevision:
    """A new draft revision copied from `revision` (approved, or sent back for changes).

    An approved revision stays in force, unchanged, until the new one is approved; one sent
    back for changes is superseded by the new draft and keeps its comments. Raises
    `PlanError` when a newer revision is already being worked on; `ConflictError` when
    someone started one at the same moment."""
    check_version(revision, expected_version, CONFLICT)
    LIFECYCLE.check(revision, "revise", actor)
    plan = revision.plan
    if any(r.status in PENDING and r.id != revision.id for r in plan.revisions):
        raise PlanError(_l("A new revision of this plan is already being prepared: continue that one."))
    before = revision.status
    LIFECYCLE.apply(revision, "revise", actor)
    if revision.status == SUPERSEDED:
        revision.ended_at, revision.ended_on = utcnow(), local_today()
    plan.updated_at = utcnow()       # bumps the plan's version: two new drafts at once cannot both be saved
    draft = PlanRevision(id=uuid.uuid4(), plan=plan, structure_id=plan.structure_id,
                         number=max(r.number for r in plan.revisions) + 1, status=DRAFT, based_on_id=revision.id,
                         created_by_id=actor.id, updated_at=utcnow(), updated_by_id=actor.id)
    db.session.add(draft)
    draft.editors.append(PlanRevisionEditor(user_id=actor.id))
    for goal in revision.goals:
        copy = PlanGoal(id=uuid.uuid4(), revision=draft, key=goal.key, position=goal.position, domain=goal.domain)
        db.session.add(copy)
        copy.title, copy.description = goal.title, goal.description
        for action in goal.actions:
            twin = PlanAction(id=uuid.uuid4(), goal=copy, revision_id=draft.id, key=action.key,
                              position=action.position, responsible_kind=action.responsible_kind,
                              responsible_user_id=action.responsible_user_id,
                              responsible_structure_id=action.responsible_structure_id, due_on=action.due_on,
                              status=action.status, done_on=action.done_on,
                              status_changed_at=action.status_changed_at)
            db.session.add(twin)
            twin.description = action.description
    _flush()
    if before != revision.status:
        db.session.add(PlanEvent(id=uuid.uuid4(), revision=revision, structure_id=revision.structure_id,
                                 action="revise", from_status=before, to_status=revision.status, actor_id=actor.id,
                                 occurred_at=utcnow()))
    _log(draft, "revise", None, actor, timeline_text=str(draft.number))
    _flush()
    return draft


def close(revision: PlanRevision, *, actor, comment: str | None = None,
          expected_version: int | None = None) -> PlanRevision:
    """Close the plan (its approved revision). Refused while a newer revision is being prepared."""
    check_version(revision, expected_version, CONFLICT)
    LIFECYCLE.check(revision, "close", actor)
    if pending_revision(revision.plan) is not None:
        raise PlanError(_l("A new revision of this plan is being prepared: finish or approve it before "
                           "closing the plan."))
    comment = _text({"comment": comment}, "comment", required=False, limit=MAX_COMMENT, message=None)
    before = revision.status
    LIFECYCLE.apply(revision, "close", actor)
    revision.ended_at, revision.ended_on = utcnow(), local_today()
    _flush()
    _log(revision, "close", before, actor, comment=comment)
    _flush()
    return revision


def set_action_status(action: PlanAction, status: str, *, actor, expected_version: int | None = None) -> PlanAction:
    """Record an action's progress (to do, in progress, done, dropped) on the approved revision,
    without a new approval. `expected_version` is the action's. Audited, and on the timeline."""
    revision = action.goal.revision
    check_version(action, expected_version, CONFLICT)
    LIFECYCLE.check(revision, "progress", actor)
    if status not in codes.ACTION_STATUSES:
        raise PlanError(_l("Choose a status from the list."), "status")
    if status == action.status:
        return action
    action.status = status
    action.done_on = local_today() if status == DONE else None
    action.status_changed_at = utcnow()
    _flush()
    timeline.add_event(revision.plan.case_file, TIMELINE_KINDS["progress"][0], actor=actor, text=status,
                       link=_revision_link(revision) + f"#action-{action.key}")
    record("plans.action_progress", object_type="plan_action", object_id=action.id,
           structure_id=revision.structure_id, user=actor)
    return action


def apply_action(revision: PlanRevision, action: str, *, actor, expected_version: int | None = None,
                 comment: str | None = None, review_on: date | None = None):
    """Dispatch a lifecycle step by name (the tests walk the table through this)."""
    if action == "submit":
        return submit(revision, actor=actor, expected_version=expected_version)
    if action == "approve":
        return approve(revision, actor=actor, review_on=review_on, comment=comment,
                       expected_version=expected_version)
    if action == "request_changes":
        return request_changes(revision, actor=actor, comment=comment, expected_version=expected_version)
    if action == "revise":
        return revise(revision, actor=actor, expected_version=expected_version)
    if action == "close":
        return close(revision, actor=actor, comment=comment, expected_version=expected_version)
    raise ValueError(f"unknown plan action {action!r}")
