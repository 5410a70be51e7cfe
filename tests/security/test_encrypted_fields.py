"""EncryptedField and DataKey on a private in-memory SQLite schema (tests/security/_models.py)."""
import uuid
from datetime import date, datetime

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from caseapp.security import crypto, encrypted, key_models
from caseapp.security.blind_index import matches
from caseapp.security.crypto import DecryptionError, aad_for, open_sealed
from caseapp.security.encrypted import (
    EncryptedField,
    ErasedRecordError,
    MissingDataKeyError,
    blind_index_for,
    erase,
    index_bits,
    is_erased,
)
from caseapp.security.key_models import DataKey, KeyDestroyedError
from caseapp.security.keyring import EXTENSION_KEY, Keyring
from tests.security._models import Note, Person, PrivateBase


@pytest.fixture
def keyring():
    return Keyring.generate()


@pytest.fixture
def key_app(keyring):
    app = Flask(__name__)
    app.config["BLIND_INDEX_EXPECTED_ROWS"] = 10_000
    app.extensions[EXTENSION_KEY] = keyring
    with app.app_context():
        yield app


@pytest.fixture
def engine():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    DataKey.__table__.create(engine)
    PrivateBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine, key_app):
    with Session(engine) as session:
        yield session


def new_person(session, **values):
    person = Person(data_key=DataKey.create(), **values)
    session.add(person)
    session.commit()
    return person


def fresh(session, cls, record_id):
    """A new instance loaded from the database: nothing cached on it."""
    session.expunge_all()
    return session.get(cls, record_id)


def raw(session, column, table="test_people"):
    return session.execute(text(f"SELECT {column} FROM {table}")).scalar_one()


def test_values_round_trip_through_the_database(session):
    person = new_person(session, family_name="Παπαδόπουλος", given_name="Μαρία",
                        birth_date=date(1990, 3, 5), phone="+30 694 123 4567")
    loaded = fresh(session, Person, person.id)
    assert loaded.family_name == "Παπαδόπουλος"
    assert loaded.given_name == "Μαρία"
    assert loaded.birth_date == date(1990, 3, 5)
    assert loaded.phone == "+30 694 123 4567"


def test_database_holds_only_ciphertext_with_version_and_key_id(session):
    person = new_person(session, family_name="Papadopoulos")
    stored = raw(session, "family_name")
    assert b"Papadopoulos" not in stored and b"papadop" not in stored
    assert stored[0] == 1
    assert stored[1:17] == person.data_key.id.bytes


def test_id_is_assigned_at_flush_and_bound_into_the_ciphertext(session):
    person = Person(data_key=DataKey.create(), family_name="Georgiou")
    assert person.id is None
    session.add(person)
    session.flush()
    assert isinstance(person.id, uuid.UUID)
    blob = raw(session, "family_name")
    aad = aad_for("test_people", "family_name", person.id)
    assert open_sealed(person.data_key.plain_key(), blob, aad) == "Georgiou"


def test_value_copied_to_another_row_or_column_fails(session):
    first = new_person(session, family_name="Chatzis", given_name="Eleni")
    second = new_person(session, family_name="Psarra", given_name="Anna")
    second.data_key = first.data_key
    second.family_name_ct = first.family_name_ct
    first.given_name_ct = first.family_name_ct
    session.commit()
    first_id, second_id = first.id, second.id
    with pytest.raises(DecryptionError):
        fresh(session, Person, second_id).family_name
    with pytest.raises(DecryptionError):
        fresh(session, Person, first_id).given_name


def test_pending_value_reads_back_before_flush(session):
    person = Person(data_key=DataKey.create())
    person.family_name = "Ψαρρά"
    assert person.family_name == "Ψαρρά"
    assert person.family_name_ct is None


def test_blind_index_search_finds_greek_by_latin_and_back(session):
    wanted = new_person(session, family_name="Παπαδόπουλος", birth_date=date(1980, 1, 1))
    new_person(session, family_name="Georgiou")
    assert wanted.family_name_bidx == blind_index_for("surname", "PAPADOPOULOS")
    # 10,000 rows: a 12-bit budget for the surname, 7 of them for the exact key (two hex digits)
    assert len(wanted.family_name_bidx) == 2 and index_bits() == 12 and index_bits("surname") == 7

    query = select(Person).where(Person.family_name_bidx == blind_index_for("surname", "Papadopoulos"))
    found = [p for p in session.scalars(query) if matches("surname", p.family_name, "Papadopoulos")]
    assert found == [wanted]
    date_index = blind_index_for("birth_date", "01/01/1980")
    assert wanted in session.scalars(select(Person).where(Person.birth_date_bidx == date_index)).all()


