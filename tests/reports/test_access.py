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


def test_a_coordinator_can_switch_to_any_structure(client, login):
    login(make_user("coordinator", locale="en"))
    shelter = structure("SHELTER-W")
    body = client.get(f"/reports/?month=2026-04&structure={shelter.id}").get_data(as_text=True)
    assert "SHELTER-W" in body and "Caseload per caseworker" in body


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
