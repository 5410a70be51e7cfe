"""Monthly shelter counts per structure, by SQL aggregates (no row loaded, none decrypted).

A bed is held on each local (Europe/Athens) day `admitted_on <= day < discharged_on`: a
bed-day is a night spent. The month is counted up to today at the latest (an open stay
holds no bed on days not yet lived). Stays carry only dates and codes, so erasing a
person never changes a past month. Small-cell suppression belongs to the reports.

Shape of `monthly_counts(year, month, structure_ids=None)`: ``{structure_id: StaysMonth}``
(structures with no stay touching the month are absent), where

- ``capacity``: int or None, the structure's bed capacity now (reference data);
- ``days``: int, days of the month counted (the whole month, or up to today);
- ``bed_days``: int, beds held summed over those days;
- ``people``: int, distinct people who held a bed on at least one day of the month;
- ``admissions``: int, stays that began in the month;
- ``discharges``: int, stays that ended in the month; ``by_reason``: ``{discharge reason code: stays}``;
- ``ended_stay_days``: int, the whole length in days of the stays that ended in the month;
- ``average_occupancy``: float, beds held on an average day (``bed_days / days``), or None;
- ``occupancy_rate``: float in [0, 1+] (``average_occupancy / capacity``), or None without capacity;
- ``average_stay``: float, mean length in days of the stays that ended in the month, or None.

`city_totals(counts)` adds the structures up into one `StaysMonth` (structure_id None; its
capacity is the sum of the capacities known, its days the largest).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Date, Integer, and_, cast, func, literal, or_, select

from caseapp.dates import local_today, month_bounds
from caseapp.extensions import db
from caseapp.stays.models import Stay
from caseapp.structures.models import Structure


@dataclass
class StaysMonth:
    structure_id: int | None
    capacity: int | None = None
    days: int = 0
    bed_days: int = 0
    people: int = 0
    admissions: int = 0
    discharges: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    ended_stay_days: int = 0

    @property
    def average_occupancy(self) -> float | None:
        return self.bed_days / self.days if self.days else None

    @property
    def occupancy_rate(self) -> float | None:
        average = self.average_occupancy
        return average / self.capacity if average is not None and self.capacity else None

    @property
    def average_stay(self) -> float | None:
        return self.ended_stay_days / self.discharges if self.discharges else None

    def add(self, other: StaysMonth) -> None:
        if other.capacity is not None:
            self.capacity = (self.capacity or 0) + other.capacity
        self.days = max(self.days, other.days)
        for name in ("bed_days", "people", "admissions", "discharges", "ended_stay_days"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, count in other.by_reason.items():
            self.by_reason[code] = self.by_reason.get(code, 0) + count


def _day_functions():
    """(greatest, least, days between) for the session's database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (func.max, func.min,
                lambda later, earlier: cast(func.julianday(later) - func.julianday(earlier), Integer))
    return func.greatest, func.least, lambda later, earlier: cast(later - earlier, Integer)


def _where_structures(stmt, structure_ids):
    return stmt if structure_ids is None else stmt.where(Stay.structure_id.in_(list(structure_ids)))


def monthly_counts(year: int, month: int, structure_ids=None) -> dict[int, StaysMonth]:
    """Counts for one local month, keyed by shelter (see the module docstring).

    Four grouped queries, whatever the number of stays."""
    first, last = month_bounds(year, month)
    counted_last = min(last, local_today())
    result: dict[int, StaysMonth] = {}

    def entry(structure_id: int) -> StaysMonth:
        return result.setdefault(structure_id, StaysMonth(structure_id, days=max((counted_last - first).days + 1, 0)))

    greatest, least, days_between = _day_functions()
    start, end = literal(first, Date), literal(counted_last + timedelta(days=1), Date)
    if counted_last >= first:
        held = _where_structures(
            select(Stay.structure_id,
                   func.sum(days_between(least(func.coalesce(Stay.discharged_on, end), end),
                                         greatest(Stay.admitted_on, start))),
                   func.count(func.distinct(Stay.beneficiary_id)))
            .where(Stay.admitted_on < end, or_(Stay.discharged_on.is_(None), Stay.discharged_on > start))
            .group_by(Stay.structure_id), structure_ids)
        for structure_id, bed_days, people in db.session.execute(held):
            month_entry = entry(structure_id)
            month_entry.bed_days, month_entry.people = int(bed_days or 0), people
    admitted = _where_structures(
        select(Stay.structure_id, func.count()).where(Stay.admitted_on >= first, Stay.admitted_on <= last)
        .group_by(Stay.structure_id), structure_ids)
    for structure_id, count in db.session.execute(admitted):
        entry(structure_id).admissions = count
    ended = _where_structures(
        select(Stay.structure_id, Stay.discharge_reason, func.count(),
               func.sum(days_between(Stay.discharged_on, Stay.admitted_on)))
        .where(and_(Stay.discharged_on >= first, Stay.discharged_on <= last))
        .group_by(Stay.structure_id, Stay.discharge_reason), structure_ids)
    for structure_id, reason, count, days in db.session.execute(ended):
        month_entry = entry(structure_id)
        month_entry.discharges += count
        month_entry.ended_stay_days += int(days or 0)
        month_entry.by_reason[reason or "other"] = month_entry.by_reason.get(reason or "other", 0) + count
    # Always the one query, even with no stay: the reports' query count does not depend on the data.
    for structure_id, capacity in db.session.execute(
            select(Structure.id, Structure.capacity).where(Structure.id.in_(list(result)))):
        result[structure_id].capacity = capacity
    return result


def city_totals(counts: dict[int, StaysMonth]) -> StaysMonth:
    total = StaysMonth(None)
    for month_entry in counts.values():
        total.add(month_entry)
    return total
