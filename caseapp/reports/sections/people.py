"""People served and registered (beneficiaries' `stats.py`): distinct people, breakdowns."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseapp.beneficiaries import codes, iso, stats
from caseapp.reports.model import SUPPRESSED, Figure, Table
from caseapp.reports.sections import monthly_counts
from caseapp.reports.sections._helpers import breakdown_table, keep

KEY = "people"
TITLE = _l("People served")
ORDER = 10
SCOPES = {"structure", "city"}
TOP_NATIONALITIES = 10


def _label(table):
    return lambda code: str(table.get(code, _l("Not stated") if code == stats.UNKNOWN else code))


def _band(code):
    return str(_l("Age not known")) if code == stats.UNKNOWN_AGE_BAND else code


def _nationality(code):
    return str(_l("Not stated")) if code == stats.UNKNOWN else iso.country_name(code)


def _vulnerability(code):
    return str(_l("None recorded")) if code == stats.NO_VULNERABILITY else str(codes.VULNERABILITIES.get(code, code))


_BREAKDOWNS = {"sex": "by_sex", "age_band": "by_age_band", "nationality": "by_nationality",
               "legal_status": "by_legal_status", "vulnerability": "by_vulnerability"}


def _published_part(served: list, registered: list) -> tuple[list, list]:
    """What a confidential structure's months (`served`, `registered`) add to the city's: only what
    its own suppressed report publishes (a count hidden there, small or hidden with a small one,
    adds nothing), and of the codes folded into "other" there only those from the threshold up."""
    from caseapp.reports.suppression import suppress_table

    shown = {table.key: table for table in _tables(served, registered)}
    for table in shown.values():
        suppress_table(table)
    parts, counts = [], []
    for column, (month, count) in enumerate(zip(served, registered, strict=True)):
        part = stats.ServedMonth()
        served_line = shown["overview"].figure("served").values[column]
        part.people = 0 if served_line is SUPPRESSED else month.people
        for table_key, attribute in _BREAKDOWNS.items():
            table, mine = shown[table_key], getattr(part, attribute)
            other = table.figure("other")
            for code, people in getattr(month, attribute).items():
                line = table.figure(str(code))
                if line is not None:
                    kept = 0 if line.values[column] is SUPPRESSED else people
                else:  # folded into "other" there
                    kept = keep(people) if other is not None and other.values[column] is not SUPPRESSED else 0
                if kept:
                    mine[code] = kept
        registered_line = shown["overview"].figure("registered").values[column]
        parts.append(part)
        counts.append(0 if registered_line is SUPPRESSED else count)
    return parts, counts


def _city_with_confidential(ctx):
    """City-wide: people served at the other structures (distinct), plus what each confidential
    structure's own suppressed report publishes (`_published_part`); a person served both at a
    confidential structure and elsewhere then counts once for each side. With `structure_ids`
    (one confidential structure's part of the city, for `suppression.coordinate`), only those."""
    from sqlalchemy import select

    from caseapp.extensions import db
    from caseapp.structures.models import Structure

    query = select(Structure.id).where(Structure.id.not_in(ctx.confidential_ids))
    if ctx.structure_ids is not None:
        query = query.where(Structure.id.in_(ctx.structure_ids))
    others = list(db.session.execute(query).scalars())
    served = [stats.people_served(m.year, m.month, others) for m in ctx.months]
    registered = [stats.new_registrations(m.year, m.month, others) for m in ctx.months]
    for structure_id in ctx.confidential_ids:
        if ctx.structure_ids is not None and structure_id not in ctx.structure_ids:
            continue
        inside = [stats.people_served(m.year, m.month, [structure_id]) for m in ctx.months]
        counts = [stats.new_registrations(m.year, m.month, [structure_id]) for m in ctx.months]
        parts, counts = _published_part(inside, counts)
        for column, part in enumerate(parts):
            month = served[column]
            month.people += part.people
            for attribute in _BREAKDOWNS.values():
                mine = getattr(month, attribute)
                for code, people in getattr(part, attribute).items():
                    mine[code] = mine.get(code, 0) + people
            registered[column] += counts[column]
    return served, registered


def build(ctx) -> list:
    if ctx.differencing and ctx.structure_ids is not None:
        return _registrations_only(ctx)
    ids = None if ctx.structure_ids is None else list(ctx.structure_ids)
    if ctx.confidential_ids:
        served, registered = _city_with_confidential(ctx)
    else:
        served = [stats.people_served(m.year, m.month, ids) for m in ctx.months]
        registered = [stats.new_registrations(m.year, m.month, ids) for m in ctx.months]
    return _tables(served, registered)


def _registrations_only(ctx) -> list:
    """For `suppression.coordinate` (`SectionContext.differencing`): the one additive figure, new
    registrations, alone in its table as in `_tables` (no total: hidden only when small), from the
    per-structure counts read once for the city report (`sections.monthly_counts`)."""
    registered = []
    for m in ctx.months:
        entries = monthly_counts(ctx, stats, m)
        registered.append(sum(keep(e.new_registrations.total) if sid in ctx.confidential_ids
                              else e.new_registrations.total for sid, e in entries.items()))
    return [Table("overview", str(_l("People")), [
        Figure("registered", str(_l("New registrations")), registered, additive=True)])]


def _tables(served: list, registered: list) -> list:
    people = [s.people for s in served]
    overview = Table("overview", str(_l("People")), [
        Figure("served", str(_l("People served (distinct)")), people, additive=False),  # distinct city-wide
        Figure("registered", str(_l("New registrations")), registered, additive=True),
    ], chart="bar")
    bands = [band for band, _low, _high in codes.AGE_BANDS] + [stats.UNKNOWN_AGE_BAND]
    total_label = _l("All people served")
    return [
        overview,
        breakdown_table("sex", _l("By sex"), [s.by_sex for s in served], _label(codes.SEX), order=list(codes.SEX),
                        total=people, total_label=total_label, chart="pie", additive=False),
        breakdown_table("age_band", _l("By age band"), [s.by_age_band for s in served], _band, order=bands,
                        total=people, total_label=total_label, additive=False),
        breakdown_table("nationality", _l("By nationality (ten most frequent)"), [s.by_nationality for s in served],
                        _nationality, top=TOP_NATIONALITIES, other_label=_l("Other nationalities"),
                        total=people, total_label=total_label, additive=False),
        breakdown_table("legal_status", _l("By legal status"), [s.by_legal_status for s in served],
                        _label(codes.LEGAL_STATUS), order=list(codes.LEGAL_STATUS), total=people,
                        total_label=total_label, additive=False),
        breakdown_table("vulnerability", _l("By vulnerability"), [s.by_vulnerability for s in served],
                        _vulnerability, order=list(codes.VULNERABILITIES) + [stats.NO_VULNERABILITY],
                        note=_l("A person with several vulnerabilities counts under each: the lines do not add up."),
                        additive=False),
    ]
