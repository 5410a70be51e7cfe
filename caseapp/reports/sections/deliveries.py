"""Service deliveries (deliveries' `stats.py`): people served at the desk, deliveries and
quantities by service, group sessions."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseapp.deliveries import stats
from caseapp.extensions import db
from caseapp.reports.model import Figure, Table
from caseapp.reports.sections import monthly_counts, shared
from caseapp.reports.sections._helpers import breakdown_table, city_sum, keep
from caseapp.structures.models import Service

KEY = "deliveries"
TITLE = _l("Services delivered")
ORDER = 60
SCOPES = {"structure", "city"}


def _threshold(entry):
    """A confidential structure's month, counts under the threshold left out (a service's
    quantity and people with its deliveries)."""
    by_service = {code: stats.ServiceCount(count.unit, keep(count.deliveries), count.quantity, keep(count.people))
                  for code, count in entry.by_service.items() if keep(count.deliveries)}
    return stats.DeliveriesMonth(entry.structure_id, people_served=keep(entry.people_served),
                                 deliveries=keep(entry.deliveries), group_sessions=keep(entry.group_sessions),
                                 by_service=by_service)


def build(ctx) -> list:
    """Tables "overview" (people served, distinct per structure; deliveries; group sessions) and
    "service" (deliveries by service code). Four queries per month plus one for the names."""
    totals = [city_sum(monthly_counts(ctx, stats, m), ctx.confidential_ids, _threshold,
                       stats.city_totals) for m in ctx.months]
    deliveries = [t.deliveries for t in totals]
    greek = str(get_locale() or "en").startswith("el")
    names = {}
    # Always the one query (once per city report): the query count does not depend on the data.
    rows = shared(ctx, "deliveries.service_names", lambda: db.session.execute(
        select(Service.code, Service.name_el, Service.name_en).order_by(Service.id)).all())
    for code, name_el, name_en in rows:
        names.setdefault(code, name_el if greek else name_en)
    note = _l("A person served at two structures counts at each.") if ctx.structure_ids is None else None
    return [
        Table("overview", str(_l("Services delivered")), [
            Figure("people_served", str(_l("People served (distinct)")), [t.people_served for t in totals],
                   additive=True),  # distinct per structure: city-wide, the sum
            Figure("deliveries", str(_l("Services delivered")), deliveries, additive=True),
            Figure("group_sessions", str(_l("Group sessions held")), [t.group_sessions for t in totals],
                   additive=True),
        ], chart="bar", note=str(note) if note else None),
        breakdown_table("service", _l("Services delivered, by service"),
                        [{code: c.deliveries for code, c in t.by_service.items()} for t in totals],
                        lambda code: names.get(code, code), total=deliveries,
                        total_label=_l("All services delivered"), additive=True),
    ]
