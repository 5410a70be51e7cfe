"""Migration 0004 on a database holding people written by the previous code, on both backends.

The rows are written as the previous release wrote them (phones as typed, surname and phone
indexes from the previous normalisers, at the previous sizes); after `flask db upgrade` they are
found by the new keys, phones are in E.164, and the downgrade puts the previous keys back.
"""
from __future__ import annotations

import importlib.util
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from caseapp.beneficiaries import queries
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.security.blind_index import bits_for, blind_index
from caseapp.security.crypto import aad_for, seal
from caseapp.security.encrypted import blind_index_for
from caseapp.security.key_models import DataKey
from caseapp.security.keyring import current_keyring
from tests.conftest import make_app
from tests.factories import make_user
from tests.test_migrations import empty_database  # noqa: F401  (fixture: a new database per backend)

_PATH = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0004_name_keys_phones.py"
_spec = importlib.util.spec_from_file_location("migration_0004", _PATH)
MIGRATION = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(MIGRATION)

EXPECTED_ROWS = 10_000  # TestConfig's BLIND_INDEX_EXPECTED_ROWS
OLD_BITS = bits_for(EXPECTED_ROWS)

# surname, phone as typed, date of birth; then what the previous code's normalisers made of them.
PEOPLE = [
    ("Yılmaz", "+30 694 123 4567", date(1980, 1, 1), "iılmaz", "6941234567"),
    ("كريمي", "٦٩٤١٢٣٤٥٦٨", date(1981, 2, 2), "كريمي", "6941234568"),
    ("Had\u200bdad", "0030 697 000 1111", date(1982, 3, 3), "had dad", "6970001111"),
    ("Шевченко", "+963 933 123 456", date(1983, 4, 4), "шевченко", "963933123456"),
    ("يوسف", "6941234", date(1984, 5, 5), "يوسف", "6941234"),       # a number too short, kept as typed
    ("محمد", None, date(1985, 6, 6), "محمد", None),
    ("Παπαδόπουλος", "+30 210 123 4567", None, "papadopulos", "2101234567"),
]
NEW_PHONES = ["+306941234567", "+306941234568", "+306970001111", "+963933123456", "6941234", None,
              "+302101234567"]


def _columns(*names: str) -> list[sa.ColumnClause]:
    types = {"id": sa.Uuid(), "data_key_id": sa.Uuid(), "beneficiary_id": sa.Uuid(), "created_at": sa.DateTime(True),
             "opened_at": sa.DateTime(True), "erased_at": sa.DateTime(True), "destroyed_at": sa.DateTime(True),
             "wrapped": sa.LargeBinary(), "confidential": sa.Boolean(), "active": sa.Boolean()}
    encrypted = {"given_name", "family_name", "birth_date", "phone"}
    return [sa.column(name, sa.LargeBinary() if name in encrypted else types.get(name, sa.String())) for name in names]


# The tables as the revision before this one has them (only the columns written here).
_TABLES = (
    sa.table("structures", sa.column("id", sa.Integer()),
             *_columns("code", "name_el", "name_en", "kind", "confidential", "active")),
    sa.table("data_keys", *_columns("id", "root_key_id", "wrapped", "created_at", "destroyed_at")),
    sa.table("beneficiaries", sa.column("registered_structure_id", sa.Integer()), sa.column("version", sa.Integer()),
             sa.column("birth_year", sa.Integer()),
             *_columns("id", "reference", "data_key_id", "created_at", "erased_at", "sex", "languages",
                       "legal_status", "vulnerabilities", "given_name", "family_name", "family_name_bidx",
                       "birth_date", "birth_date_bidx", "phone", "phone_bidx")),
    sa.table("case_files", sa.column("structure_id", sa.Integer()), sa.column("version", sa.Integer()),
             *_columns("id", "beneficiary_id", "status", "opened_at")),
)


def _old_index(keyring, name: str, normalised: str | None) -> str | None:
    return blind_index(keyring.index_key, name, normalised, OLD_BITS) if normalised else None


