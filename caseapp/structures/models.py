from __future__ import annotations

from enum import StrEnum

import uuid
from datetime import datetime

from flask_babel import get_locale
from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey


class StructureKind(StrEnum):
    COUNSELLING = "counselling"
    SHELTER = "shelter"
    RECEPTION = "reception"
    SOCIAL_SERVICE = "social_service"
    CLINIC = "clinic"
    PROGRAMME = "programme"
    COORDINATION = "coordination"
    PARTNER = "partner"


class BilingualName:
    """`name` in the current UI language (Greek by default)."""

    name_el: str
    name_en: str

    @property
    def name(self) -> str:
        locale = get_locale()
        return self.name_en if locale and locale.language == "en" else self.name_el


class Structure(BilingualName, db.Model):
    __tablename__ = "structures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name_el: Mapped[str] = mapped_column(String(255), nullable=False)
    name_en: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"))
    capacity: Mapped[int | None] = mapped_column(Integer)
    confidential: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Optimistic locking for the reference-data screens (caseapp/deliveries/reference.py).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    parent: Mapped[Structure | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Structure]] = relationship(back_populates="parent", order_by="Structure.code")
    services: Mapped[list[Service]] = relationship(back_populates="structure", order_by="Service.code")
    # Partners only: the directory entry (contact, languages, notes).
    partner: Mapped[PartnerProfile | None] = relationship(back_populates="structure", uselist=False)

    @property
    def is_partner(self) -> bool:
        return self.kind == StructureKind.PARTNER

    def __repr__(self) -> str:
        return f"<Structure {self.code}>"


class Service(BilingualName, db.Model):
    """A service from a structure's catalogue; deliveries are counted in `unit`."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("structure_id", "code", name="uq_services_structure_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(48), nullable=False)
    name_el: Mapped[str] = mapped_column(String(255), nullable=False)
    name_en: Mapped[str] = mapped_column(String(255), nullable=False)
    unit: Mapped[str] = mapped_column(String(32), nullable=False, default="session")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    structure: Mapped[Structure] = relationship(back_populates="services")


class PartnerProfile(db.Model):
    """A partner organisation's directory entry (one per `Structure` of kind "partner").

    Contact details of an organisation stay clear (they are shown to every caseworker);
    the coordinator's notes are narrative and sealed under the entry's own data key (made
    when notes are first written).
    `version` guards against two coordinators editing the entry at once: every save of
    the entry (names, services, languages included) updates this row.
    """

    __tablename__ = "partner_profiles"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), unique=True, nullable=False)
    # Made with the first notes: most entries have none, and a key per entry would be 39 keys for nothing.
    data_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("data_keys.id"), unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(300))
    notes_ct: Mapped[bytes | None] = mapped_column("notes", LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    notes = EncryptedField("notes_ct")

    structure: Mapped[Structure] = relationship(back_populates="partner")
    data_key: Mapped[DataKey | None] = relationship(DataKey, lazy="joined")
    languages: Mapped[list[PartnerLanguage]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="PartnerLanguage.code", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    def encryption_key(self) -> DataKey | None:
        return self.data_key

    @property
    def language_codes(self) -> list[str]:
        return [entry.code for entry in self.languages]

    @language_codes.setter
    def language_codes(self, codes) -> None:
        wanted = sorted(set(codes or ()))
        kept = [entry for entry in self.languages if entry.code in wanted]
        have = {entry.code for entry in kept}
        self.languages = kept + [PartnerLanguage(code=code) for code in wanted if code not in have]

    def __repr__(self) -> str:
        return f"<PartnerProfile {self.structure_id}>"


class PartnerLanguage(db.Model):
    """A language code (the shared list, `beneficiaries.iso`) a partner works in."""

    __tablename__ = "partner_languages"
    __table_args__ = (Index("ix_partner_languages_code", "code"),)

    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_profiles.id", ondelete="CASCADE"),
                                                  primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)

    profile: Mapped[PartnerProfile] = relationship(back_populates="languages")
