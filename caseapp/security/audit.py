"""Append-only audit log, chained with a keyed MAC and anchored by signed checkpoints.

Each event stores who, when (UTC), from where, what action, on which object,
in which structure and with what outcome: never field values. Each row
carries ``hash``: HMAC-SHA256, under the audit key, of a canonical form of its
own content plus the previous row's ``hash`` (``prev_hash``). The audit key
lives in the keyring (key file or ``CASEAPP_KEYS``), never in the database,
so someone who can rewrite the table but does not hold the key cannot make
an edited row, or the rows after it, verify again.

What the key alone cannot catch (the key's holder rewriting and re-MACing the
tail, or anyone deleting the newest rows) is caught against signed
checkpoints kept outside the database (`caseapp.security.audit_checkpoints`):
`verify_chain()` checks every checkpoint it is given against the rows.

``chain_version`` says how a row's ``hash`` was made:

- 1 (`CHAIN_LEGACY`): plain SHA-256, rows written before migration 0006.
  They keep their hashes and still verify: rewriting them to HMACs would mean
  rewriting an append-only history, and the migration would need the key.
  They are protected all the same: the first keyed row's MAC covers the last
  legacy row's hash, so changing any legacy row (and re-hashing the legacy
  rows after it) breaks the link into the keyed part. A legacy row after a
  keyed row is refused: that is what a downgrade attack would look like.
- 2 (`CHAIN_KEYED`): HMAC-SHA256 under a key derived (HKDF-SHA256) from the
  keyring's ``audit_key``; the version itself is inside the MAC.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import timezone
from functools import lru_cache
from typing import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Integer, SmallInteger, String, event, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security import audit_subjects
from caseapp.security.keyring import KeyringUnavailable, current_keyring

GENESIS_HASH = "0" * 64
CHAIN_LEGACY = 1
CHAIN_KEYED = 2
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
    # SHA-256 of the sorted ids of the people the event showed (audit_subjects), or None.
    subjects_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    chain_version: Mapped[int] = mapped_column(SmallInteger, nullable=False)


HASHED_FIELDS = ("occurred_at", "user_id", "address", "action", "object_type",
                 "object_id", "structure_id", "outcome", "prev_hash")


def _canonical(fields) -> dict:
    content = {name: fields[name] for name in HASHED_FIELDS}
    content["occurred_at"] = _as_utc(content["occurred_at"]).isoformat()
    if fields.get("subjects_digest"):  # only events that name people (older rows hash as before)
        content["subjects"] = fields["subjects_digest"]
    return content


def _encode(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def legacy_hash(fields) -> str:
    """SHA-256 over a canonical JSON of the event, previous hash included (rows before 0006)."""
    return hashlib.sha256(_encode(_canonical(fields))).hexdigest()


def keyed_hash(chain_key: bytes, fields) -> str:
    """HMAC-SHA256 (hex, 64 characters) under `chain_key` of the canonical event, version included."""
    content = _canonical(fields)
    content["chain_version"] = CHAIN_KEYED
    return hmac.new(chain_key, _encode(content), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _derive(audit_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"caseapp audit " + purpose).derive(audit_key)


@dataclass(frozen=True)
class AuditKeys:
    """Sub-keys of the keyring's audit key: one MACs chain rows, one signs checkpoint files."""

    chain: bytes = field(repr=False)
    checkpoint: bytes = field(repr=False)


def audit_keys() -> AuditKeys:
    """The running app's audit sub-keys; KeyringUnavailable (with the fix) when there is no audit key."""
    audit_key = current_keyring().audit_key
    if audit_key is None:
        raise KeyringUnavailable(
            "the keyring has no audit key: add one with `flask keys generate --add-audit-key` "
            "(or `python -m caseapp.security.keyring add-audit-key PATH`)"
        )
    return AuditKeys(_derive(audit_key, b"chain v2"), _derive(audit_key, b"checkpoint v1"))


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
    subjects=(),
) -> AuditEvent:
    """Append one audit event to the current transaction (the caller commits).

    `subjects`: ids of the beneficiaries the page showed (lists, searches), stored in
    `audit_event_subjects` and covered by the event's hash. Raises KeyringUnavailable
    when the keyring has no audit key: an event that cannot be sealed is not written.
    """
    chain_key = audit_keys().chain
    _lock_chain()
    subject_ids = audit_subjects.canonical_ids(subjects)
    event_row = AuditEvent(
        occurred_at=utcnow(),
        user_id=_acting_user_id(user),
        address=_request_address(),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        structure_id=structure_id,
        outcome=outcome,
        subjects_digest=audit_subjects.digest(subject_ids),
        prev_hash=_last_hash(),
        chain_version=CHAIN_KEYED,
    )
    event_row.hash = keyed_hash(chain_key, {name: getattr(event_row, name)
                                            for name in HASHED_FIELDS + ("subjects_digest",)})
    db.session.add(event_row)
    db.session.flush()
    audit_subjects.store(event_row.id, subject_ids)
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


@dataclass(frozen=True)
class ChainAnchor:
    """A point of the chain recorded outside the database: after event `last_id`
    (whose hash is `last_hash`) the log held `count` events. `label` names it in reports."""

    last_id: int
    last_hash: str
    count: int
    label: str = ""


@dataclass
class ChainReport:
    """Outcome of a walk. `kind` is a stable code (for screens); `problem` says it in English."""

    checked: int
    broken_at: int | None = None
    problem: str | None = None
    kind: str | None = None
    last_id: int = 0
    last_hash: str = GENESIS_HASH
    legacy: int = 0
    anchors_matched: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.kind is None


