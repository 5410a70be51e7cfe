"""Edits never lose data: optimistic locking, a clear conflict message, the typed values kept."""
import html
import re

import pytest
from sqlalchemy import update

from caseapp.beneficiaries import service
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from tests.beneficiaries.conftest import audit_events
from tests.conftest import DEFAULT_PASSWORD, csrf_token
from tests.factories import make_beneficiary, make_user

CONFLICT = "Someone else saved changes to this record while you were editing it."


def page(response) -> str:
    return response.get_data(as_text=True)


def edit_form(client, beneficiary_id) -> dict:
    """The edit form as the browser holds it: every field with its current value."""
    body = page(client.get(f"/beneficiaries/{beneficiary_id}/edit"))
    data = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name, value = re.search(r'name="([a-z_]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="checkbox"' not in tag or " checked" in tag):
            data.setdefault(name.group(1), []).append(value.group(1))
    data = {name: values if name == "vulnerabilities" else values[0] for name, values in data.items()}
    for name, content in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>\s*(.*?)</textarea>', body, re.S):
        data[name] = html.unescape(content)
    for name, options in re.findall(r'<select[^>]*name="([a-z_]+)"[^>]*>(.*?)</select>', body, re.S):
        selected = re.findall(r'<option selected value="([^"]*)"', options)
        if selected:
            data[name] = selected if name == "languages" else selected[0]
    data["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    return data


def test_an_edit_is_saved_and_audited(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Oldname", phone="6940000000")
    form = edit_form(client, person.id)
    assert form["family_name"] == "Oldname" and form["version"] == "1"
    form.update(family_name="Newname", phone="+30 694 999 8888")
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    assert response.status_code == 302
    profile = page(client.get(f"/beneficiaries/{person.id}"))
    assert "Newname" in profile and "+30 694 999 8888" in profile and "Oldname" not in profile
    assert audit_events("beneficiaries.update")[-1].object_id == str(person.id)


def test_two_concurrent_edits_the_second_gets_the_conflict_and_nothing_is_overwritten(app, client, login_as):
    first_user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=first_user, family_name="Original", given_name="Fatima", phone="6941111111")
    second_user = make_user("caseworker", structures=("KEM",))
    other = app.test_client()
    other.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(other)})
    other.post("/login", data={"username": second_user.username, "password": DEFAULT_PASSWORD,
                               "csrf_token": csrf_token(other)})

    mine, theirs = edit_form(client, person.id), edit_form(other, person.id)
    theirs.update(family_name="Theirs", phone="6942222222")
    assert other.post(f"/beneficiaries/{person.id}/edit", data=theirs).status_code == 302

    mine.update(family_name="Mine typed", given_name="Fatma")
    response = client.post(f"/beneficiaries/{person.id}/edit", data=mine)
    body = page(response)
    assert response.status_code == 409
    assert CONFLICT in body
    assert 'value="Mine typed"' in body and 'value="Fatma"' in body  # what I typed is still there
    assert "Theirs" in body and "+30 694 222 2222" in body  # and what they saved is shown
    db.session.expire_all()
    saved = db.session.get(Beneficiary, person.id)
    assert (saved.family_name, saved.given_name, saved.phone) == ("Theirs", "Fatima", "+306942222222")
    assert audit_events("beneficiaries.update")[-1].outcome == "conflict"

    resubmit = dict(mine, version=re.search(r'name="version" type="hidden" value="(\d+)"', body).group(1))
    assert client.post(f"/beneficiaries/{person.id}/edit", data=resubmit).status_code == 302
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).family_name == "Mine typed"


def test_a_save_racing_another_transaction_is_refused_by_the_database(db_session):
    actor = make_user("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=actor, family_name="Before")
    db.session.flush()
    # Another transaction saves between our read and our write: the row's version moves on.
    db.session.execute(update(Beneficiary.__table__).where(Beneficiary.__table__.c.id == person.id)
                       .values(version=Beneficiary.__table__.c.version + 1))
    with pytest.raises(service.ConflictError):
        service.update_beneficiary(person, {"family_name": "Lost update"}, actor=actor, expected_version=1)


def test_invalid_input_on_edit_changes_nothing(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Keepme")
    form = edit_form(client, person.id)
    form.update(family_name="", birth_date="not a date")
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    assert response.status_code == 400
    body = page(response)
    assert 'id="family_name-error"' in body and 'id="birth_date-error"' in body
    assert 'value="not a date"' in body
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).family_name == "Keepme"
    shown = [e for e in audit_events("beneficiaries.view") if e.object_id == str(person.id)]
    assert [e.outcome for e in shown][-1:] == ["invalid_edit"]  # the page showed the file: audited


def test_an_unchanged_form_saves_nothing_and_keeps_the_version(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Same", address="Odos 5\nAthina",
                              vulnerability_codes=["disability", "elderly"], language_codes=["fa", "en"])
    response = client.post(f"/beneficiaries/{person.id}/edit", data=edit_form(client, person.id))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).version == 1
