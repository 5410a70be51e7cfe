"""Every figure of the report equals the same figure computed by brute force over the rows
(a second implementation written for the test, not a call to the first)."""
from __future__ import annotations

import calendar
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from caseapp.beneficiaries.models import Beneficiary, ErasedMonthlyCount
from caseapp.casefiles.models import CaseFile, CaseFilePeriod
from caseapp.extensions import db
from caseapp.interpretation.models import InterpretationRequest
from caseapp.reports.model import Month
from caseapp.reports.service import build_report
from caseapp.structures.models import Structure
from tests.factories import make_user, structure

ATHENS = ZoneInfo("Europe/Athens")
MONTHS = [(2026, 4), (2026, 3), (2025, 4)]  # the report's three columns for April 2026


def band(birth_year, year):
    if birth_year is None or birth_year > year:
        return "unknown"
    age = year - birth_year
    for name, top in (("0-17", 17), ("18-24", 24), ("25-34", 34), ("35-49", 49), ("50-64", 64)):
        if age <= top:
            return name
    return "65+"


def brute_force(year: int, month: int, structure_ids, assignee_id=None) -> dict:
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    files = {f.id: f for f in db.session.execute(select(CaseFile)).scalars()}
    periods = list(db.session.execute(select(CaseFilePeriod)).scalars())
    people = {b.id: b for b in db.session.execute(select(Beneficiary)).scalars()}

    def inside(case_file):
        return (structure_ids is None or case_file.structure_id in structure_ids) and \
            (assignee_id is None or case_file.assigned_to_id == assignee_id)

    overlapping = [p for p in periods if inside(files[p.case_file_id]) and p.opened_on <= last
                   and (p.closed_on is None or p.closed_on >= first)]
    served = {files[p.case_file_id].beneficiary_id for p in overlapping}
    served = [people[i] for i in served if people[i].erased_at is None]
    e = {"served": len(served), "sex": Counter(p.sex for p in served),
         "age_band": Counter(band(p.birth_year, year) for p in served),
         "nationality": Counter(p.nationality or "unknown" for p in served),
         "legal_status": Counter(p.legal_status for p in served),
         "vulnerability": Counter(code for p in served for code in (p.vulnerabilities.split(",")
                                                                    if p.vulnerabilities else ["none"]))}
    e["registered"] = sum(1 for p in people.values() if p.erased_at is None
                          and (structure_ids is None or p.registered_structure_id in structure_ids)
                          and (p.created_at.astimezone(ATHENS).year, p.created_at.astimezone(ATHENS).month)
                          == (year, month))
    for row in db.session.execute(select(ErasedMonthlyCount)).scalars():
        if row.month != first or (structure_ids is not None and row.structure_id not in structure_ids):
            continue
        if row.measure == "registered":
            e["registered"] += row.people
        else:
            e["served"] += row.people
            e["sex"][row.sex] += row.people
            e["age_band"][row.age_band] += row.people
            e["nationality"]["unknown"] += row.people
            e["legal_status"]["unknown"] += row.people
    mine = [p for p in periods if inside(files[p.case_file_id])]
    e["opened"] = sum(1 for p in mine if first <= p.opened_on <= last)
    e["closed"] = sum(1 for p in mine if p.closed_on and first <= p.closed_on <= last)
    active_files = {p.case_file_id for p in overlapping}
    e["active"] = len(active_files)
    e["caseload"] = Counter(files[i].assigned_to_id for i in active_files)
    requests = [r for r in db.session.execute(select(InterpretationRequest)).scalars()
                if (structure_ids is None or r.structure_id in structure_ids)
                and (r.starts_at.astimezone(ATHENS).year, r.starts_at.astimezone(ATHENS).month) == (year, month)]
    e["requests"] = len(requests)
    e["language"] = Counter(r.language for r in requests)
    e["mode"] = Counter(r.mode for r in requests)
    e["completed"] = sum(1 for r in requests if r.status == "completed")
    e["no_shows"] = sum(1 for r in requests if r.status == "no_show")
    e["minutes"] = sum(r.delivered_minutes or 0 for r in requests if r.status == "completed")
    return e


def keep(count):
    return count if count >= 5 else 0


