"""Action plans (plans' `stats.py`): revisions submitted, approved and sent back, overdue
reviews, actions done."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseapp.plans import stats
from caseapp.reports.model import Figure, Table
from caseapp.reports.sections import monthly_counts
from caseapp.reports.sections._helpers import city_sum, keep

KEY = "plans"
TITLE = _l("Action plans")
ORDER = 50
SCOPES = {"structure", "city"}
FIELDS = ("submitted", "approved", "changes_requested", "overdue_reviews", "actions_done")


def _threshold(entry):
    """A confidential structure's month with its counts under the threshold left out."""
    return stats.PlansMonth(entry.structure_id, **{name: keep(getattr(entry, name)) for name in FIELDS})


def build(ctx) -> list:
    """One table ("overview"): the five counts of `stats.PlansMonth` for the three months.
    Three queries per month (`stats.monthly_counts`), whatever the number of plans."""
    totals = [city_sum(monthly_counts(ctx, stats, m), ctx.confidential_ids, _threshold,
                       stats.city_totals) for m in ctx.months]
    labels = {"submitted": _l("Plans submitted for review"), "approved": _l("Plans approved"),
              "changes_requested": _l("Plans sent back for changes"),
              "overdue_reviews": _l("Reviews overdue"), "actions_done": _l("Actions done")}
    return [Table("overview", str(_l("Action plans")),
                  [Figure(name, str(labels[name]), [getattr(t, name) for t in totals], additive=True)
                   for name in FIELDS],
                  chart="bar")]
