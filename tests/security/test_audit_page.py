"""The audit log page: usernames, actions in Greek and English, Athens time, filters, keyset pages."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from caseapp.extensions import db
from caseapp.security import audit as audit_module
from caseapp.security.audit import AuditEvent, record
from caseapp.security.views import PAGE_SIZE
from tests.conftest import csrf_token
from tests.factories import make_user

UTC = timezone.utc


@pytest.fixture
def admin(client, login):
    return login(make_user("admin", structures=()))


@pytest.fixture
def at(monkeypatch):
    """`at(moment)`: events recorded from now on carry that time."""
    def _at(moment: datetime):
        monkeypatch.setattr(audit_module, "utcnow", lambda: moment)
    return _at


def rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def in_english(client):
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client, "/")})


def test_the_log_names_users_and_actions_and_shows_athens_time(client, admin, at):
    worker = make_user("caseworker", structures=("KEM",), username="eleni.k")
    at(datetime(2026, 11, 29, 22, 5, tzinfo=UTC))
    record("beneficiaries.view", object_type="beneficiary", object_id="1234", user=worker)
    record("auth.login", outcome="failed")
    db.session.flush()
    at(datetime(2026, 12, 1, 9, tzinfo=UTC))
    in_english(client)
    page = client.get("/admin/audit/").get_data(as_text=True)
    table = rows(page)
    viewed = next(r for r in table if "Beneficiary viewed" in r)
    assert viewed[1:6] == ["30 Nov 2026, 00:05", "eleni.k", "Beneficiary viewed", "Beneficiary 1234", "Done"]
    failed = next(r for r in table if r[3] == "Log in")
    assert failed[2] == "—" and failed[5] == "Failed"
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    assert "beneficiaries.view" not in body and "UTC" not in page

    client.post("/language", data={"locale": "el", "next": "/", "csrf_token": csrf_token(client, "/")})
    greek = rows(client.get("/admin/audit/").get_data(as_text=True))
    viewed = next(r for r in greek if r[2] == "eleni.k")
    assert viewed[1] == "30 Νοε 2026, 00:05"
    assert viewed[3] == "Προβολή ωφελούμενου" and viewed[5] == "Ολοκληρώθηκε"


def test_each_filter_keeps_only_its_events(client, admin, at):
    eleni = make_user("caseworker", structures=("KEM",), username="eleni.k")
    nikos = make_user("caseworker", structures=("KEM",), username="nikos.p")
    at(datetime(2026, 11, 29, 21, 30, tzinfo=UTC))           # 29 Nov 23:30 in Athens
    record("beneficiaries.view", object_type="beneficiary", object_id="b-1", user=eleni)
    at(datetime(2026, 11, 29, 22, 30, tzinfo=UTC))           # already 30 Nov in Athens
    record("beneficiaries.view", object_type="beneficiary", object_id="b-2", user=nikos)
    record("cases.close", object_type="case_file", object_id="c-9", user=eleni)
    record("access.denied", object_type="route", object_id="security.audit", outcome="denied", user=nikos)
    db.session.flush()
    in_english(client)

    def shown(**query) -> list[tuple[str, str, str]]:
        response = client.get("/admin/audit/", query_string=query)
        assert response.status_code == 200
        return [(r[2], r[3], r[4]) for r in rows(response.get_data(as_text=True)) if len(r) > 1
                and r[2] in ("eleni.k", "nikos.p")]

    assert shown(user=str(eleni.id)) == [("eleni.k", "Case file closed", "Case file c-9"),
                                        ("eleni.k", "Beneficiary viewed", "Beneficiary b-1")]
    assert [a for _, a, _ in shown(action="beneficiaries.view")] == ["Beneficiary viewed"] * 2
    assert shown(object_type="case_file") == [("eleni.k", "Case file closed", "Case file c-9")]
    assert shown(object_type="beneficiary", object_id="b-2") == [("nikos.p", "Beneficiary viewed", "Beneficiary b-2")]
    assert shown(outcome="denied") == [("nikos.p", "Access refused", "Page security.audit")]
    assert [o for _, _, o in shown(date_from="2026-11-29", date_to="2026-11-29")] == ["Beneficiary b-1"]
    assert len(shown(date_from="30/11/2026", date_to="30/11/2026")) == 3
    assert shown(user=str(nikos.id), action="cases.close") == []


@pytest.mark.parametrize("query, field, message", [
    ({"date_from": "2026-12-01", "date_to": "2026-11-01"}, "date_to", "The end comes before the start."),
    ({"date_from": "31/02/2026"}, "date_from", "Enter a real date"),
    ({"user": "99999999"}, "user", "Not a valid choice"),
    ({"action": "drop table"}, "action", "Not a valid choice"),
    ({"object_id": "x" * 65}, "object_id", "Field cannot be longer than 64 characters."),
])
def test_a_wrong_filter_is_said_on_its_field_and_kept(client, admin, query, field, message):
    in_english(client)
    page = client.get("/admin/audit/", query_string=query).get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert "No event matches these filters." in page


def test_pages_follow_each_other_by_event_id_and_keep_the_filters(client, admin):
    worker = make_user("caseworker", structures=("KEM",), username="pager")
    for number in range(PAGE_SIZE + 7):
        record("beneficiaries.view", object_type="beneficiary", object_id=f"p-{number}", user=worker)
    db.session.flush()
    in_english(client)
    first = client.get("/admin/audit/", query_string={"user": str(worker.id)}).get_data(as_text=True)
    ids = [r[4].split()[-1] for r in rows(first)]
    assert len(ids) == PAGE_SIZE and ids[0] == f"p-{PAGE_SIZE + 6}"
    next_link = re.search(r'<a href="([^"]+)">Older events</a>', first).group(1).replace("&amp;", "&")
    assert f"user={worker.id}" in next_link and "before=" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert [r[4].split()[-1] for r in rows(second)] == [f"p-{n}" for n in range(6, -1, -1)]
    assert "Older events" not in second


def test_the_page_costs_the_same_number_of_queries_whatever_the_log_holds(client, admin, count_queries):
    worker = make_user("caseworker", structures=("KEM",), username="counted")

    def cost(query) -> int:
        with count_queries() as counted:
            assert client.get("/admin/audit/", query_string=query).status_code == 200
        return counted.n

    for number in range(3):
        record("cases.view", object_type="case_file", object_id=str(number), user=worker)
    db.session.flush()
    small = cost({}), cost({"action": "cases.view", "date_from": "2026-01-01"})
    for number in range(2 * PAGE_SIZE):
        record("cases.view", object_type="case_file", object_id=str(number), user=make_user(
            "caseworker", structures=("KEM",)) if number % 25 == 0 else worker)
    db.session.flush()
    assert (cost({}), cost({"action": "cases.view", "date_from": "2026-01-01"})) == small


def test_only_administrators_see_the_log(client, login):
    login(make_user("supervisor", structures=("KEM",)))
    assert client.get("/admin/audit/").status_code == 403
    denied = db.session.execute(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "access.denied")).scalar_one()
    assert denied >= 1


def test_every_action_the_code_records_has_a_label():
    from pathlib import Path

    from caseapp.interpretation.service import LIFECYCLE
    from caseapp.security.audit_labels import ACTION_LABELS

    root = Path(__file__).resolve().parents[2] / "caseapp"
    literal = re.compile(r"\b(?:record|record_and_commit|audited|_audit)\(\s*(?:html,\s*)?\"([a-z_]+\.[a-z_]+)\"")
    found = {match for path in root.rglob("*.py") for match in literal.findall(path.read_text(encoding="utf-8"))}
    from caseapp.referrals.service import LIFECYCLE as REFERRALS

    found |= {f"interpretation.{action}" for action in LIFECYCLE.actions}
    found |= {f"referrals.{action}" for action in REFERRALS.actions} | {"referrals.create"}
    assert found - set(ACTION_LABELS) == set()
    assert len(found) > 40