def expected(year: int, month: int, structure_ids) -> dict:
    """Brute force for a structure; city-wide (None): the other structures' people distinct, plus
    each confidential structure's counts only from five up."""
    if structure_ids is not None:
        return brute_force(year, month, structure_ids)
    structures = list(db.session.execute(select(Structure)).scalars())
    e = brute_force(year, month, {s.id for s in structures if not s.confidential})
    for shelter in (s for s in structures if s.confidential):
        inside = brute_force(year, month, {shelter.id})
        for key, value in inside.items():
            if key == "minutes":
                e[key] += value if inside["completed"] >= 5 else 0
            elif isinstance(value, Counter):
                for code, count in value.items():
                    e[key][code] += keep(count)
            else:
                e[key] += keep(value)
    return e


def tables(report) -> dict:
    return {(section.key, table.key): table for section, table in report.tables()}


def value(table, key, column):
    figure = table.figure(key)
    return 0 if figure is None else figure.values[column]


def check_breakdown(table, counts: Counter, column: int):
    for code, count in counts.items():
        if not count:
            continue
        assert value(table, code, column) == count, (table.key, code, column)
    for figure in table.figures:
        if figure.key not in ("total", "other"):
            assert figure.values[column] == counts.get(figure.key, 0), (table.key, figure.key, column)


def check_report(report, structure_ids):
    t = tables(report)
    for column, (year, month) in enumerate(MONTHS):
        e = expected(year, month, structure_ids)
        assert value(t["people", "overview"], "served", column) == e["served"]
        assert value(t["people", "overview"], "registered", column) == e["registered"]
        for key in ("sex", "age_band", "legal_status", "vulnerability"):
            check_breakdown(t["people", key], e[key], column)
            if key != "vulnerability":
                assert value(t["people", key], "total", column) == e["served"]
        nationality = t["people", "nationality"]
        shown = {f.key for f in nationality.figures} - {"other", "total"}
        for code in shown:
            assert value(nationality, code, column) == e["nationality"].get(code, 0)
        assert value(nationality, "other", column) == sum(c for k, c in e["nationality"].items() if k not in shown)
        if column == 0:
            assert len(shown) <= 10
            assert min((e["nationality"][k] for k in shown), default=0) >= \
                max((c for k, c in e["nationality"].items() if k not in shown), default=0)
        cases = t["cases", "overview"]
        assert [value(cases, k, column) for k in ("opened", "closed", "active")] == \
            [e["opened"], e["closed"], e["active"]]
        interp = t["interpretation", "overview"]
        assert value(interp, "requests", column) == e["requests"]
        assert value(interp, "completed", column) == e["completed"]
        assert value(interp, "no_shows", column) == e["no_shows"]
        held = e["completed"] + e["no_shows"]
        assert value(interp, "no_show_rate", column) == (e["no_shows"] / held if held else None)
        assert value(interp, "hours", column) == round(e["minutes"] / 60, 1)
        check_breakdown(t["interpretation", "language"], e["language"], column)
        check_breakdown(t["interpretation", "mode"], e["mode"], column)
        if ("cases", "caseload") in t:
            caseload = t["cases", "caseload"]
            for user_id, count in e["caseload"].items():
                key = f"user-{user_id}" if user_id is not None else "unassigned"
                assert value(caseload, key, column) == count
            assert value(caseload, "total", column) == e["active"]


def test_the_dataset_has_something_in_every_section(dataset):
    totals, _structures, _staff = dataset
    assert totals["people"] == 70 and totals["case_files"] > 70 and totals["interpretation"] > 20
    e = brute_force(2026, 4, None)
    assert e["served"] > 20 and e["requests"] > 3 and e["opened"] and e["closed"]
    assert len(e["nationality"]) > 5 and len(e["legal_status"]) > 3


def test_every_city_wide_figure_equals_a_brute_force_count(dataset):
    report = build_report(Month(2026, 4), structure=None, suppressed=False, generated_by="test")
    check_report(report, None)


@pytest.mark.parametrize("code", ["KEM", "DIS-PROG", "SHELTER-W"])
def test_every_structure_figure_equals_a_brute_force_count(dataset, code):
    where = structure(code)
    report = build_report(Month(2026, 4), structure=where, suppressed=False, generated_by="test")
    check_report(report, {where.id})


