"""Referrals (referrals' `stats.py`): sent and received, by status and by receiving structure or
partner, acceptance rate, median days to answer, overdue."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.referrals import codes, stats
from caseapp.reports.model import DAYS, RATE, Figure, Table
from caseapp.reports.sections import monthly_counts, shared
from caseapp.reports.sections._helpers import breakdown_table, city_sum, keep, keep_counts
from caseapp.structures.models import Structure

KEY = "referrals"
TITLE = _l("Referrals")
ORDER = 30
SCOPES = {"structure", "city"}


def _threshold(entry):
    """A confidential structure's month with its counts under the threshold left out (and its
    answer times unless it gave enough answers)."""
    return stats.ReferralMonth(
        entry.structure_id, sent=keep(entry.sent), received=keep(entry.received),
        sent_by_status=keep_counts(entry.sent_by_status), received_by_status=keep_counts(entry.received_by_status),
        sent_by_target=keep_counts(entry.sent_by_target), received_by_source=keep_counts(entry.received_by_source),
        answer_days=dict(entry.answer_days) if keep(entry.answered) else {},
        overdue_received=keep(entry.overdue_received), overdue_sent=keep(entry.overdue_sent))


def _status(code):
    return str(codes.STATUSES.get(code, code))


def build(ctx) -> list:
    totals = [city_sum(monthly_counts(ctx, stats, m), ctx.confidential_ids, _threshold,
                       stats.city_totals) for m in ctx.months]
    sent = [t.sent for t in totals]
    received = [t.received for t in totals]
    targets = sorted({target for t in totals for target in t.sent_by_target})
    # Always the one query, even with no target: the report's query count does not depend on the data.
    if ctx.shared is None:
        names = dict(db.session.execute(select(Structure.id, Structure.code).where(Structure.id.in_(targets))).all())
    else:  # every structure's code, once for the city report and its structures'
        names = shared(ctx, "referrals.codes", lambda: dict(db.session.execute(select(Structure.id, Structure.code)).all()))
    overview = Table("overview", str(_l("Referrals")), [
        Figure("sent", str(_l("Sent")), sent, additive=True),
        Figure("received", str(_l("Received")), received, additive=True),
        Figure("accepted", str(_l("Received and accepted")),
               [t.received_by_status.get(codes.ACCEPTED, 0) + t.received_by_status.get(codes.COMPLETED, 0)
                for t in totals], additive=True),
        Figure("declined", str(_l("Received and declined")),
               [t.received_by_status.get(codes.DECLINED, 0) for t in totals], additive=True),
        Figure("acceptance_rate", str(_l("Acceptance rate")), [t.acceptance_rate for t in totals], RATE,
               derived_from=("accepted", "declined")),
        Figure("answered", str(_l("Answers given in the month")), [t.answered for t in totals], additive=True),
        Figure("median_days", str(_l("Median days to answer")), [t.median_days_to_answer for t in totals], DAYS,
               derived_from=("answered",)),
        Figure("overdue_received", str(_l("Overdue, received")), [t.overdue_received for t in totals], additive=True),
        Figure("overdue_sent", str(_l("Overdue, sent")), [t.overdue_sent for t in totals], additive=True),
    ], chart="bar")
    order = [c for c in codes.STATUSES if c != codes.DRAFT]
    return [
        overview,
        breakdown_table("sent_status", _l("Sent, by status now"), [t.sent_by_status for t in totals], _status,
                        order=order, total=sent, total_label=_l("All sent"), additive=True),
        breakdown_table("received_status", _l("Received, by status now"), [t.received_by_status for t in totals],
                        _status, order=order, total=received, total_label=_l("All received"), additive=True),
        breakdown_table("target", _l("Sent, by receiving structure or partner"), [t.sent_by_target for t in totals],
                        lambda sid: names.get(sid, str(sid)), total=sent, total_label=_l("All sent"), additive=True),
    ]
