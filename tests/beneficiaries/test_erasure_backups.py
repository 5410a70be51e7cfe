"""Erasure reaches backups: a copy of the database taken before `flask beneficiaries erase` stops
decrypting once the operator has done what the messages and the README say (rotate, then retire the
old root key when the backup retention period has passed).

These tests run a real deployment: a database with committed data (a fresh SQLite file, or a fresh
PostgreSQL database), a key file on disk, and the `flask` commands. A backup is a byte copy of the
database (the SQLite file; `CREATE DATABASE ... TEMPLATE` on PostgreSQL, as faithful as a pg_dump
restore). Each `deployment.process()` is a freshly started app process: it reads the key file anew
and starts with an empty cache of unwrapped data keys, as after a restart.
"""
from __future__ import annotations

import shutil
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles.models import CaseNote
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security import key_models, keys_cli
from caseapp.security.crypto import DecryptionError, UnknownRootKeyError
from caseapp.security.keyring import generate_key_file, read_key_file
from caseapp.structures.service import load_reference_data
from tests.conftest import make_app, postgres_url
from tests.factories import case_file_of, make_beneficiary, make_note, make_user
from tests.test_migrations import empty_database  # noqa: F401  (fixture: a fresh SQLite file / PG database)

RETENTION_DAYS = 30
ROTATION_DAYS = 30
PEOPLE = {
    "alice": {"given_name": "Leyla", "family_name": "Backupova", "father_name": "Omar", "phone": "+306900001111",
              "birth_date": date(1990, 2, 3), "document_type": "passport", "document_number": "P1234567"},
    "bob": {"given_name": "Yusuf", "family_name": "Keptoglou", "phone": "+306900002222"},
    "carol": {"given_name": "Mariam", "family_name": "Laterou", "address": "Odos Athinas 1"},
}
NOTES = {"alice": ("She named the perpetrator.", True), "bob": ("Needs legal counselling.", False),
         "carol": ("Came with two children.", False)}
FIELDS = tuple(sorted({name for values in PEOPLE.values() for name in values}))


