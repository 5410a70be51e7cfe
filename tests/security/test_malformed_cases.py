"""The malformed values an attack trial found answering 500, each answered as a normal page now."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.formtools import Form
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user

THIRTY_DIGITS = "9" * 30


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_a_30_digit_events_cursor_on_a_case_page_answers_404(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    response = client.get(f"/cases/{case_file.id}?events_before={THIRTY_DIGITS}")
    assert response.status_code == 404
    assert "<html" in _page(response)


def test_a_30_digit_audit_log_cursor_answers_404(client, login_as):
    login_as("admin")
    assert client.get(f"/admin/audit/?before={THIRTY_DIGITS}").status_code == 404
    assert client.get("/admin/audit/?before=12").status_code == 200


def test_a_30_digit_user_id_answers_404(client, login_as):
    login_as("admin")
    assert client.get(f"/admin/users/{THIRTY_DIGITS}/edit").status_code == 404
    assert client.get(f"/admin/users/{2**31}/edit").status_code == 404
    token = csrf_token(client, "/admin/users/")
    assert client.post(f"/admin/users/{THIRTY_DIGITS}/reset-password",
                       data={"csrf_token": token}).status_code == 404


def test_a_malformed_version_on_the_user_form_is_a_conflict_not_a_crash(client, login_as):
    login_as("admin")
    target = make_user("caseworker", structures=("KEM",))
    token = csrf_token(client, f"/admin/users/{target.id}/edit")
    response = client.post(f"/admin/users/{target.id}/edit", data={
        "csrf_token": token, "display_name": "Renamed", "role": "caseworker", "structures": "KEM",
        "version": "abc"})
    assert response.status_code == 200
    assert "Renamed" in _page(response)  # shown again with what was typed
    assert target.display_name != "Renamed"


def test_a_nul_in_the_login_username_is_refused_on_its_field_and_audited(client):
    token = csrf_token(client)
    before = db.session.execute(select(db.func.count()).select_from(AuditEvent)).scalar_one()
    response = client.post("/login", data={"csrf_token": token, "username": "adm\x00in", "password": "x" * 12})
    assert response.status_code == 200
    assert re.search(r'id="username-error"|aria-invalid="true"', _page(response))
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalars().all()
    assert db.session.execute(select(db.func.count()).select_from(AuditEvent)).scalar_one() == before + 1
    assert (events[0].action, events[0].outcome) == ("auth.login", "invalid_input")


def test_text_fields_refuse_control_characters_and_keep_what_was_typed(client, login_as):
    login_as("caseworker", structures=("KEM",))
    token = csrf_token(client, "/beneficiaries/new")
    from tests.factories import structure

    response = client.post("/beneficiaries/new", data={
        "csrf_token": token, "structure": str(structure("KEM").id), "given_name": "Ma\x1bria",
        "family_name": "Control", "sex": "female", "legal_status": "asylum_seeker"})
    assert response.status_code == 400
    assert "Control" in _page(response)
    assert "cannot be typed" in _page(response) or "δεν πληκτρολογούνται" in _page(response)


def test_persian_zero_width_non_joiner_is_kept(client, login_as):
    from caseapp.formtools import has_unstorable_characters

    assert not has_unstorable_characters("می\u200cخواهم")
    assert not has_unstorable_characters("line one\r\nline two\ttab")
    assert has_unstorable_characters("a\x00b") and has_unstorable_characters("\ufffd")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_app_derives_from_the_shared_base(app):
    """Forms added later get the control-character and integer-range checks only through `Form`."""
    ours = [cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("caseapp.")]
    assert len(ours) > 5
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, Form)] == []