def test_a_person_served_at_two_structures_counts_once_city_wide(dataset):
    both = db.session.execute(select(CaseFile.beneficiary_id).group_by(CaseFile.beneficiary_id)
                              .having(db.func.count() > 1)).scalars().all()
    assert both, "the dataset has people at two structures"
    report = build_report(Month(2026, 4), structure=None, suppressed=False, generated_by="test")
    per_structure = sum(value(tables(build_report(Month(2026, 4), structure=s, suppressed=False,
                                                  generated_by="t"))["people", "overview"], "served", 0)
                        for s in dataset[1].values())
    assert value(tables(report)["people", "overview"], "served", 0) < per_structure


def test_erased_people_still_count_in_the_months_they_were_served(dataset):
    kem = structure("KEM")
    db.session.add_all([
        ErasedMonthlyCount(structure_id=kem.id, month=date(2026, 4, 1), measure="active", sex="female",
                           age_band="25-34", people=3),
        ErasedMonthlyCount(structure_id=kem.id, month=date(2026, 4, 1), measure="registered", sex="female",
                           age_band="25-34", people=2)])
    db.session.flush()
    report = build_report(Month(2026, 4), structure=kem, suppressed=False, generated_by="test")
    check_report(report, {kem.id})


def test_a_caseworkers_caseload_counts_only_their_own_files(dataset):
    _totals, structures, staff = dataset
    caseworker = staff[structures["KEM"].id][0]
    report = build_report(Month(2026, 4), caseload_of=caseworker, suppressed=False, generated_by="test")
    assert [s.key for s in report.sections] == ["cases"]
    overview = tables(report)["cases", "overview"]
    for column, (year, month) in enumerate(MONTHS):
        e = brute_force(year, month, None, assignee_id=caseworker.id)
        assert [value(overview, k, column) for k in ("opened", "closed", "active")] == \
            [e["opened"], e["closed"], e["active"]]
    assert value(overview, "active", 0) > 0


def test_the_report_takes_the_same_number_of_queries_whatever_the_number_of_rows(db_session, count_queries):
    from tests.reports.conftest import make_dataset

    make_dataset(10, seed=1)
    coordinator = make_user("coordinator")
    db.session.commit()
    with count_queries() as small:
        build_report(Month(2026, 4), structure=None, suppressed=True, generated_by="t")
    with count_queries() as small_structure:
        build_report(Month(2026, 4), structure=structure("KEM"), suppressed=True, generated_by="t")
    make_dataset(120, seed=2)
    db.session.commit()
    with count_queries() as large:
        build_report(Month(2026, 4), structure=None, suppressed=True, generated_by="t")
    with count_queries() as large_structure:
        build_report(Month(2026, 4), structure=structure("KEM"), suppressed=True, generated_by="t")
    assert small.n == large.n and small_structure.n == large_structure.n, (small.n, large.n)
    assert coordinator is not None


def test_a_shelters_small_counts_add_nothing_to_the_city_and_its_large_ones_add_up(dataset):
    """Subtracting every other structure's figures from the city's never gives back a count under
    five of a confidential structure."""
    shelter = structure("SHELTER-W")
    city = tables(build_report(Month(2026, 4), structure=None, suppressed=False, generated_by="t"))
    others = [s for s in db.session.execute(select(Structure)).scalars() if not s.confidential]
    inside = brute_force(2026, 4, {shelter.id})
    outside = brute_force(2026, 4, {s.id for s in others})
    assert any(0 < count < 5 for count in inside["language"].values()) or 0 < inside["requests"] < 5 \
        or any(0 < c < 5 for c in inside["sex"].values()), "the shelter has small counts"
    for code, count in inside["language"].items():
        difference = value(city["interpretation", "language"], code, 0) - outside["language"].get(code, 0)
        assert difference == (count if count >= 5 else 0)
    for code, count in inside["sex"].items():
        difference = value(city["people", "sex"], code, 0) - outside["sex"].get(code, 0)
        assert difference == (count if count >= 5 else 0)
