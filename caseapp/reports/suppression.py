"""Small-cell suppression for reports that leave a structure.

Primary: a count from 1 to `THRESHOLD - 1` is shown as "<5" (`SUPPRESSED`). Zero stays
visible (nobody is singled out by nobody).

Secondary: in a table whose lines add up to a total line (`Table.total_key`), a visible
total with exactly one hidden line would give that line back by subtraction; the
smallest other line is hidden too (a zero one if no other is left, the total itself if
the table has a single line). Each month's column is its own margin, done separately.

Derived figures (a rate computed from hidden counts) are hidden with their sources.
Months are never added up, so columns need no margin of their own.

Across reports (`coordinate`): a coordinator reads every structure's suppressed report and the
city's. An additive figure (`Figure.additive`) of the city is the sum of what the structures'
suppressed reports publish: a cell a structure hides (primary or secondary) does not enter the
city's, so the city's minus the other structures' published cells never gives it back. That
holds for the confidential structures too: a shelter's cell hidden with a small one (five or
more) is taken out of the city's like the small one.
"""
from __future__ import annotations

from dataclasses import replace

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


def published(report: Report) -> dict:
    """What the suppressed version of `report` (unsuppressed, left untouched) publishes:
    ``{(section key, table key, figure key): [three values]}``, hidden ones `SUPPRESSED`."""
    result = {}
    for section, table in report.tables():
        copy = replace(table, figures=[replace(f, values=list(f.values)) for f in table.figures])
        suppress_table(copy)
        for figure in copy.figures:
            result[section.key, table.key, figure.key] = figure.values
    return result


def coordinate(city: Report, structures: list[tuple[Report, Report]]) -> None:
    """Take out of the (unsuppressed) city report's additive counts, in place, every cell that
    a structure's suppressed report hides: the city's value becomes the sum of the structures'
    published ones (plus what the city counts outside them, e.g. partners). A figure derived from
    a changed count is hidden.

    `structures`: for every structure whose report a coordinator may read (confidential ones
    included), ``(its unsuppressed report, what it puts into the city's)``: the same report for
    most; for a confidential structure, its counts as the city takes them (from the threshold up,
    `SectionContext.confidential_ids`). A cell the structure's suppressed report hides then takes
    out of the city exactly what it had put in, be it hidden as small or hidden with a small one;
    a cell it shows puts in exactly what it shows (a confidential structure's part may differ, e.g.
    active files summed over caseworkers from five up). So each additive city cell is the sum of
    the structures' published cells (hidden: nothing) plus what the city counts outside them.

    Every count must say whether it is additive (`Figure.additive`): an undeclared one is refused,
    so that a new section cannot slip past this rule."""
    undeclared = city.undeclared() + [key for raw, part in structures for key in raw.undeclared() + part.undeclared()]
    if undeclared:
        raise ValueError(f"counts not declared additive or not: {sorted(set(undeclared))}")
    hidden: dict = {}
    for raw, part in structures:
        shown = published(raw)
        put_in = {(section.key, table.key, f.key): f for section, table in part.tables() for f in table.figures}
        for section, table in raw.tables():
            for figure in table.figures:
                if not figure.additive:
                    continue
                key = (section.key, table.key, figure.key)
                values, entered = shown[key], put_in.get(key)
                if entered is None:
                    continue  # the city took nothing of it (a confidential structure's small lines)
                for column in range(3):
                    amount = entered.values[column]
                    if not isinstance(amount, int):
                        continue
                    # Out goes what it put in, back what it publishes (hidden: nothing).
                    if values[column] is not SUPPRESSED:
                        amount -= values[column]
                    if amount:
                        hidden[key + (column,)] = hidden.get(key + (column,), 0) + amount
    for section, table in city.tables():
        changed = set()
        for figure in table.figures:
            for column in range(3):
                taken = hidden.get((section.key, table.key, figure.key, column), 0)
                if figure.additive and taken and isinstance(figure.values[column], int):
                    figure.values[column] -= taken
                    changed.add((figure.key, column))
        for figure in table.figures:
            for column in range(3):
                if any((source, column) in changed for source in figure.derived_from):
                    figure.values[column] = SUPPRESSED
