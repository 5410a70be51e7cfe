"""Which people an audit event showed: beneficiary ids, never values.

List, search and home pages name the people they showed in `audit_event_subjects`
(one row per person, indexed by beneficiary), so "who has seen this person" can be
answered later (`caseapp.security.audit_queries.who_has_seen`). The rows are covered
by the hash chain: each event carries `subjects_digest`, the SHA-256 of its sorted
ids, inside its hashed content, and `verify_chain` recomputes it from the rows, so a
deleted, added or changed subject row breaks the chain at its event. Append-only
like the events (ORM guard here, database triggers in the migration).
"""
from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict

from sqlalchemy import ForeignKey, Integer, Uuid, event, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db


class AuditEventSubject(db.Model):
    __tablename__ = "audit_event_subjects"

    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("audit_events.id"), primary_key=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)


@event.listens_for(AuditEventSubject, "before_update")
def _refuse_update(mapper, connection, target):
    raise RuntimeError("audit event subjects are append-only")


@event.listens_for(AuditEventSubject, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise RuntimeError("audit event subjects are append-only")


def canonical_ids(subjects) -> list[str]:
    """Distinct beneficiary ids (UUIDs or their strings) as sorted canonical strings."""
    return sorted({str(uuid.UUID(str(subject))) for subject in subjects or ()})


def digest(ids: list[str]) -> str | None:
    """SHA-256 (hex) of the sorted ids joined by newlines; None for an event naming nobody."""
    return hashlib.sha256("\n".join(ids).encode()).hexdigest() if ids else None


def store(event_id: int, ids: list[str]) -> None:
    """One multi-row INSERT, whatever the number of people shown."""
    if ids:
        db.session.execute(insert(AuditEventSubject),
                           [{"event_id": event_id, "beneficiary_id": uuid.UUID(i)} for i in ids])


def digests_between(first_id: int, last_id: int) -> dict[int, str]:
    """Recomputed digests of the events in [first_id, last_id] that have subject rows."""
    ids: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(AuditEventSubject.event_id, AuditEventSubject.beneficiary_id)
        .where(AuditEventSubject.event_id.between(first_id, last_id))
    )
    for event_id, beneficiary_id in rows:
        ids[event_id].append(str(beneficiary_id))
    return {event_id: digest(sorted(values)) for event_id, values in ids.items()}
