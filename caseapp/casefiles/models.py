"""Case files: a beneficiary's file at one structure, its notes and its timeline.

Access has one source: a user sees a case file when they belong to its
structure (`queries.visible_case_files`). The `can_*` methods below are the
object rules for what they may do with it once they see it.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey

OPEN = "open"
CLOSED = "closed"


def _belongs(user, structure_id: int) -> bool:
    return structure_id in user.structure_ids


class CaseFile(db.Model):
    __tablename__ = "case_files"
    __table_args__ = (UniqueConstraint("beneficiary_id", "structure_id", name="uq_case_files_beneficiary_structure"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # The unique (beneficiary_id, structure_id) constraint indexes beneficiary_id.
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OPEN)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    beneficiary = relationship("Beneficiary", back_populates="case_files")
    structure = relationship("Structure")
    assigned_to = relationship("User", foreign_keys=[assigned_to_id])
    periods: Mapped[list[CaseFilePeriod]] = relationship(back_populates="case_file",
                                                          order_by="CaseFilePeriod.opened_on")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def is_staff(self, user) -> bool:
        return _belongs(user, self.structure_id)

    def can_view(self, user) -> bool:
        return user.has_permission("cases.view") and self.is_staff(user)

    def can_write_note(self, user) -> bool:
        return user.has_permission("notes.write") and self.is_staff(user) and self.is_open

    def can_close_or_reopen(self, user) -> bool:
        """The assigned caseworker, or a supervisor of the structure."""
        if not (user.has_permission("cases.manage") and self.is_staff(user)):
            return False
        return self.assigned_to_id == user.id or user.has_permission("cases.reassign")

    def can_reassign(self, user) -> bool:
        return user.has_permission("cases.reassign") and self.is_staff(user) and self.is_open

    def __repr__(self) -> str:
        return f"<CaseFile {self.id} {self.status}>"


class CaseFilePeriod(db.Model):
    """A stretch of time the file was open (local dates); monthly counts are made of these.

    Closing ends the current period, reopening starts a new one, so a file
    closed in February and reopened in May does not count in March.
    """

    __tablename__ = "case_file_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False, index=True)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    closed_on: Mapped[date | None] = mapped_column(Date)

    case_file: Mapped[CaseFile] = relationship(back_populates="periods")


class CaseNote(db.Model):
    """An encrypted note. Notes are never edited: a correction is a new note.

    A confidential note is for its structure's staff only and never travels
    with a referral (`queries.shareable_notes`).
    """

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_file_id_created_at", "case_file_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    confidential: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    text_ct: Mapped[bytes | None] = mapped_column("text", LargeBinary)

    text = EncryptedField("text_ct")

    case_file: Mapped[CaseFile] = relationship()
    author = relationship("User")

    def encryption_key(self) -> DataKey | None:
        return self.case_file.beneficiary.data_key

    def can_view(self, user) -> bool:
        return self.case_file.is_staff(user) and user.has_permission("cases.view")


class TimelineEvent(db.Model):
    """Something that happened to a case file, written by whichever domain did it.

    `text` is short and never identifying (a code or a few words, no names,
    no note content); `link` is a site-relative URL or fragment to the thing
    itself. Kinds and their labels are registered in `timeline.KINDS`.
    """

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_case_file_id_occurred_at", "case_file_id", "occurred_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    kind: Mapped[str] = mapped_column(String(48), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(255))

    actor = relationship("User")
