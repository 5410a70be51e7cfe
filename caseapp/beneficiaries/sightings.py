"""Who has seen a person: read from the audit log, for a data-protection officer's question.

A person was seen by every event that named them: a list, search, duplicate check,
home page or erasure screen that showed them (`audit_event_subjects`), a view of
their profile or its forms (object "beneficiary"), and a view of one of their case
files (object "case_file"). Ids only, as the audit log holds nothing else.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from caseapp.casefiles.models import CaseFile
from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from caseapp.security.audit_subjects import AuditEventSubject

SEEN_ON_OBJECTS = ("beneficiary", "case_file")


@dataclass(frozen=True)
class Sighting:
    event_id: int
    occurred_at: datetime
    user_id: int | None
    action: str


def who_has_seen(beneficiary_id: uuid.UUID) -> list[Sighting]:
    """Every successful audit event that showed this person, oldest first (two queries).

    Refused attempts (outcome "denied") are not sightings: nothing was shown.
    """
    named = select(AuditEventSubject.event_id).where(AuditEventSubject.beneficiary_id == beneficiary_id)
    case_files = [str(case_file_id) for case_file_id in db.session.execute(
        select(CaseFile.id).where(CaseFile.beneficiary_id == beneficiary_id)).scalars()]
    own_id = str(beneficiary_id)
    rows = db.session.execute(
        select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.user_id, AuditEvent.action)
        .where(AuditEvent.outcome != "denied",
               or_(AuditEvent.id.in_(named),
                   and_(AuditEvent.object_type == "beneficiary", AuditEvent.object_id == own_id),
                   and_(AuditEvent.object_type == "case_file", AuditEvent.object_id.in_(case_files))))
        .order_by(AuditEvent.id)
    )
    return [Sighting(*row) for row in rows]
