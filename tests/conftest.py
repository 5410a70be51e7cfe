"""Fixtures: one app per database backend, one rolled-back transaction per test.

Every test that touches the database runs twice: on SQLite and on PostgreSQL
(`TEST_DATABASE_URL`, by default the local server's `test` database, whose
schema is rebuilt from the migrations at the start of the run).
"""
from __future__ import annotations

import base64
import json
import os
import re
import tempfile
import uuid

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, event, text

from caseapp import create_app
from caseapp.extensions import db, limiter
from caseapp.structures.service import load_reference_data
from tests.factories import DEFAULT_PASSWORD, make_user

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def _b64(seed: int) -> str:
    return base64.b64encode(bytes([seed]) * 32).decode()


TEST_KEYS = json.dumps({"active": "test-root-1", "keys": {"test-root-1": _b64(1)}, "index_key": _b64(2),
                        "audit_key": _b64(3)})


def postgres_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG_URL


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    url = postgres_url()
    _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def backend(database_url) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


class FreshRequestClient(FlaskClient):
    """Each request starts with an empty `g`, as in production.

    A test holds one app context across its requests (so factories and
    requests share the rolled-back session); without this, Flask-Login's
    cached user, Flask-Babel's locale and Flask-WTF's CSRF token would leak
    from one request into the next, and a revoked session could look alive.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


def make_app(database_url: str, **overrides):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "CASEAPP_KEYS": TEST_KEYS,
                "AUDIT_CHECKPOINT_DIR": tempfile.mkdtemp(prefix="caseapp-checkpoints-")}
    settings.update(overrides)
    app = create_app("test", **settings)
    app.test_client_class = FreshRequestClient
    return app


@pytest.fixture(scope="session")
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's `get_bind` ignores a session-level `bind`; honour it so the
    test's outer transaction really wraps everything the test and its requests do."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@pytest.fixture(autouse=True)
def audit_checkpoint_dir(request, tmp_path):
    """Each test's database is rolled back, so each test gets its own audit checkpoints."""
    if "app" not in request.fixturenames:
        yield None
        return
    app = request.getfixturevalue("app")
    original = app.config["AUDIT_CHECKPOINT_DIR"]
    app.config["AUDIT_CHECKPOINT_DIR"] = str(tmp_path / "audit-checkpoints")
    yield tmp_path / "audit-checkpoints"
    app.config["AUDIT_CHECKPOINT_DIR"] = original


@pytest.fixture
def db_session(app):
    """Everything a test (and the requests it makes) writes is rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint",
                                              "class_": ConnectionBoundSession})
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def login(client):
    """Log a user in through the real login form."""

    def _login(user, password: str = DEFAULT_PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password,
                                               "csrf_token": csrf_token(client)})
        assert response.status_code == 302, "login failed"
        return user

    return _login


@pytest.fixture
def login_as(login):
    """`login_as("supervisor", structures=("KEM",))` creates such a user and logs in."""

    def _login_as(role: str, **user_fields):
        return login(make_user(role, **user_fields))

    return _login_as


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def count_queries(app, db_session):
    """`with count_queries() as counted: ...` then `counted.n` is the number of SQL statements."""

    class Counter:
        n = 0

    def _make():
        counter = Counter()
        engine = db.session.get_bind().engine

        def _count(*_args, **_kwargs):
            counter.n += 1

        class _Ctx:
            def __enter__(self):
                event.listen(engine, "before_cursor_execute", _count)
                return counter

            def __exit__(self, *exc):
                event.remove(engine, "before_cursor_execute", _count)

        return _Ctx()

    return _make


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path):
    """A database of its own with committed data (a race needs two real transactions)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite'}"
        admin = name = None
    else:
        name = f"caseapp_race_{uuid.uuid4().hex[:8]}"
        admin = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = postgres_url().rsplit("/", 1)[0] + f"/{name}"
    app = make_app(url)
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


class RaceStart:
    """Where threads racing in `own_database` wait for each other.

    PostgreSQL: after their reads (both read, then both write: its row locks and unique keys
    decide). SQLite: before them, since every SQLite transaction takes the write lock at its
    BEGIN IMMEDIATE (caseapp/database.py): a thread holding it while waiting for the other to
    read would wait forever; there the second simply queues behind the first.
    """

    def __init__(self, app, parties: int):
        import threading

        self.sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
        self.barrier = threading.Barrier(parties)

    def before_reads(self) -> None:
        if self.sqlite:
            self.barrier.wait(timeout=10)

    def after_reads(self) -> None:
        if not self.sqlite:
            self.barrier.wait(timeout=10)