class _Walk:
    """State of one verification walk over rows in id order."""

    def __init__(self, chain_key: bytes, anchors: Iterable[ChainAnchor], start: ChainAnchor | None,
                 start_is_keyed: bool) -> None:
        self.chain_key = chain_key
        self.pending = sorted(anchors, key=lambda anchor: anchor.last_id)
        self.report = ChainReport(checked=start.count if start else 0)
        if start is not None:
            self.report.last_id, self.report.last_hash = start.last_id, start.last_hash
            self.pending = [anchor for anchor in self.pending if anchor.last_id > start.last_id]
        self.seen_keyed = start_is_keyed

    def fail(self, row_id: int | None, kind: str, problem: str) -> ChainReport:
        self.report.broken_at, self.report.kind, self.report.problem = row_id, kind, problem
        return self.report

    def step(self, row) -> ChainReport | None:
        """Check one row; the report when it is broken, else None."""
        report = self.report
        if self.pending and self.pending[0].last_id < row["id"]:
            anchor = self.pending[0]
            return self.fail(anchor.last_id, "missing_event",
                             f"event {anchor.last_id}, recorded by {anchor.label}, has been deleted")
        if row["prev_hash"] != report.last_hash:
            return self.fail(row["id"], "link", "link to the previous event does not match")
        version = row["chain_version"]
        if version == CHAIN_KEYED:
            self.seen_keyed = True
            expected = keyed_hash(self.chain_key, row)
        elif version == CHAIN_LEGACY and not self.seen_keyed:
            report.legacy += 1
            expected = legacy_hash(row)
        elif version == CHAIN_LEGACY:
            return self.fail(row["id"], "legacy_after_keyed", "an unkeyed event follows keyed events")
        else:
            return self.fail(row["id"], "unknown_version", f"unknown chain version {version!r}")
        if not hmac.compare_digest(expected, row["hash"]):
            return self.fail(row["id"], "content", "content does not match its hash")
        report.checked += 1
        report.last_id, report.last_hash = row["id"], row["hash"]
        while self.pending and self.pending[0].last_id == row["id"]:
            anchor = self.pending.pop(0)
            if anchor.last_hash != row["hash"]:
                return self.fail(row["id"], "anchor_hash",
                                 f"the event differs from the one recorded by {anchor.label}: "
                                 "the log has been rewritten up to here")
            if anchor.count != report.checked:
                return self.fail(row["id"], "anchor_count",
                                 f"{anchor.label} counted {anchor.count} events up to here, the log now "
                                 f"holds {report.checked}: events have been deleted or inserted")
            report.anchors_matched += 1
        return None

    def finish(self) -> ChainReport:
        if self.pending:
            anchor = self.pending[-1]
            return self.fail(anchor.last_id, "truncated",
                             f"the log ends at event {self.report.last_id}, but {anchor.label} recorded "
                             f"{anchor.count} events up to event {anchor.last_id}: the newest events "
                             "have been deleted")
        return self.report


def verify_chain(batch_size: int = 1000, *, anchors: Iterable[ChainAnchor] = (),
                 start: ChainAnchor | None = None) -> ChainReport:
    """Walk the log in id order; report the first row whose link, MAC or anchor is wrong.

    `anchors` are checkpoints recorded outside the database: the row at each
    anchor's `last_id` must exist, carry its hash and be preceded by exactly
    `count - 1` rows; an anchor beyond the last row means truncation.
    `start` (an anchor already confirmed by `confirm_anchor`) lets the walk
    begin after it instead of from the first event. Reads batches of
    `batch_size` rows; raises KeyringUnavailable without an audit key.
    """
    table = AuditEvent.__table__
    start_is_keyed = start is not None and start.last_id > 0 and db.session.scalar(
        select(table.c.chain_version).where(table.c.id == start.last_id)) == CHAIN_KEYED
    walk = _Walk(audit_keys().chain, anchors, start, start_is_keyed)
    while True:
        rows = db.session.execute(
            select(table).where(table.c.id > walk.report.last_id).order_by(table.c.id).limit(batch_size)
        ).mappings().all()
        if not rows:
            return walk.finish()
        subjects = audit_subjects.digests_between(rows[0]["id"], rows[-1]["id"])
        for row in rows:
            if (broken := walk.step(row)) is not None:
                return broken
            if subjects.get(row["id"]) != row["subjects_digest"]:
                return walk.fail(row["id"], "subjects", "the people it names do not match its hash")


def confirm_anchor(anchor: ChainAnchor) -> ChainReport | None:
    """Check that the log still agrees with `anchor` (two queries); a broken report if not, else None."""
    table = AuditEvent.__table__
    row_hash = db.session.scalar(select(table.c.hash).where(table.c.id == anchor.last_id))
    count = db.session.scalar(select(func.count()).select_from(table).where(table.c.id <= anchor.last_id))
    if row_hash is None:
        last = db.session.scalar(select(func.max(table.c.id))) or 0
        kind = "truncated" if last < anchor.last_id else "missing_event"
        return ChainReport(count, anchor.last_id, f"event {anchor.last_id}, recorded by {anchor.label}, "
                           "has been deleted", kind)
    if row_hash != anchor.last_hash:
        return ChainReport(count, anchor.last_id, f"the event differs from the one recorded by {anchor.label}: "
                           "the log has been rewritten up to here", "anchor_hash")
    if count != anchor.count:
        return ChainReport(count, anchor.last_id, f"{anchor.label} counted {anchor.count} events up to here, "
                           f"the log now holds {count}: events have been deleted or inserted", "anchor_count")
    return None
