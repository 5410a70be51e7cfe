import importlib

import pytest

import config


def _production(monkeypatch, **env):
    for name in ("SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG", "CASEAPP_KEYS", "CASEAPP_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(config)


@pytest.fixture(autouse=True)
def _restore_config():
    yield
    importlib.reload(config)


def test_production_refuses_a_missing_secret_key(monkeypatch):
    module = _production(monkeypatch, DATABASE_URL="sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        module.ProductionConfig.validate()


def test_production_refuses_a_short_secret_key(monkeypatch):
    module = _production(monkeypatch, SECRET_KEY="x" * 31, DATABASE_URL="sqlite://")
    with pytest.raises(RuntimeError, match="32 bytes"):
        module.ProductionConfig.validate()


def test_production_refuses_debug(monkeypatch):
    module = _production(monkeypatch, SECRET_KEY="x" * 40, DATABASE_URL="sqlite://", FLASK_DEBUG="1")
    with pytest.raises(RuntimeError, match="Debug"):
        module.ProductionConfig.validate()


def test_production_app_refuses_to_start_without_root_keys(monkeypatch):
    _production(monkeypatch, SECRET_KEY="x" * 40, DATABASE_URL="sqlite://", CASEAPP_ENV="production")
    from caseapp import create_app

    with pytest.raises(RuntimeError, match="(?i)key"):
        create_app("production")


def test_production_cookies_are_secure(monkeypatch):
    module = _production(monkeypatch, SECRET_KEY="x" * 40, DATABASE_URL="sqlite://")
    assert module.ProductionConfig.SESSION_COOKIE_SECURE
    assert module.ProductionConfig.SESSION_COOKIE_HTTPONLY
    assert module.ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"
    assert not module.ProductionConfig.DEMO_DATA_ALLOWED


def test_default_database_is_a_sqlite_file_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    module = importlib.reload(config)
    assert module.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert module.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/caseapp.sqlite")


def test_sqlite_enforces_foreign_keys(app, db_session, backend):
    from sqlalchemy import text

    from caseapp.extensions import db

    if backend == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    savepoint = db.session.begin_nested()
    with pytest.raises(Exception):
        db.session.execute(text("INSERT INTO services (structure_id, code, name_el, name_en, unit, active) "
                                "VALUES (999999, 'X', 'x', 'x', 'x', true)"))
        db.session.flush()
    savepoint.rollback()


def test_behind_a_trusted_proxy_the_client_address_is_audited(app, database_url):
    from sqlalchemy import select

    from caseapp.extensions import db
    from caseapp.security.audit import AuditEvent
    from tests.conftest import csrf_token, make_app

    proxied = make_app(database_url, TRUSTED_PROXIES=1)
    client = proxied.test_client()
    headers = {"X-Forwarded-For": "203.0.113.7"}
    token = csrf_token(client)
    client.post("/login", data={"username": "nobody-proxied", "password": "wrong password here",
                                "csrf_token": token}, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    with proxied.app_context():
        address = db.session.execute(
            select(AuditEvent.address).where(AuditEvent.action == "auth.login").order_by(AuditEvent.id.desc())
        ).scalars().first()
    assert address == "203.0.113.7"
