"""Codes of the plans domain and their labels (stored as codes, shown in words)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseapp.plans import models as m

DOMAINS = {
    "housing": _l("Housing"),
    "health": _l("Health"),
    "legal": _l("Legal matters"),
    "employment": _l("Employment"),
    "education": _l("Education"),
    "income": _l("Income and benefits"),
    "social": _l("Social life and support"),
    "disability": _l("Disability"),
}

REVISION_STATUSES = {
    m.DRAFT: _l("Draft"),
    m.SUBMITTED: _l("Submitted for review"),
    m.CHANGES_REQUESTED: _l("Changes requested"),
    m.APPROVED: _l("Approved, in force"),
    m.SUPERSEDED: _l("Replaced by a later revision"),
    m.CLOSED: _l("Closed"),
}

ACTION_STATUSES = {
    m.TODO: _l("To do"),
    m.IN_PROGRESS: _l("In progress"),
    m.DONE: _l("Done"),
    m.DROPPED: _l("Dropped"),
}

RESPONSIBLE_KINDS = {
    m.RESPONSIBLE_USER: _l("A member of staff"),
    m.RESPONSIBLE_STRUCTURE: _l("This structure"),
    m.RESPONSIBLE_OTHER: _l("Another structure"),
    m.RESPONSIBLE_PARTNER: _l("A partner organisation"),
}


def label(table: dict, code) -> str:
    """The label of `code` in `table`, or the code itself when unknown (never an error)."""
    return str(table.get(code, code)) if code is not None else ""

# What a revision's history shows for each step.
EVENTS = {
    "start": _l("Plan started"),
    "revise": _l("New revision started"),
    "submit": _l("Submitted for review"),
    "approve": _l("Approved"),
    "request_changes": _l("Changes requested"),
    "close": _l("Plan closed"),
}
