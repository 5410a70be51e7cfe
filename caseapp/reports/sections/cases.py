"""Case files (casefiles' `stats.py`): opened, closed, active, caseload per caseworker."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.casefiles import stats
from caseapp.extensions import db
from caseapp.reports.model import Figure, Table
from caseapp.reports.sections import monthly_counts
from caseapp.reports.sections._helpers import city_sum, keep, keep_counts

KEY = "cases"
TITLE = _l("Case files")
ORDER = 20
SCOPES = {"structure", "city", "caseload"}


def _threshold(entry):
    return stats.CaseFileMonth(entry.structure_id, opened=keep(entry.opened), closed=keep(entry.closed),
                               caseload=keep_counts(entry.caseload))


def build(ctx) -> list:
    totals = [city_sum(monthly_counts(ctx, stats, m, assignee_id=ctx.assignee_id),
                       ctx.confidential_ids, _threshold, stats.city_totals) for m in ctx.months]
    tables = [Table("overview", str(_l("Case files")), [
        Figure("opened", str(_l("Opened (or reopened)")), [t.opened for t in totals], additive=True),
        Figure("closed", str(_l("Closed in the month")), [t.closed for t in totals], additive=True),
        Figure("active", str(_l("Active (open on at least one day)")), [t.active for t in totals], additive=True),
    ], chart="bar")]
    if ctx.scope == "structure" and ctx.staff != "none":
        tables.append(_caseload(totals, named=ctx.staff == "named"))
    return tables


def _caseload(totals, *, named: bool) -> Table:
    """Active files per assigned caseworker (nobody served is named). `named`: staff names, for a
    reader who belongs to the structure (one query); otherwise "Caseworker 1", "Caseworker 2", ...
    in order of caseload (no query, and no key or order that would give a name away)."""
    user_ids = sorted({u for t in totals for u in t.caseload if u is not None})
    names = {}
    if named:
        names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
    ordered = sorted(user_ids, key=lambda u: (-totals[0].caseload.get(u, 0), names.get(u, ""), u))
    figures = []
    for number, u in enumerate(ordered, start=1):
        key, label = (f"user-{u}", names.get(u, "—")) if named else \
            (f"caseworker-{number}", _("Caseworker %(number)d", number=number))
        figures.append(Figure(key, label, [t.caseload.get(u, 0) for t in totals], additive=False))
    if any(None in t.caseload for t in totals):
        figures.append(Figure("unassigned", str(_l("Not assigned")), [t.caseload.get(None, 0) for t in totals],
                              additive=False))
    # Per caseworker: structure reports only, never summed into the city's.
    figures.append(Figure("total", str(_l("All active files")), [t.active for t in totals], additive=False))
    return Table("caseload", str(_l("Caseload per caseworker")), figures, total_key="total", chart="bar",
                 note=str(_l("Files by the caseworker they are assigned to today.")))
