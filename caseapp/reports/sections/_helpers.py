"""Turning ``{code: count}`` per month into report lines."""
from __future__ import annotations

from caseapp.reports.model import COUNT, Figure, Table
from caseapp.reports.suppression import THRESHOLD


def keep(count: int) -> int:
    """A confidential structure's count as it enters a city-wide figure: itself from the
    threshold up, nothing below it."""
    return count if count >= THRESHOLD else 0


def keep_counts(counts: dict) -> dict:
    return {key: keep(count) for key, count in counts.items() if keep(count)}


def city_sum(per_structure: dict, confidential_ids, threshold, total):
    """`total(entries)` of the per-structure entries of a domain's `monthly_counts`, the
    confidential structures' first passed through `threshold(entry)` (see `keep`)."""
    return total({sid: threshold(entry) if sid in confidential_ids else entry
                  for sid, entry in per_structure.items()})


def breakdown_table(key: str, title, per_month: list[dict], label, *, total: list | None = None,
                    total_label=None, order=None, top: int | None = None, other_label=None,
                    chart: str | None = "bar", note=None, additive: bool) -> Table:
    """A table with one line per code seen in any of the three months (`per_month`:
    ``[{code: count}]`` in COLUMNS order).

    `order`: the codes in display order (others follow by descending count); `top`: keep the
    `top` codes of the reported month and fold the rest into one "other" line; `total`: three
    totals, added as a last line that the others add up to (for secondary suppression);
    `additive` (required): every line adds up over structures (see `Figure.additive`). An additive
    table folds nothing into "other": the city's lines must be the same codes as each structure's,
    or a code folded at a structure but shown city-wide would be given back by subtraction.
    """
    if additive and top is not None:
        raise ValueError("an additive table lists every code: no top/other folding")
    seen = set().union(*(m.keys() for m in per_month))
    ranked = sorted(seen, key=lambda c: (-per_month[0].get(c, 0), -sum(m.get(c, 0) for m in per_month), str(c)))
    if order is not None:
        ranked = [c for c in order if c in seen] + [c for c in ranked if c not in order]
    figures = []
    kept = ranked if top is None else ranked[:top]
    for code in kept:
        figures.append(Figure(str(code), label(code), [m.get(code, 0) for m in per_month]))
    rest = [c for c in ranked if c not in kept]
    if rest:
        figures.append(Figure("other", str(other_label), [sum(m.get(c, 0) for c in rest) for m in per_month]))
    total_key = None
    if total is not None:
        total_key = "total"
        figures.append(Figure(total_key, str(total_label), list(total), COUNT))
    for figure in figures:
        figure.additive = additive
    return Table(key, str(title), figures, total_key=total_key, chart=chart, note=str(note) if note else None)
