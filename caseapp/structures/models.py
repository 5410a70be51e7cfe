from __future__ import annotations

from enum import StrEnum

from flask_babel import get_locale
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db


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
