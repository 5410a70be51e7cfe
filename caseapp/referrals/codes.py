"""Coded values of referrals (stored in clear, counted by the reports) and their labels."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

DRAFT, SENT, ACCEPTED, DECLINED, COMPLETED, WITHDRAWN = (
    "draft", "sent", "accepted", "declined", "completed", "withdrawn")
# Still waiting for someone: past the due date in one of these, a referral is overdue.
OPEN_STATES = (SENT, ACCEPTED)
# The receiver sees the referral in these states (after a decline, or a withdrawal
# before acceptance, it sees nothing of the person).
CLOSED_STATES = (DECLINED, COMPLETED, WITHDRAWN)

STATUSES = {
    DRAFT: _l("Draft"),
    SENT: _l("Waiting for an answer"),
    ACCEPTED: _l("Accepted"),
    DECLINED: _l("Declined"),
    COMPLETED: _l("Completed"),
    WITHDRAWN: _l("Withdrawn"),
}

URGENCIES = {
    "routine": _l("Routine"),
    "urgent": _l("Urgent"),
    "emergency": _l("Emergency"),
}

# How the sending structure learned a partner organisation's answer (partners have no users).
CHANNELS = {
    "phone": _l("By phone"),
    "email": _l("By email"),
    "letter": _l("By letter"),
    "in_person": _l("In person"),
}
