"""Small-cell suppression on reports that leave a structure: no count from 1 to 4 is shown,
nor can one be recovered by subtracting published lines from a published total."""
from __future__ import annotations

import io

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from caseapp.reports.model import COUNT, RATE, SUPPRESSED, Figure, Table
from caseapp.reports.model import Month
from caseapp.reports.service import build_report
from caseapp.reports.suppression import is_small, suppress_table
from tests.factories import make_user, structure
from tests.reports.conftest import make_dataset


def table(values, total=True):
    figures = [Figure(f"c{i}", f"Line {i}", [v, v, v]) for i, v in enumerate(values)]
    if total:
        figures.append(Figure("total", "All", [sum(values)] * 3))
    return Table("t", "T", figures, total_key="total" if total else None)


def shown(t: Table, column=0):
    return {f.key: f.values[column] for f in t.figures}


def test_a_small_count_is_shown_as_under_five_and_zero_stays_zero():
    t = table([3, 0, 40, 17], total=False)
    suppress_table(t)
    assert shown(t) == {"c0": SUPPRESSED, "c1": 0, "c2": 40, "c3": 17}
    assert str(SUPPRESSED) == "<5"


def test_a_single_hidden_line_under_a_total_cannot_be_recovered_by_subtraction():
    t = table([3, 40, 17, 9])
    suppress_table(t)
    cells = shown(t)
    # The attacker's sum: total minus every published line.
    published = sum(v for k, v in cells.items() if k != "total" and v is not SUPPRESSED)
    recovered = cells["total"] - published
    assert recovered != 3
    assert cells["c0"] is SUPPRESSED and cells["c3"] is SUPPRESSED  # the smallest other line went with it
    assert [k for k, v in cells.items() if v is SUPPRESSED] == ["c0", "c3"]


def test_a_small_total_is_hidden_with_its_lines():
    t = table([2, 1, 0])
    suppress_table(t)
    assert shown(t) == {"c0": SUPPRESSED, "c1": SUPPRESSED, "c2": 0, "total": SUPPRESSED}


def test_when_every_other_line_is_zero_a_zero_line_is_hidden_too():
    t = table([4, 0, 30])
    suppress_table(t)
    cells = shown(t)
    assert cells["c0"] is SUPPRESSED and cells["c2"] is SUPPRESSED and cells["c1"] == 0


def test_a_rate_computed_from_a_hidden_count_is_hidden():
    t = Table("i", "I", [Figure("completed", "Completed", [30, 30, 30]), Figure("no_shows", "No-shows", [2, 0, 7]),
                         Figure("rate", "Rate", [2 / 32, 0.0, 7 / 37], RATE, derived_from=("completed", "no_shows"))])
    suppress_table(t)
    assert t.figure("rate").values == [SUPPRESSED, 0.0, 7 / 37]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12))
def test_no_line_under_a_published_total_is_ever_alone_in_being_hidden(values):
    t = table(values)
    suppress_table(t)
    for column in range(3):
        cells = [f.values[column] for f in t.figures]
        assert not any(isinstance(v, int) and 0 < v < 5 for v in cells)
        total = t.figure("total").values[column]
        hidden = [f for f in t.parts if f.values[column] is SUPPRESSED]
        if total is not SUPPRESSED:
            assert len(hidden) != 1
            if hidden:  # what subtraction gives is the sum of two or more hidden lines
                assert total - sum(f.values[column] for f in t.parts if f.values[column] is not SUPPRESSED) \
                    == sum(v for v, f in zip(values, t.parts) if f.values[column] is SUPPRESSED)


def _sheet_tables(sheet):
    """[(title, {label: [three values]})] read back from one XLSX section sheet: a title row,
    a header row, the lines, then a blank row."""
    result, current, expect_header = [], None, False
    for row in sheet.iter_rows(values_only=True):
        if all(v is None for v in row[:4]):
            current = None
            continue
        if current is None:
            current = (row[0], {})
            result.append(current)
            expect_header = True
        elif expect_header:
            expect_header = False
        elif row[1] is not None or row[2] is not None:
            current[1][row[0]] = list(row[1:4])
    return result


