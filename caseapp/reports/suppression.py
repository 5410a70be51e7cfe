"""Small-cell suppression for reports that leave a structure.

Primary: a count from 1 to `THRESHOLD - 1` is shown as "<5" (`SUPPRESSED`). Zero stays
visible (nobody is singled out by nobody).

Secondary: in a table whose lines add up to a total line (`Table.total_key`), a visible
total with exactly one hidden line would give that line back by subtraction; the
smallest other line is hidden too (a zero one if no other is left, the total itself if
the table has a single line). Each month's column is its own margin, done separately.

Derived figures (a rate computed from hidden counts) are hidden with their sources.
Months are never added up, so columns need no margin of their own.
"""
from __future__ import annotations

from caseapp.reports.model import COUNT, SUPPRESSED, Report, Table

THRESHOLD = 5


def is_small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def suppress_table(table: Table) -> None:
    """Hide, in place, the small counts of `table` and what would let them be recovered."""
    for column in range(3):
        for figure in table.figures:
            if figure.kind == COUNT and not figure.derived_from and is_small(figure.values[column]):
                figure.values[column] = SUPPRESSED
        total = table.figure(table.total_key) if table.total_key else None
        if total is not None and total.values[column] is not SUPPRESSED:
            parts = table.parts
            hidden = [f for f in parts if f.values[column] is SUPPRESSED]
            if len(hidden) == 1:
                visible = [f for f in parts if f.values[column] is not SUPPRESSED]
                if visible:
                    # Smallest non-zero line first (hiding a zero hides less), then a zero one.
                    partner = min(visible, key=lambda f: (f.values[column] == 0, f.values[column]))
                    partner.values[column] = SUPPRESSED
                else:
                    total.values[column] = SUPPRESSED
        by_key = {f.key: f for f in table.figures}
        for figure in table.figures:
            if figure.derived_from and any(by_key[k].values[column] is SUPPRESSED
                                           for k in figure.derived_from if k in by_key):
                figure.values[column] = SUPPRESSED


def suppress(report: Report) -> Report:
    """Apply suppression to every table of `report` (in place) and mark it suppressed."""
    for _section, table in report.tables():
        suppress_table(table)
    report.suppressed = True
    return report
