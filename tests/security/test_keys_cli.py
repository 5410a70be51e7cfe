"""`flask keys` on a private app and SQLite file holding only data_keys, root_keys and audit_events."""
import stat

import pytest
from flask import Flask

from caseapp.extensions import db
from caseapp.security import crypto, keys_cli as keys_cli_module
from caseapp.security.audit import AuditEvent
from caseapp.security.key_models import DataKey, RootKeyRecord
from caseapp.security.keyring import EXTENSION_KEY, Keyring, read_key_file
from caseapp.security.keys_cli import keys_cli


@pytest.fixture
def keyring():
    return Keyring.generate()


@pytest.fixture
def cli_app(tmp_path, keyring):
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'keys.sqlite'}",
                      CASEAPP_KEY_FILE=None, TESTING=True, ROOT_KEY_ROTATION_DAYS=30, BACKUP_RETENTION_DAYS=30)
    db.init_app(app)
    app.extensions[EXTENSION_KEY] = keyring
    app.cli.add_command(keys_cli)
    with app.app_context():
        db.metadata.create_all(db.engine, tables=[DataKey.__table__, RootKeyRecord.__table__, AuditEvent.__table__])
        yield app
        db.session.remove()
        db.engine.dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(args=["keys", *args])


def make_keys(count, keyring):
    keys = [DataKey.create(keyring) for _ in range(count)]
    db.session.add_all(keys)
    db.session.commit()
    return {key.id: key.plain_key(keyring) for key in keys}


def rotate_app_keyring(app, keyring):
    rotated = keyring.with_new_active_key()
    app.extensions[EXTENSION_KEY] = rotated
    return rotated


def test_generate_writes_a_private_file_and_never_overwrites(cli_app, tmp_path):
    path = tmp_path / "keys.json"
    result = run(cli_app, "generate", "--path", str(path))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = read_key_file(path)
    assert first.active_id in result.output

    again = run(cli_app, "generate", "--path", str(path))
    assert again.exit_code == 1 and "already exists" in again.output
    assert read_key_file(path) == first

    added = run(cli_app, "generate", "--path", str(path), "--add-root")
    assert added.exit_code == 0, added.output
    assert set(read_key_file(path).key_ids) > {first.active_id}
    assert "flask keys rotate" in added.output


def test_generate_needs_a_path(cli_app):
    result = run(cli_app, "generate")
    assert result.exit_code == 2 and "CASEAPP_KEY_FILE" in result.output


def test_status_counts_keys_per_root_key(cli_app, keyring):
    make_keys(3, keyring)
    db.session.scalars(db.select(DataKey)).first().destroy()
    db.session.commit()
    rotated = rotate_app_keyring(cli_app, keyring)
    make_keys(1, rotated)

    result = run(cli_app, "status")
    assert result.exit_code == 0, result.output
    assert f"Active root key: {rotated.active_id}" in result.output
    assert f"{keyring.active_id}: 2 data keys" in result.output
    assert f"{rotated.active_id}: 1 data keys (active)" in result.output
    assert "Destroyed data keys: 1" in result.output
    assert "run `flask keys rotate`" in result.output


def test_rotate_rewraps_every_live_key_in_batches_and_audits(cli_app, keyring):
    plain = make_keys(5, keyring)
    destroyed = db.session.scalars(db.select(DataKey)).first()
    destroyed.destroy()
    db.session.commit()
    rotated = rotate_app_keyring(cli_app, keyring)

    result = run(cli_app, "rotate", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert f"Re-wrapped 4 data keys under {rotated.active_id}" in result.output
    db.session.expire_all()
    for key in db.session.scalars(db.select(DataKey)):
        if key.id == destroyed.id:
            assert key.wrapped is None and key.root_key_id == keyring.active_id
        else:
            assert key.root_key_id == rotated.active_id
            assert crypto.unwrap_key(Keyring(rotated.active_id, {rotated.active_id: rotated.active_key},
                                             rotated.index_key), key.wrapped, key.id) == plain[key.id]
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "keys.rotate")).all()
    assert [(e.outcome, e.object_id) for e in events] == [("ok", rotated.active_id)]


def test_interrupted_rotation_resumes(cli_app, keyring, monkeypatch):
    make_keys(4, keyring)
    rotated = rotate_app_keyring(cli_app, keyring)
    real_rewrap = crypto.rewrap_key
    calls = []

    def failing_rewrap(*args):
        calls.append(1)
        if len(calls) == 3:
            raise crypto.DecryptionError("simulated failure")
        return real_rewrap(*args)

    monkeypatch.setattr(crypto, "rewrap_key", failing_rewrap)
    stopped = run(cli_app, "rotate", "--batch-size", "2")
    assert stopped.exit_code == 1 and "rotation stopped" in stopped.output
    assert _count_under(rotated.active_id) == 2

    monkeypatch.setattr(crypto, "rewrap_key", real_rewrap)
    resumed = run(cli_app, "rotate", "--batch-size", "2")
    assert resumed.exit_code == 0, resumed.output
    assert _count_under(rotated.active_id) == 4
    outcomes = db.session.scalars(
        db.select(AuditEvent.outcome).where(AuditEvent.action == "keys.rotate")).all()
    assert outcomes == ["error", "ok"]


def _count_under(root_key_id):
    db.session.expire_all()
    query = db.select(db.func.count()).select_from(DataKey).where(DataKey.root_key_id == root_key_id)
    return db.session.scalar(query)


def test_rotate_refuses_when_a_root_key_is_missing(cli_app, keyring):
    make_keys(1, keyring)
    cli_app.extensions[EXTENSION_KEY] = Keyring.generate()
    result = run(cli_app, "rotate")
    assert result.exit_code == 1
    assert f"missing from the keyring: {keyring.active_id}" in result.output


def test_rotation_never_resurrects_a_key_destroyed_meanwhile(cli_app, keyring):
    make_keys(1, keyring)
    key = db.session.scalars(db.select(DataKey)).one()
    stale_wrapped, key_id = bytes(key.wrapped), key.id
    key.destroy()
    db.session.commit()
    rotated = rotate_app_keyring(cli_app, keyring)

    assert not keys_cli_module._rewrap_row(rotated, key_id, keyring.active_id, stale_wrapped)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(DataKey, key_id).wrapped is None


def test_commands_without_keys_say_so(cli_app):
    cli_app.extensions[EXTENSION_KEY] = None
    for command in ("status", "rotate"):
        result = run(cli_app, command)
        assert result.exit_code == 1 and "no root keys are configured" in result.output


def test_generate_adds_the_audit_key_to_an_older_key_file_once(cli_app, tmp_path):
    path = tmp_path / "keys.json"
    assert run(cli_app, "generate", "--path", str(path)).exit_code == 0
    older = read_key_file(path)
    assert older.audit_key is not None  # new files have one from the start
    path.write_text(type(older)(older.active_id, older.root_keys, older.index_key).to_json())

    added = run(cli_app, "generate", "--path", str(path), "--add-audit-key")
    assert added.exit_code == 0, added.output
    assert "Audit key added" in added.output
    now = read_key_file(path)
    assert len(now.audit_key) == 32 and now.root_keys == older.root_keys and now.index_key == older.index_key

    again = run(cli_app, "generate", "--path", str(path), "--add-audit-key")
    assert again.exit_code == 1 and "never replaced" in again.output
    assert read_key_file(path).audit_key == now.audit_key
