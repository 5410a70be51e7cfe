"""Interpretation (interpretation's `stats.py`): requests by language and mode, hours, no-shows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseapp.interpretation import codes, languages, stats
from caseapp.reports.model import HOURS, RATE, Figure, Table
from caseapp.reports.sections._helpers import breakdown_table

KEY = "interpretation"
TITLE = _l("Interpretation")
ORDER = 40
SCOPES = {"structure", "city"}


def build(ctx) -> list:
    ids = None if ctx.structure_ids is None else list(ctx.structure_ids)
    totals = [stats.city_totals(stats.monthly_counts(m.year, m.month, ids)) for m in ctx.months]
    requests = [t.requests for t in totals]
    total_label = _l("All requests")
    return [
        Table("overview", str(_l("Interpretation")), [
            Figure("requests", str(_l("Requests")), requests),
            Figure("completed", str(_l("Completed")), [t.completed for t in totals]),
            Figure("no_shows", str(_l("No-shows")), [t.no_shows for t in totals]),
            Figure("no_show_rate", str(_l("No-show rate")), [t.no_show_rate for t in totals], RATE,
                   derived_from=("completed", "no_shows")),
            Figure("hours", str(_l("Hours delivered")), [round(t.hours, 1) for t in totals], HOURS),
        ], chart="bar"),
        breakdown_table("language", _l("Requests by language"), [t.by_language for t in totals],
                        languages.language_name, total=requests, total_label=total_label),
        breakdown_table("mode", _l("Requests by mode"), [t.by_mode for t in totals],
                        lambda c: str(codes.MODES.get(c, c)), order=list(codes.MODES), total=requests,
                        total_label=total_label, chart="pie"),
    ]
