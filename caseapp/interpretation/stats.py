"""Monthly interpretation counts per structure, by SQL aggregates (no row loaded, none decrypted).

A request counts in the month (Europe/Athens) of its appointment, at its requesting
structure. Everything counted here is coded and in clear, so erasing a person never changes
a past month. Small-cell suppression belongs to the reports, at export time.

Shape of `monthly_counts(year, month, structure_ids=None)`: ``{structure_id: InterpretationMonth}``
(structures without any request that month are absent), where

- ``requests``: int, every request whatever its state;
- ``by_language``: ``{language code: requests}`` (codes of the shared language list,
  dialects as their own code);
- ``by_mode``: ``{"in_person" | "phone" | "video": requests}``;
- ``by_status``: ``{status code: requests}`` (codes.STATUSES);
- ``by_purpose``: ``{purpose code: requests}``;
- ``escorts``: int, requests with an escort;
- ``delivered_minutes``: int, the time delivered by the completed ones; ``hours`` is the same in hours (float);
- ``completed``, ``no_shows``: ints; ``no_show_rate``: ``no_shows / (completed + no_shows)``
  as a float in [0, 1], or None when neither happened.

`city_totals(counts)` adds the structures up into one `InterpretationMonth` (structure_id None).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from caseapp.dates import month_utc_bounds
from caseapp.extensions import db
from caseapp.interpretation.models import COMPLETED, NO_SHOW, InterpretationRequest

R = InterpretationRequest


@dataclass
class InterpretationMonth:
    structure_id: int | None
    requests: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    by_mode: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_purpose: dict[str, int] = field(default_factory=dict)
    escorts: int = 0
    delivered_minutes: int = 0

    @property
    def completed(self) -> int:
        return self.by_status.get(COMPLETED, 0)

    @property
    def no_shows(self) -> int:
        return self.by_status.get(NO_SHOW, 0)

    @property
    def hours(self) -> float:
        return self.delivered_minutes / 60

    @property
    def no_show_rate(self) -> float | None:
        held = self.completed + self.no_shows
        return self.no_shows / held if held else None

    def add(self, other: InterpretationMonth) -> None:
        self.requests += other.requests
        self.escorts += other.escorts
        self.delivered_minutes += other.delivered_minutes
        for mine, theirs in ((self.by_language, other.by_language), (self.by_mode, other.by_mode),
                             (self.by_status, other.by_status), (self.by_purpose, other.by_purpose)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count


def _month_filter(stmt, year: int, month: int, structure_ids):
    start, end = month_utc_bounds(year, month)
    stmt = stmt.where(R.starts_at >= start, R.starts_at < end)
    if structure_ids is not None:
        stmt = stmt.where(R.structure_id.in_(list(structure_ids)))
    return stmt


def monthly_counts(year: int, month: int, structure_ids=None) -> dict[int, InterpretationMonth]:
    """Counts for one local month, keyed by requesting structure (see the module docstring).

    Five grouped queries, whatever the number of requests."""
    result: dict[int, InterpretationMonth] = {}

    def entry(structure_id: int) -> InterpretationMonth:
        return result.setdefault(structure_id, InterpretationMonth(structure_id))

    totals = _month_filter(
        select(R.structure_id, func.count(),
               func.coalesce(func.sum(case((R.escort.is_(True), 1), else_=0)), 0),
               func.coalesce(func.sum(case((R.status == COMPLETED, R.delivered_minutes), else_=0)), 0))
        .group_by(R.structure_id), year, month, structure_ids)
    for structure_id, requests, escorts, minutes in db.session.execute(totals):
        month_entry = entry(structure_id)
        month_entry.requests, month_entry.escorts, month_entry.delivered_minutes = requests, int(escorts), int(minutes)
    for column, attr in ((R.language, "by_language"), (R.mode, "by_mode"), (R.status, "by_status"),
                         (R.purpose, "by_purpose")):
        grouped = _month_filter(select(R.structure_id, column, func.count()).group_by(R.structure_id, column),
                                year, month, structure_ids)
        for structure_id, code, count in db.session.execute(grouped):
            getattr(entry(structure_id), attr)[code] = count
    return result


def city_totals(counts: dict[int, InterpretationMonth]) -> InterpretationMonth:
    total = InterpretationMonth(None)
    for month_entry in counts.values():
        total.add(month_entry)
    return total
