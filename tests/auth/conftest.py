"""Helpers for the auth tests: several desks (clients) at once, forms posted with their CSRF token."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseapp.auth.models import AccessRequest
from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD

OFFICE = "198.51.100.7"    # the account owner's usual desk
ATTACKER = "203.0.113.66"  # somewhere else


def login_post(client, username: str, password: str, address: str = "127.0.0.1"):
    """POST the login form from `address` (the client address the app sees)."""
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)},
                       environ_base={"REMOTE_ADDR": address})


def post_form(client, path: str, token_path: str | None = None, **fields):
    """POST `fields` to `path` with a CSRF token read from `token_path` (default: `path`)."""
    data = {"csrf_token": csrf_token(client, token_path or path)}
    data.update(fields)
    return client.post(path, data=data)


@pytest.fixture
def desk(app):
    """`desk(user)`: another browser, logged in as `user` (asserts the login worked)."""

    def _desk(user, password: str = DEFAULT_PASSWORD, address: str = "127.0.0.1"):
        client = app.test_client()
        response = login_post(client, user.username, password, address)
        assert response.status_code == 302, f"{user.username} could not log in"
        return client

    return _desk


ONE_TIME = re.compile(r'id="one-time-password">([^<]+)<')


def one_time_password(response) -> str:
    match = ONE_TIME.search(response.get_data(as_text=True))
    assert match, "no one-time password shown"
    return match.group(1)


def audited(action: str, outcome: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if outcome is not None:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    return list(db.session.execute(stmt).scalars())


def requests_for(user) -> list[AccessRequest]:
    return list(db.session.execute(
        select(AccessRequest).where(AccessRequest.user_id == user.id).order_by(AccessRequest.id)).scalars())
