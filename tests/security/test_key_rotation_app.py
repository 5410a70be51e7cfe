"""Root-key rotation on the real schema, on both backends.

`flask keys rotate` runs through the app's CLI inside the test's outer transaction
(`db_session`: the command's commits release savepoints, the test's end rolls
everything back). The app reads its keyring from `app.extensions`, swapped here
for the test and always put back.

What a data-protection officer relies on: after rotation no data key depends on
the old root key any more (so it can be retired), every beneficiary still reads
exactly as registered, notes included, with a keyring that no longer holds the
old key; and a ciphertext moved to another person's row never shows up as that
person's name.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from caseapp.auth.models import User
from caseapp.beneficiaries import erasure, queries
from caseapp.casefiles.models import CaseNote
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.security import key_models
from caseapp.security.audit import AuditEvent
from caseapp.security.crypto import DecryptionError, UnknownRootKeyError
from caseapp.security.key_models import DataKey
from caseapp.security.keyring import EXTENSION_KEY, Keyring
from tests.factories import case_file_of, make_beneficiary, make_note, make_user

PEOPLE = [
    {"given_name": "Eleni", "family_name": "Rotaridou", "father_name": "Kostas", "birth_date": date(1979, 1, 2),
     "phone": "+306941112233", "email": "eleni.r@example.org", "address": "Odos Aiolou 12, Athina",
     "document_type": "asylum_card", "document_number": "AC-778812"},
    {"given_name": "Yusuf", "family_name": "Rotaroglu", "mother_name": "Aylin", "birth_date": date(1990, 11, 30),
     "phone": "+306975550101"},
    {"given_name": "Mariam", "family_name": "Παπαρρόδου", "birth_date": date(2001, 5, 5),
     "address": "Πλατεία Κουμουνδούρου 3\nΑθήνα"},
]
NOTES = [
    ("Came for psychosocial support; follow-up on Monday.", False),
    ("Disclosed threats from a former partner; do not share.", True),
]
ENCRYPTED = Beneficiary.IDENTITY_FIELDS


@pytest.fixture
def keyring_of(app):
    """`keyring_of(k)` makes the app use keyring `k`; the original is restored afterwards.

    Also empties the process-wide cache of unwrapped data keys, so each read below
    really unwraps with the keyring in force (a cached key would hide a missing root key).
    """
    original = app.extensions[EXTENSION_KEY]

    def use(keyring: Keyring) -> Keyring:
        app.extensions[EXTENSION_KEY] = keyring
        key_models._plain_keys.clear()
        return keyring

    try:
        yield use
    finally:
        app.extensions[EXTENSION_KEY] = original
        key_models._plain_keys.clear()


def run_keys(app, *args):
    return app.test_cli_runner().invoke(args=["keys", *args])


def register_people():
    """Three people (through the service) with two notes each, and one erased person."""
    actor = make_user("caseworker", structures=("KEM",))
    registered = {}
    for values in PEOPLE:
        person = make_beneficiary(actor=actor, **values)
        case_file = case_file_of(person)
        notes = {make_note(case_file, text, confidential=confidential, actor=actor).id: text
                 for text, confidential in NOTES}
        registered[person.id] = (values, notes)
    erased = make_beneficiary(actor=actor, family_name="Rotaerased")
    erasure.erase_beneficiary(erased, actor=actor)
    db.session.commit()
    return actor, registered, erased.id


def reread(registered):
    """Every registered value as read back now: fresh instances, decrypted from the rows."""
    db.session.expunge_all()
    people = {}
    for person_id in registered:
        person = db.session.execute(select(Beneficiary).where(Beneficiary.id == person_id)).scalar_one()
        fields = {name: getattr(person, name) for name in ENCRYPTED}
        notes = {note.id: note.text for note in db.session.execute(
            select(CaseNote).where(CaseNote.case_file_id == case_file_of(person).id)).scalars()}
        people[person_id] = (fields, notes)
    return people


def expected(registered):
    return {person_id: ({name: values.get(name) for name in ENCRYPTED}, notes)
            for person_id, (values, notes) in registered.items()}


def live_keys_under(root_key_id: str) -> int:
    return db.session.scalar(select(func.count()).select_from(DataKey)
                             .where(DataKey.root_key_id == root_key_id, DataKey.wrapped.is_not(None)))


def test_rotation_rewraps_every_data_key_and_everything_still_reads(app, db_session, keyring_of):
    actor, registered, erased_id = register_people()
    actor_id = actor.id
    old = app.extensions[EXTENSION_KEY]
    live = db.session.scalar(select(func.count()).select_from(DataKey).where(DataKey.wrapped.is_not(None)))
    assert live_keys_under(old.active_id) == live >= len(PEOPLE)

    rotated = keyring_of(old.with_new_active_key())
    before = run_keys(app, "status")
    assert before.exit_code == 0, before.output
    assert f"{old.active_id}: {live} data keys" in before.output
    assert "run `flask keys rotate`" in before.output

    result = run_keys(app, "rotate", "--batch-size", "2")  # several batches, each committed
    assert result.exit_code == 0, result.output
    assert f"Re-wrapped {live} data keys under {rotated.active_id}." in result.output

    status = run_keys(app, "status")
    assert status.exit_code == 0, status.output
    assert f"Active root key: {rotated.active_id}" in status.output
    assert f"  {old.active_id}: 0 data keys\n" in status.output
    assert f"  {rotated.active_id}: {live} data keys (active)" in status.output
    assert "Destroyed data keys:" in status.output and "run `flask keys rotate`" not in status.output
    assert live_keys_under(old.active_id) == 0
    rows = db.session.execute(
        select(DataKey.root_key_id).join(Beneficiary, Beneficiary.data_key_id == DataKey.id)
        .where(Beneficiary.id.in_(registered))).scalars().all()
    assert rows == [rotated.active_id] * len(PEOPLE)
    rotation = db.session.execute(select(AuditEvent).where(AuditEvent.action == "keys.rotate")
                                  .order_by(AuditEvent.id.desc())).scalars().first()
    assert (rotation.outcome, rotation.object_id) == ("ok", rotated.active_id)

    # With both root keys: every field and note as registered.
    assert reread(registered) == expected(registered)

    # Without the old root key: still everything, and search by blind index still finds people.
    keyring_of(Keyring(rotated.active_id, {rotated.active_id: rotated.active_key}, rotated.index_key))
    assert reread(registered) == expected(registered)
    caseworker = db.session.get(User, actor_id)
    found = queries.search_beneficiaries(caseworker, queries.Criteria(surname="Rotaroglu"))
    assert [(p.given_name, p.birth_date) for p in found] == [("Yusuf", date(1990, 11, 30))]
    erased = db.session.get(Beneficiary, erased_id)
    assert erased.is_erased and erased.family_name is None  # erasure is not undone by rotation

    # Negative control: the old key alone can no longer unwrap anything (the reads above
    # really used the new wrapping, not a cached key).
    keyring_of(old)
    db.session.expunge_all()
    person = db.session.get(Beneficiary, next(iter(registered)))
    with pytest.raises(UnknownRootKeyError):
        person.family_name


def test_a_second_rotation_run_has_nothing_left_to_do(app, db_session, keyring_of):
    register_people()
    rotated = keyring_of(app.extensions[EXTENSION_KEY].with_new_active_key())
    assert run_keys(app, "rotate").exit_code == 0
    again = run_keys(app, "rotate")
    assert again.exit_code == 0, again.output
    assert f"Re-wrapped 0 data keys under {rotated.active_id}." in again.output


def test_rotation_refuses_to_start_without_the_root_key_the_data_keys_need(app, db_session, keyring_of):
    _actor, registered, _erased = register_people()
    old = app.extensions[EXTENSION_KEY]
    stranger = keyring_of(Keyring.generate())
    result = run_keys(app, "rotate")
    assert result.exit_code == 1
    assert f"missing from the keyring: {old.active_id}" in result.output
    assert live_keys_under(stranger.active_id) == 0
    keyring_of(old)
    assert reread(registered) == expected(registered)


# --- a ciphertext belongs to its row ---------------------------------------------------------------


def _copy_column(table, column: str, source_id, target_id) -> None:
    value = db.session.execute(select(table.c[column]).where(table.c.id == source_id)).scalar_one()
    db.session.execute(update(table).where(table.c.id == target_id).values({column: value}))


@pytest.mark.parametrize("rotate_first", [False, True], ids=["before-rotation", "after-rotation"])
def test_a_family_name_copied_into_another_beneficiary_fails_to_read(app, db_session, keyring_of, rotate_first):
    alpha = make_beneficiary(family_name="Alphadaki", given_name="Anna")
    beta = make_beneficiary(family_name="Betadaki", given_name="Vera")
    db.session.commit()
    alpha_id, beta_id = alpha.id, beta.id
    if rotate_first:
        rotated = keyring_of(app.extensions[EXTENSION_KEY].with_new_active_key())
        assert run_keys(app, "rotate").exit_code == 0
        keyring_of(Keyring(rotated.active_id, {rotated.active_id: rotated.active_key}, rotated.index_key))

    # An attacker with write access to the table (raw SQL) moves Alpha's name onto Beta's row.
    _copy_column(Beneficiary.__table__, "family_name", alpha_id, beta_id)
    db.session.expunge_all()
    victim = db.session.get(Beneficiary, beta_id)
    with pytest.raises(DecryptionError):
        victim.family_name
    assert victim.given_name == "Vera"  # the rest of the row is intact
    assert db.session.get(Beneficiary, alpha_id).family_name == "Alphadaki"

    # Moving Alpha's wrapped data key along with the value does not help either: a wrapped
    # key is bound to its own data-key row.
    _copy_column(DataKey.__table__, "wrapped", _key_id(alpha_id), _key_id(beta_id))
    _copy_column(DataKey.__table__, "root_key_id", _key_id(alpha_id), _key_id(beta_id))
    db.session.expunge_all()
    key_models._plain_keys.clear()
    with pytest.raises(DecryptionError):
        db.session.get(Beneficiary, beta_id).family_name


def _key_id(beneficiary_id):
    return db.session.scalar(select(Beneficiary.data_key_id).where(Beneficiary.id == beneficiary_id))
