"""Shelter stays (stays' `stats.py`): bed-nights, average occupancy and rate, admissions,
discharges by reason, average length of the stays that ended."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseapp.reports.model import DAYS, RATE, Figure, Table
from caseapp.reports.sections import monthly_counts
from caseapp.reports.sections._helpers import breakdown_table, city_sum, keep, keep_counts
from caseapp.stays import codes, stats

KEY = "stays"
TITLE = _l("Shelter stays")
ORDER = 70
SCOPES = {"structure", "city"}


def _threshold(entry):
    """A confidential structure's month, counts under the threshold left out (the length of the
    ended stays with the discharges it comes from)."""
    discharges = keep(entry.discharges)
    return stats.StaysMonth(entry.structure_id, capacity=entry.capacity, days=entry.days,
                            bed_days=keep(entry.bed_days), people=keep(entry.people),
                            admissions=keep(entry.admissions), discharges=discharges,
                            by_reason=keep_counts(entry.by_reason),
                            ended_stay_days=entry.ended_stay_days if discharges else 0)


def _round(value):
    return None if value is None else round(value, 2)


def _reason(code):
    return str(codes.DISCHARGE_REASONS.get(code, code))


def build(ctx) -> list:
    """Tables "overview" (bed-nights, people, average occupancy, occupancy rate, admissions,
    discharges, average stay in days) and "discharge_reason". Four queries per month at most."""
    totals = [city_sum(monthly_counts(ctx, stats, m), ctx.confidential_ids, _threshold,
                       stats.city_totals) for m in ctx.months]
    discharges = [t.discharges for t in totals]
    return [
        Table("overview", str(_l("Shelter stays")), [
            Figure("bed_days", str(_l("Bed-nights")), [t.bed_days for t in totals], additive=True),
            Figure("people", str(_l("People accommodated")), [t.people for t in totals],
                   additive=True),  # distinct per shelter: city-wide, the sum
            Figure("average_occupancy", str(_l("Beds held on an average night")),
                   [_round(t.average_occupancy) for t in totals], DAYS, derived_from=("bed_days",)),
            Figure("occupancy_rate", str(_l("Occupancy rate")), [t.occupancy_rate for t in totals], RATE,
                   derived_from=("bed_days",)),
            Figure("admissions", str(_l("Admissions")), [t.admissions for t in totals], additive=True),
            Figure("discharges", str(_l("Discharges")), discharges, additive=True),
            Figure("average_stay", str(_l("Average stay of those discharged (days)")),
                   [_round(t.average_stay) for t in totals], DAYS, derived_from=("discharges",)),
        ], chart="bar"),
        breakdown_table("discharge_reason", _l("Discharges, by reason"), [t.by_reason for t in totals], _reason,
                        total=discharges, total_label=_l("All discharges"), additive=True),
    ]
