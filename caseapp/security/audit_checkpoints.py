"""Signed audit checkpoints, written outside the database.

A checkpoint is a small JSON file in ``AUDIT_CHECKPOINT_DIR`` (default
``instance/audit-checkpoints``) saying "at this time the audit log held
`count` events and ended with event `last_id`, whose hash was `last_hash`",
signed with HMAC-SHA256 under a sub-key of the keyring's audit key (never in
the database). `verify()` walks the chain and checks it against every
checkpoint, so whoever owns the database, even holding the audit key, cannot
delete the newest events, delete a middle event or rewrite events up to a
checkpoint without `flask audit verify` saying so. Only the events written
after the newest checkpoint are protected by the keyed chain alone, hence
checkpoints on a schedule (`flask audit checkpoint` from cron) and at every
verification.

File format (one file per checkpoint, created with O_EXCL and mode 0600, never
rewritten)::

    {"format": "caseapp-audit-checkpoint", "version": 1, "last_id": 1234,
     "last_hash": "<64 hex>", "count": 1230, "created_at": "2026-01-15T03:00:00.123456+00:00",
     "mac": "<HMAC-SHA256 hex over the canonical JSON of the other fields>"}

A file whose signature does not verify (edited, forged, from another
deployment's key) fails the verification: tampering with the evidence is an
alarm too. Ship the directory off the host (rsync to a log server, WORM
storage) so that whoever controls this machine cannot delete checkpoints
either: the README says how.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app

from caseapp.models_base import utcnow
from caseapp.security.audit import ChainAnchor, ChainReport, audit_keys, confirm_anchor, verify_chain

FORMAT = "caseapp-audit-checkpoint"
VERSION = 1
PREFIX = "checkpoint-"
_FIELDS = ("format", "version", "last_id", "last_hash", "count", "created_at")


class CheckpointDirectoryMissing(RuntimeError):
    """AUDIT_CHECKPOINT_DIR is not configured."""


@dataclass(frozen=True)
class Checkpoint:
    last_id: int
    last_hash: str
    count: int
    created_at: datetime
    name: str = ""

    @property
    def anchor(self) -> ChainAnchor:
        return ChainAnchor(self.last_id, self.last_hash, self.count, f"checkpoint {self.name}")


@dataclass
class Verification:
    """A chain report plus what the checkpoints said and which checkpoint was written."""

    report: ChainReport
    checkpoints: int = 0
    latest: Checkpoint | None = None
    written: Checkpoint | None = None
    rejected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.rejected


def checkpoint_directory() -> Path:
    configured = current_app.config.get("AUDIT_CHECKPOINT_DIR")
    if not configured:
        raise CheckpointDirectoryMissing("AUDIT_CHECKPOINT_DIR is not configured")
    return Path(configured)


def _mac(key: bytes, document: dict) -> str:
    content = json.dumps({name: document[name] for name in _FIELDS}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


def _parse(key: bytes, path: Path) -> Checkpoint | None:
    """The checkpoint in `path`, or None when it is not an authentic checkpoint file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or set(document) != {*_FIELDS, "mac"}:
            return None
        if document["format"] != FORMAT or document["version"] != VERSION:
            return None
        if not hmac.compare_digest(_mac(key, document), str(document["mac"])):
            return None
        last_id, count, last_hash = document["last_id"], document["count"], document["last_hash"]
        if not (isinstance(last_id, int) and isinstance(count, int) and isinstance(last_hash, str)):
            return None
        return Checkpoint(last_id, last_hash, count, datetime.fromisoformat(document["created_at"]), path.name)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def read_checkpoints(directory: Path, key: bytes) -> tuple[list[Checkpoint], list[str]]:
    """Authentic checkpoints (oldest first) and the names of files that failed authentication."""
    if not directory.is_dir():
        return [], []
    authentic, rejected = [], []
    for path in sorted(directory.glob(f"{PREFIX}*.json")):
        checkpoint = _parse(key, path)
        if checkpoint is None:
            rejected.append(path.name)
        else:
            authentic.append(checkpoint)
    authentic.sort(key=lambda cp: (cp.last_id, cp.created_at))
    return authentic, rejected


def write_checkpoint(directory: Path, key: bytes, last_id: int, last_hash: str, count: int,
                     now: datetime | None = None) -> Checkpoint:
    """Create a new signed checkpoint file (directory 0700, file 0600, never overwriting one)."""
    now = now or utcnow()
    document = {"format": FORMAT, "version": VERSION, "last_id": last_id, "last_hash": last_hash,
                "count": count, "created_at": now.isoformat()}
    document["mac"] = _mac(key, document)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}-{last_id:012d}"
    for attempt in range(100):
        path = directory / (f"{stem}.json" if attempt == 0 else f"{stem}-{attempt}.json")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        try:
            os.write(fd, (json.dumps(document, indent=2) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return Checkpoint(last_id, last_hash, count, now, path.name)
    raise FileExistsError(f"could not create a checkpoint file in {directory}")


def verify(*, full: bool = True) -> Verification:
    """Verify the audit log against every checkpoint, then write a new checkpoint if it holds.

    ``full=True`` (`flask audit verify`, the admin screen) walks every event.
    ``full=False`` (`flask audit checkpoint`) confirms the newest checkpoint
    (its event, hash and count) and walks only the events after it. Nothing is
    written when the log or a checkpoint file fails: a checkpoint must never
    bless a tampered log. Raises KeyringUnavailable without an audit key and
    CheckpointDirectoryMissing without AUDIT_CHECKPOINT_DIR.
    """
    key = audit_keys().checkpoint
    directory = checkpoint_directory()
    checkpoints, rejected = read_checkpoints(directory, key)
    latest = max(checkpoints, key=lambda cp: (cp.last_id, cp.created_at), default=None)
    anchors = [checkpoint.anchor for checkpoint in checkpoints]
    if full or latest is None:
        report = verify_chain(anchors=anchors)
    else:
        report = confirm_anchor(latest.anchor) or verify_chain(anchors=anchors, start=latest.anchor)
    result = Verification(report, len(checkpoints), latest, rejected=rejected)
    if result.ok and report.checked:
        result.written = write_checkpoint(directory, key, report.last_id, report.last_hash, report.checked)
    return result


def describe(result: Verification) -> list[str]:
    """The verification in English lines (CLI, logs); the first says whether the log holds."""
    report = result.report
    if result.rejected:
        lines = [f"Audit checkpoints REJECTED: {', '.join(result.rejected)} failed authentication "
                 "(edited, forged or signed with another audit key)."]
        if not report.ok:
            lines.append(f"Audit chain BROKEN at event id {report.broken_at}: {report.problem}.")
        return lines
    if not report.ok:
        return [f"Audit chain BROKEN at event id {report.broken_at}: {report.problem} "
                f"({report.checked} events verified before it)."]
    lines = [f"Audit chain intact: {report.checked} events verified."]
    if report.legacy:
        lines.append(f"{report.legacy} of them predate the keyed chain (SHA-256) and are sealed by the "
                     "first keyed event after them.")
    if result.latest is None:
        lines.append("No earlier checkpoint: until this one, deleting the newest events could not be detected.")
    else:
        lines.append(f"Consistent with {result.checkpoints} checkpoint(s); the newest before this run covered "
                     f"events up to id {result.latest.last_id} ({result.latest.created_at:%Y-%m-%d %H:%M} UTC).")
    if result.written is not None:
        lines.append(f"Checkpoint written: {result.written.name} (events up to id {result.written.last_id}).")
    return lines
