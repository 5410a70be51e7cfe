"""The audit log: keyed chain, signed checkpoints outside the database, and what an owner of the
database can no longer do unnoticed (with the append-only triggers dropped, as an owner would)."""
import json
import secrets
import stat

import pytest
from sqlalchemy import select, text

from caseapp.extensions import db
from caseapp.security import audit as audit_module
from caseapp.security.audit import AuditEvent, keyed_hash, legacy_hash, record, verify_chain
from caseapp.security.audit_checkpoints import verify
from caseapp.security.keyring import EXTENSION_KEY, KeyringUnavailable
from tests.conftest import csrf_token
from tests.factories import make_user


def _drop_append_only_guard(backend):
    """What an attacker with database access would do first."""
    if backend == "postgresql":
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))


def _rows(from_id=0):
    table = AuditEvent.__table__
    return db.session.execute(select(table).where(table.c.id >= from_id).order_by(table.c.id)).mappings().all()


def _reseal(from_id, seal, version=audit_module.CHAIN_KEYED, prev_hash=None):
    """Recompute hash and link of every row from `from_id` on, as a forger would, with `seal(fields)`."""
    table = AuditEvent.__table__
    if prev_hash is None:
        prev_hash = db.session.scalar(select(table.c.hash).where(table.c.id < from_id).order_by(table.c.id.desc())
                                      .limit(1)) or audit_module.GENESIS_HASH
    for row in _rows(from_id):
        fields = {**row, "prev_hash": prev_hash}
        new_hash = seal(fields)
        db.session.execute(table.update().where(table.c.id == row["id"]).values(
            prev_hash=prev_hash, hash=new_hash, chain_version=version))
        prev_hash = new_hash


def _real_key():
    """The audit chain key: only an insider holding the key file has it."""
    key = audit_module.audit_keys().chain
    return lambda fields: keyed_hash(key, fields)


WITHOUT_KEY = {
    # The old, unkeyed formula: what passed `flask audit verify` before the chain was keyed.
    "sha256": lambda fields: legacy_hash(fields),
    # A guessed key.
    "guessed-key": lambda fields: keyed_hash(secrets.token_bytes(32), fields),
}


def _events(n, prefix="test.event"):
    """`n` events; what they say does not matter, only that they are chained."""
    return [record(f"{prefix}.{i}", object_type="thing", object_id=i) for i in range(n)]


def run_audit(app, command):
    return app.test_cli_runner().invoke(args=["audit", command])


def _checkpoint_and_drop_guard(app, backend) -> int:
    """The cron job writes a checkpoint; then an owner drops the triggers. Returns the checkpointed id."""
    assert run_audit(app, "checkpoint").exit_code == 0
    _drop_append_only_guard(backend)
    return db.session.scalar(select(db.func.max(AuditEvent.id)))


def _verify_fails_at(app, event_id) -> str:
    """`flask audit verify` exits 1 naming `event_id`; its output."""
    result = run_audit(app, "verify")
    assert result.exit_code == 1, result.output
    assert f"BROKEN at event id {event_id}: " in result.output
    return result.output


def test_events_are_chained_and_verify(db_session):
    first = record("test.one", object_type="thing", object_id=1)
    second = record("test.two", object_type="thing", object_id=2)
    assert second.prev_hash == first.hash
    report = verify_chain()
    assert report.ok and report.checked >= 2


def test_tampering_with_one_row_names_that_row(db_session, backend):
    record("test.one")
    target = record("test.two", outcome="denied")
    record("test.three")
    _drop_append_only_guard(backend)
    db.session.execute(text("UPDATE audit_events SET outcome = 'ok' WHERE id = :id"), {"id": target.id})
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == target.id