def test_phone_index_uses_its_normaliser(session):
    person = new_person(session, phone="0030 694 123 4567")
    assert person.phone_bidx == blind_index_for("phone", "6941234567")


def test_empty_search_is_refused():
    with pytest.raises(ValueError, match="nothing to search"):
        blind_index_for("surname", "   ")


def test_setting_none_clears_ciphertext_and_index(session):
    person = new_person(session, family_name="Georgiou")
    person.family_name = None
    session.commit()
    assert person.family_name is None
    assert (raw(session, "family_name"), raw(session, "family_name_bidx")) == (None, None)


def test_changing_a_value_reencrypts_and_reindexes(session):
    person = new_person(session, family_name="Georgiou")
    old_blob, old_index = person.family_name_ct, person.family_name_bidx
    person.family_name = "Papadakis"
    session.commit()
    assert person.family_name_ct != old_blob
    assert person.family_name_bidx == blind_index_for("surname", "Papadakis") != old_index
    assert fresh(session, Person, person.id).family_name == "Papadakis"


def test_unchanged_value_is_not_rewritten(session):
    person = new_person(session, family_name="Georgiou")
    blob = raw(session, "family_name")
    person.family_name = "Georgiou"
    person.phone = None
    assert not session.dirty
    session.commit()
    assert raw(session, "family_name") == blob


def test_plaintext_is_decrypted_once_and_forgotten_on_expire(session, monkeypatch):
    person = new_person(session, family_name="Georgiou")
    calls = []
    real_open = encrypted.open_sealed
    monkeypatch.setattr(encrypted, "open_sealed", lambda *a: calls.append(1) or real_open(*a))

    assert person.family_name == person.family_name == "Georgiou"
    assert len(calls) == 1
    session.expire(person)
    assert "_caseapp_plaintext" not in vars(person)
    assert person.family_name == "Georgiou"
    assert len(calls) == 2
    session.refresh(person)
    assert person.family_name == "Georgiou"
    assert len(calls) == 3


def test_commit_drops_cached_plaintext(session):
    person = new_person(session, family_name="Georgiou")
    assert person.family_name == "Georgiou"
    person.sex = "F"
    session.commit()
    assert "_caseapp_plaintext" not in vars(person)


def test_rollback_discards_pending_plaintext(session):
    person = new_person(session, family_name="Georgiou")
    person.family_name = "Changed"
    session.rollback()
    assert person.family_name == "Georgiou"


def test_dates_round_trip_and_reject_other_types(session):
    person = new_person(session, birth_date=date(2001, 12, 31))
    assert fresh(session, Person, person.id).birth_date == date(2001, 12, 31)
    for bad in (datetime(2001, 12, 31), "2001-12-31"):
        with pytest.raises(TypeError):
            person.birth_date = bad
    with pytest.raises(TypeError):
        person.family_name = 42


def test_child_rows_use_the_parent_data_key(session):
    person = new_person(session, family_name="Georgiou")
    note = Note(person=person, text="Needs an Arabic interpreter at the clinic.")
    session.add(note)
    session.commit()
    blob = raw(session, "text", "test_notes")
    assert blob[1:17] == person.data_key.id.bytes
    assert fresh(session, Note, note.id).text == "Needs an Arabic interpreter at the clinic."


def test_missing_data_key_is_a_clear_error(session):
    session.add(Person(family_name="Georgiou"))
    with pytest.raises(MissingDataKeyError, match="has no data key"):
        session.flush()


def test_destroyed_key_erases_the_record_and_its_children(session):
    person = new_person(session, family_name="Παπαδόπουλος", birth_date=date(1990, 3, 5))
    session.add(Note(person=person, text="confidential"))
    session.commit()

    person.data_key.destroy()
    session.commit()

    loaded = fresh(session, Person, person.id)
    assert is_erased(loaded)
    assert loaded.family_name is None and loaded.birth_date is None
    assert loaded.notes[0].text is None
    with pytest.raises(KeyDestroyedError):
        loaded.data_key.plain_key()
    assert loaded.data_key.destroyed_at is not None


def test_destroyed_key_leaves_nothing_in_the_caches(session):
    person = new_person(session, family_name="Georgiou")
    key = person.data_key
    plain = key.plain_key()
    old_wrapped = key.wrapped
    key.destroy()
    assert not key_models._plain_keys.pop_where(lambda cache_key: cache_key[0] == key.id)
    assert not crypto._aeads.pop_where(lambda cached: cached == plain)
    assert old_wrapped is not None and key.wrapped is None