def _write_as_before(connection, keyring) -> tuple[list[uuid.UUID], uuid.UUID]:
    """People, their case files at KEM and one erased person, as the previous release stored them."""
    structures, data_keys, people, case_files = _TABLES
    now = datetime.now(timezone.utc)
    kem = connection.execute(structures.insert().values(
        code="KEM", name_el="Κέντρο Ένταξης Μεταναστών", name_en="Migrant Integration Centre", kind="counselling",
        confidential=False, active=True).returning(structures.c.id)).scalar_one()
    ids = []
    for n, (surname, phone, birth, old_surname, old_phone) in enumerate(PEOPLE):
        key = DataKey.create(keyring)
        person_id = uuid.uuid4()
        connection.execute(data_keys.insert().values(id=key.id, root_key_id=key.root_key_id, wrapped=key.wrapped,
                                                     created_at=now))
        plain = key.plain_key(keyring)

        def sealed(column, text):
            return None if text is None else seal(plain, key.id, text, aad_for("beneficiaries", column, person_id))

        connection.execute(people.insert().values(
            id=person_id, reference=f"B-2025-{n:06d}", data_key_id=key.id, registered_structure_id=kem,
            created_at=now, version=1, sex="female", languages="", legal_status="refugee", vulnerabilities="",
            birth_year=birth.year if birth else 1990,
            given_name=sealed("given_name", "Test"),
            family_name=sealed("family_name", surname),
            family_name_bidx=_old_index(keyring, "surname", old_surname),
            birth_date=sealed("birth_date", birth.isoformat() if birth else None),
            birth_date_bidx=_old_index(keyring, "birth_date", birth.isoformat() if birth else None),
            phone=sealed("phone", phone), phone_bidx=_old_index(keyring, "phone", old_phone)))
        connection.execute(case_files.insert().values(id=uuid.uuid4(), beneficiary_id=person_id, structure_id=kem,
                                                      status="open", opened_at=now, version=1))
        ids.append(person_id)
    erased_key = DataKey.create(keyring)
    erased_id = uuid.uuid4()
    connection.execute(data_keys.insert().values(id=erased_key.id, root_key_id=erased_key.root_key_id,
                                                 wrapped=None, created_at=now, destroyed_at=now))
    connection.execute(people.insert().values(
        id=erased_id, reference="B-2025-999999", data_key_id=erased_key.id, registered_structure_id=kem,
        created_at=now, erased_at=now, version=2, sex="female", languages="", legal_status="refugee",
        vulnerabilities=""))
    return ids, erased_id


def _raw(person_id, *columns):
    table = Beneficiary.__table__
    return db.session.execute(sa.select(*(table.c[c] for c in columns)).where(table.c.id == person_id)).one()


def test_people_written_before_are_found_by_the_new_keys_after_the_upgrade(empty_database):  # noqa: F811
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=MIGRATION.down_revision)
        keyring = current_keyring()
        with db.engine.begin() as connection:
            ids, erased_id = _write_as_before(connection, keyring)

        upgrade()

        people = {person_id: db.session.get(Beneficiary, person_id) for person_id in ids}
        assert [people[i].phone for i in ids] == NEW_PHONES
        for person_id, (surname, *_rest) in zip(ids, PEOPLE):
            person = people[person_id]
            assert person.family_name == surname
            assert person.family_name_bidx == blind_index_for("surname", surname)
            assert person.family_name_sound_bidx == blind_index_for("surname_sound", surname)
        assert _raw(erased_id, "family_name_bidx", "family_name_sound_bidx", "phone_bidx") == (None, None, None)

        user = make_user("caseworker", structures=("KEM",))

        def found(**criteria):
            return {b.id for b in queries.search_beneficiaries(user, queries.Criteria(**criteria))}

        assert found(surname="YILMAZ") == {ids[0]}
        assert found(surname="کریمی") == {ids[1]}
        assert found(surname="Haddad") == {ids[2]}
        assert found(surname="Shevchenko") == {ids[3]}
        assert found(surname="Papadopoulos") == {ids[6]}
        assert found(phone="٦٩٤١٢٣٤٥٦٧") == {ids[0]}
        assert found(phone="+30 694 123 4568") == {ids[1]}
        assert found(phone="697 000 1111") == {ids[2]}
        assert found(phone="00963 933 123 456") == {ids[3]}
        assert found(phone="210 1234567") == {ids[6]}
        similar = queries.search_similar(user, queries.Criteria(surname="Yusuf"))
        assert [b.id for b in similar] == [ids[4]]
        report = queries.find_possible_duplicates(user, surname="Mohamed", birth_date=date(1985, 6, 6))
        assert [b.id for b in report.visible] == [ids[5]] and report.similar == {ids[5]}

        db.session.remove()
        downgrade(revision=MIGRATION.down_revision)
        table = sa.table("beneficiaries", sa.column("id", sa.Uuid()), sa.column("family_name_bidx"),
                         sa.column("phone_bidx"))
        with db.engine.connect() as connection:
            assert "family_name_sound_bidx" not in {c["name"] for c in sa.inspect(connection).get_columns(
                "beneficiaries")}
            for person_id, (_surname, _phone, _birth, old_surname, old_phone) in zip(ids, PEOPLE):
                row = connection.execute(sa.select(table.c.family_name_bidx, table.c.phone_bidx)
                                         .where(table.c.id == person_id)).one()
                assert tuple(row) == (_old_index(keyring, "surname", old_surname),
                                      _old_index(keyring, "phone", old_phone))
        db.engine.dispose()


def test_a_database_without_people_upgrades_without_keys(empty_database):  # noqa: F811
    app = make_app(empty_database, CASEAPP_KEYS=None)
    with app.app_context():
        upgrade()
        downgrade(revision=MIGRATION.down_revision)
        db.engine.dispose()
