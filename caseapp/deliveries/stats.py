"""Monthly service-delivery counts per structure, by SQL aggregates (no row loaded, none decrypted).

A delivery counts in the local month of its date (`delivered_on`, Europe/Athens), at the
structure that gave it. Only deliveries in force count: a corrected or cancelled entry is
replaced by its correction (the reversing entries cancel the originals, so summing every
entry gives the same quantities). Everything counted is coded and clear, so erasing a person
never changes a past month. Small-cell suppression belongs to the reports, at export time.

Shape of `monthly_counts(year, month, structure_ids=None)`: ``{structure_id: DeliveriesMonth}``
(structures without any delivery that month are absent), where

- ``people_served``: int, distinct people given at least one service there that month;
- ``deliveries``: int, deliveries in force (one per person, service and occasion);
- ``by_service``: ``{service code: ServiceCount}`` with ``deliveries`` (int), ``quantity`` (int, in
  the service's ``unit``), ``people`` (int, distinct) and ``unit`` (the unit code);
- ``group_sessions``: int, group sessions held that month (attendees are counted as deliveries).

`city_totals(counts)` adds the structures up into one `DeliveriesMonth` (structure_id None);
its ``people_served`` is the sum over structures (someone served at two structures counts
twice); `city_people_served(year, month)` gives the distinct number across the city.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from caseapp.dates import month_bounds
from caseapp.deliveries.models import DELIVERY, GroupSession, ServiceDelivery
from caseapp.extensions import db
from caseapp.structures.models import Service

D = ServiceDelivery


@dataclass
class ServiceCount:
    unit: str
    deliveries: int = 0
    quantity: int = 0
    people: int = 0


@dataclass
class DeliveriesMonth:
    structure_id: int | None
    people_served: int = 0
    deliveries: int = 0
    group_sessions: int = 0
    by_service: dict[str, ServiceCount] = field(default_factory=dict)

    def add(self, other: DeliveriesMonth) -> None:
        self.people_served += other.people_served
        self.deliveries += other.deliveries
        self.group_sessions += other.group_sessions
        for code, count in other.by_service.items():
            mine = self.by_service.setdefault(code, ServiceCount(count.unit))
            mine.deliveries += count.deliveries
            mine.quantity += count.quantity
            mine.people += count.people


def _in_force(stmt, year: int, month: int, structure_ids):
    first, last = month_bounds(year, month)
    stmt = stmt.where(D.delivered_on >= first, D.delivered_on <= last, D.entry == DELIVERY, D.reversed_at.is_(None))
    if structure_ids is not None:
        stmt = stmt.where(D.structure_id.in_(list(structure_ids)))
    return stmt


def monthly_counts(year: int, month: int, structure_ids=None) -> dict[int, DeliveriesMonth]:
    """Counts for one local month, keyed by structure (see the module docstring). Three
    grouped queries, whatever the number of deliveries."""
    result: dict[int, DeliveriesMonth] = {}

    def entry(structure_id: int) -> DeliveriesMonth:
        return result.setdefault(structure_id, DeliveriesMonth(structure_id))

    totals = _in_force(select(D.structure_id, func.count(distinct(D.beneficiary_id)), func.count())
                       .group_by(D.structure_id), year, month, structure_ids)
    for structure_id, people, deliveries in db.session.execute(totals):
        month_entry = entry(structure_id)
        month_entry.people_served, month_entry.deliveries = people, deliveries
    by_service = _in_force(
        select(D.structure_id, Service.code, Service.unit, func.count(), func.coalesce(func.sum(D.quantity), 0),
               func.count(distinct(D.beneficiary_id)))
        .join(Service, Service.id == D.service_id)
        .group_by(D.structure_id, Service.code, Service.unit), year, month, structure_ids)
    for structure_id, code, unit, deliveries, quantity, people in db.session.execute(by_service):
        entry(structure_id).by_service[code] = ServiceCount(unit, deliveries, int(quantity), people)
    first, last = month_bounds(year, month)
    sessions = select(GroupSession.structure_id, func.count()).where(
        GroupSession.held_on >= first, GroupSession.held_on <= last).group_by(GroupSession.structure_id)
    if structure_ids is not None:
        sessions = sessions.where(GroupSession.structure_id.in_(list(structure_ids)))
    for structure_id, count in db.session.execute(sessions):
        entry(structure_id).group_sessions = count
    return result


def city_totals(counts: dict[int, DeliveriesMonth]) -> DeliveriesMonth:
    total = DeliveriesMonth(None)
    for month_entry in counts.values():
        total.add(month_entry)
    return total


def city_people_served(year: int, month: int, structure_ids=None) -> int:
    """Distinct people served anywhere (or at `structure_ids`) in the month: one query."""
    return db.session.execute(
        _in_force(select(func.count(distinct(D.beneficiary_id))), year, month, structure_ids)).scalar_one()
