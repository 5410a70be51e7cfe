"""Interpretation (interpretation's `stats.py`): requests by language and mode, hours, no-shows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseapp.interpretation import codes, languages, stats
from caseapp.reports.model import HOURS, RATE, Figure, Table
from caseapp.reports.sections import monthly_counts
from caseapp.reports.sections._helpers import breakdown_table, city_sum, keep, keep_counts

KEY = "interpretation"
TITLE = _l("Interpretation")
ORDER = 40
SCOPES = {"structure", "city"}


def _threshold(entry):
    """A confidential structure's month, counts under the threshold left out (hours with the
    completed requests they come from)."""
    by_status = keep_counts(entry.by_status)
    return stats.InterpretationMonth(
        entry.structure_id, requests=keep(entry.requests), by_language=keep_counts(entry.by_language),
        by_mode=keep_counts(entry.by_mode), by_status=by_status, by_purpose=keep_counts(entry.by_purpose),
        escorts=keep(entry.escorts),
        delivered_minutes=entry.delivered_minutes if by_status.get("completed") else 0)


def build(ctx) -> list:
    totals = [city_sum(monthly_counts(ctx, stats, m), ctx.confidential_ids, _threshold,
                       stats.city_totals) for m in ctx.months]
    requests = [t.requests for t in totals]
    total_label = _l("All requests")
    return [
        Table("overview", str(_l("Interpretation")), [
            Figure("requests", str(_l("Requests")), requests, additive=True),
            Figure("completed", str(_l("Completed")), [t.completed for t in totals], additive=True),
            Figure("no_shows", str(_l("No-shows")), [t.no_shows for t in totals], additive=True),
            Figure("no_show_rate", str(_l("No-show rate")), [t.no_show_rate for t in totals], RATE,
                   derived_from=("completed", "no_shows")),
            Figure("hours", str(_l("Hours delivered")), [round(t.hours, 1) for t in totals], HOURS),
        ], chart="bar"),
        breakdown_table("language", _l("Requests by language"), [t.by_language for t in totals],
                        languages.language_name, total=requests, total_label=total_label, additive=True),
        breakdown_table("mode", _l("Requests by mode"), [t.by_mode for t in totals],
                        lambda c: str(codes.MODES.get(c, c)), order=list(codes.MODES), total=requests,
                        total_label=total_label, chart="pie", additive=True),
    ]
