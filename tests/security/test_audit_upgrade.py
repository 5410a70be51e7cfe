"""Migration 0006 on a database holding audit events written before the chain was keyed.

The events are written exactly as the code before 0006 wrote them (plain
SHA-256 over the canonical JSON, no `chain_version` column), on a real
database upgraded to 0003 only; then the database is upgraded to the head.
"""
import hashlib
import json
from datetime import datetime, timedelta, timezone

from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import select, text

from caseapp.extensions import db
from caseapp.security.audit import CHAIN_KEYED, CHAIN_LEGACY, GENESIS_HASH, AuditEvent, record, verify_chain
from caseapp.security.audit_checkpoints import describe, verify
from tests.conftest import make_app
from tests.test_migrations import empty_database  # noqa: F401  (fixture: a fresh SQLite file / PG database)



def revision_before_keyed_audit() -> str:
    """The revision this branch's keyed-audit migration upgrades from (whatever number it is given)."""
    scripts = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    [keyed] = [script for script in scripts.walk_revisions() if script.revision.endswith("_keyed_audit")]
    return keyed.down_revision


def pre_0006_hash(fields: dict) -> str:
    """The chain hash as the code before 0006 computed it (a frozen copy, on purpose)."""
    content = {name: fields[name] for name in ("occurred_at", "user_id", "address", "action", "object_type",
                                               "object_id", "structure_id", "outcome", "prev_hash")}
    content["occurred_at"] = content["occurred_at"].astimezone(timezone.utc).isoformat()
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_pre_0006_events(count: int) -> list[str]:
    prev, hashes = GENESIS_HASH, []
    start = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    for i in range(count):
        fields = {"occurred_at": start + timedelta(minutes=i), "user_id": i + 1, "address": "10.0.0.7",
                  "action": "auth.login", "object_type": "user", "object_id": str(i + 1), "structure_id": None,
                  "outcome": "ok", "prev_hash": prev}
        fields["hash"] = pre_0006_hash(fields)
        db.session.execute(text(
            "INSERT INTO audit_events (occurred_at, user_id, address, action, object_type, object_id, "
            "structure_id, outcome, prev_hash, hash) VALUES (:occurred_at, :user_id, :address, :action, "
            ":object_type, :object_id, :structure_id, :outcome, :prev_hash, :hash)"), fields)
        prev = fields["hash"]
        hashes.append(prev)
    db.session.commit()
    return hashes


def drop_append_only_guard() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))


def test_events_written_before_the_keyed_chain_keep_verifying_after_the_upgrade(empty_database):  # noqa: F811
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=revision_before_keyed_audit())
        hashes = write_pre_0006_events(4)

        upgrade()
        rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        assert [(row.hash, row.chain_version) for row in rows] == [(h, CHAIN_LEGACY) for h in hashes]
        upgraded = verify()
        assert upgraded.ok, describe(upgraded)
        assert (upgraded.report.checked, upgraded.report.legacy) == (4, 4)
        assert "4 of them predate the keyed chain" in "\n".join(describe(upgraded))

        keyed = [record("test.after_upgrade"), record("test.after_upgrade")]
        db.session.commit()
        assert [row.chain_version for row in keyed] == [CHAIN_KEYED, CHAIN_KEYED]
        assert keyed[0].prev_hash == hashes[-1]
        after = verify()
        assert after.ok, describe(after)
        assert (after.report.checked, after.report.legacy, after.checkpoints) == (6, 4, 1)

        # Someone without the audit key edits an old event and re-hashes the old events after it the old
        # way: the first keyed event's MAC still names the old last hash, so the chain alone breaks there,
        # and the checkpoint taken at the upgrade sees its last event changed.
        drop_append_only_guard()
        table = AuditEvent.__table__
        db.session.execute(table.update().where(table.c.id == rows[1].id).values(outcome="denied"))
        prev = rows[0].hash
        for row in db.session.execute(select(table).where(table.c.id.in_([r.id for r in rows[1:]]))
                                      .order_by(table.c.id)).mappings().all():
            new_hash = pre_0006_hash({**row, "prev_hash": prev})
            db.session.execute(table.update().where(table.c.id == row["id"]).values(prev_hash=prev, hash=new_hash))
            prev = new_hash
        db.session.commit()
        chain_alone = verify_chain()
        assert (chain_alone.broken_at, chain_alone.kind) == (keyed[0].id, "link")
        tampered = verify()
        assert (tampered.ok, tampered.report.broken_at, tampered.report.kind) == (False, rows[-1].id, "anchor_hash")
        db.session.remove()
        db.engine.dispose()
