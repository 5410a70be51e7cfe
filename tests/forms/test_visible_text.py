"""A name or text that shows nothing is refused on its field with what was typed kept; a required
field emptied by its filters says its own message; a derived field follows its source after a refusal."""
from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.formtools import Form, clean, clean_name, clean_text, has_visible_character
from tests.beneficiaries.test_edit import edit_form
from tests.factories import make_beneficiary

INVISIBLE = ["\u200b", "\u00ad", "\u200e\u200f", "\ufeff", "\u2060", "\u200c\u200d", "\u061c", "\u180e",
             "\u3164", "\u2800", " \u200b \u00ad ", "\u0301"]
MESSAGE = "only spaces or invisible characters"


def count_beneficiaries() -> int:
    return db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one()


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_characters_alone_show_nothing(text):
    assert not has_visible_character(text)


@pytest.mark.parametrize("text", ["Haddad", "Had\u200bdad", "\u200bΑθήνα", "کریمی", "میرزا\u200cزاده", "A", "7", "·"])
def test_a_visible_letter_anywhere_is_enough(text):
    assert has_visible_character(text)


@pytest.mark.parametrize("field", ["given_name", "family_name", "father_name", "mother_name"])
@pytest.mark.parametrize("typed", ["\u200b", "\u00ad\u200e", "\ufeff", "\u2060\u200f"])
def test_a_person_name_of_invisible_characters_is_refused_on_its_field(client, login_as, register, field, typed):
    login_as("caseworker", structures=("KEM",))
    before = count_beneficiaries()
    values = {"given_name": "Maria", "family_name": "Visibleou", field: typed, "address": "Odos 7, Athina"}
    response = register(**values)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in body and MESSAGE in body
    assert "Odos 7, Athina" in body  # what was typed stays
    assert count_beneficiaries() == before


def test_an_edit_to_an_invisible_family_name_is_refused(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Before")
    form = edit_form(client, person.id)
    form["family_name"] = "\u200b\u200b"
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).family_name == "Before"


def test_a_persian_name_with_a_joiner_is_registered(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    response = register(family_name="میرزا\u200cزاده")
    assert response.status_code == 302


class AnyForm(Form):
    class Meta:
        csrf = False

    title = StringField(filters=[clean], validators=[InputRequired(message="Give it a title.")])
    name = StringField(filters=[clean_name], validators=[DataRequired(message="Enter the name.")])
    notes = TextAreaField(filters=[clean_text], validators=[Optional()])
    secret = PasswordField(validators=[Optional()])


def _validate(app=None, **data):
    with (app or Flask(__name__)).test_request_context():
        base = {"title": "T", "name": "N"}
        base.update(data)
        form = AnyForm(formdata=MultiDict(base))
        form.validate()
        return form


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", "\u00a0 \u3000"])
def test_a_required_field_emptied_by_its_filter_gets_its_own_message(typed):
    assert _validate(title=typed).errors == {"title": ["Give it a title."]}


@pytest.mark.parametrize("field", ["title", "name", "notes"])
@pytest.mark.parametrize("typed", ["\u200b", "\u00ad", "\ufeff\u200e"])
def test_any_text_field_of_invisible_characters_is_refused_and_kept(app, field, typed):
    form = _validate(app, **{field: typed})
    assert list(form.errors) == [field] and MESSAGE in str(form.errors[field][0])
    assert form[field].data == typed


def test_a_password_may_hold_any_characters():
    assert _validate(secret="\u200b").errors == {}


def test_after_a_refused_edit_the_year_follows_a_corrected_date(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, birth_date=date(1985, 3, 14))
    form = edit_form(client, person.id)
    form.update(birth_date="1986-04-02", email="not an email")
    refused = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'value="1986"' in body
    # The box and its hidden twin agree, so correcting the date again moves the year again.
    shown = re.search(r'<input[^>]*name="birth_year_shown"[^>]*>', body).group(0)
    assert 'value="1986"' in shown
    form.update(birth_date="1987-05-05", email="", birth_year="1986", birth_year_shown="1986")
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    saved = db.session.get(Beneficiary, person.id)
    assert (saved.birth_date, saved.birth_year) == (date(1987, 5, 5), 1987)


@pytest.mark.parametrize("field", ["given_name", "family_name", "father_name", "mother_name"])
def test_the_service_refuses_an_invisible_name_whoever_calls_it(db_session, field):
    from caseapp.beneficiaries import service
    from tests.factories import beneficiary_values, make_user, structure

    actor = make_user("caseworker", structures=("KEM",))
    with pytest.raises(service.BeneficiaryError) as refused:
        service.register_beneficiary(beneficiary_values(**{field: "\u200b\u00ad"}), structure=structure("KEM"),
                                     actor=actor)
    assert refused.value.field == field
    person = make_beneficiary(actor=actor)
    with pytest.raises(service.BeneficiaryError):
        service.update_beneficiary(person, {field: "\ufeff"}, actor=actor, expected_version=person.version)
