"""Monthly case-file counts per structure, by SQL aggregates (no row loaded, none decrypted).

Counted from `CaseFilePeriod`s (local dates, Europe/Athens), so a file closed in February
and reopened in May is not active in March.

Shape of `monthly_counts(year, month, structure_ids=None, assignee_id=None)`:
``{structure_id: CaseFileMonth}`` (structures with nothing to count are absent), where

- ``opened``: int, periods that began in the month (a reopening counts as an opening);
- ``closed``: int, periods that ended in the month;
- ``caseload``: ``{assigned user id or None (unassigned): case files}``, the files open on
  at least one day of the month, by their assignee *now* (assignments are not historised);
- ``active``: int, the sum of ``caseload`` (files open on at least one day of the month).

`assignee_id` narrows every count to the files assigned to that user (a caseworker's own
caseload). `city_totals(counts)` adds the structures up (structure_id None).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from caseapp.casefiles.models import CaseFile, CaseFilePeriod
from caseapp.dates import month_bounds
from caseapp.extensions import db

P = CaseFilePeriod


@dataclass
class CaseFileMonth:
    structure_id: int | None
    opened: int = 0
    closed: int = 0
    caseload: dict[int | None, int] = field(default_factory=dict)

    @property
    def active(self) -> int:
        return sum(self.caseload.values())

    def add(self, other: CaseFileMonth) -> None:
        self.opened += other.opened
        self.closed += other.closed
        for user_id, count in other.caseload.items():
            self.caseload[user_id] = self.caseload.get(user_id, 0) + count


def _scoped(stmt, structure_ids, assignee_id):
    if structure_ids is not None:
        stmt = stmt.where(CaseFile.structure_id.in_(list(structure_ids)))
    if assignee_id is not None:
        stmt = stmt.where(CaseFile.assigned_to_id == assignee_id)
    return stmt


def monthly_counts(year: int, month: int, structure_ids=None, assignee_id: int | None = None
                   ) -> dict[int, CaseFileMonth]:
    """Counts for one local month, keyed by structure id (see the module docstring).
    Three grouped queries, whatever the number of files."""
    first, last = month_bounds(year, month)
    result: dict[int, CaseFileMonth] = {}

    def entry(structure_id: int) -> CaseFileMonth:
        return result.setdefault(structure_id, CaseFileMonth(structure_id))

    base = select(CaseFile.structure_id).select_from(P).join(CaseFile, CaseFile.id == P.case_file_id)
    for column, attr in ((P.opened_on, "opened"), (P.closed_on, "closed")):
        stmt = _scoped(base.add_columns(func.count()).where(column >= first, column <= last)
                       .group_by(CaseFile.structure_id), structure_ids, assignee_id)
        for structure_id, count in db.session.execute(stmt):
            setattr(entry(structure_id), attr, count)
    stmt = _scoped(base.add_columns(CaseFile.assigned_to_id, func.count(P.case_file_id.distinct()))
                   .where(P.opened_on <= last, or_(P.closed_on.is_(None), P.closed_on >= first))
                   .group_by(CaseFile.structure_id, CaseFile.assigned_to_id), structure_ids, assignee_id)
    for structure_id, user_id, count in db.session.execute(stmt):
        entry(structure_id).caseload[user_id] = count
    return result


def city_totals(counts: dict[int, CaseFileMonth]) -> CaseFileMonth:
    total = CaseFileMonth(None)
    for month_entry in counts.values():
        total.add(month_entry)
    return total
