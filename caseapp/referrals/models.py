"""Referrals, their history, and the one-off working-day overrides of the due-date calendar.

A referral belongs to the sending structure's case file on the person (`case_file_id`);
acceptance opens (or reopens) a case file at the receiving structure
(`receiving_case_file_id`), which is what gives the receiver access to the person. The
reason, the decline reason, the outcome and the withdrawal reason are sealed under the
person's data key, like every narrative of theirs, so erasing the person erases them.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.referrals.codes import ACCEPTED, COMPLETED, DRAFT, OPEN_STATES, SENT, WITHDRAWN
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_from_structure_id_created_at", "from_structure_id", "created_at", "id"),
        Index("ix_referrals_to_structure_id_created_at", "to_structure_id", "created_at", "id"),
        Index("ix_referrals_status_due_on", "status", "due_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False, index=True)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False, index=True)
    from_structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    to_structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False)
    receiving_case_file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_files.id"), index=True)
    # An action of the person's plan this referral carries out (plans land separately: no FK).
    plan_action_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DRAFT)
    urgency: Mapped[str] = mapped_column(String(16), nullable=False)
    # Local (Europe/Athens) dates: set when sent, in working days from that day.
    due_on: Mapped[date | None] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)
    # Calendar days from sending to the answer (accept or decline), for the monthly median.
    days_to_answer: Mapped[int | None] = mapped_column(Integer)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Partners have no users: the sending structure records their answer, saying how it came.
    answered_for_partner: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    answer_channel: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reason_ct: Mapped[bytes | None] = mapped_column("reason", LargeBinary)
    decline_reason_ct: Mapped[bytes | None] = mapped_column("decline_reason", LargeBinary)
    outcome_ct: Mapped[bytes | None] = mapped_column("outcome", LargeBinary)
    withdraw_reason_ct: Mapped[bytes | None] = mapped_column("withdraw_reason", LargeBinary)
    reason = EncryptedField("reason_ct")
    decline_reason = EncryptedField("decline_reason_ct")
    outcome = EncryptedField("outcome_ct")
    withdraw_reason = EncryptedField("withdraw_reason_ct")

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    beneficiary = relationship("Beneficiary")
    case_file = relationship("CaseFile", foreign_keys=[case_file_id])
    receiving_case_file = relationship("CaseFile", foreign_keys=[receiving_case_file_id])
    from_structure = relationship("Structure", foreign_keys=[from_structure_id])
    to_structure = relationship("Structure", foreign_keys=[to_structure_id])
    service = relationship("Service")
    created_by = relationship("User", foreign_keys=[created_by_id])
    history: Mapped[list[ReferralEvent]] = relationship(back_populates="referral", order_by="ReferralEvent.id",
                                                        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def encryption_key(self) -> DataKey | None:
        return self.beneficiary.data_key

    def is_overdue(self, today: date) -> bool:
        """Past its due date (Europe/Athens day) and still waiting for an answer or completion."""
        return self.status in OPEN_STATES and self.due_on is not None and self.due_on < today

    @property
    def was_accepted(self) -> bool:
        return self.status in (ACCEPTED, COMPLETED) or (self.status == WITHDRAWN and self.answered_at is not None)

    @property
    def waiting(self) -> bool:
        return self.status == SENT

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.status}>"


class ReferralEvent(db.Model):
    """Who moved a referral, when, from which state to which, and as which party."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False,
                                                   index=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    party: Mapped[str | None] = mapped_column(String(16))
    # For an answer recorded on a partner's behalf: how it came, and the day the partner gave it.
    channel: Mapped[str | None] = mapped_column(String(16))
    answered_on: Mapped[date | None] = mapped_column(Date)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="history")
    actor = relationship("User")


class WorkingDayOverride(db.Model):
    """A one-off change to the due-date calendar: a holiday moved by ministerial decision
    (`working` False: an extra day off) or a working day in place of a holiday (`working` True)."""

    __tablename__ = "working_day_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False, unique=True)
    working: Mapped[bool] = mapped_column(Boolean, nullable=False)
    note: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by = relationship("User")
