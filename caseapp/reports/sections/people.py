"""People served and registered (beneficiaries' `stats.py`): distinct people, breakdowns."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseapp.beneficiaries import codes, iso, stats
from caseapp.reports.model import Figure, Table
from caseapp.reports.sections._helpers import breakdown_table, keep, keep_counts

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


def _city_with_confidential(ctx):
    """City-wide: people served at the other structures (distinct), plus each confidential
    structure's own counts from the threshold up; a person served both at a confidential
    structure and elsewhere then counts once for each side."""
    from sqlalchemy import select

    from caseapp.extensions import db
    from caseapp.structures.models import Structure

    others = list(db.session.execute(select(Structure.id).where(Structure.id.not_in(ctx.confidential_ids)))
                  .scalars())
    served, registered = [], []
    for m in ctx.months:
        month = stats.people_served(m.year, m.month, others)
        count = stats.new_registrations(m.year, m.month, others)
        for structure_id in ctx.confidential_ids:
            inside = stats.people_served(m.year, m.month, [structure_id])
            month.people += keep(inside.people)
            for mine, theirs in ((month.by_sex, inside.by_sex), (month.by_age_band, inside.by_age_band),
                                 (month.by_nationality, inside.by_nationality),
                                 (month.by_legal_status, inside.by_legal_status),
                                 (month.by_vulnerability, inside.by_vulnerability)):
                for code, people in keep_counts(theirs).items():
                    mine[code] = mine.get(code, 0) + people
            count += keep(stats.new_registrations(m.year, m.month, [structure_id]))
        served.append(month)
        registered.append(count)
    return served, registered


def build(ctx) -> list:
    ids = None if ctx.structure_ids is None else list(ctx.structure_ids)
    if ctx.confidential_ids:
        served, registered = _city_with_confidential(ctx)
    else:
        served = [stats.people_served(m.year, m.month, ids) for m in ctx.months]
        registered = [stats.new_registrations(m.year, m.month, ids) for m in ctx.months]
    people = [s.people for s in served]
    overview = Table("overview", str(_l("People")), [
        Figure("served", str(_l("People served (distinct)")), people),
        Figure("registered", str(_l("New registrations")), registered, additive=True),
    ], chart="bar")
    bands = [band for band, _low, _high in codes.AGE_BANDS] + [stats.UNKNOWN_AGE_BAND]
    total_label = _l("All people served")
    return [
        overview,
        breakdown_table("sex", _l("By sex"), [s.by_sex for s in served], _label(codes.SEX), order=list(codes.SEX),
                        total=people, total_label=total_label, chart="pie"),
        breakdown_table("age_band", _l("By age band"), [s.by_age_band for s in served], _band, order=bands,
                        total=people, total_label=total_label),
        breakdown_table("nationality", _l("By nationality (ten most frequent)"), [s.by_nationality for s in served],
                        _nationality, top=TOP_NATIONALITIES, other_label=_l("Other nationalities"),
                        total=people, total_label=total_label),
        breakdown_table("legal_status", _l("By legal status"), [s.by_legal_status for s in served],
                        _label(codes.LEGAL_STATUS), order=list(codes.LEGAL_STATUS), total=people,
                        total_label=total_label),
        breakdown_table("vulnerability", _l("By vulnerability"), [s.by_vulnerability for s in served],
                        _vulnerability, order=list(codes.VULNERABILITIES) + [stats.NO_VULNERABILITY],
                        note=_l("A person with several vulnerabilities counts under each: the lines do not add up.")),
    ]
