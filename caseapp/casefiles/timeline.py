"""The case-file timeline: every domain writes its events here; the case file only reads them.

A later domain (referrals, plans, interpretation, services) calls
`register_kind("referral.sent", _l("Referral sent"))` once at import and
`add_event(case_file, "referral.sent", actor=..., link=url)` in its
service; the case-file screen shows the event without importing that domain.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

from caseapp.beneficiaries import codes
from caseapp.casefiles.models import CaseFile, TimelineEvent
from caseapp.extensions import db
from caseapp.models_base import utcnow

MAX_TEXT = 200


@dataclass(frozen=True)
class Kind:
    label: object
    describe: Callable[[str], str] | None = None


KINDS: dict[str, Kind] = {}


def register_kind(kind: str, label, describe: Callable[[str], str] | None = None) -> None:
    """Declare an event kind with its (lazy) label; `describe` turns the stored text into words."""
    KINDS[kind] = Kind(label, describe)


def add_event(case_file: CaseFile, kind: str, *, actor=None, text: str | None = None,
              link: str | None = None, occurred_at=None) -> TimelineEvent:
    """Append an event (the caller's transaction commits it). `text` must not identify anyone."""
    if kind not in KINDS:
        raise ValueError(f"unregistered timeline event kind {kind!r}")
    if text is not None and len(text) > MAX_TEXT:
        raise ValueError("timeline text is a short summary, at most 200 characters")
    event = TimelineEvent(case_file_id=case_file.id, kind=kind, actor_id=actor.id if actor else None,
                          text=text, link=link, occurred_at=occurred_at or utcnow())
    db.session.add(event)
    return event


def label_for(event: TimelineEvent) -> str:
    kind = KINDS.get(event.kind)
    return str(kind.label) if kind else event.kind


def detail_for(event: TimelineEvent) -> str:
    kind = KINDS.get(event.kind)
    if not event.text:
        return ""
    return kind.describe(event.text) if kind and kind.describe else event.text


register_kind("case.opened", _l("Case file opened"))
register_kind("case.closed", _l("Case file closed"), lambda code: codes.label(codes.CLOSE_REASONS, code))
register_kind("case.reopened", _l("Case file reopened"))
register_kind("case.assigned", _l("Caseworker assigned"))
register_kind("case.unassigned", _l("Caseworker no longer assigned (account deactivated or moved)"))
register_kind("note.added", _l("Note added"))
register_kind("note.added_confidential", _l("Confidential note added"))
register_kind("beneficiary.updated", _l("Personal details updated"))
register_kind("consent.given", _l("Consent given"), lambda code: codes.label(codes.CONSENT_PURPOSES, code))
register_kind("consent.withdrawn", _l("Consent withdrawn"), lambda code: codes.label(codes.CONSENT_PURPOSES, code))
register_kind("erasure.requested", _l("Erasure requested"))