def test_deleting_a_row_breaks_the_next_link(db_session, backend):
    record("test.one")
    deleted = record("test.two")
    after = record("test.three")
    _drop_append_only_guard(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": deleted.id})
    assert verify_chain().broken_at == after.id


def test_the_database_refuses_updates_and_deletes(db_session):
    row = record("test.one")
    savepoint = db.session.begin_nested()
    try:
        db.session.execute(text("UPDATE audit_events SET outcome = 'x' WHERE id = :id"), {"id": row.id})
    except Exception as error:  # noqa: BLE001 - either backend's error type
        assert "append-only" in str(error)
        savepoint.rollback()
    else:
        raise AssertionError("the update went through")


def test_cli_verify_reports_the_broken_row(app, db_session, backend):
    record("test.one")
    target = record("test.two")
    _drop_append_only_guard(backend)
    db.session.execute(text("UPDATE audit_events SET action = 'test.hidden' WHERE id = :id"), {"id": target.id})
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event id {target.id}" in result.output


def test_cli_verify_passes_on_an_intact_log_and_writes_a_signed_checkpoint(app, db_session, audit_checkpoint_dir):
    last = record("test.one")
    result = run_audit(app, "verify")
    assert result.exit_code == 0, result.output
    assert "intact" in result.output and "No earlier checkpoint" in result.output
    [path] = audit_checkpoint_dir.iterdir()
    assert f"Checkpoint written: {path.name}" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(audit_checkpoint_dir.stat().st_mode) == 0o700
    document = json.loads(path.read_text())
    count = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    assert (document["last_id"], document["last_hash"], document["count"]) == (last.id, last.hash, count)
    assert set(document) == {"format", "version", "last_id", "last_hash", "count", "created_at", "mac"}

    record("test.two")
    again = run_audit(app, "verify")
    assert again.exit_code == 0, again.output
    assert "Consistent with 1 checkpoint(s)" in again.output
    assert len(list(audit_checkpoint_dir.iterdir())) == 2


def test_events_are_sealed_with_the_audit_key_not_a_plain_hash(db_session):
    row = record("test.one")
    assert row.chain_version == audit_module.CHAIN_KEYED
    fields = {name: getattr(row, name) for name in audit_module.HASHED_FIELDS}
    assert row.hash == _real_key()(fields) != legacy_hash(fields)


def test_without_an_audit_key_no_event_is_written(app, db_session):
    keyring = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = type(keyring)(keyring.active_id, keyring.root_keys, keyring.index_key)
    try:
        with pytest.raises(KeyringUnavailable, match="no audit key"):
            record("test.unsealed")
    finally:
        app.extensions[EXTENSION_KEY] = keyring


# --- (a) editing a row and recomputing the hashes after it ------------------------------------------


@pytest.mark.parametrize("forger", sorted(WITHOUT_KEY))
def test_a_row_edited_and_resealed_without_the_key_is_found(app, db_session, backend, forger):
    _events(2)
    target, *_after = _events(3, "test.later")
    _drop_append_only_guard(backend)
    db.session.execute(text("UPDATE audit_events SET outcome = 'ok', action = 'test.harmless' WHERE id = :id"),
                       {"id": target.id})
    _reseal(target.id, WITHOUT_KEY[forger])
    assert "content does not match its hash" in _verify_fails_at(app, target.id)


def test_a_row_edited_and_resealed_with_the_key_is_found_against_the_checkpoint(app, db_session, backend):
    _events(2)
    target = _events(3, "test.later")[0]
    checkpointed = _checkpoint_and_drop_guard(app, backend)
    _events(2, "test.after")
    db.session.execute(text("UPDATE audit_events SET outcome = 'denied' WHERE id = :id"), {"id": target.id})
    _reseal(target.id, _real_key())  # an insider holding the key file, not the checkpoints
    output = _verify_fails_at(app, checkpointed)
    assert "the event differs from the one recorded by checkpoint" in output and "rewritten" in output


def test_rows_resealed_the_old_unkeyed_way_are_refused(app, db_session, backend):
    _events(2)
    target = _events(3, "test.later")[1]
    _drop_append_only_guard(backend)
    _reseal(target.id, legacy_hash, version=audit_module.CHAIN_LEGACY)  # a downgrade: "written before 0006"
    assert "an unkeyed event follows keyed events" in _verify_fails_at(app, target.id)


def test_the_whole_log_resealed_the_old_unkeyed_way_is_found_against_the_checkpoint(app, db_session, backend):
    _events(3)
    checkpointed = _checkpoint_and_drop_guard(app, backend)
    first = db.session.scalar(select(db.func.min(AuditEvent.id)))
    _reseal(first, legacy_hash, version=audit_module.CHAIN_LEGACY, prev_hash=audit_module.GENESIS_HASH)
    assert verify_chain().ok  # on its own the chain looks like an old, intact one...
    assert "the event differs" in _verify_fails_at(app, checkpointed)  # ...not like the one the checkpoint saw


# --- (b) deleting the newest rows ---------------------------------------------------------------------


def test_deleting_the_newest_rows_is_found_against_the_latest_checkpoint(app, db_session, backend):
    _events(3)
    kept = _events(2, "test.kept")[-1]
    _events(2, "test.doomed")
    checkpointed = _checkpoint_and_drop_guard(app, backend)
    db.session.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": kept.id})
    assert verify_chain().ok  # the chain itself is a valid, shorter chain
    for command in ("verify", "checkpoint"):
        result = run_audit(app, command)
        assert result.exit_code == 1, command
        assert (f"BROKEN at event id {checkpointed}: the log ends at event {kept.id}" in result.output
                or f"BROKEN at event id {checkpointed}: event {checkpointed}" in result.output), result.output
        assert "deleted" in result.output


# --- (c) deleting a middle row and recomputing --------------------------------------------------------


@pytest.mark.parametrize("forger", sorted(WITHOUT_KEY))
def test_a_middle_row_deleted_and_the_rest_resealed_without_the_key_is_found(app, db_session, backend, forger):
    _events(2)
    deleted, after, *_ = _events(3, "test.middle")
    _drop_append_only_guard(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": deleted.id})
    _reseal(after.id, WITHOUT_KEY[forger])
    assert "content does not match its hash" in _verify_fails_at(app, after.id)


def test_a_middle_row_deleted_and_the_rest_resealed_with_the_key_is_found_against_the_checkpoint(
        app, db_session, backend):
    _events(2)
    deleted, after, *_ = _events(3, "test.middle")
    checkpointed = _checkpoint_and_drop_guard(app, backend)
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": deleted.id})
    _reseal(after.id, _real_key())
    _verify_fails_at(app, checkpointed)


def test_deleting_the_checkpointed_row_itself_is_found(app, db_session, backend):
    _events(3)
    checkpointed = _checkpoint_and_drop_guard(app, backend)
    _events(2, "test.after")
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": checkpointed})
    after = db.session.scalar(select(db.func.min(AuditEvent.id)).where(AuditEvent.id > checkpointed))
    _reseal(after, _real_key())
    assert f"event {checkpointed}, recorded by checkpoint" in _verify_fails_at(app, checkpointed)


# --- (d) checkpoints themselves -----------------------------------------------------------------------


def test_an_edited_or_forged_checkpoint_file_fails_the_verification(app, db_session, audit_checkpoint_dir):
    _events(3)
    assert run_audit(app, "verify").exit_code == 0
    [path] = audit_checkpoint_dir.iterdir()
    document = json.loads(path.read_text())
    document["last_id"] -= 1  # pretend the log was shorter, so a truncation would pass
    path.write_text(json.dumps(document))
    forged = dict(document, mac="0" * 64)
    (audit_checkpoint_dir / "checkpoint-forged.json").write_text(json.dumps(forged))
    result = run_audit(app, "verify")
    assert result.exit_code == 1
    assert "REJECTED" in result.output and path.name in result.output and "checkpoint-forged.json" in result.output
    assert len(list(audit_checkpoint_dir.iterdir())) == 2  # nothing written over a failed verification


def test_the_checkpoint_command_only_reads_events_after_the_latest_checkpoint(app, db_session, count_queries):
    _events(30)
    assert run_audit(app, "checkpoint").exit_code == 0
    _events(2, "test.new")
    with count_queries() as counted:
        result = verify(full=False)
    assert result.ok and result.written is not None
    assert result.report.checked == db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    assert counted.n <= 6  # the anchor's row, the count up to it, its version, one batch, its subjects, the empty batch


def test_events_never_carry_field_values(client, login_as):
    admin = login_as("admin")
    make_user("caseworker", username="maria.secret", display_name="Maria Secretname")
    rows = db.session.execute(select(AuditEvent)).scalars().all()
    for row in rows:
        values = " ".join(str(v) for v in (row.action, row.object_type, row.object_id, row.outcome, row.address))
        assert "Secretname" not in values and "maria.secret" not in values
    assert admin.id in {row.user_id for row in rows}


def test_admin_screen_verifies_the_chain_and_writes_a_checkpoint(client, login_as, audit_checkpoint_dir):
    login_as("admin")
    page = client.post("/admin/audit/verify", data={"csrf_token": csrf_token(client, "/admin/audit/")})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ακέραιη" in html
    [path] = audit_checkpoint_dir.iterdir()
    assert path.name in html
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() == "audit.verify"

    second = client.post("/admin/audit/verify", data={"csrf_token": csrf_token(client, "/admin/audit/")})
    assert "σημεία ελέγχου" in second.get_data(as_text=True)  # "agrees with the earlier checkpoints"


def test_admin_screen_reports_a_truncated_log_and_writes_no_checkpoint(client, login_as, backend,
                                                                      audit_checkpoint_dir):
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client)})
    login_as("admin")
    token = csrf_token(client, "/admin/audit/")  # once: viewing the log is audited, it would append after the cut
    client.post("/admin/audit/verify", data={"csrf_token": token})
    checkpointed = json.loads(next(audit_checkpoint_dir.iterdir()).read_text())["last_id"]
    _drop_append_only_guard(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": checkpointed - 1})
    page = client.post("/admin/audit/verify", data={"csrf_token": token})
    html = page.get_data(as_text=True)
    assert f"The audit chain is broken at event {checkpointed}." in html
    assert "The newest events have been deleted" in html and "No checkpoint was written." in html
    assert len(list(audit_checkpoint_dir.iterdir())) == 1
    assert db.session.scalars(select(AuditEvent.outcome).order_by(AuditEvent.id.desc())).first() == "broken"


def test_without_a_checkpoint_directory_verification_says_so_instead_of_passing(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_DIR", None)
    result = run_audit(app, "verify")
    assert result.exit_code == 1 and "AUDIT_CHECKPOINT_DIR is not configured" in result.output
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client)})
    login_as("admin")
    page = client.post("/admin/audit/verify", data={"csrf_token": csrf_token(client, "/admin/audit/")})
    assert "the audit key or the checkpoint directory is not configured" in page.get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent.outcome).order_by(AuditEvent.id.desc())).first() == "error"
