"""Requests to the holders of a possible duplicate ("asking the holders").

An `Inquiry` is what the requester sent: from which structure, by whom, when. It
names no one and no holder: the requester's side stores nothing of the match. The
`InquiryTarget` rows, one per (holding structure, matching person), are written in
the same statement that finds them (service.send_inquiry) and are read only by the
holders: the requester's pages and audit events never touch them.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow

OPEN = "open"
DECLINED = "declined"
REFERRED = "referred"

EXACT = "exact"        # the same details (surname and birth date or year, document number or phone)
SIMILAR = "similar"    # a surname that sounds alike, same birth date or year


class Inquiry(db.Model):
    __tablename__ = "inquiries"
    __table_args__ = (Index("ix_inquiries_structure_details_created", "structure_id", "details_key", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # A keyed hash (HMAC) of the identifying details asked about, never the details: the same
    # structure asking again about the same details while its request is open is refused.
    details_key: Mapped[str | None] = mapped_column(String(64))

    structure = relationship("Structure")
    requested_by = relationship("User")


class InquiryTarget(db.Model):
    """One holding structure's copy of a request, about one of the people it holds."""

    __tablename__ = "inquiry_targets"
    __table_args__ = (
        UniqueConstraint("inquiry_id", "structure_id", "beneficiary_id", name="uq_inquiry_targets_holder_person"),
        Index("ix_inquiry_targets_structure_status_created", "structure_id", "status", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    inquiry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inquiries.id"), nullable=False)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False, index=True)
    match: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    inquiry: Mapped[Inquiry] = relationship()
    structure = relationship("Structure")
    beneficiary = relationship("Beneficiary")
    answered_by = relationship("User", foreign_keys=[answered_by_id])

    __mapper_args__ = {"version_id_col": version}
