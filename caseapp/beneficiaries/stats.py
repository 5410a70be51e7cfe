"""Monthly counts per structure, by SQL aggregates (no row is decrypted, none loaded).

- new registrations: people registered at the structure during the month;
- active people: distinct people with a case file at the structure that was
  open on at least one day of the month (`CaseFilePeriod`s).

Both are broken down by sex and age band (age reached in the reported year).
Everything counted here survives erasure (see `erasure.py`), so erasing a
person never changes a past month. The reports domain builds on this module
(small-cell suppression belongs there, at export time).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from caseapp.casefiles.models import CaseFile, CaseFilePeriod
from caseapp.beneficiaries.codes import AGE_BANDS, UNKNOWN_AGE_BAND
from caseapp.dates import month_bounds, month_utc_bounds
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None or birth_year > year:
        return UNKNOWN_AGE_BAND
    age = year - birth_year
    for band, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return band
    return UNKNOWN_AGE_BAND


@dataclass
class Breakdown:
    cells: dict[tuple[str, str], int] = field(default_factory=dict)  # (sex, age band) -> people

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    @property
    def by_sex(self) -> dict[str, int]:
        return self._sum(0)

    @property
    def by_age_band(self) -> dict[str, int]:
        return self._sum(1)

    def _sum(self, position: int) -> dict[str, int]:
        sums: dict[str, int] = defaultdict(int)
        for key, count in self.cells.items():
            sums[key[position]] += count
        return dict(sums)

    def add(self, sex: str, band: str, count: int) -> None:
        self.cells[(sex, band)] = self.cells.get((sex, band), 0) + count


@dataclass
class StructureMonth:
    structure_id: int
    new_registrations: Breakdown = field(default_factory=Breakdown)
    active_people: Breakdown = field(default_factory=Breakdown)


def monthly_counts(year: int, month: int, structure_ids=None) -> dict[int, StructureMonth]:
    """Counts for one month, keyed by structure id (structures with nothing to count are absent)."""
    result: dict[int, StructureMonth] = {}

    def entry(structure_id: int) -> StructureMonth:
        return result.setdefault(structure_id, StructureMonth(structure_id))

    for structure_id, sex, birth_year, count in _registrations(year, month, structure_ids):
        entry(structure_id).new_registrations.add(sex, age_band(birth_year, year), count)
    for structure_id, sex, birth_year, count in _active(year, month, structure_ids):
        entry(structure_id).active_people.add(sex, age_band(birth_year, year), count)
    return result


def _registrations(year: int, month: int, structure_ids):
    start, end = month_utc_bounds(year, month)
    stmt = (select(Beneficiary.registered_structure_id, Beneficiary.sex, Beneficiary.birth_year, func.count())
            .where(Beneficiary.created_at >= start, Beneficiary.created_at < end)
            .group_by(Beneficiary.registered_structure_id, Beneficiary.sex, Beneficiary.birth_year))
    if structure_ids is not None:
        stmt = stmt.where(Beneficiary.registered_structure_id.in_(list(structure_ids)))
    return db.session.execute(stmt).all()


def _active(year: int, month: int, structure_ids):
    """Distinct people per (structure, sex, birth year); summing over birth years stays distinct
    because each person has one sex and one birth year."""
    first, last = month_bounds(year, month)
    stmt = (select(CaseFile.structure_id, Beneficiary.sex, Beneficiary.birth_year,
                   func.count(Beneficiary.id.distinct()))
            .select_from(CaseFilePeriod)
            .join(CaseFile, CaseFile.id == CaseFilePeriod.case_file_id)
            .join(Beneficiary, Beneficiary.id == CaseFile.beneficiary_id)
            .where(CaseFilePeriod.opened_on <= last,
                   or_(CaseFilePeriod.closed_on.is_(None), CaseFilePeriod.closed_on >= first))
            .group_by(CaseFile.structure_id, Beneficiary.sex, Beneficiary.birth_year))
    if structure_ids is not None:
        stmt = stmt.where(CaseFile.structure_id.in_(list(structure_ids)))
    return db.session.execute(stmt).all()
