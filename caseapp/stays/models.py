"""Stays at shelters and the waiting list for a bed.

A stay is a case file's admission to its shelter structure: `admitted_on` and
`discharged_on` are local (Europe/Athens) days. The person holds a bed on each day
`admitted_on <= day < discharged_on` (the day they leave the bed is free again); an open
stay (`discharged_on` NULL) holds it until discharge. Everything here is dates and codes:
nothing identifying, nothing narrative.

No one occupies two beds: a partial unique index allows one open stay per person and
"bed scope". The scope is 0 for every structure that is not confidential, and the
structure's own id for a confidential one (the women's shelter): a stay there must not be
revealed to another shelter by refusing its admission, so it only conflicts with stays of
the same structure.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow

WAITING = "waiting"
ADMITTED = "admitted"
WITHDRAWN = "withdrawn"


def bed_scope(structure) -> int:
    """0 for a structure that is not confidential, else its id (see the module docstring)."""
    return structure.id if structure.confidential else 0


class Stay(db.Model):
    __tablename__ = "stays"
    __table_args__ = (
        Index("uq_stays_one_open_bed", "beneficiary_id", "bed_scope", unique=True,
              sqlite_where=text("discharged_on IS NULL"), postgresql_where=text("discharged_on IS NULL")),
        Index("ix_stays_structure_id_admitted_on", "structure_id", "admitted_on", "id"),
        CheckConstraint("discharged_on IS NULL OR discharged_on >= admitted_on", name="discharge_after_admission"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False, index=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    bed_scope: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    admitted_on: Mapped[date] = mapped_column(Date, nullable=False)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[str | None] = mapped_column(String(32))
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    admitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discharged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    case_file = relationship("CaseFile")
    beneficiary = relationship("Beneficiary")
    structure = relationship("Structure")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None

    def nights(self, today: date) -> int:
        """Nights spent so far (or in all, once discharged)."""
        return ((self.discharged_on or today) - self.admitted_on).days


class WaitingEntry(db.Model):
    """A person (their case file at the shelter) waiting for `beds` beds, oldest request first."""

    __tablename__ = "stay_waiting_entries"
    __table_args__ = (
        Index("uq_stay_waiting_entries_one_waiting", "case_file_id", unique=True,
              sqlite_where=text("status = 'waiting'"), postgresql_where=text("status = 'waiting'")),
        Index("ix_stay_waiting_entries_structure_id_status", "structure_id", "status", "requested_on"),
        CheckConstraint("beds >= 1", name="at_least_one_bed"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    beds: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=WAITING)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    case_file = relationship("CaseFile")
    beneficiary = relationship("Beneficiary")

    __mapper_args__ = {"version_id_col": version}
