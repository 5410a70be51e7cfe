"""Interpreters and interpretation (and escort) requests.

An interpreter is staff data: the name stays clear (it is shown to caseworkers), the
phone is sealed under the interpreter's own data key and shown only to those who manage
interpreters and to the interpreter. A request belongs to a case file (the requesting
structure's file on the person); its place, notes and contact phone are sealed under the
person's data key, like every other narrative of theirs, so erasing the person erases them.

No double booking is enforced by the database (see migrations/versions/0013_interpretation.py):
on PostgreSQL an exclusion constraint over (interpreter_id, [busy_from, busy_until)) for
requests in an active state; on SQLite triggers doing the same check inside SQLite's single
write transaction.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey

# States (the lifecycle in service.py moves between them).
REQUESTED = "requested"
ASSIGNED = "assigned"
CONFIRMED = "confirmed"
COMPLETED = "completed"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
# An interpreter is booked (busy) while a request is in one of these.
ACTIVE_BOOKING = (ASSIGNED, CONFIRMED)

IN_PERSON = "in_person"


class Interpreter(db.Model):
    __tablename__ = "interpreters"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    gender: Mapped[str] = mapped_column(String(8), nullable=False, default="unknown")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # The interpreter's own login (role "interpreter"), if they have one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    data_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("data_keys.id"), unique=True, nullable=False)
    phone_ct: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    phone = EncryptedField("phone_ct")

    data_key: Mapped[DataKey] = relationship(DataKey, lazy="joined", innerjoin=True)
    user = relationship("User")
    languages: Mapped[list[InterpreterLanguage]] = relationship(
        back_populates="interpreter", cascade="all, delete-orphan", order_by="InterpreterLanguage.code",
        lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    def encryption_key(self) -> DataKey:
        return self.data_key

    @property
    def language_codes(self) -> list[str]:
        return [entry.code for entry in self.languages]

    @language_codes.setter
    def language_codes(self, codes) -> None:
        wanted = sorted(set(codes or ()))
        kept = [entry for entry in self.languages if entry.code in wanted]
        have = {entry.code for entry in kept}
        self.languages = kept + [InterpreterLanguage(code=code) for code in wanted if code not in have]

    def __repr__(self) -> str:
        return f"<Interpreter {self.id}>"


class InterpreterLanguage(db.Model):
    """A language (or dialect) code from the shared language list that an interpreter covers."""

    __tablename__ = "interpreter_languages"
    __table_args__ = (Index("ix_interpreter_languages_code", "code"),)

    interpreter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interpreters.id", ondelete="CASCADE"),
                                                      primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)

    interpreter: Mapped[Interpreter] = relationship(back_populates="languages")


class InterpretationRequest(db.Model):
    """A request for an interpreter (and possibly an escort) for one appointment of one person.

    `busy_from`/`busy_until` is the stretch the interpreter is kept busy: the appointment,
    plus the travel buffer after it for an in-person one (`INTERPRETATION_TRAVEL_BUFFER_MINUTES`
    at the time of the request).
    """

    __tablename__ = "interpretation_requests"
    __table_args__ = (
        Index("ix_interpretation_requests_structure_id_starts_at", "structure_id", "starts_at", "id"),
        Index("ix_interpretation_requests_interpreter_id_busy_from", "interpreter_id", "busy_from"),
        Index("ix_interpretation_requests_starts_at", "starts_at"),
        CheckConstraint("duration_minutes > 0", name="positive_duration"),
        CheckConstraint("busy_from < busy_until", name="busy_range"),
        CheckConstraint("status NOT IN ('assigned', 'confirmed', 'completed', 'no_show') "
                        "OR interpreter_id IS NOT NULL", name="booked_has_interpreter"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False, index=True)
    case_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_files.id"), nullable=False, index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    caseworker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=REQUESTED)

    # Coded, in clear (the monthly counts group by them).
    language: Mapped[str] = mapped_column(String(16), nullable=False)
    mode: Mapped[str] = mapped_column(String(16), nullable=False)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    escort: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    preferred_gender: Mapped[str | None] = mapped_column(String(8))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    busy_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    busy_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    # Sealed under the person's data key.
    place_ct: Mapped[bytes | None] = mapped_column("place", LargeBinary)
    notes_ct: Mapped[bytes | None] = mapped_column("notes", LargeBinary)
    contact_phone_ct: Mapped[bytes | None] = mapped_column("contact_phone", LargeBinary)
    place = EncryptedField("place_ct")
    notes = EncryptedField("notes_ct")
    contact_phone = EncryptedField("contact_phone_ct")

    interpreter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interpreters.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delivered_minutes: Mapped[int | None] = mapped_column(Integer)
    cancel_reason: Mapped[str | None] = mapped_column(String(32))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    beneficiary = relationship("Beneficiary")
    case_file = relationship("CaseFile")
    structure = relationship("Structure")
    caseworker = relationship("User", foreign_keys=[caseworker_id])
    interpreter: Mapped[Interpreter | None] = relationship()
    history: Mapped[list[RequestEvent]] = relationship(back_populates="request", order_by="RequestEvent.id",
                                                       cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def encryption_key(self) -> DataKey | None:
        return self.beneficiary.data_key

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def in_person(self) -> bool:
        return self.mode == IN_PERSON

    @property
    def is_booked(self) -> bool:
        return self.status in ACTIVE_BOOKING

    @property
    def delivered_hours(self) -> float | None:
        return None if self.delivered_minutes is None else self.delivered_minutes / 60

    def __repr__(self) -> str:
        return f"<InterpretationRequest {self.id} {self.status}>"


class RequestEvent(db.Model):
    """Who moved a request, when, from which state to which (the request's own history)."""

    __tablename__ = "interpretation_request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interpretation_requests.id", ondelete="CASCADE"),
                                                  nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    interpreter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interpreters.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    party: Mapped[str | None] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    request: Mapped[InterpretationRequest] = relationship(back_populates="history")
    actor = relationship("User")
