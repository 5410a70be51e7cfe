"""Append-only, hash-chained audit log.

Each event stores who, when (UTC), from where, what action, on which object,
in which structure and with what outcome: never field values. Each row
carries the SHA-256 of the previous row's hash plus its own canonical
content, so editing, deleting or reordering a row breaks the chain at that
row, which `verify_chain()` (and `flask audit verify`) reports.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Integer, String, event, select, text
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64
# Any constant: serialises chain appends across transactions on PostgreSQL.
_CHAIN_LOCK_ID = 0x0CA5EA99


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[object] = mapped_column(UTCDateTime(), nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    address: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    structure_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)

    def compute_hash(self) -> str:
        return chain_hash({name: getattr(self, name) for name in HASHED_FIELDS})


HASHED_FIELDS = ("occurred_at", "user_id", "address", "action", "object_type",
                 "object_id", "structure_id", "outcome", "prev_hash")


def chain_hash(fields) -> str:
    """SHA-256 over a canonical JSON of the event, previous hash included."""
    content = {name: fields[name] for name in HASHED_FIELDS}
    content["occurred_at"] = _as_utc(content["occurred_at"]).isoformat()
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _as_utc(value):
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise RuntimeError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise RuntimeError("audit events are append-only")


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_ID})


def _last_hash() -> str:
    last = db.session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    return last or GENESIS_HASH


def _request_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _acting_user_id(user) -> int | None:
    if user is not None:
        return user.id
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    structure_id: int | None = None,
    outcome: str = "ok",
    user=None,
) -> AuditEvent:
    """Append one audit event to the current transaction (the caller commits)."""
    _lock_chain()
    event_row = AuditEvent(
        occurred_at=utcnow(),
        user_id=_acting_user_id(user),
        address=_request_address(),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        structure_id=structure_id,
        outcome=outcome,
        prev_hash=_last_hash(),
    )
    event_row.hash = event_row.compute_hash()
    db.session.add(event_row)
    db.session.flush()
    return event_row


def record_and_commit(action: str, **kwargs) -> AuditEvent:
    """For events that must persist even though the request changes nothing else."""
    row = record(action, **kwargs)
    db.session.commit()
    return row


def record_denied(reason: str, permissions=(), **kwargs) -> None:
    """A refused access attempt; committed on its own since the request aborts."""
    db.session.rollback()
    endpoint = request.endpoint if has_request_context() else None
    record_and_commit("access.denied", object_type=kwargs.pop("object_type", "route"),
                      object_id=kwargs.pop("object_id", endpoint), outcome="denied", **kwargs)


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the log in id order; report the first row whose link or hash is wrong."""
    table = AuditEvent.__table__
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)
        ).mappings().all()
        if not rows:
            return ChainReport(checked)
        for row in rows:
            if row["prev_hash"] != expected_prev:
                return ChainReport(checked, row["id"], "link to the previous event does not match")
            if chain_hash(row) != row["hash"]:
                return ChainReport(checked, row["id"], "content does not match its hash")
            expected_prev = row["hash"]
            checked += 1
            last_id = row["id"]