def test_writing_to_an_erased_record_is_refused(session):
    person = new_person(session, family_name="Georgiou")
    person.data_key.destroy()
    session.commit()
    person.family_name = "New"
    with pytest.raises(ErasedRecordError):
        session.flush()


def test_erase_also_clears_blind_indexes(session):
    person = new_person(session, family_name="Georgiou", phone="6941234567")
    erase(person)
    session.commit()
    assert is_erased(person)
    assert raw(session, "family_name_bidx") is None
    assert raw(session, "phone_bidx") is None
    assert raw(session, "family_name") is None


def test_rotation_rewraps_data_keys_only(session, key_app, keyring):
    person = new_person(session, family_name="Georgiou")
    blob = person.family_name_ct
    rotated = keyring.with_new_active_key()
    key_app.extensions[EXTENSION_KEY] = rotated

    person.data_key.rewrap()
    session.commit()

    assert person.data_key.root_key_id == rotated.active_id
    assert crypto.wrapped_root_key_id(person.data_key.wrapped) == rotated.active_id
    assert raw(session, "family_name") == blob
    key_models._plain_keys.clear()
    assert fresh(session, Person, person.id).family_name == "Georgiou"


def test_data_key_unwraps_without_cache(session):
    person = new_person(session, family_name="Georgiou")
    key_models._plain_keys.clear()
    assert fresh(session, Person, person.id).family_name == "Georgiou"


def test_index_names_must_be_declared():
    with pytest.raises(KeyError, match="no blind index named 'sex'"):
        EncryptedField("sex_ct", index="sex", index_attr="sex_bidx")
    with pytest.raises(ValueError):
        EncryptedField("x_ct", index="surname")
    with pytest.raises(ValueError):
        EncryptedField("x_ct", kind="int")


@given(value=st.text(max_size=200))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_any_text_round_trips(session, value):
    person = new_person(session, given_name=value)
    assert fresh(session, Person, person.id).given_name == value


# --- decrypt_evenly ----------------------------------------------------------------------------


def test_decrypt_evenly_does_the_same_work_whatever_the_records_hold(session, monkeypatch):
    full = new_person(session, family_name="Ψαρρά", birth_date=date(1980, 1, 1), phone="6941234567")
    sparse = new_person(session, family_name="Sparse")
    gone = new_person(session, family_name="Gone", phone="6900000000")
    erase(gone)
    session.commit()
    stand_ins = {"family_name": "Standin", "birth_date": date(1970, 1, 1), "phone": "+306900000000"}
    spent = {"unwraps": 0, "openings": 0}

    def counting(name, function):
        def counted(*args, **kwargs):
            spent[name] += 1
            return function(*args, **kwargs)
        return counted

    monkeypatch.setattr(encrypted, "unwrap_key", counting("unwraps", encrypted.unwrap_key))
    monkeypatch.setattr(encrypted, "open_sealed", counting("openings", encrypted.open_sealed))

    def read(records, at_least):
        spent.update(unwraps=0, openings=0)
        return encrypted.decrypt_evenly(records, stand_ins, at_least=at_least), dict(spent)

    reads, work = read([full, sparse, gone], at_least=5)
    assert len(reads) == 5 and work == {"unwraps": 5, "openings": 15}
    assert reads[0].values == {"family_name": "Ψαρρά", "birth_date": date(1980, 1, 1), "phone": "6941234567"}
    assert reads[0].present == {"family_name", "birth_date", "phone"}
    assert reads[1].present == {"family_name"} and reads[1].get("phone") is None
    assert reads[1].values["phone"] == "+306900000000"  # the stand-in was opened in its place
    assert reads[2].present == frozenset() and reads[2].get("family_name") is None
    assert reads[3].record is None and reads[4].present == frozenset()
    assert read([], at_least=5)[1] == work                      # nobody: the same work
    assert read([gone], at_least=5)[1] == work                  # an erased person: the same work
    assert read([full] * 7, at_least=5)[1] == {"unwraps": 7, "openings": 21}  # beyond the floor: per record


def test_decrypt_evenly_refuses_a_tampered_value(session):
    one, other = new_person(session, family_name="One"), new_person(session, family_name="Other")
    session.execute(text("UPDATE test_people SET family_name = :blob WHERE id = :id"),
                    {"blob": other.family_name_ct, "id": one.id.hex})
    session.commit()
    with pytest.raises(DecryptionError):
        encrypted.decrypt_evenly([fresh(session, Person, one.id)], {"family_name": "S"}, at_least=1)
