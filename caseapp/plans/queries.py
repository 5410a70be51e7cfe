"""Scoped reads of action plans.

A user sees a plan when they see its case file (`casefiles.queries.visible_case_files`, the
one scoping query). Each read loads what its page shows in a fixed number of queries,
whatever the number of plans, revisions, goals and actions. Dates compared with "today"
are local (Europe/Athens) dates.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, exists, false, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload

from caseapp.auth.models import User
from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles.models import OPEN, CaseFile
from caseapp.casefiles.queries import structure_staff, user_structure_ids, visible_case_files
from caseapp.extensions import db
from caseapp.pagination import Page
from caseapp.plans.models import (APPROVED, CHANGES_REQUESTED, OPEN_ACTION, PENDING, SUBMITTED, Plan, PlanAction,
                                  PlanEvent, PlanGoal, PlanRevision)
from caseapp.structures.models import Structure

R = PlanRevision


def _live(stmt: Select) -> Select:
    """Plans of people not erased (their texts no longer decrypt)."""
    return stmt.join(Beneficiary, Beneficiary.id == Plan.beneficiary_id).where(Beneficiary.erased_at.is_(None))


def visible_plans(user) -> Select:
    """Plans on case files the user sees; nothing for users without `plans.view`."""
    stmt = select(Plan)
    if not user.has_permission("plans.view"):
        return stmt.where(false())
    return _live(stmt.where(Plan.case_file_id.in_(visible_case_files(user).with_only_columns(CaseFile.id))))


def visible_revisions(user) -> Select:
    stmt = select(R).join(Plan, Plan.id == R.plan_id)
    if not user.has_permission("plans.view"):
        return stmt.where(false())
    return _live(stmt.where(Plan.case_file_id.in_(visible_case_files(user).with_only_columns(CaseFile.id))))


def _plan_options():
    return (joinedload(R.plan).joinedload(Plan.case_file).joinedload(CaseFile.structure),
            joinedload(R.plan).joinedload(Plan.beneficiary),
            joinedload(R.plan).selectinload(Plan.revisions).selectinload(R.editors))


def get_visible_revision(user, revision_id: uuid.UUID, *, full: bool = True) -> PlanRevision | None:
    """A revision the user may see, with its plan, case file, person, the plan's other
    revisions and (when `full`) its goals, actions, responsible parties and history loaded:
    a fixed number of queries, however big the plan."""
    options = list(_plan_options()) + [selectinload(R.editors)]
    if full:
        options += [
            selectinload(R.goals).selectinload(PlanGoal.actions).joinedload(PlanAction.responsible_user),
            selectinload(R.goals).selectinload(PlanGoal.actions).joinedload(PlanAction.responsible_structure),
            selectinload(R.events).joinedload(PlanEvent.actor),
            joinedload(R.decided_by), joinedload(R.submitted_by),
        ]
    return db.session.execute(
        visible_revisions(user).where(R.id == revision_id).options(*options)
    ).unique().scalar_one_or_none()


def get_visible_goal(user, goal_id: uuid.UUID) -> PlanGoal | None:
    goal = db.session.execute(select(PlanGoal).where(PlanGoal.id == goal_id)).scalar_one_or_none()
    if goal is None or get_visible_revision(user, goal.revision_id) is None:
        return None
    return goal


def get_visible_action(user, action_id: uuid.UUID) -> PlanAction | None:
    action = db.session.execute(select(PlanAction).where(PlanAction.id == action_id)).scalar_one_or_none()
    if action is None or get_visible_revision(user, action.revision_id) is None:
        return None
    return action


def is_action_of_case_file(user, action_key: uuid.UUID, case_file_id: uuid.UUID) -> bool:
    """Whether `action_key` (a plan action's key, shared by its copies in every revision) is an
    action of the plan of this case file, in a revision the user may see (one query). A referral
    links only to an action of the plan of the case file it is sent from."""
    found = db.session.execute(
        visible_revisions(user).join(PlanAction, PlanAction.revision_id == R.id)
        .where(PlanAction.key == action_key, Plan.case_file_id == case_file_id)
        .with_only_columns(PlanAction.id).limit(1)
    ).first()
    return found is not None


def plan_of_case_file(case_file: CaseFile) -> Plan | None:
    """The case file's plan with its revisions (no goals), in two queries."""
    return db.session.execute(
        select(Plan).where(Plan.case_file_id == case_file.id)
        .options(selectinload(Plan.revisions).selectinload(R.editors))
    ).scalar_one_or_none()


def overdue_actions_count(revision_id: uuid.UUID | None, today: date) -> int:
    """Open actions of a revision whose due date has passed."""
    if revision_id is None:
        return 0
    return db.session.execute(
        select(func.count()).select_from(PlanAction)
        .where(PlanAction.revision_id == revision_id, PlanAction.status.in_(OPEN_ACTION),
               PlanAction.due_on < today)
    ).scalar_one()


# --- the revisions of a comparison --------------------------------------------------------------


def revisions_of_plan(user, plan_id: uuid.UUID, revision_ids) -> dict[uuid.UUID, PlanRevision]:
    """The named revisions of one plan, with goals and actions, in a fixed number of queries."""
    rows = db.session.execute(
        visible_revisions(user).where(R.plan_id == plan_id, R.id.in_(list(revision_ids)))
        .options(*_plan_options(),
                 selectinload(R.goals).selectinload(PlanGoal.actions).joinedload(PlanAction.responsible_user),
                 selectinload(R.goals).selectinload(PlanGoal.actions).joinedload(PlanAction.responsible_structure))
    ).unique().scalars()
    return {revision.id: revision for revision in rows}


# --- who may be responsible for an action ----------------------------------------------------------


@dataclass
class ResponsibleOptions:
    users: list = field(default_factory=list)            # staff of the plan's structure
    structures: list = field(default_factory=list)       # other active structures (not partners)
    partners: list = field(default_factory=list)         # partner organisations

    @property
    def user_ids(self) -> set[int]:
        return {u.id for u in self.users}

    @property
    def structure_ids(self) -> set[int]:
        return {s.id for s in self.structures}

    @property
    def partner_ids(self) -> set[int]:
        return {s.id for s in self.partners}


def responsible_options(structure_id: int) -> ResponsibleOptions:
    """Two queries: the structure's active staff, and the active structures and partners."""
    structures = db.session.execute(
        select(Structure).where(Structure.active.is_(True), Structure.id != structure_id).order_by(Structure.code)
    ).scalars().all()
    return ResponsibleOptions(users=structure_staff(structure_id),
                              structures=[s for s in structures if not s.is_partner],
                              partners=[s for s in structures if s.is_partner])


# --- the supervisor's queue ----------------------------------------------------------------------


QUEUE_OPTIONS = (joinedload(R.plan).joinedload(Plan.beneficiary), joinedload(R.structure),
                 joinedload(R.submitted_by))


def reviewable_revisions(user) -> Select:
    """Revisions at the structures the user may review at (supervisors only)."""
    if not user.has_permission("plans.review"):
        return select(R).where(false())
    return visible_revisions(user).where(R.structure_id.in_(user_structure_ids(user)))


def review_queue(user, after: uuid.UUID | None, limit: int) -> Page:
    """Submitted revisions waiting for a decision, the longest waiting first (keyset on
    (submitted_at, id) ascending: every page costs what the first does)."""
    stmt = reviewable_revisions(user).where(R.status == SUBMITTED).options(*QUEUE_OPTIONS)
    if after is not None:
        anchor = aliased(R, name="plan_revisions_anchor")
        anchor_time = select(anchor.submitted_at).where(anchor.id == after).scalar_subquery()
        stmt = stmt.where(tuple_(R.submitted_at, R.id) > tuple_(anchor_time, literal(after, type_=R.id.type)))
    rows = db.session.execute(stmt.order_by(R.submitted_at, R.id).limit(limit + 1)).unique().scalars().all()
    return Page(rows[:limit], str(rows[limit - 1].id) if len(rows) > limit else None)


def waiting_count(user) -> int:
    """Submitted revisions the user may decide (the navigation badge): one query."""
    return db.session.execute(
        reviewable_revisions(user).where(R.status == SUBMITTED).with_only_columns(func.count())
    ).scalar_one()


def overdue_reviews(user, today: date, limit: int) -> list[PlanRevision]:
    """Approved plans (at the user's structures) whose review date has passed, the most overdue first."""
    return list(db.session.execute(
        reviewable_revisions(user).where(R.status == APPROVED, R.review_on < today)
        .options(*QUEUE_OPTIONS).order_by(R.review_on, R.id).limit(limit)
    ).unique().scalars())


# --- the caseworker's home page ---------------------------------------------------------------------


@dataclass
class Attention:
    """A plan on one of the user's case files that needs them: sent back, review passed, actions late."""
    revision: PlanRevision
    overdue_actions: int
    review_overdue: bool
    changes_requested: bool


def needing_attention(user, today: date, limit: int) -> list[Attention]:
    """Plans on open case files assigned to the user that were sent back for changes, whose
    review date has passed or that have overdue actions; two queries."""
    if not user.has_permission("plans.view"):
        return []
    late = (select(PlanAction.revision_id, func.count().label("late"))
            .where(PlanAction.status.in_(OPEN_ACTION), PlanAction.due_on < today)
            .group_by(PlanAction.revision_id).subquery())
    stmt = (visible_revisions(user)
            .join(CaseFile, CaseFile.id == Plan.case_file_id)
            .outerjoin(late, and_(late.c.revision_id == R.id, R.status == APPROVED))
            .where(CaseFile.assigned_to_id == user.id, CaseFile.status == OPEN,
                   or_(R.status == CHANGES_REQUESTED,
                       and_(R.status == APPROVED, or_(R.review_on < today, late.c.late > 0))))
            .add_columns(func.coalesce(late.c.late, 0))
            .options(joinedload(R.plan).joinedload(Plan.beneficiary))
            .order_by(R.review_on, R.id).limit(limit))
    return [Attention(revision, int(count), revision.status == APPROVED and revision.review_on is not None
                      and revision.review_on < today, revision.status == CHANGES_REQUESTED)
            for revision, count in db.session.execute(stmt).unique().all()]
