"""`flask keys retire` and the schedule in `flask keys status`, on the real schema, on both backends.

The shared test app takes its keys from CASEAPP_KEYS (an environment variable), so retirement here
goes the CASEAPP_KEYS way: the command names the keys to remove, and records them once they are gone.
Retiring from a key file is exercised end to end in tests/beneficiaries/test_erasure_backups.py.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.beneficiaries import erasure
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security import keys_cli
from caseapp.security.audit import AuditEvent
from caseapp.security.key_models import DataKey, RootKeyRecord
from caseapp.security.keyring import EXTENSION_KEY
from tests.factories import make_beneficiary
from tests.security.test_key_rotation_app import keyring_of, run_keys  # noqa: F401  (keyring_of: fixture)

RETENTION = 30


@pytest.fixture
def settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_RETENTION_DAYS", RETENTION)
    monkeypatch.setitem(app.config, "ROOT_KEY_ROTATION_DAYS", 30)


@pytest.fixture
def clock(monkeypatch):
    def travel(days: int) -> None:
        monkeypatch.setattr(keys_cli, "utcnow", lambda: utcnow() + timedelta(days=days))

    return travel


def ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def test_a_key_live_data_keys_need_is_never_retired_and_the_command_says_why(app, db_session, keyring_of,
                                                                              settings, clock):
    old = app.extensions[EXTENSION_KEY]
    make_beneficiary()
    db.session.commit()
    new = keyring_of(old.with_new_active_key())

    clock(365)
    before_rotation = ok(run_keys(app, "retire", "--yes"))
    assert f"{old.active_id}: not retirable yet:" in before_rotation
    assert "live data keys are wrapped under it (run `flask keys rotate`)" in before_rotation
    assert "No root key to retire." in before_rotation

    clock(0)
    rotated = ok(run_keys(app, "rotate"))
    assert f"{old.active_id}: no live data key needs it since" in rotated
    release = db.session.get(RootKeyRecord, old.active_id).released_at
    assert release is not None
    assert f"`flask keys retire` destroys it from {release + timedelta(days=RETENTION):%Y-%m-%d %H:%M} UTC" in rotated

    clock(RETENTION - 1)
    early = ok(run_keys(app, "retire", "--yes"))
    assert f"{old.active_id}: not retirable yet: backups taken up to {release:%Y-%m-%d %H:%M} UTC may need it" in early

    clock(RETENTION + 1)
    due = ok(run_keys(app, "retire", "--yes"))  # keys from CASEAPP_KEYS: the operator removes them
    assert f"Retirable: {old.active_id}. Root keys come from CASEAPP_KEYS: remove these keys" in due
    assert db.session.get(RootKeyRecord, old.active_id).retired_at is None

    keyring_of(new.without_root_keys([old.active_id]))
    recorded = ok(run_keys(app, "retire", "--yes"))
    assert f"Recorded as retired (no longer in the keyring): {old.active_id}." in recorded
    assert db.session.get(RootKeyRecord, old.active_id).retired_at is not None
    retirements = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "keys.retire")).all()
    assert retirements == [old.active_id]
    assert f"  {old.active_id}: retired" in ok(run_keys(app, "status"))


def test_a_data_key_wrapped_under_the_old_key_after_the_rotation_delays_its_retirement(app, db_session, keyring_of,
                                                                                     settings, clock):
    old = app.extensions[EXTENSION_KEY]
    make_beneficiary()
    db.session.commit()
    keyring_of(old.with_new_active_key())
    ok(run_keys(app, "rotate"))
    first_release = db.session.get(RootKeyRecord, old.active_id).released_at

    # An app process that was not restarted still wraps new data keys under the old key.
    db.session.add(DataKey.create(old))
    db.session.commit()
    clock(RETENTION + 1)
    blocked = ok(run_keys(app, "retire", "--yes"))
    assert f"{old.active_id}: not retirable yet: 1 live data keys are wrapped under it" in blocked

    # Rotating again moves it and restarts the wait: backups taken meanwhile hold that key.
    ok(run_keys(app, "rotate"))
    second_release = db.session.get(RootKeyRecord, old.active_id).released_at
    assert second_release > first_release + timedelta(days=RETENTION)
    assert "not retirable yet: backups taken up to" in ok(run_keys(app, "retire", "--yes"))
    clock(2 * RETENTION + 2)
    assert f"Retirable: {old.active_id}." in ok(run_keys(app, "retire", "--yes"))


def test_status_check_flags_a_due_rotation_and_an_erasure_since_the_active_key(app, db_session, settings, clock):
    active = app.extensions[EXTENSION_KEY].active_id
    person = make_beneficiary()
    db.session.commit()
    quiet = run_keys(app, "status", "--check")
    assert quiet.exit_code == 0, quiet.output
    assert "Schedule: a new root key every 30 days, backups kept 30 days." in quiet.output

    clock(31)
    overdue = run_keys(app, "status", "--check")
    assert overdue.exit_code == 1
    assert f"next rotation due by {utcnow() + timedelta(days=31):%Y-%m-%d}" in overdue.output

    clock(0)
    erasure.erase_beneficiary(person)
    db.session.commit()
    after_erasure = run_keys(app, "status", "--check")
    assert after_erasure.exit_code == 1
    assert f"1 data key(s) destroyed (erasures) since {active} was recorded" in after_erasure.output
    assert "Rotate now (`flask keys generate --add-root`, restart, `flask keys rotate`)" in after_erasure.output
