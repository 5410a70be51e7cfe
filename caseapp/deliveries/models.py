"""Service deliveries, group sessions, and the history of reference-data edits.

A `ServiceDelivery` is a ledger entry: a service from a structure's catalogue given to a
person (through their case file at that structure) on a local date, in the service's unit.
Entries are never deleted and never edited in place: a correction *reverses* the original
(a `reversal` entry with the opposite quantity, dated like the original, and the original
marked `reversed_at`) and, unless it only cancels, records the corrected delivery as a new
entry pointing at the original (`corrects_id`). The counts take the deliveries in force
(`entry == "delivery"` and not reversed), which equals summing every entry's quantity.

The note is sealed under the person's data key (erasing the person erases it); everything
counted (service, date, quantity) is coded and clear, so erasure never changes a past month.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey

DELIVERY = "delivery"
REVERSAL = "reversal"


class GroupSession(db.Model):
    """One service given to many people at once (a Greek class, a citizenship-exam seminar).

    Each attendee is a `ServiceDelivery` with `session_id` set (quantity 1), so the
    monthly counts need no special case. `title` is a label for staff (e.g. "Greek A1,
    Tuesday group"); it is reference-like text, never a person's name.
    """

    __tablename__ = "group_sessions"
    __table_args__ = (Index("ix_group_sessions_structure_id_held_on", "structure_id", "held_on", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    title: Mapped[str | None] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    structure = relationship("Structure")
    service = relationship("Service")
    created_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<GroupSession {self.id}>"


class ServiceDelivery(db.Model):
    __tablename__ = "service_deliveries"
    __table_args__ = (
        Index("ix_service_deliveries_structure_id_delivered_on", "structure_id", "delivered_on"),
        Index("ix_service_deliveries_beneficiary_id_service_id_delivered_on",
              "beneficiary_id", "service_id", "delivered_on"),
        Index("ix_service_deliveries_case_file_id_recorded_at", "case_file_id", "recorded_at", "id"),
        Index("ix_service_deliveries_session_id", "session_id"),
        CheckConstraint("quantity <> 0", name="nonzero_quantity"),
        CheckConstraint("entry IN ('delivery', 'reversal')", name="entry_kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), nullable=False)
    delivered_on: Mapped[date] = mapped_column(Date, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    entry: Mapped[str] = mapped_column(String(16), nullable=False, default=DELIVERY)
    # For a reversal: the entry it reverses. For a corrected delivery: the entry it replaces.
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_deliveries.id"), index=True)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("group_sessions.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note_ct: Mapped[bytes | None] = mapped_column("note", LargeBinary)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    note = EncryptedField("note_ct")

    beneficiary = relationship("Beneficiary")
    case_file = relationship("CaseFile")
    structure = relationship("Structure")
    service = relationship("Service")
    session: Mapped[GroupSession | None] = relationship()
    recorded_by = relationship("User")
    corrects: Mapped[ServiceDelivery | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}

    def encryption_key(self) -> DataKey | None:
        return self.beneficiary.data_key

    @property
    def in_force(self) -> bool:
        """Counted: a delivery that no correction has reversed."""
        return self.entry == DELIVERY and self.reversed_at is None

    @property
    def is_reversal(self) -> bool:
        return self.entry == REVERSAL

    def __repr__(self) -> str:
        return f"<ServiceDelivery {self.id} {self.entry}>"


class ReferenceChange(db.Model):
    """One field of a structure or service changed by an administrator: the history of the
    reference data (not personal data, so old and new values are kept here; the audit
    event of the change names this row)."""

    __tablename__ = "reference_changes"
    __table_args__ = (Index("ix_reference_changes_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_type: Mapped[str] = mapped_column(String(16), nullable=False)  # "structure" | "service"
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    field: Mapped[str] = mapped_column(String(32), nullable=False)
    old_value: Mapped[str | None] = mapped_column(String(255))
    new_value: Mapped[str | None] = mapped_column(String(255))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    changed_by = relationship("User")
