"""No GET changes state: every GET route, as every role, leaves every table as it was.

Allowed to change: the audit log (reads are audited) and a session's last-seen time.
The URL variables are filled with real objects the role can reach, so the pages do their
real work instead of answering 404.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseapp.auth import four_eyes
from caseapp.beneficiaries.erasure import request_erasure
from caseapp.extensions import db
from caseapp.security.permissions import Role
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, case_file_of, make_beneficiary, make_note, make_user, structure

IGNORED_COLUMNS = {("auth_sessions", "last_seen_at")}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table but the audit log, as sorted tuples of strings."""
    db.session.flush()
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("audit_events", "audit_event_subjects"):  # the audit log, and who it showed
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in IGNORED_COLUMNS]
        rows = db.session.execute(select(*columns)).all()
        state[table.name] = sorted(tuple(repr(value) for value in row) for row in rows)
    return state


def changed_tables(before, after) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _deliveries_world(case_file, actor):
    """A delivery at KEM and a group session with it on the register."""
    from caseapp.dates import local_today
    from caseapp.deliveries import service as deliveries

    greek = next(s for s in structure("KEM").services if s.code == "COURSE_GREEK")
    group = deliveries.create_session(structure("KEM"), greek, held_on=local_today(), title=None, actor=actor)
    return deliveries.add_attendee(group, case_file, actor=actor), group


@pytest.fixture
def reachable(db_session):
    """Objects for the URL variables: a person at KEM, requests waiting at KEM and SHELTER-W."""
    supervisor = make_user("supervisor", structures=("KEM", "SHELTER-W"))
    person = make_beneficiary("KEM", actor=supervisor)
    case_file = case_file_of(person, "KEM")
    make_note(case_file, actor=supervisor)
    erasure = request_erasure(make_beneficiary("KEM", actor=supervisor), "registered_in_error", actor=supervisor)
    other = make_user("caseworker", structures=("KEM",))
    access = four_eyes.request_grant(other, structure("SHELTER-W"), actor=make_user("admin"))
    from tests.interpretation.factories import make_interpreter, make_request

    interpreter = make_interpreter()
    booking = make_request(case_file, actor=supervisor)
    from tests.referrals.factories import give_consent, make_referral

    give_consent(person, supervisor)
    referral = make_referral(person, actor=supervisor, to_code="DIS-PROG")
    from tests.stays.factories import stays_world

    shelter = stays_world()
    from caseapp.plans import service as plans
    from tests.plans.factories import add_action, add_goal

    plan = plans.start_plan(case_file, actor=supervisor)
    goal = add_goal(plan, supervisor)
    plan_action = add_action(goal, supervisor)
    delivery, group = _deliveries_world(case_file, supervisor)
    from tests.inquiries.factories import make_target

    inquiry_target = make_target(person, "KEM", "DIS-PROG")
    db.session.commit()
    return {("int", "structure_id"): shelter["stay"].structure_id, ("uuid", "stay_id"): shelter["stay"].id,
            ("uuid", "revision_id"): plan.id, ("uuid", "goal_id"): goal.id, ("uuid", "action_id"): plan_action.id,
            ("int", "service_id"): delivery.service_id,
            ("uuid", "delivery_id"): delivery.id, ("uuid", "session_id"): group.id,
            ("uuid", "booking_id"): booking.id, ("uuid", "interpreter_id"): interpreter.id,
            ("int", "request_id"): access.id, ("uuid", "request_id"): erasure.id, ("int", "user_id"): other.id,
            ("uuid", "beneficiary_id"): person.id, ("uuid", "case_file_id"): case_file.id,
            ("path", "filename"): "css/app.css", ("uuid", "referral_id"): referral.id,
            ("int", "partner_id"): structure("P-PRAKSIS").id, ("uuid", "target_id"): inquiry_target.id}


VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def get_urls(app, values) -> list[str]:
    """Every GET rule, its variables filled from `values` (keyed by converter and name)."""
    return sorted(VARIABLE.sub(lambda m: str(values[(m.group(1) or "string", m.group(2))]), rule.rule)
                  for rule in app.url_map.iter_rules() if "GET" in rule.methods)


def test_no_get_route_changes_any_table(app, reachable):
    """Anonymous, then each role in its own browser: every GET route, every table compared."""
    urls = get_urls(app, reachable)
    assert len(urls) > 20
    for role in [None, *[r.value for r in Role]]:
        client = app.test_client()
        if role is not None:
            user = make_user(role, structures=("KEM", "SHELTER-W") if role in ("caseworker", "supervisor") else ())
            response = client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD,
                                                   "csrf_token": csrf_token(client)})
            assert response.status_code == 302
        before = snapshot()
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            after = snapshot()
            assert changed_tables(before, after) == [], f"GET {url} as {role} changed data"
