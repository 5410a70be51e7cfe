"""Migration 0008 on a database holding languages as the previous release stored them, both backends.

Rows are written with raw SQL at the revision before 0008 (ISO 639-1 codes, as the previous list
had them, and spellings that now have a canonical tag); after the upgrade every stored language is
its canonical BCP 47 tag, and the downgrade gives the previous list's codes back.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from caseapp.beneficiaries import iso
from caseapp.extensions import db
from tests.beneficiaries.conftest import _insert_structures_as_they_were
from tests.conftest import make_app
from tests.test_migrations import empty_database  # noqa: F401  (fixture: a new database per backend)

REVISION = "0008_language_tags"

# languages as stored before -> after the upgrade -> after the downgrade
PEOPLE = [
    ("ar,en", "ar,en", "ar,en"),                  # ISO 639-1 codes stay as they are
    ("fa,tl", "fa,fil", "fa,tl"),                 # Tagalog: BCP 47 / CLDR say fil
    ("fa_AF,ps", "prs,ps", "fa,ps"),              # Dari written as a locale
    ("AR,ar,fa-AF,prs", "ar,prs", "ar,fa"),       # case, repeats, two spellings of Dari
    ("iw,ku", "he,ku", "he,ku"),                  # a deprecated code
    ("", "", ""),
]


def _revision_before() -> str:
    from alembic.script import ScriptDirectory

    from config import ROOT

    return ScriptDirectory(str(ROOT / "migrations")).get_revision(REVISION).down_revision


def _insert_user(user_id: int, now) -> None:
    """A user row with whatever columns the users table requires at that revision."""
    users = sa.Table("users", sa.MetaData(), autoload_with=db.session.connection())
    values = {"id": user_id, "username": "old", "role": "caseworker"}
    for column in users.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        python_type = column.type.python_type
        values[column.name] = (now if python_type is datetime else True if python_type is bool
                               else 1 if python_type is int else "x")
    db.session.execute(users.insert().values(**values))


def _write_as_before(uid) -> dict:
    now = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
    kem = db.session.execute(text("SELECT id FROM structures WHERE code = 'KEM'")).scalar_one()
    _insert_user(900, now)
    def new_key():
        key = uuid.uuid4()
        db.session.execute(text("INSERT INTO data_keys (id, root_key_id, created_at) VALUES (:id, 'r', :t)"),
                           {"id": uid(key), "t": now})
        return key

    people = []
    for number, (stored, _, _) in enumerate(PEOPLE):
        person, key = uuid.uuid4(), new_key()
        db.session.execute(text(
            "INSERT INTO beneficiaries (id, reference, data_key_id, registered_structure_id, created_at, version, "
            "sex, nationality, languages, legal_status, vulnerabilities) VALUES "
            "(:id, :ref, :key, :s, :t, 1, 'female', 'SY', :languages, 'refugee', '')"),
            {"id": uid(person), "ref": f"B-26-OLD{number:02d}-0", "key": uid(key), "s": kem, "t": now,
             "languages": stored})
        people.append(person)
    case_file = uuid.uuid4()
    db.session.execute(text(
        "INSERT INTO case_files (id, beneficiary_id, structure_id, status, opened_at, version) "
        "VALUES (:id, :b, :s, 'open', :t, 1)"), {"id": uid(case_file), "b": uid(people[0]), "s": kem, "t": now})

    interpreters = {}
    for name, codes in (("both", ["tl", "fil", "ar"]), ("dari", ["fa_AF", "ps"]), ("plain", ["fr"])):
        interpreter, key = uuid.uuid4(), new_key()
        db.session.execute(text(
            "INSERT INTO interpreters (id, name, gender, active, data_key_id, created_at, version) "
            "VALUES (:id, :name, 'female', :yes, :key, :t, 1)"),
            {"id": uid(interpreter), "name": name, "yes": True, "key": uid(key), "t": now})
        for code in codes:
            db.session.execute(text("INSERT INTO interpreter_languages (interpreter_id, code) VALUES (:i, :c)"),
                               {"i": uid(interpreter), "c": code})
        interpreters[name] = interpreter

    requests = {}
    for language in ("fa_AF", "tl", "apc", "ar"):
        request = uuid.uuid4()
        db.session.execute(text(
            "INSERT INTO interpretation_requests (id, beneficiary_id, case_file_id, structure_id, caseworker_id, "
            "status, language, mode, purpose, escort, starts_at, duration_minutes, busy_from, busy_until, "
            "created_at, version) VALUES (:id, :b, :cf, :s, 900, 'requested', :language, 'in_person', 'other', "
            ":no, :t, 60, :t, :until, :t, 1)"),
            {"id": uid(request), "b": uid(people[0]), "cf": uid(case_file), "s": kem, "language": language,
             "no": False, "t": now, "until": datetime(2026, 11, 1, 10, tzinfo=timezone.utc)})
        requests[language] = request
    db.session.commit()
    return {"people": people, "interpreters": interpreters, "requests": requests}


def _stored(rows, uid):
    people = [db.session.execute(text("SELECT languages FROM beneficiaries WHERE id = :id"),
                                 {"id": uid(p)}).scalar_one() for p in rows["people"]]
    interpreters = {name: sorted(db.session.execute(text(
        "SELECT code FROM interpreter_languages WHERE interpreter_id = :id"), {"id": uid(i)}).scalars())
        for name, i in rows["interpreters"].items()}
    requests = {old: db.session.execute(text("SELECT language FROM interpretation_requests WHERE id = :id"),
                                        {"id": uid(r)}).scalar_one() for old, r in rows["requests"].items()}
    db.session.rollback()  # end the read, so the migration's connection may write
    return people, interpreters, requests


def test_stored_languages_become_canonical_tags_and_the_downgrade_gives_the_previous_codes(
        empty_database):  # noqa: F811
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=_revision_before())
        _insert_structures_as_they_were()  # today's models may have columns a later migration adds
        db.session.commit()
        native = db.engine.dialect.name == "postgresql"

        def uid(value):
            return value if native else value.hex

        try:
            rows = _write_as_before(uid)
            upgrade(revision=REVISION)
            people, interpreters, requests = _stored(rows, uid)
            assert people == [after for _, after, _ in PEOPLE]
            assert interpreters == {"both": ["ar", "fil"], "dari": ["prs", "ps"], "plain": ["fr"]}
            assert requests == {"fa_AF": "prs", "tl": "fil", "apc": "apc", "ar": "ar"}
            assert all(iso.is_language(code) for value in people for code in value.split(",") if code)

            downgrade(revision=_revision_before())
            people, interpreters, requests = _stored(rows, uid)
            assert people == [before for _, _, before in PEOPLE]
            assert interpreters == {"both": ["ar", "tl"], "dari": ["fa", "ps"], "plain": ["fr"]}
            assert requests == {"fa_AF": "fa", "tl": "tl", "apc": "ar", "ar": "ar"}
        finally:
            db.session.rollback()
            db.engine.dispose()
