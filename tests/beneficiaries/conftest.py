"""Helpers for beneficiary tests: drive the real forms, as a browser would."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import structure

UUID_IN_LOCATION = re.compile(r"/beneficiaries/([0-9a-f-]{36})$")


def form_data(client, path: str, **fields) -> dict:
    data = {"csrf_token": csrf_token(client, path)}
    data.update({name: value for name, value in fields.items() if value is not None})
    return data


@pytest.fixture
def register(client):
    """POST the registration form; returns the response (302 to the profile on success)."""

    def _register(structure_code: str = "KEM", **fields):
        fields.setdefault("given_name", "Maria")
        fields.setdefault("family_name", "Testopoulou")
        fields.setdefault("sex", "female")
        fields.setdefault("legal_status", "asylum_seeker")
        data = form_data(client, "/beneficiaries/new", structure=str(structure(structure_code).id), **fields)
        return client.post("/beneficiaries/new", data=data)

    return _register


def registered_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = UUID_IN_LOCATION.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


@pytest.fixture
def search(client):
    def _search(**fields):
        return client.post("/beneficiaries/search", data=form_data(client, "/beneficiaries/", **fields))

    return _search


def audit_events(action: str | None = None):
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.execute(stmt).scalars())


@pytest.fixture(autouse=True)
def english(request):
    """Assertions read English (the source language), so translating the UI cannot break them."""
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client)})


# --- a database as it was before the hardening migration ------------------------------------


def _hardening_revision():
    from alembic.script import ScriptDirectory

    from config import ROOT

    script = ScriptDirectory(str(ROOT / "migrations"))
    return next(r for r in script.walk_revisions() if r.revision.endswith("_hardening"))


def _insert_structures_as_they_were() -> None:
    """The reference structures, in SQL on the columns of that time: today's models may have
    columns a later migration adds (0011 adds `structures.version`)."""
    from caseapp.structures.reference_data import STRUCTURES

    for entry in STRUCTURES:
        db.session.execute(text("INSERT INTO structures (code, name_el, name_en, kind, confidential, active) "
                                "VALUES (:code, :name_el, :name_en, :kind, :confidential, TRUE)"),
                           {name: entry[name] for name in ("code", "name_el", "name_en", "kind", "confidential")})


@contextmanager
def database_before_hardening(url: str):
    """An app on `url` migrated up to the revision before hardening, with the structures loaded.

    Yields `uid(value)`: a UUID as raw SQL must give it (native on PostgreSQL, 32 hex
    characters on SQLite). Data written here is "written before" the migration.
    """
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        upgrade(revision=_hardening_revision().down_revision)
        _insert_structures_as_they_were()
        db.session.commit()
        native = db.engine.dialect.name == "postgresql"
        try:
            yield lambda value: value if native else value.hex
        finally:
            db.session.rollback()
            db.engine.dispose()
