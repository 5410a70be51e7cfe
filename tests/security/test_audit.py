from sqlalchemy import select, text

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent, record, verify_chain
from tests.factories import make_user


def _drop_append_only_guard(backend):
    """What an attacker with database access would do first."""
    if backend == "postgresql":
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_events_are_chained_and_verify(db_session):
    first = record("test.one", object_type="thing", object_id=1)
    second = record("test.two", object_type="thing", object_id=2)
    assert second.prev_hash == first.hash
    report = verify_chain()
    assert report.ok and report.checked >= 2


def test_tampering_with_one_row_names_that_row(db_session, backend):
    record("test.one")
    target = record("test.two", outcome="denied")
    record("test.three")
    _drop_append_only_guard(backend)
    db.session.execute(text("UPDATE audit_events SET outcome = 'ok' WHERE id = :id"), {"id": target.id})
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == target.id


def test_deleting_a_row_breaks_the_next_link(db_session, backend):
    record("test.one")
    deleted = record("test.two")
    after = record("test.three")
    _drop_append_only_guard(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": deleted.id})
    assert verify_chain().broken_at == after.id


def test_the_database_refuses_updates_and_deletes(db_session):
    row = record("test.one")
    savepoint = db.session.begin_nested()
    try:
        db.session.execute(text("UPDATE audit_events SET outcome = 'x' WHERE id = :id"), {"id": row.id})
    except Exception as error:  # noqa: BLE001 - either backend's error type
        assert "append-only" in str(error)
        savepoint.rollback()
    else:
        raise AssertionError("the update went through")


def test_cli_verify_reports_the_broken_row(app, db_session, backend):
    record("test.one")
    target = record("test.two")
    _drop_append_only_guard(backend)
    db.session.execute(text("UPDATE audit_events SET action = 'test.hidden' WHERE id = :id"), {"id": target.id})
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event id {target.id}" in result.output


def test_cli_verify_passes_on_an_intact_log(app, db_session):
    record("test.one")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_events_never_carry_field_values(client, login_as):
    admin = login_as("admin")
    make_user("caseworker", username="maria.secret", display_name="Maria Secretname")
    rows = db.session.execute(select(AuditEvent)).scalars().all()
    for row in rows:
        values = " ".join(str(v) for v in (row.action, row.object_type, row.object_id, row.outcome, row.address))
        assert "Secretname" not in values and "maria.secret" not in values
    assert admin.id in {row.user_id for row in rows}


def test_admin_screen_verifies_the_chain(client, login_as):
    login_as("admin")
    from tests.conftest import csrf_token

    page = client.post("/admin/audit/verify", data={"csrf_token": csrf_token(client, "/admin/audit/")})
    assert page.status_code == 200
    assert "ακέραιη" in page.get_data(as_text=True)