class Deployment:
    """One live database and its key file; backups are copies of the database."""

    def __init__(self, url: str, key_file, tmp_path) -> None:
        self.url, self.key_file, self.tmp_path = url, key_file, tmp_path
        self.apps, self.backup_databases = [], []

    def process(self):
        """A freshly (re)started app process: it loads the key file as it is now."""
        key_models._plain_keys.clear()
        app = make_app(self.url, CASEAPP_KEYS=None, CASEAPP_KEY_FILE=str(self.key_file),
                       BACKUP_RETENTION_DAYS=RETENTION_DAYS, ROOT_KEY_ROTATION_DAYS=ROTATION_DAYS)
        self.apps.append(app)
        return app

    def backup_process(self, backup_url: str):
        """An app started on a restored backup, with the current key file (what an attacker holding both has)."""
        key_models._plain_keys.clear()
        app = make_app(backup_url, CASEAPP_KEYS=None, CASEAPP_KEY_FILE=str(self.key_file))
        self.apps.append(app)
        return app

    def close_connections(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    def take_backup(self) -> str:
        """A byte copy of the live database as it is now (committed data)."""
        self.close_connections()
        if self.url.startswith("sqlite"):
            copy = self.tmp_path / f"backup-{len(self.backup_databases)}.sqlite"
            shutil.copyfile(self.url.removeprefix("sqlite:///"), copy)
            self.backup_databases.append(copy)
            return f"sqlite:///{copy}"
        live_name = self.url.rsplit("/", 1)[1]
        name = f"{live_name}_backup_{uuid.uuid4().hex[:6]}"
        with _admin_engine().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{live_name}"'))
        self.backup_databases.append(name)
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def drop_backups(self) -> None:
        self.close_connections()
        for name in self.backup_databases:
            if isinstance(name, str):
                with _admin_engine().connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _admin_engine():
    return create_engine(postgres_url(), isolation_level="AUTOCOMMIT")


@pytest.fixture
def deployment(empty_database, tmp_path):  # noqa: F811
    key_file = tmp_path / "keys.json"
    generate_key_file(key_file)
    live = Deployment(empty_database, key_file, tmp_path)
    app = live.process()
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
    yield live
    live.drop_backups()


@pytest.fixture
def clock(monkeypatch):
    """`clock.travel(days)`: what `flask keys` commands take for now, that many days ahead of real time."""

    class Clock:
        @staticmethod
        def travel(days: int) -> None:
            monkeypatch.setattr(keys_cli, "utcnow", lambda: utcnow() + timedelta(days=days))

    return Clock()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def register(app, *names) -> dict[str, tuple[uuid.UUID, str]]:
    """Register people through the service, each with a note; returns name -> (id, reference)."""
    with app.app_context():
        actor = make_user("caseworker", structures=("KEM",))
        people = {}
        for name in names:
            person = make_beneficiary(actor=actor, **PEOPLE[name])
            text_, confidential = NOTES[name]
            make_note(case_file_of(person), text_, confidential=confidential, actor=actor)
            people[name] = (person.id, person.reference)
        db.session.commit()
        return people


def read(app, person_id):
    """Everything of the person that decrypts in `app`'s database, or the decryption error."""
    with app.app_context():
        person = db.session.get(Beneficiary, person_id)
        try:
            fields = {name: getattr(person, name) for name in FIELDS}
            notes = [note.text for note in db.session.scalars(
                select(CaseNote).where(CaseNote.case_file_id.in_([cf.id for cf in person.case_files])))]
        except DecryptionError as error:
            return error
        finally:
            db.session.remove()
        return fields, notes


def as_registered(name):
    return {field: PEOPLE[name].get(field) for field in FIELDS}, [NOTES[name][0]]


def local_day(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Athens")).date().isoformat()


def test_a_backup_taken_before_an_erasure_stops_decrypting_once_the_stated_steps_are_done(deployment, clock):
    first = deployment.process()
    people = register(first, "alice", "bob")
    (alice, alice_ref), (bob, _bob_ref) = people["alice"], people["bob"]
    old_key = read_key_file(deployment.key_file).active_id
    backup = deployment.take_backup()  # last night's backup, taken before the erasure

    before = datetime.now(timezone.utc)
    erased = run(first, "beneficiaries", "erase", alice_ref, "--yes")
    after = datetime.now(timezone.utc)
    # What the command says is true, and when.
    assert f"Erased {alice_ref} from the live database now" in erased
    assert f"wrapped under root key(s) {old_key}" in erased
    latest = {local_day(moment + timedelta(days=ROTATION_DAYS + RETENTION_DAYS + 1)) for moment in (before, after)}
    assert any(f"at the latest on {day} if the key schedule is kept" in erased for day in latest), erased
    sooner = {local_day(moment + timedelta(days=RETENTION_DAYS + 1)) for moment in (before, after)}
    assert any(f"To make that {day}, rotate now" in erased for day in sooner), erased
    assert "Backupova" not in erased and "Leyla" not in erased

    # Erased from the live database now; the backup still decrypts with the key file, as stated.
    assert read(deployment.process(), alice)[0]["family_name"] is None
    assert read(deployment.backup_process(backup), alice) == as_registered("alice")

    # The stated steps: a new root key, restart, rotate...
    run(first, "keys", "generate", "--add-root")
    second = deployment.process()
    new_key = read_key_file(deployment.key_file).active_id
    rotated = run(second, "keys", "rotate")
    assert "Re-wrapped" in rotated and f"under {new_key}" in rotated
    assert f"{old_key}: no live data key needs it since" in rotated

    # ...the old key cannot be retired while a retained backup may need it...
    too_early = run(second, "keys", "retire", "--yes")
    assert f"{old_key}: not retirable yet: backups taken up to" in too_early
    assert "No root key to retire." in too_early
    assert old_key in read_key_file(deployment.key_file).key_ids
    assert read(deployment.backup_process(backup), alice) == as_registered("alice")

    # ...and once the retention period has passed, it is destroyed.
    clock.travel(RETENTION_DAYS + 1)
    retired = run(second, "keys", "retire", "--yes")
    assert f"Retired {old_key}: destroyed in {deployment.key_file}" in retired
    assert read_key_file(deployment.key_file).key_ids == (new_key,)
    assert old_key not in deployment.key_file.read_text()

    # The backup no longer yields anything of the erased person, confidential note included...
    restored = deployment.backup_process(backup)
    assert isinstance(read(restored, alice), UnknownRootKeyError)
    with restored.app_context():
        note_blob = db.session.scalars(select(CaseNote.text_ct)).first()
        assert note_blob is not None  # the ciphertext is there, in the copy...
    assert isinstance(read(restored, bob), UnknownRootKeyError)  # ...and nobody's data key in it unwraps
    # ...while the live database reads everyone else as registered, and the status says what happened.
    third = deployment.process()
    assert read(third, bob) == as_registered("bob")
    status = run(third, "keys", "status")
    assert f"  {old_key}: retired" in status and f"  {new_key}: 1 data keys (active)" in status


def test_people_in_the_same_backup_decrypt_until_their_own_root_key_is_retired(deployment, clock):
    first = deployment.process()
    people = register(first, "alice", "bob")
    k1 = read_key_file(deployment.key_file).active_id
    run(first, "keys", "generate", "--add-root")
    second = deployment.process()
    k2 = read_key_file(deployment.key_file).active_id
    people.update(register(second, "carol"))  # Carol's data key is wrapped under k2 from the start
    alice, bob, carol = (people[name][0] for name in ("alice", "bob", "carol"))
    backup = deployment.take_backup()  # holds Alice and Bob under k1, Carol under k2

    run(second, "beneficiaries", "erase", people["alice"][1], "--yes")
    run(second, "keys", "rotate")
    clock.travel(RETENTION_DAYS + 1)
    assert f"Retired {k1}" in run(second, "keys", "retire", "--yes")

    restored = deployment.backup_process(backup)
    assert isinstance(read(restored, alice), UnknownRootKeyError)
    assert isinstance(read(restored, bob), UnknownRootKeyError)
    assert read(restored, carol) == as_registered("carol")  # her key in the backup is k2, not retired yet
    live = deployment.process()
    assert read(live, bob) == as_registered("bob") and read(live, carol) == as_registered("carol")

    # Next scheduled rotation: k2's turn.
    run(live, "keys", "generate", "--add-root")
    third = deployment.process()
    run(third, "keys", "rotate")
    early = run(third, "keys", "retire", "--yes")
    assert f"{k2}: not retirable yet" in early and k2 in read_key_file(deployment.key_file).key_ids
    clock.travel(2 * RETENTION_DAYS + 2)
    assert f"Retired {k2}" in run(third, "keys", "retire", "--yes")

    assert isinstance(read(deployment.backup_process(backup), carol), UnknownRootKeyError)
    live = deployment.process()
    assert read(live, bob) == as_registered("bob") and read(live, carol) == as_registered("carol")
