"""Helpers for deliveries tests: a food-centre desk, people known there, forms with CSRF."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from caseapp.structures.models import Service
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def service_of(structure_code: str, code: str) -> Service:
    return db.session.execute(
        select(Service).where(Service.structure_id == structure(structure_code).id, Service.code == code)
    ).scalar_one()


def people_at(code: str, n: int, actor) -> list:
    return [make_beneficiary(code, actor=actor) for _ in range(n)]


def audit_actions(object_id=None) -> list[tuple[str, str | None]]:
    stmt = select(AuditEvent.action, AuditEvent.object_id).order_by(AuditEvent.id)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == str(object_id))
    return list(db.session.execute(stmt).all())


def english_user(role: str = "caseworker", **fields):
    """A user whose pages are in English (the messages asserted are the source strings)."""
    fields.setdefault("locale", "en")
    return make_user(role, **fields)


@pytest.fixture
def desk_user():
    return english_user("caseworker", structures=("KYADA-FOOD",))


@pytest.fixture
def post_form(client):
    """POST `fields` to `path` with a CSRF token taken from the page at `token_from` (or `path`)."""

    def _post(path: str, token_from: str | None = None, **fields):
        data = {"csrf_token": csrf_token(client, token_from or path)}
        data.update({k: v for k, v in fields.items() if v is not None})
        return client.post(path, data=data)

    return _post


__all__ = ["audit_actions", "case_file_of", "english_user", "people_at", "service_of"]
