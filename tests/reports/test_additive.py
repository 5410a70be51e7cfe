"""Every count of every section says whether it adds up over structures (`Figure.additive`):
the city-wide differencing rule (`suppression.coordinate`) covers exactly the additive ones, so a
count that forgets to say would slip past it. And what says it adds up does add up."""
from __future__ import annotations

import random

from sqlalchemy import select

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.reports import service
from caseapp.reports.model import COUNT, Month
from caseapp.reports.sections import section_modules
from caseapp.structures.models import Structure
from tests.factories import make_user
from tests.reports.conftest import make_dataset
from tests.reports.test_domain_sections import seed_deliveries, seed_plans, seed_stays


def _seed():
    rng = random.Random(8)
    _totals, structures, staff = make_dataset(40, seed=8, codes=("KEM", "DIS-PROG", "SHELTER-W", "KYADA"))
    seed_plans(rng)
    seed_deliveries(rng)
    seed_stays(rng, "SHELTER-W", n=8)
    seed_stays(rng, "SHELTER-ADD", n=10)
    return structures, staff


def _month():
    today = local_today()
    return Month(today.year, today.month)


def test_every_count_of_every_section_says_whether_it_adds_up_over_structures(db_session):
    structures, staff = _seed()
    month = _month()
    worker = staff[structures["KEM"].id][0]
    reports = [service.build_report(month, suppressed=False, generated_by="t"),
               service.build_report(month, caseload_of=worker, suppressed=False, generated_by="t")]
    for code in ("KEM", "SHELTER-W", "KYADA-MARKET", "DIS-PROG"):
        shelter = db.session.execute(select(Structure).where(Structure.code == code)).scalar_one()
        reports.append(service.build_report(month, structure=shelter, suppressed=False, generated_by="t"))
    walked = set()
    for report in reports:
        for section, table in report.tables():
            for figure in table.figures:
                walked.add(section.key)
                if figure.kind == COUNT and not figure.derived_from:
                    assert figure.additive in (True, False), (report.scope, section.key, table.key, figure.key)
                else:  # a rate, a median, hours, days: never summed into the city's
                    assert not figure.additive, (section.key, table.key, figure.key)
        assert report.undeclared() == []
    assert walked == {module.KEY for module in section_modules()}, "every section was walked"


def test_what_is_declared_additive_adds_up_over_the_structures(db_session):
    """For every additive figure, the city's count with every structure in full equals the sum of
    every structure's own (partners included): the differencing rule's sums are the true ones."""
    _seed()
    month = _month()
    city = {(s.key, t.key, f.key): f for s, t in service._build(month, staff_names=False).tables()
            for f in t.figures}
    every = db.session.execute(select(Structure).order_by(Structure.code)).scalars().all()
    per_structure = [{(s.key, t.key, f.key): f for s, t in service._build(month, structure=each,
                                                                          staff_names=False).tables()
                      for f in t.figures} for each in every]
    checked = 0
    for key, figure in city.items():
        if not figure.additive:
            continue
        for column in range(3):
            assert figure.values[column] == sum(r[key].values[column] for r in per_structure if key in r), key
            checked += figure.values[column] > 0
    assert checked > 20


def test_a_report_refuses_a_count_that_does_not_say(db_session, monkeypatch):
    """A new section that forgets `additive` on a count breaks the suppressed city report (and this test)."""
    import pytest

    from caseapp.reports.model import Figure, Table
    from caseapp.reports.sections import plans

    real = plans.build
    monkeypatch.setattr(plans, "build", lambda ctx: real(ctx) + [Table("new", "New", [Figure("n", "N", [7, 7, 7])])])
    make_user("coordinator")
    with pytest.raises(ValueError, match="not declared"):
        service.build_report(_month(), suppressed=True, generated_by="t")


def test_the_suppressed_city_report_reads_each_domain_once_for_every_structure(db_session, count_queries):
    """Building the structures' reports for the differencing rule costs a few queries in all, not a
    report's worth per structure, and none more with more rows."""
    make_dataset(10, seed=1)
    month = Month(2026, 4)
    with count_queries() as plain:
        service.build_report(month, suppressed=False, generated_by="t")
    with count_queries() as small:
        service.build_report(month, suppressed=True, generated_by="t")
    make_dataset(60, seed=2)
    with count_queries() as large:
        service.build_report(month, suppressed=True, generated_by="t")
    structures = db.session.execute(select(Structure)).scalars().all()
    assert len(structures) > 15
    assert small.n == large.n
    assert small.n <= plain.n + 15, (plain.n, small.n)


def test_a_structure_report_built_for_the_differencing_rule_hides_what_the_full_one_hides(db_session):
    """The reports `coordinate` reads leave out what it does not need: their additive figures, and
    whether the suppressed report hides them, are the full report's."""
    from caseapp.reports.suppression import published

    _seed()
    month = _month()
    shared: dict = {}
    every = db.session.execute(select(Structure).where(Structure.code.in_(
        ("KEM", "DIS-PROG", "SHELTER-W", "KYADA", "KYADA-MARKET", "SHELTER-ADD")))).scalars().all()
    for each in every:
        full = service._build(month, structure=each, staff_names=False)
        lean = service._build(month, structure=each, staff_names=False, shared=shared)
        full_shown, lean_shown = published(full), published(lean)
        for section, table in full.tables():
            for figure in table.figures:
                if figure.additive:
                    key = (section.key, table.key, figure.key)
                    assert lean_shown[key] == full_shown[key], (each.code, key)
