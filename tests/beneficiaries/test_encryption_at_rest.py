"""What reaches the disk: ciphertext and truncated blind indexes, never a name, a phone or a number.

These tests need really committed data (rolled-back test transactions never
reach the disk), so each builds its own database: a fresh SQLite file, or a
PostgreSQL database created and dropped here, migrated like production.
"""
import subprocess
import uuid
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text, update

from caseapp.casefiles.models import CaseNote
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.security.crypto import DecryptionError
from caseapp.structures.service import load_reference_data
from tests.conftest import DEFAULT_PG_URL, csrf_token, make_app
from tests.factories import DEFAULT_PASSWORD, case_file_of, make_beneficiary, make_note, make_user

SECRETS = {
    "given_name": "Xanthippi",
    "family_name": "Zorbatzoglou",
    "father_name": "Pantazis",
    "phone": "+30 697 314 1592",
    "email": "xanthippi.z@example.org",
    "document_number": "QX7733219",
    "address": "Odos Kyklamenou 77",
}
NOTE = "Disclosed violence by Leontarakis at the hostel"
NEEDLES = [*SECRETS.values(), NOTE, "6973141592", "zorbatzoglou", "ZORBATZOGLOU", "QX7733219", "1987-06-21",
           "Ζορμπάτζογλου"]


def _register_through_the_ui(app) -> str:
    with app.app_context():
        load_reference_data()
        user = make_user("caseworker", structures=("KEM",))
        db.session.commit()
        username = user.username
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD, "csrf_token": csrf_token(client)})
    with app.app_context():
        kem_id = db.session.execute(text("SELECT id FROM structures WHERE code = 'KEM'")).scalar_one()
        db.session.remove()
    data = {"csrf_token": csrf_token(client, "/beneficiaries/new"), "structure": str(kem_id), "sex": "female",
            "legal_status": "refugee", "birth_date": "1987-06-21", "document_type": "asylum_card", **SECRETS}
    response = client.post("/beneficiaries/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    profile = response.headers["Location"]
    reference = client.get(profile).get_data(as_text=True).split('class="reference">')[1].split("<")[0]
    with app.app_context():
        case_id = db.session.execute(text("SELECT id FROM case_files")).scalar_one()
        db.session.remove()
    case_url = f"/cases/{uuid.UUID(str(case_id))}"
    assert client.post(f"{case_url}/notes", data={"csrf_token": csrf_token(client, case_url),
                                                  "text": NOTE}).status_code == 302
    assert client.post("/beneficiaries/search", data={"csrf_token": csrf_token(client, "/beneficiaries/"),
                                                      "surname": "Ζορμπάτζογλου"}).status_code == 200
    return reference


def _assert_absent(content: bytes, reference: str) -> None:
    assert reference.encode() in content, "positive control: the dump holds the committed data"
    for needle in NEEDLES:
        for encoded in (needle.encode("utf-8"), needle.encode("utf-8").hex().encode(), needle.encode("utf-16-le")):
            assert encoded not in content, needle


@pytest.fixture
def fresh_database(backend, tmp_path):
    """(url, read_everything) for a new, migrated database of the current backend."""
    if backend == "sqlite":
        path = tmp_path / "leak.sqlite"
        yield f"sqlite:///{path}", lambda: b"".join(p.read_bytes() for p in tmp_path.iterdir())
        return
    name = f"caseapp_leak_{uuid.uuid4().hex[:12]}"
    server = DEFAULT_PG_URL.rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def dump() -> bytes:
        result = subprocess.run(["/usr/bin/pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--no-owner", name],
                                capture_output=True, check=True)
        return result.stdout

    try:
        yield f"{server}/{name}", dump
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_registered_names_phone_and_document_never_reach_the_disk(fresh_database):
    url, read_everything = fresh_database
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.session.remove()
    try:
        reference = _register_through_the_ui(app)
    finally:
        with app.app_context():
            db.engine.dispose()
    _assert_absent(read_everything(), reference)


# --- ciphertext bound to its row and column ------------------------------------------------------


def _raw(column, row_id, table=Beneficiary.__table__):
    return db.session.execute(select(table.c[column]).where(table.c.id == row_id)).scalar_one()


def _fresh(cls, row_id):
    db.session.expire_all()
    return db.session.get(cls, row_id)


def test_a_value_copied_to_another_beneficiary_fails_to_decrypt(db_session):
    alpha = make_beneficiary(family_name="Alphaname")
    beta = make_beneficiary(family_name="Betaname")
    db.session.execute(update(Beneficiary.__table__).where(Beneficiary.__table__.c.id == beta.id)
                       .values(family_name=_raw("family_name", alpha.id)))
    with pytest.raises(DecryptionError):
        _fresh(Beneficiary, beta.id).family_name


def test_a_value_copied_to_another_column_of_the_same_row_fails_to_decrypt(db_session):
    person = make_beneficiary(family_name="Samerow", given_name="Othercolumn")
    db.session.execute(update(Beneficiary.__table__).where(Beneficiary.__table__.c.id == person.id)
                       .values(given_name=_raw("family_name", person.id)))
    loaded = _fresh(Beneficiary, person.id)
    assert loaded.family_name == "Samerow"
    with pytest.raises(DecryptionError):
        loaded.given_name


def test_a_note_copied_onto_another_note_of_the_same_person_fails_to_decrypt(db_session):
    case_file = case_file_of(make_beneficiary())
    first = make_note(case_file, "First note")
    second = make_note(case_file, "Second note")
    table = CaseNote.__table__
    db.session.execute(update(table).where(table.c.id == second.id).values(text=_raw("text", first.id, table)))
    with pytest.raises(DecryptionError):
        _fresh(CaseNote, second.id).text


def test_a_tampered_record_shows_an_error_page_and_nothing_else(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    alpha = make_beneficiary(actor=user, family_name="Alphavisible")
    beta = make_beneficiary(actor=user, family_name="Betatampered")
    db.session.execute(update(Beneficiary.__table__).where(Beneficiary.__table__.c.id == beta.id)
                       .values(family_name=_raw("family_name", alpha.id)))
    db.session.commit()
    response = client.get(f"/beneficiaries/{beta.id}")
    assert response.status_code == 500
    assert "Alphavisible" not in response.get_data(as_text=True)


def test_the_database_holds_ciphertext_and_truncated_indexes(db_session):
    person = make_beneficiary(family_name="Papadopoulos", phone="6941234567", birth_date=date(1985, 3, 14))
    db.session.flush()
    stored = db.session.execute(select(Beneficiary.__table__).where(Beneficiary.__table__.c.id == person.id)).one()
    assert b"Papadopoulos" not in bytes(stored.family_name) and stored.family_name[0] == 1
    assert len(stored.family_name_bidx) <= 16 and "papa" not in stored.family_name_bidx.lower()
    assert stored.phone_bidx and stored.birth_date_bidx and stored.given_name is not None
