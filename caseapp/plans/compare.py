"""What changed between two revisions of a plan, field by field.

Goals and actions are matched by their `key` (the same in every revision they were copied
into). Action progress (status) is not an edit and is not compared: it is recorded on the
approved revision without a new approval.

`compare(old, new)` returns a list of `GoalChange` in the newer revision's order (removed
goals last), each with `kind` in "added" | "removed" | "changed" | "same", the changed
goal fields as `FieldChange`s and the `ActionChange`s of its actions (same kinds).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from caseapp.plans import codes
from caseapp.plans.models import PlanAction, PlanGoal, PlanRevision


@dataclass
class FieldChange:
    label: object
    old: str
    new: str


@dataclass
class ActionChange:
    kind: str
    action: PlanAction                     # the newer one (the older one when removed)
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class GoalChange:
    kind: str
    goal: PlanGoal                         # the newer one (the older one when removed)
    fields: list[FieldChange] = field(default_factory=list)
    actions: list[ActionChange] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return self.kind != "same" or any(change.kind != "same" for change in self.actions)


def responsible_text(action: PlanAction) -> str:
    """Who is responsible, in words (a name, a structure's name, or the kind)."""
    if action.responsible_user is not None:
        return action.responsible_user.display_name
    if action.responsible_structure is not None:
        return action.responsible_structure.name
    return codes.label(codes.RESPONSIBLE_KINDS, action.responsible_kind)


def _date(value) -> str:
    return value.isoformat() if value else "—"


GOAL_FIELDS = (
    (_l("Area"), lambda g: codes.label(codes.DOMAINS, g.domain)),
    (_l("Goal"), lambda g: g.title or ""),
    (_l("Description"), lambda g: g.description or ""),
)
ACTION_FIELDS = (
    (_l("Action"), lambda a: a.description or ""),
    (_l("Responsible"), responsible_text),
    (_l("Due date"), lambda a: _date(a.due_on)),
)


def _fields(spec, old, new) -> list[FieldChange]:
    changes = []
    for label, read in spec:
        before, after = read(old), read(new)
        if before != after:
            changes.append(FieldChange(label, before, after))
    return changes


def compare(old: PlanRevision, new: PlanRevision) -> list[GoalChange]:
    """The differences from `old` to `new` (see the module docstring). No query: both
    revisions come with their goals and actions loaded."""
    old_goals = {goal.key: goal for goal in old.goals}
    new_keys = {goal.key for goal in new.goals}
    result = []
    for goal in new.goals:
        before = old_goals.get(goal.key)
        if before is None:
            result.append(GoalChange("added", goal, actions=[ActionChange("added", a) for a in goal.actions]))
            continue
        changes = _fields(GOAL_FIELDS, before, goal)
        old_actions = {action.key: action for action in before.actions}
        kept = {action.key for action in goal.actions}
        actions = []
        for action in goal.actions:
            earlier = old_actions.get(action.key)
            if earlier is None:
                actions.append(ActionChange("added", action))
            else:
                diff = _fields(ACTION_FIELDS, earlier, action)
                actions.append(ActionChange("changed" if diff else "same", action, diff))
        actions += [ActionChange("removed", a) for a in before.actions if a.key not in kept]
        result.append(GoalChange("changed" if changes else "same", goal, changes, actions))
    result += [GoalChange("removed", goal, actions=[ActionChange("removed", a) for a in goal.actions])
               for goal in old.goals if goal.key not in new_keys]
    return result
