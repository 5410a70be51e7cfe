"""Tiny models for the encryption tests, on their own declarative base.

They reference the real `data_keys` table by its Column object, so the tests
need neither the app's schema nor its migrations.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from caseapp.security.blind_index import normalise_phone
from caseapp.security.encrypted import EncryptedField
from caseapp.security.key_models import DataKey


class PrivateBase(DeclarativeBase):
    pass


class Person(PrivateBase):
    __tablename__ = "test_people"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    data_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey(DataKey.__table__.c.id))
    data_key: Mapped[DataKey | None] = relationship(DataKey)
    sex: Mapped[str | None] = mapped_column(String(1))

    family_name_ct: Mapped[bytes | None] = mapped_column("family_name", LargeBinary)
    family_name_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    family_name = EncryptedField("family_name_ct", index="surname", index_attr="family_name_bidx")

    birth_date_ct: Mapped[bytes | None] = mapped_column("birth_date", LargeBinary)
    birth_date_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    birth_date: date | None = EncryptedField("birth_date_ct", index="birth_date",
                                             index_attr="birth_date_bidx", kind="date")

    phone_ct: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    phone_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    phone = EncryptedField("phone_ct", index="phone", index_attr="phone_bidx", normaliser=normalise_phone)

    given_name_ct: Mapped[bytes | None] = mapped_column("given_name", LargeBinary)
    given_name = EncryptedField("given_name_ct")

    notes: Mapped[list[Note]] = relationship(back_populates="person")

    def encryption_key(self) -> DataKey | None:
        return self.data_key


class Note(PrivateBase):
    __tablename__ = "test_notes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("test_people.id"))
    person: Mapped[Person] = relationship(back_populates="notes")
    text_ct: Mapped[bytes | None] = mapped_column("text", LargeBinary)
    text = EncryptedField("text_ct")

    def encryption_key(self) -> DataKey | None:
        return self.person.data_key
