"""Monthly action-plan counts per structure, by SQL aggregates (no row loaded, none decrypted).

Shape of `monthly_counts(year, month, structure_ids=None)`: ``{structure_id: PlansMonth}``
(structures with nothing to count that month are absent), where, for one local
(Europe/Athens) month at the plan's structure:

- ``submitted``: int, revisions submitted for review in the month (a resubmission counts again);
- ``approved``: int, revisions approved in the month;
- ``changes_requested``: int, revisions sent back for changes in the month;
- ``overdue_reviews``: int, approved revisions whose review date fell in the month, has
  passed, and came before the revision was replaced or closed (the review was late or missed);
- ``actions_done``: int, distinct actions marked done in the month (an action copied into
  later revisions counts once).

`city_totals(counts)` adds the structures up into one `PlansMonth` (structure_id None).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from caseapp.dates import local_today, month_bounds, month_utc_bounds
from caseapp.extensions import db
from caseapp.plans.models import DONE, PlanAction, PlanEvent, PlanRevision

COUNTED_EVENTS = {"submit": "submitted", "approve": "approved", "request_changes": "changes_requested"}


@dataclass
class PlansMonth:
    structure_id: int | None
    submitted: int = 0
    approved: int = 0
    changes_requested: int = 0
    overdue_reviews: int = 0
    actions_done: int = 0

    def add(self, other: PlansMonth) -> None:
        for name in ("submitted", "approved", "changes_requested", "overdue_reviews", "actions_done"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def monthly_counts(year: int, month: int, structure_ids=None) -> dict[int, PlansMonth]:
    """Counts for one local month, keyed by the plan's structure (see the module docstring).
    Three grouped queries, whatever the number of plans."""
    result: dict[int, PlansMonth] = {}

    def entry(structure_id: int) -> PlansMonth:
        return result.setdefault(structure_id, PlansMonth(structure_id))

    start, end = month_utc_bounds(year, month)
    first, last = month_bounds(year, month)
    wanted = list(structure_ids) if structure_ids is not None else None

    events = (select(PlanEvent.structure_id, PlanEvent.action, func.count())
              .where(PlanEvent.action.in_(list(COUNTED_EVENTS)), PlanEvent.occurred_at >= start,
                     PlanEvent.occurred_at < end)
              .group_by(PlanEvent.structure_id, PlanEvent.action))
    if wanted is not None:
        events = events.where(PlanEvent.structure_id.in_(wanted))
    for structure_id, action, count in db.session.execute(events):
        setattr(entry(structure_id), COUNTED_EVENTS[action], count)

    # A review is late when its date passed before the revision ended (replaced or closed).
    passed = min(last, date.fromordinal(local_today().toordinal() - 1))
    if passed >= first:
        overdue = (select(PlanRevision.structure_id, func.count())
                   .where(PlanRevision.review_on >= first, PlanRevision.review_on <= passed,
                          PlanRevision.approved_at.is_not(None),
                          or_(PlanRevision.ended_on.is_(None), PlanRevision.ended_on > PlanRevision.review_on))
                   .group_by(PlanRevision.structure_id))
        if wanted is not None:
            overdue = overdue.where(PlanRevision.structure_id.in_(wanted))
        for structure_id, count in db.session.execute(overdue):
            entry(structure_id).overdue_reviews = count

    done = (select(PlanRevision.structure_id, func.count(func.distinct(PlanAction.key)))
            .join(PlanRevision, PlanRevision.id == PlanAction.revision_id)
            .where(PlanAction.status == DONE, PlanAction.done_on >= first, PlanAction.done_on <= last)
            .group_by(PlanRevision.structure_id))
    if wanted is not None:
        done = done.where(PlanRevision.structure_id.in_(wanted))
    for structure_id, count in db.session.execute(done):
        entry(structure_id).actions_done = count
    return result


def city_totals(counts: dict[int, PlansMonth]) -> PlansMonth:
    total = PlansMonth(None)
    for month_entry in counts.values():
        total.add(month_entry)
    return total