def test_the_city_wide_export_shows_no_small_cell_and_no_subtraction_gives_one_back(client, login):
    make_dataset(60, seed=11)
    coordinator = login(make_user("coordinator", locale="en"))
    response = client.get("/reports/export?month=2026-04&structure=city&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    hidden_seen = 0
    for sheet in book.worksheets[1:]:
        for title, lines in _sheet_tables(sheet):
            for label, values in lines.items():
                for v in values:
                    if label not in ("No-show rate", "Hours delivered"):
                        assert not (isinstance(v, (int, float)) and 0 < v < 5), (sheet.title, title, label, values)
                hidden_seen += values.count("<5")
            totals = [label for label in lines if str(label).startswith("All ")]
            for label in totals:
                parts = {k: v for k, v in lines.items() if k != label}
                for column in range(3):
                    total = lines[label][column]
                    hidden = [k for k, v in parts.items() if v[column] == "<5"]
                    if total != "<5":
                        assert len(hidden) != 1, (sheet.title, title, column, hidden)
    assert hidden_seen > 0, "the dataset has small cells to hide"
    assert coordinator


def test_a_supervisor_sees_their_own_structure_unsuppressed(client, login):
    make_dataset(40, seed=5, codes=("KEM",))
    kem = structure("KEM")
    login(make_user("supervisor", structures=("KEM",)))
    own = client.get(f"/reports/?month=2026-04&structure={kem.id}").get_data(as_text=True)
    assert "&lt;5" not in own and 'class="num"' in own
    unsuppressed = build_report(Month(2026, 4), structure=kem, suppressed=False, generated_by="t")
    assert any(is_small(v) for _s, t in unsuppressed.tables() for f in t.figures for v in f.values)


def test_a_coordinator_sees_a_structure_suppressed(client, login):
    make_dataset(40, seed=5, codes=("KEM",))
    kem = structure("KEM")
    login(make_user("coordinator"))
    theirs = client.get(f"/reports/?month=2026-04&structure={kem.id}").get_data(as_text=True)
    assert "&lt;5" in theirs


def test_suppression_counts_only_counts():
    t = Table("x", "X", [Figure("hours", "Hours", [1.5, 2.0, 3.0], "hours")])
    suppress_table(t)
    assert t.figure("hours").values == [1.5, 2.0, 3.0]
    assert COUNT == "count"


def _figures(report):
    return {(section.key, table.key, f.key): f for section, table in report.tables() for f in table.figures}


def _attack(month):
    """What a coordinator can read (every structure's suppressed report, confidential ones
    included, and the suppressed city report) and, for the test only, the true figures."""
    from sqlalchemy import select

    from caseapp.extensions import db
    from caseapp.reports import service
    from caseapp.structures.models import Structure, StructureKind

    structures = list(db.session.execute(select(Structure).where(Structure.kind != StructureKind.PARTNER)
                                         .order_by(Structure.code)).scalars())
    raw = {s.code: _figures(build_report(month, structure=s, suppressed=False, generated_by="t"))
           for s in structures}
    shown = {s.code: _figures(build_report(month, structure=s, suppressed=True, generated_by="t"))
             for s in structures}
    city = _figures(build_report(month, structure=None, suppressed=True, generated_by="t"))
    in_full = _figures(service._build(month, staff_names=False))  # every structure's counts in full
    # What the city counts outside the structures a coordinator reads (partners' referrals...).
    outside = {key: [figure.values[c] - sum(raw[o][key].values[c] for o in raw if key in raw[o])
                     for c in range(3)] for key, figure in in_full.items() if figure.additive}
    return raw, shown, city, outside


def _published(cells, key, column):
    value = cells[key].values[column] if key in cells else 0
    return 0 if value is SUPPRESSED else value


def test_the_city_minus_the_other_structures_published_cells_never_gives_back_a_hidden_one(db_session):
    """A coordinator reads every structure's report (SHELTER-W's too) and the city's: for every
    additive cell a structure's report hides, the city's value minus the other structures'
    published values gives only what the city counts outside them, whatever the hidden value."""
    make_dataset(70, seed=11)
    sections, structures, _in_full = try_the_attack(Month(2026, 4))
    assert {"people", "cases", "referrals", "interpretation"} <= sections, sections
    assert "SHELTER-W" in structures, structures


def try_the_attack(month):
    """Subtract, for every additive cell a structure's report hides (and the city shows), the
    other structures' published cells from the city's: assert that it gives what the city counts
    outside the structures, never the hidden value. Returns (sections tried, structures tried,
    the (structure, section) pairs tried with a hidden cell of 5 or more, i.e. hidden with a small one)."""
    raw, shown, city, outside = _attack(month)
    sections, structures, in_full = set(), set(), set()
    for code in raw:
        for key, figure in shown[code].items():
            if not figure.additive or key not in city:
                continue
            for column in range(3):
                if figure.values[column] is not SUPPRESSED or city[key].values[column] is SUPPRESSED:
                    continue
                recovered = city[key].values[column] - sum(_published(shown[o], key, column) for o in raw if o != code)
                assert recovered == outside[key][column], (code, key, column, raw[code][key].values[column])
                sections.add(key[0])
                structures.add(code)
                if raw[code][key].values[column] >= 5:
                    in_full.add((code, key[0]))
    return sections, structures, in_full


def test_every_additive_city_cell_is_the_sum_of_the_published_structure_cells(db_session):
    """The rule itself, on every visible additive cell of the city (hidden cells count nothing)."""
    make_dataset(70, seed=3)
    raw, shown, city, outside = _attack(Month(2026, 4))
    checked = 0
    for key, figure in city.items():
        if not figure.additive:
            continue
        for column in range(3):
            if figure.values[column] is not SUPPRESSED:
                assert figure.values[column] == sum(_published(shown[o], key, column) for o in raw) \
                    + outside[key][column], (key, column)
                checked += 1
    assert checked > 50


def test_without_the_rule_the_subtraction_would_give_a_hidden_cell_back(db_session):
    """The attack above is real: on the city's figures in full it recovers hidden cells, the
    confidential shelter's among them."""
    from caseapp.reports import service

    make_dataset(70, seed=11)
    month = Month(2026, 4)
    raw, shown, _city, outside = _attack(month)
    in_full = _figures(service._build(month, staff_names=False))
    recovered = set()
    for code in raw:
        for key, figure in shown[code].items():
            if not figure.additive or figure.values[0] is not SUPPRESSED or outside[key][0] != 0:
                continue
            others = [shown[o][key].values[0] if key in shown[o] else 0 for o in raw if o != code]
            if SUPPRESSED not in others and in_full[key].values[0] - sum(others) == raw[code][key].values[0]:
                recovered.add(code)
    assert recovered and "SHELTER-W" in recovered, recovered


def _report(values: dict, scope="structure", additive=True):
    """A one-table report: {figure key: count} plus their total."""
    from datetime import datetime

    from caseapp.reports.model import Report, Section

    figures = [Figure(k, k, [v, v, v], additive=additive) for k, v in values.items()]
    figures.append(Figure("total", "All", [sum(values.values())] * 3, additive=additive))
    table = Table("t", "T", figures, total_key="total")
    return Report(Month(2026, 4), scope, None, [Section("s", "S", [table])], False, None, datetime(2026, 5, 1))


def test_a_shelter_cell_hidden_with_a_small_one_does_not_enter_the_city_in_full():
    """SHELTER-W publishes ["<5", "<5" (7 hidden with the 3), 40]; KEM publishes everything: the
    city's line b minus KEM's gives nothing of the shelter's 7."""
    from caseapp.reports.suppression import coordinate, suppress

    shelter, kem = _report({"a": 3, "b": 7, "c": 40}), _report({"a": 10, "b": 20, "c": 30})
    city = _report({"a": 13, "b": 27, "c": 70}, scope="city")
    coordinate(city, [(kem, kem), (shelter, shelter)])
    suppress(city)
    published = {f.key: f.values[0] for f in city.sections[0].tables[0].figures}
    assert published["b"] in (20, SUPPRESSED) and published["a"] in (10, SUPPRESSED)
    # Each city cell is the sum of the published ones: the total, 60 + 50, gives the shelter's
    # a + b = 10 back, which its own report gives (50 - 40), never a or b.
    assert published["c"] == 70 and published["total"] in (110, SUPPRESSED)
    without = _report({"a": 13, "b": 27, "c": 70}, scope="city")
    suppress(without)
    assert without.sections[0].tables[0].figure("b").values[0] - 20 == 7  # the attack, without the rule


def test_a_count_that_does_not_say_whether_it_is_additive_is_refused():
    import pytest

    from caseapp.reports.suppression import coordinate

    undeclared = _report({"a": 3, "b": 7}, additive=None)
    with pytest.raises(ValueError, match="not declared"):
        coordinate(_report({"a": 3, "b": 7}, scope="city"), [(undeclared, undeclared)])
