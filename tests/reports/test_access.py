"""Who sees which report: coordinators every structure and the city; supervisors their own
structures; caseworkers their own caseload. Anything else answers 404 (audited) or 403."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from tests.factories import make_user, structure
from tests.reports.conftest import make_dataset


def test_a_coordinator_opens_the_city_wide_report_by_default_with_charts_and_tables(client, login):
    make_dataset(25, seed=2)
    login(make_user("coordinator", locale="en"))
    page = client.get("/reports/?month=2026-04")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "City-wide (every structure)" in body and "2026-04" in body
    assert body.count('<svg') >= 5 and 'role="img"' in body and "<script" not in body.split("<main")[1]
    assert body.count("<caption>") >= 10
    for section in ("People served", "Case files", "Interpretation"):
        assert section in body
    assert "Caseload per caseworker" not in body  # per-caseworker lines stay inside the structure
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "report.view")).scalar_one()
    assert event.object_id == "2026-04:city"


def _name_the_staff(staff):
    """Give every caseworker of the dataset a name that cannot appear on a page by chance."""
    names = {}
    for n, worker in enumerate(w for workers in staff.values() for w in workers):
        worker.display_name = f"Staffcanary{n}x"
        names[worker.id] = worker.display_name
    db.session.flush()
    return names


def _lines_of(body: str, caption: str) -> str:
    """The HTML of the table whose caption is `caption` ("" when the page has none)."""
    start = body.find(f"<caption>{caption}")
    return "" if start < 0 else body[start:body.find("</table>", start)]


def test_a_coordinator_switching_to_a_structure_sees_small_counts_hidden_and_no_staff_name(client, login):
    _totals, structures, staff = make_dataset(70, seed=11)
    names = _name_the_staff(staff)
    coordinator = login(make_user("coordinator", locale="en"))
    kem = structures["KEM"]
    page = client.get(f"/reports/?month=2026-04&structure={kem.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Monthly report: KEM — " in body
    assert "&lt;5" in body, "a coordinator's view of a structure leaves it: small counts show as <5"
    assert not any(name in body for name in names.values())
    caseload = _lines_of(body, "Caseload per caseworker")
    assert "Caseworker 1" in caseload and "Caseworker 2" in caseload  # the figures, without the names
    for code in ("SHELTER-W", "DIS-PROG"):
        other = client.get(f"/reports/?month=2026-04&structure={structures[code].id}").get_data(as_text=True)
        assert not any(name in other for name in names.values()), code
    shelter = client.get(f"/reports/?month=2026-04&structure={structures['SHELTER-W'].id}").get_data(as_text=True)
    assert "<h1>Monthly report: SHELTER-W — " in shelter and "&lt;5" in shelter
    assert "Caseload per caseworker" not in shelter and "Caseworker 1" not in shelter  # confidential: no staff lines
    viewed = db.session.execute(select(AuditEvent.object_id).where(AuditEvent.user_id == coordinator.id,
                                                                   AuditEvent.action == "report.view")).scalars()
    assert sorted(viewed) == ["2026-04:DIS-PROG", "2026-04:KEM", "2026-04:SHELTER-W", "2026-04:SHELTER-W"]


def test_staff_names_show_only_to_readers_of_their_own_structure(client, login):
    _totals, structures, staff = make_dataset(70, seed=11)
    names = _name_the_staff(staff)
    shelter = structures["SHELTER-W"]
    login(make_user("supervisor", structures=("SHELTER-W",), locale="en"))
    body = client.get(f"/reports/?month=2026-04&structure={shelter.id}").get_data(as_text=True)
    caseload = _lines_of(body, "Caseload per caseworker")
    own = [names[w.id] for w in staff[shelter.id]]
    assert any(name in caseload for name in own)  # those with files this month or the two before
    assert not any(name in body for name in set(names.values()) - set(own))
    assert "&lt;5" not in body  # their own structure: unsuppressed


def test_a_supervisor_sees_their_structures_and_not_the_city_or_another_structure(client, login):
    user = login(make_user("supervisor", structures=("KEM",), locale="en"))
    kem, shelter = structure("KEM"), structure("SHELTER-W")
    body = client.get("/reports/?month=2026-04").get_data(as_text=True)
    assert "KEM" in body and "City-wide" not in body
    assert client.get("/reports/?month=2026-04&structure=city").status_code == 404
    assert client.get(f"/reports/?month=2026-04&structure={shelter.id}").status_code == 404
    assert client.get(f"/reports/export?month=2026-04&structure={shelter.id}&format=xlsx").status_code == 404
    assert client.get(f"/reports/export?month=2026-04&structure={kem.id}&format=xlsx").status_code == 200
    refused = db.session.execute(select(AuditEvent).where(AuditEvent.user_id == user.id,
                                                          AuditEvent.outcome != "ok")).scalars().all()
    assert len(refused) == 3


def test_a_caseworker_sees_only_their_own_caseload(client, login):
    _totals, structures, staff = make_dataset(30, seed=6)
    worker = staff[structures["KEM"].id][0]
    login(worker)
    assert client.get("/reports/?month=2026-04").status_code == 403
    body = client.get("/reports/caseload?month=2026-04").get_data(as_text=True)
    assert "People served" not in body and "Κατανομή" not in body
    assert client.get("/reports/caseload?month=2026-04").status_code == 200


def test_a_malformed_month_structure_or_format_answers_404(client, login):
    login(make_user("coordinator"))
    for query in ("month=2026-13", "month=26-04", "month=2026-4", "month=abcd-ef", "structure=abc",
                  "structure=999999", "structure=-1", "month=2026-04&format=pdf"):
        path = "/reports/export?" + query if "format" in query else "/reports/?" + query
        assert client.get(path).status_code == 404, query


def test_the_dashboard_takes_the_same_number_of_queries_whatever_the_number_of_rows(client, login, count_queries):
    login(make_user("coordinator"))
    make_dataset(8, seed=1)
    client.get("/reports/?month=2026-04")
    with count_queries() as small:
        client.get("/reports/?month=2026-04")
    make_dataset(80, seed=2)
    db.session.commit()  # as the small run, the request starts its own transaction
    with count_queries() as large:
        client.get("/reports/?month=2026-04")
    assert small.n == large.n
