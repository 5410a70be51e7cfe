"""Beneficiaries (one person across structures), their consent history and erasure requests.

Identifying fields are `EncryptedField`s: the database holds AES-256-GCM
ciphertext under the person's own data key, plus truncated blind indexes
for the four searchable ones (two for the surname: exact and sounds-like).
The phone is stored in E.164 (`+306941234567`). Coded fields (sex, birth year, nationality,
languages, legal status, vulnerabilities) stay clear: reports count them.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey

LIST_SEPARATOR = ","


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").split(LIST_SEPARATOR) if part]


def normalise_codes(codes) -> list[str]:
    """Sorted and without repeats: a multiple choice has no order."""
    return sorted({code for code in (codes or ()) if code})


def _join(codes) -> str:
    return LIST_SEPARATOR.join(normalise_codes(codes))


class Beneficiary(db.Model):
    __tablename__ = "beneficiaries"
    __table_args__ = (Index("ix_beneficiaries_created_at_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    data_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("data_keys.id"), unique=True, nullable=False)
    registered_structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False, index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # Coded, in clear.
    sex: Mapped[str] = mapped_column(String(8), nullable=False, default="unknown")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    nationality: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    legal_status: Mapped[str] = mapped_column(String(32), nullable=False, default="unknown")
    vulnerabilities: Mapped[str] = mapped_column(String(255), nullable=False, default="")

    # Identifying, encrypted (the *_ct columns hold ciphertext, *_bidx blind indexes).
    given_name_ct: Mapped[bytes | None] = mapped_column("given_name", LargeBinary)
    family_name_ct: Mapped[bytes | None] = mapped_column("family_name", LargeBinary)
    family_name_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    family_name_sound_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    father_name_ct: Mapped[bytes | None] = mapped_column("father_name", LargeBinary)
    mother_name_ct: Mapped[bytes | None] = mapped_column("mother_name", LargeBinary)
    birth_date_ct: Mapped[bytes | None] = mapped_column("birth_date", LargeBinary)
    birth_date_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    phone_ct: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    phone_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    email_ct: Mapped[bytes | None] = mapped_column("email", LargeBinary)
    address_ct: Mapped[bytes | None] = mapped_column("address", LargeBinary)
    document_type_ct: Mapped[bytes | None] = mapped_column("document_type", LargeBinary)
    document_number_ct: Mapped[bytes | None] = mapped_column("document_number", LargeBinary)
    document_number_bidx: Mapped[str | None] = mapped_column(String(16), index=True)

    given_name = EncryptedField("given_name_ct")
    family_name = EncryptedField("family_name_ct", index="surname", index_attr="family_name_bidx",
                                 more_indexes={"surname_sound": "family_name_sound_bidx"})
    father_name = EncryptedField("father_name_ct")
    mother_name = EncryptedField("mother_name_ct")
    birth_date = EncryptedField("birth_date_ct", index="birth_date", index_attr="birth_date_bidx", kind="date")
    phone = EncryptedField("phone_ct", index="phone", index_attr="phone_bidx")
    email = EncryptedField("email_ct")
    address = EncryptedField("address_ct")
    document_type = EncryptedField("document_type_ct")
    document_number = EncryptedField("document_number_ct", index="document", index_attr="document_number_bidx")

    # Joined: every load brings the key, so decrypting a page never issues a query per row.
    data_key: Mapped[DataKey] = relationship(DataKey, lazy="joined", innerjoin=True)
    registered_structure = relationship("Structure", foreign_keys=[registered_structure_id])
    case_files = relationship("CaseFile", back_populates="beneficiary", order_by="CaseFile.opened_at")

    __mapper_args__ = {"version_id_col": version}

    IDENTITY_FIELDS = ("given_name", "family_name", "father_name", "mother_name", "birth_date",
                       "phone", "email", "address", "document_type", "document_number")
    CODED_FIELDS = ("sex", "birth_year", "nationality", "language_codes", "legal_status",
                    "vulnerability_codes")

    def encryption_key(self) -> DataKey | None:
        return self.data_key

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def language_codes(self) -> list[str]:
        return _split(self.languages)

    @language_codes.setter
    def language_codes(self, codes) -> None:
        self.languages = _join(codes)

    @property
    def vulnerability_codes(self) -> list[str]:
        return _split(self.vulnerabilities)

    @vulnerability_codes.setter
    def vulnerability_codes(self, codes) -> None:
        self.vulnerabilities = _join(codes)

    @property
    def display_name(self) -> str:
        """Family and given name for the screens that may show them (never for logs)."""
        return " ".join(part for part in (self.family_name, self.given_name) if part) or "—"

    def __repr__(self) -> str:
        return f"<Beneficiary {self.id}>"


class FormerReference(db.Model):
    """A sequential reference (`B-2026-004213`) issued before references became random,
    kept for a transition period so printed papers still find the person."""

    __tablename__ = "beneficiary_former_references"

    reference: Mapped[str] = mapped_column(String(20), primary_key=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False, index=True)


class ErasedMonthlyCount(db.Model):
    """What erased people count for in the monthly statistics, frozen at erasure.

    An erased person's row keeps no demographic attribute (so none can single them
    out among the erased of a small structure); their contribution to each month
    they were registered or active in is added here instead, per structure, local
    month (its first day), measure ("registered" or "active"), sex and age band,
    the granularity the monthly report has. `stats.monthly_counts` adds these to
    the counts of people not erased.
    """

    __tablename__ = "erased_monthly_counts"

    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    sex: Mapped[str] = mapped_column(String(8), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(8), primary_key=True)
    people: Mapped[int] = mapped_column(Integer, nullable=False)


class ConsentRecord(db.Model):
    """One decision (given or withdrawn) for one purpose; the latest per purpose is in force.

    Rows are never updated: the history is the table.
    """

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_beneficiary_id_purpose", "beneficiary_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    given: Mapped[bool] = mapped_column(Boolean, nullable=False)
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)

    recorded_by = relationship("User")
    structure = relationship("Structure")


class ErasureRequest(db.Model):
    """Four eyes: a supervisor asks, an administrator confirms (or rejects)."""

    __tablename__ = "erasure_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False, index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    beneficiary: Mapped[Beneficiary] = relationship()
    structure = relationship("Structure")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"
