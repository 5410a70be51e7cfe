"""Household links between two people.

`relation` is one of `codes.RELATIONS`. For "parent_child", `person` is the parent and
`relative` the child; the other relations are symmetric and stored with the smaller id as
`person`, so one pair has one row whichever side recorded it. `structure_id` is where
the link was recorded: a link recorded at a confidential structure is seen only by that
structure's staff (`queries.household_of`). Each structure keeps its own record of a pair,
so recording a link never tells a structure that another one (perhaps confidential)
already knows these two people together.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow


class HouseholdLink(db.Model):
    __tablename__ = "household_links"
    __table_args__ = (
        UniqueConstraint("person_id", "relative_id", "structure_id", name="uq_household_links_pair_structure"),
        CheckConstraint("person_id <> relative_id", name="two_people"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False)
    relative_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiaries.id"), nullable=False, index=True)
    relation: Mapped[str] = mapped_column(String(16), nullable=False)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person = relationship("Beneficiary", foreign_keys=[person_id])
    relative = relationship("Beneficiary", foreign_keys=[relative_id])
    structure = relationship("Structure")
