"""What a report is made of: months, figures, tables, sections.

A `Figure` is one line of a table with three values: the reported month, the month before
and the same month a year earlier (`COLUMNS`). A value is an int (a count), a float
(a rate, hours, days), None (nothing to compute, e.g. a rate over nothing) or
`SUPPRESSED` once small-cell suppression has hidden it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from caseapp.dates import local_today

COLUMNS = ("current", "previous", "last_year")
COLUMN_LABELS = {"current": _l("This month"), "previous": _l("Previous month"),
                 "last_year": _l("Same month last year")}
COUNT, RATE, HOURS, DAYS = "count", "rate", "hours", "days"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class _Suppressed:
    """A count hidden by small-cell suppression, shown as "<5"."""

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __str__(self) -> str:
        return "<5"


SUPPRESSED = _Suppressed()


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None) -> Month | None:
        """`"2026-10"` → Month(2026, 10); None for anything else (or a year outside 2000–2100)."""
        match = _MONTH.match(text or "")
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return None
        return cls(year, month)

    @classmethod
    def last_complete(cls, today: date | None = None) -> Month:
        """The month before the current local (Europe/Athens) one."""
        today = today or local_today()
        return cls(today.year, today.month).previous()

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), 12 if self.month == 1 else self.month - 1)

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), 1 if self.month == 12 else self.month + 1)

    def last_year(self) -> Month:
        return Month(self.year - 1, self.month)

    def columns(self) -> tuple[Month, Month, Month]:
        """The three months of a figure, in `COLUMNS` order."""
        return self, self.previous(), self.last_year()

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class Figure:
    key: str
    label: str
    values: list  # three values, in COLUMNS order
    kind: str = COUNT
    # Keys of the figures (same table) it is computed from: hidden when one of them is.
    derived_from: tuple[str, ...] = ()
    # Adds up over structures (a case file, a referral, a request belongs to one): the city's
    # suppressed value is the sum of what each structure's suppressed report publishes
    # (`suppression.coordinate`). Distinct-people figures are not additive (False). Every count
    # must say which it is: None (undeclared) on a count is refused (`undeclared`), so that a
    # new figure cannot slip past the city-wide differencing rule.
    additive: bool | None = None

    @property
    def declared(self) -> bool:
        """A count says whether it adds up over structures; a rate, hours or days never does."""
        return self.kind != COUNT or bool(self.derived_from) or self.additive is not None


@dataclass
class Table:
    """Lines of figures. With `total_key`, the other lines add up to that line (a margin):
    secondary suppression keeps a hidden cell from being recovered by subtraction."""

    key: str
    title: str
    figures: list[Figure]
    total_key: str | None = None
    chart: str | None = None  # "bar", "pie" or None
    note: str | None = None

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)

    @property
    def parts(self) -> list[Figure]:
        return [f for f in self.figures if f.key != self.total_key and f.kind == COUNT and not f.derived_from]


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]


@dataclass
class Report:
    """One month's report for a scope: one structure, the city (every structure), or one
    caseworker's caseload. `suppressed`: small-cell suppression was applied (it leaves the structure)."""

    month: Month
    scope: str  # "structure", "city" or "caseload"
    structure: object | None
    sections: list[Section]
    suppressed: bool
    generated_by: str | None
    generated_at: datetime
    structure_ids: list[int] | None = field(default=None, repr=False)

    def tables(self):
        for section in self.sections:
            for table in section.tables:
                yield section, table

    def undeclared(self) -> list[tuple[str, str, str]]:
        """(section, table, figure) keys of the counts that do not say whether they are additive."""
        return [(section.key, table.key, f.key) for section, table in self.tables() for f in table.figures
                if not f.declared]


def three(values_by_month: dict, months, key, default=0) -> list:
    """`[f(current), f(previous), f(last year)]` from ``{Month: stats}`` with a getter or attribute."""
    result = []
    for month in months:
        stats = values_by_month.get(month)
        result.append(default if stats is None else (key(stats) if callable(key) else getattr(stats, key)))
    return result
