"""Individual action plans, in revisions.

A case file has at most one `Plan`; the plan is a series of `PlanRevision`s. A
revision holds goals (`PlanGoal`), each with actions (`PlanAction`). The revision
moves through the lifecycle in `service.LIFECYCLE` (draft → submitted → approved |
changes requested → ...; approved → closed). An approved revision is frozen: editing
the plan copies it into a new draft revision, and the approved one stays in force
until the new one is approved (it is then "superseded"). Goals and actions keep a
`key` (the same UUID in every revision they were copied into), which is how two
revisions are compared and what a referral links to (`Referral.plan_action_id`).

Texts (goal titles and descriptions, action descriptions, review comments) are
sealed under the person's data key, like every narrative of theirs.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey

# Revision states.
DRAFT = "draft"
SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes_requested"
APPROVED = "approved"
SUPERSEDED = "superseded"
CLOSED = "closed"
# A revision someone is still working on (at most one per plan).
PENDING = (DRAFT, SUBMITTED, CHANGES_REQUESTED)
EDITABLE = (DRAFT,)

# Action statuses.
TODO = "todo"
IN_PROGRESS = "in_progress"
DONE = "done"
DROPPED = "dropped"
OPEN_ACTION = (TODO, IN_PROGRESS)

# Who is responsible for an action.
RESPONSIBLE_USER = "user"
RESPONSIBLE_STRUCTURE = "structure"
RESPONSIBLE_OTHER = "other_structure"
RESPONSIBLE_PARTNER = "partner"


class Plan(db.Model):
    __tablename__ = "plans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False, unique=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False, index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    case_file = relationship("CaseFile")
    beneficiary = relationship("Beneficiary")
    structure = relationship("Structure")
    revisions: Mapped[list[PlanRevision]] = relationship(back_populates="plan", order_by="PlanRevision.number")

    __mapper_args__ = {"version_id_col": version}

    def encryption_key(self) -> DataKey | None:
        return self.beneficiary.data_key

    def __repr__(self) -> str:
        return f"<Plan {self.id}>"


class PlanRevision(db.Model):
    """One version of a plan. `review_on` (a local date) is set when it is approved."""

    __tablename__ = "plan_revisions"
    __table_args__ = (
        UniqueConstraint("plan_id", "number", name="uq_plan_revisions_plan_number"),
        Index("ix_plan_revisions_status_submitted_at", "status", "submitted_at", "id"),
        Index("ix_plan_revisions_status_review_on", "status", "review_on"),
        Index("ix_plan_revisions_structure_id_status", "structure_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), nullable=False)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default=DRAFT)
    based_on_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plan_revisions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_on: Mapped[date | None] = mapped_column(Date)       # local date of ended_at (replaced or closed)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    plan: Mapped[Plan] = relationship(back_populates="revisions")
    structure = relationship("Structure")
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    goals: Mapped[list[PlanGoal]] = relationship(back_populates="revision", order_by="PlanGoal.position",
                                                 cascade="all, delete-orphan")
    editors: Mapped[list[PlanRevisionEditor]] = relationship(back_populates="revision",
                                                             cascade="all, delete-orphan")
    events: Mapped[list[PlanEvent]] = relationship(back_populates="revision", order_by="PlanEvent.occurred_at",
                                                   cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def editor_ids(self) -> set[int]:
        """Who drafted or edited this revision (they may never approve it)."""
        return {editor.user_id for editor in self.editors}

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def actions(self) -> list[PlanAction]:
        return [action for goal in self.goals for action in goal.actions]

    def __repr__(self) -> str:
        return f"<PlanRevision {self.id} #{self.number} {self.status}>"


class PlanRevisionEditor(db.Model):
    """A person who drafted or edited a revision."""

    __tablename__ = "plan_revision_editors"

    revision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_revisions.id", ondelete="CASCADE"),
                                                   primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)

    revision: Mapped[PlanRevision] = relationship(back_populates="editors")


class PlanGoal(db.Model):
    __tablename__ = "plan_goals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    revision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_revisions.id", ondelete="CASCADE"),
                                                   nullable=False, index=True)
    key: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, default=uuid.uuid4)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    domain: Mapped[str] = mapped_column(String(16), nullable=False)
    title_ct: Mapped[bytes | None] = mapped_column("title", LargeBinary)
    description_ct: Mapped[bytes | None] = mapped_column("description", LargeBinary)

    title = EncryptedField("title_ct")
    description = EncryptedField("description_ct")

    revision: Mapped[PlanRevision] = relationship(back_populates="goals")
    actions: Mapped[list[PlanAction]] = relationship(back_populates="goal", order_by="PlanAction.position",
                                                     cascade="all, delete-orphan")

    def encryption_key(self) -> DataKey | None:
        return self.revision.plan.encryption_key()


class PlanAction(db.Model):
    """A step towards a goal. `status` is its progress, updated on the approved revision."""

    __tablename__ = "plan_actions"
    __table_args__ = (Index("ix_plan_actions_key", "key"),
                      Index("ix_plan_actions_revision_id_due_on", "revision_id", "due_on"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    revision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_revisions.id", ondelete="CASCADE"),
                                                   nullable=False)
    key: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, default=uuid.uuid4)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    description_ct: Mapped[bytes | None] = mapped_column("description", LargeBinary)
    responsible_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responsible_structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=TODO)
    done_on: Mapped[date | None] = mapped_column(Date)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    description = EncryptedField("description_ct")

    goal: Mapped[PlanGoal] = relationship(back_populates="actions")
    responsible_user = relationship("User", foreign_keys=[responsible_user_id])
    responsible_structure = relationship("Structure", foreign_keys=[responsible_structure_id])

    __mapper_args__ = {"version_id_col": version}

    def encryption_key(self) -> DataKey | None:
        return self.goal.encryption_key()

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN_ACTION and self.due_on is not None and self.due_on < today


class PlanEvent(db.Model):
    """Who moved a revision, when, from which state to which, with their comment (sealed)."""

    __tablename__ = "plan_events"
    __table_args__ = (Index("ix_plan_events_action_occurred_at", "action", "occurred_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    revision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_revisions.id", ondelete="CASCADE"),
                                                   nullable=False, index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    comment_ct: Mapped[bytes | None] = mapped_column("comment", LargeBinary)

    comment = EncryptedField("comment_ct")

    revision: Mapped[PlanRevision] = relationship(back_populates="events")
    actor = relationship("User")

    def encryption_key(self) -> DataKey | None:
        return self.revision.plan.encryption_key()
