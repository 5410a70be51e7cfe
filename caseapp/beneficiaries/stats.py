"""Monthly counts per structure, by SQL aggregates (no row is decrypted, none loaded).

- new registrations: people registered at the structure during the month;
- active people: distinct people with a case file at the structure that was
  open on at least one day of the month (`CaseFilePeriod`s).

Both are broken down by sex and age band (age reached in the reported year).

People not erased are counted from their rows. An erased person's row keeps no
demographic attribute (so that none is unique among the erased of a small
structure); at erasure, `freeze_erased_person` adds what they counted for, in every
month they were registered or active in, to `erased_monthly_counts`, which
`monthly_counts` adds back: erasing a person never changes a past month. The reports
domain builds on this module (small-cell suppression belongs there, at export time);
a new breakdown of erased people must be frozen here at erasure too.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from caseapp.casefiles.models import CaseFile, CaseFilePeriod
from caseapp.beneficiaries.codes import AGE_BANDS, UNKNOWN_AGE_BAND
from caseapp.dates import local_date, local_today, month_bounds, month_utc_bounds
from caseapp.beneficiaries.models import Beneficiary, ErasedMonthlyCount
from caseapp.extensions import db

REGISTERED, ACTIVE = "registered", "active"


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
    for structure_id, measure, sex, band, count in _erased(year, month, structure_ids):
        breakdown = entry(structure_id).new_registrations if measure == REGISTERED else entry(structure_id).active_people
        breakdown.add(sex, band, count)
    return result


UNKNOWN = "unknown"
NO_VULNERABILITY = "none"


@dataclass
class ServedMonth:
    """Distinct people served in one month over a set of structures (one person counts once,
    however many of the structures hold a file for them).

    - ``people``: int; ``by_sex``, ``by_age_band`` (age reached in the reported year),
      ``by_nationality`` (ISO code, ``"unknown"`` when not recorded), ``by_legal_status``:
      ``{code: people}``, each adding up to ``people``;
    - ``by_vulnerability``: ``{code: people}``, a person counted under each of their
      vulnerabilities and people with none under ``"none"`` (does not add up to ``people``).

    Erased people keep no attribute but sex and age band (`erased_monthly_counts`): they
    count under ``"unknown"`` nationality and legal status, and in no vulnerability; as
    the frozen counts are per structure, an erased person served by two of the structures
    counts twice.
    """

    people: int = 0
    by_sex: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)
    by_nationality: dict[str, int] = field(default_factory=dict)
    by_legal_status: dict[str, int] = field(default_factory=dict)
    by_vulnerability: dict[str, int] = field(default_factory=dict)


def _bump(counts: dict[str, int], key: str, count: int) -> None:
    counts[key] = counts.get(key, 0) + count


def people_served(year: int, month: int, structure_ids=None) -> ServedMonth:
    """Distinct people with a case file open on at least one day of the local month at one of
    `structure_ids` (None: every structure); see `ServedMonth`. Five grouped queries whatever
    the number of people; nothing is decrypted."""
    first, last = month_bounds(year, month)
    served = (select(CaseFile.beneficiary_id)
              .join(CaseFilePeriod, CaseFilePeriod.case_file_id == CaseFile.id)
              .where(CaseFilePeriod.opened_on <= last,
                     or_(CaseFilePeriod.closed_on.is_(None), CaseFilePeriod.closed_on >= first)))
    if structure_ids is not None:
        served = served.where(CaseFile.structure_id.in_(list(structure_ids)))
    people = (Beneficiary.id.in_(served), Beneficiary.erased_at.is_(None))
    result = ServedMonth()
    for sex, birth_year, count in db.session.execute(
            select(Beneficiary.sex, Beneficiary.birth_year, func.count()).where(*people)
            .group_by(Beneficiary.sex, Beneficiary.birth_year)):
        result.people += count
        _bump(result.by_sex, sex, count)
        _bump(result.by_age_band, age_band(birth_year, year), count)
    for column, counts in ((Beneficiary.nationality, result.by_nationality),
                           (Beneficiary.legal_status, result.by_legal_status)):
        for code, count in db.session.execute(select(column, func.count()).where(*people).group_by(column)):
            _bump(counts, code or UNKNOWN, count)
    for codes, count in db.session.execute(select(Beneficiary.vulnerabilities, func.count()).where(*people)
                                           .group_by(Beneficiary.vulnerabilities)):
        for code in (codes or "").split(",") if codes else (NO_VULNERABILITY,):
            if code:
                _bump(result.by_vulnerability, code, count)
    erased = (select(ErasedMonthlyCount.sex, ErasedMonthlyCount.age_band, func.sum(ErasedMonthlyCount.people))
              .where(ErasedMonthlyCount.month == date(year, month, 1), ErasedMonthlyCount.measure == ACTIVE)
              .group_by(ErasedMonthlyCount.sex, ErasedMonthlyCount.age_band))
    if structure_ids is not None:
        erased = erased.where(ErasedMonthlyCount.structure_id.in_(list(structure_ids)))
    for sex, band, count in db.session.execute(erased):
        count = int(count)
        result.people += count
        _bump(result.by_sex, sex, count)
        _bump(result.by_age_band, band, count)
        _bump(result.by_nationality, UNKNOWN, count)
        _bump(result.by_legal_status, UNKNOWN, count)
    return result


def new_registrations(year: int, month: int, structure_ids=None) -> int:
    """People registered at one of `structure_ids` (None: any) during the local month, erased
    ones included (from their frozen counts). Two queries; without the breakdowns and the
    active people `monthly_counts` also computes."""
    start, end = month_utc_bounds(year, month)
    stmt = select(func.count()).select_from(Beneficiary).where(
        Beneficiary.created_at >= start, Beneficiary.created_at < end, Beneficiary.erased_at.is_(None))
    erased = select(func.coalesce(func.sum(ErasedMonthlyCount.people), 0)).where(
        ErasedMonthlyCount.month == date(year, month, 1), ErasedMonthlyCount.measure == REGISTERED)
    if structure_ids is not None:
        stmt = stmt.where(Beneficiary.registered_structure_id.in_(list(structure_ids)))
        erased = erased.where(ErasedMonthlyCount.structure_id.in_(list(structure_ids)))
    return db.session.execute(stmt).scalar_one() + int(db.session.execute(erased).scalar_one())


def _registrations(year: int, month: int, structure_ids):
    start, end = month_utc_bounds(year, month)
    stmt = (select(Beneficiary.registered_structure_id, Beneficiary.sex, Beneficiary.birth_year, func.count())
            .where(Beneficiary.created_at >= start, Beneficiary.created_at < end, Beneficiary.erased_at.is_(None))
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
            .where(CaseFilePeriod.opened_on <= last, Beneficiary.erased_at.is_(None),
                   or_(CaseFilePeriod.closed_on.is_(None), CaseFilePeriod.closed_on >= first))
            .group_by(CaseFile.structure_id, Beneficiary.sex, Beneficiary.birth_year))
    if structure_ids is not None:
        stmt = stmt.where(CaseFile.structure_id.in_(list(structure_ids)))
    return db.session.execute(stmt).all()


def _erased(year: int, month: int, structure_ids):
    stmt = (select(ErasedMonthlyCount.structure_id, ErasedMonthlyCount.measure, ErasedMonthlyCount.sex,
                   ErasedMonthlyCount.age_band, ErasedMonthlyCount.people)
            .where(ErasedMonthlyCount.month == date(year, month, 1)))
    if structure_ids is not None:
        stmt = stmt.where(ErasedMonthlyCount.structure_id.in_(list(structure_ids)))
    return db.session.execute(stmt).all()


def _months(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = year + (month == 12), month % 12 + 1


def erased_cells(*, registered_structure_id: int, created_at, sex: str, birth_year: int | None,
                 periods, today: date) -> list[dict]:
    """The `erased_monthly_counts` rows one person counts for (people = 1 each).

    `periods`: (structure id, opened_on, closed_on or None) of their case files; an open
    period counts up to `today`. The registration month is the local (Europe/Athens)
    month of `created_at`; a structure counts the person once per month however many
    periods they had there; the age band is the one reached in that month's year.
    """
    registered = local_date(created_at)
    cells = {(registered_structure_id, date(registered.year, registered.month, 1), REGISTERED)}
    cells |= {(structure_id, month, ACTIVE) for structure_id, opened_on, closed_on in periods
              for month in _months(opened_on, closed_on or today)}
    return [{"structure_id": structure_id, "month": month, "measure": measure, "sex": sex,
             "age_band": age_band(birth_year, month.year), "people": 1}
            for structure_id, month, measure in sorted(cells)]


def freeze_erased_person(beneficiary: Beneficiary) -> int:
    """Add what `beneficiary` counts for to `erased_monthly_counts`, before their row is blanked.

    Call after their case files are closed (their periods end today). One query for the
    periods and one multi-row upsert (adding to cells other erased people share);
    returns the number of cells.
    """
    periods = db.session.execute(
        select(CaseFile.structure_id, CaseFilePeriod.opened_on, CaseFilePeriod.closed_on)
        .join(CaseFile, CaseFile.id == CaseFilePeriod.case_file_id)
        .where(CaseFile.beneficiary_id == beneficiary.id)
    ).all()
    rows = erased_cells(registered_structure_id=beneficiary.registered_structure_id,
                        created_at=beneficiary.created_at, sex=beneficiary.sex,
                        birth_year=beneficiary.birth_year, periods=periods, today=local_today())
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    table = ErasedMonthlyCount.__table__
    upsert = dialect.insert(table)
    db.session.execute(upsert.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={"people": table.c.people + upsert.excluded.people}), rows)
    return len(rows)
