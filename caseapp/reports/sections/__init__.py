"""Report sections: one module per domain, found at import (whichever modules exist).

A section module defines::

    KEY = "interpretation"           # stable, ASCII: sheet and CSV file names
    TITLE = _l("Interpretation")     # shown on the dashboard and in the exports
    ORDER = 40                       # position in the report
    SCOPES = {"structure", "city"}   # report scopes it appears in ("caseload": a caseworker's own)
    def build(ctx: SectionContext) -> list[Table]: ...

`build` reads its domain's `stats.py` (SQL aggregates) for the three months of
`ctx.months` and returns its tables, unsuppressed: the report applies suppression.
It must run a fixed number of queries whatever the number of rows.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache

from caseapp.reports.model import Month


@dataclass(frozen=True)
class SectionContext:
    month: Month
    structure_ids: tuple[int, ...] | None  # None: every structure (city-wide)
    scope: str  # "structure", "city" or "caseload"
    assignee_id: int | None = None  # the caseworker, for "caseload"
    # City-wide: the confidential structures, whose counts enter the city's only from the
    # threshold up (`_helpers.keep`), so that no subtraction gives back a small one.
    confidential_ids: tuple[int, ...] = ()
    # Staff lines (caseload per caseworker) of a structure report: "named" for a reader who belongs
    # to the structure, "unnamed" (figures without names) for anyone else, "none" for anyone else
    # reading a confidential structure's report (its staff is not shown at all).
    staff: str = "unnamed"
    # Within one suppressed city report (the city's and every structure's, `service.build_report`):
    # the domains' per-structure counts, read once for every structure (`monthly_counts`).
    shared: dict | None = field(default=None, compare=False, hash=False, repr=False)
    # A structure's report built only for `suppression.coordinate`, which reads its additive
    # figures and whether its suppressed version hides them: a section may leave out what does not
    # change that (tables with no additive figure, a figure of a table without total, labels).
    differencing: bool = False

    @property
    def months(self) -> tuple[Month, Month, Month]:
        return self.month.columns()


def shared(ctx: SectionContext, key: str, read):
    """`read()`, once per suppressed city report when `ctx.shared` (e.g. a names query)."""
    if ctx.shared is None:
        return read()
    if key not in ctx.shared:
        ctx.shared[key] = read()
    return ctx.shared[key]


def monthly_counts(ctx: SectionContext, stats, month: Month, **options) -> dict:
    """``stats.monthly_counts(year, month, structure_ids, **options)`` (``{structure id: entry}``)
    for the structures of `ctx`. With `ctx.shared`, the counts of every structure are read once
    (one set of queries per domain and month) and each report takes its structures' entries: a
    city report and the structure reports built with it run no more queries for them."""
    ids = None if ctx.structure_ids is None else list(ctx.structure_ids)
    if ctx.shared is None:
        return stats.monthly_counts(month.year, month.month, ids, **options)
    key = (stats.__name__, month, tuple(sorted(options.items())))
    if key not in ctx.shared:
        ctx.shared[key] = stats.monthly_counts(month.year, month.month, None, **options)
    every = ctx.shared[key]
    return every if ids is None else {sid: entry for sid, entry in every.items() if sid in ids}


@lru_cache(maxsize=1)
def section_modules() -> tuple:
    """Every section module of this package, in `ORDER`."""
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
               if not info.name.startswith("_")]
    return tuple(sorted(modules, key=lambda m: (m.ORDER, m.KEY)))


def sections_for(scope: str) -> tuple:
    return tuple(m for m in section_modules() if scope in m.SCOPES)
