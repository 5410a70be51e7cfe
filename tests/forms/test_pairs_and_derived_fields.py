"""A value typed is stored, or refused with a message on its field and the form shown again with
everything typed: never dropped in silence, never shown back as "None"."""
import re
import uuid
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.formtools import Form
from tests.beneficiaries.test_edit import edit_form
from tests.factories import make_beneficiary, valid_amka


def page(response) -> str:
    return response.get_data(as_text=True)


def count_beneficiaries() -> int:
    return db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one()


# --- field pairs: one half typed without the other -------------------------------------------------


def test_a_document_number_without_a_type_is_refused_and_kept_on_the_form(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    before = count_beneficiaries()
    response = register(family_name="Numberonly", document_type="", document_number="AB123456")
    body = page(response)
    assert response.status_code == 400
    assert 'id="document_type-error"' in body and "Say which document this number belongs to." in body
    assert 'value="AB123456"' in body and 'value="Numberonly"' in body
    assert count_beneficiaries() == before


def test_a_document_type_without_a_number_is_refused_and_nothing_shows_none(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    response = register(family_name="Typeonly", document_type="passport", document_number="")
    body = page(response)
    assert response.status_code == 400
    assert 'id="document_number-error"' in body and "Give the document number, or choose no document." in body
    assert "None" not in body.replace('"None"', "")


def test_a_document_number_typed_in_an_edit_without_a_type_is_refused_not_dropped(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user)
    form = edit_form(client, person.id)
    form.update(document_type="", document_number="X9988776")
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    assert response.status_code == 400 and 'value="X9988776"' in page(response)
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).document_number is None


def test_an_amka_type_with_spaces_for_a_number_is_refused(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    response = register(document_type="amka", document_number="   ")
    assert response.status_code == 400 and 'id="document_number-error"' in page(response)


def test_a_document_pair_typed_in_full_is_stored_and_found(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    response = register(family_name="Fullpair", document_type="amka", document_number=valid_amka())
    assert response.status_code == 302
    profile = page(client.get(response.headers["Location"]))
    assert valid_amka() in profile


def test_a_record_holding_a_type_without_a_number_shows_a_dash_never_none(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, document_type="passport")
    person.document_number = None
    db.session.commit()
    profile = page(client.get(f"/beneficiaries/{person.id}"))
    assert "Passport: —" in profile and "None" not in profile


def test_empty_optional_fields_are_never_shown_back_as_none(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, father_name=None, mother_name=None, email=None, address=None)
    edit = page(client.get(f"/beneficiaries/{person.id}/edit"))
    assert 'value="None"' not in edit and ">None<" not in edit.replace("<option", "")


# --- the mechanism: a conditional rule runs even when Optional() stopped the field's chain --------------


class PairForm(Form):
    class Meta:
        csrf = False

    kind = SelectField(choices=[SelectChoice("", "—"), SelectChoice("a", "A")], validators=[Optional()])
    number = StringField(validators=[Optional()])
    count = IntegerField(validators=[Optional()])

    def validate_kind(self, field):
        if self.number.data and not field.data:
            raise ValidationError("kind needed")

    def validate_count(self, field):
        if self.kind.data == "a" and field.data is None:
            raise ValidationError("count needed")


@pytest.mark.parametrize("data, errors", [
    ({"kind": "", "number": "12"}, {"kind": ["kind needed"]}),
    ({"kind": "a", "number": "12"}, {"count": ["count needed"]}),
    ({"kind": "a", "number": "12", "count": ""}, {"count": ["count needed"]}),
    ({"kind": "a", "number": "12", "count": "3"}, {}),
    ({"kind": "", "number": ""}, {}),
])
def test_every_inline_rule_of_an_empty_optional_field_runs(data, errors):
    from werkzeug.datastructures import MultiDict

    with Flask(__name__).test_request_context():
        form = PairForm(formdata=MultiDict(data))
        assert form.validate() is (not errors)
        assert form.errors == errors


# --- derived fields follow their source -----------------------------------------------------------


def test_editing_only_the_birth_date_moves_the_birth_year_with_it(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, birth_date=date(1985, 3, 14))
    form = edit_form(client, person.id)
    assert form["birth_year"] == "1985" and form["birth_year_shown"] == "1985"
    form["birth_date"] = "1986-04-02"
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    assert response.status_code == 302, page(response)[:3000]
    db.session.expire_all()
    saved = db.session.get(Beneficiary, person.id)
    assert (saved.birth_date, saved.birth_year) == (date(1986, 4, 2), 1986)


def test_a_date_typed_in_the_greek_way_moves_the_year_too(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, birth_date=date(1990, 1, 1))
    form = edit_form(client, person.id)
    form["birth_date"] = "31/12/1991"
    assert client.post(f"/beneficiaries/{person.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).birth_year == 1991


def test_removing_the_date_keeps_the_year_as_shown(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, birth_date=date(1979, 6, 6))
    form = edit_form(client, person.id)
    form["birth_date"] = ""
    assert client.post(f"/beneficiaries/{person.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Beneficiary, person.id)
    assert (saved.birth_date, saved.birth_year) == (None, 1979)


def test_a_year_and_a_date_both_changed_and_disagreeing_are_refused(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, birth_date=date(1985, 3, 14))
    form = edit_form(client, person.id)
    form.update(birth_date="1986-04-02", birth_year="1970")
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    body = page(response)
    assert response.status_code == 400 and "The year does not match the date of birth." in body
    assert 'value="1970"' in body and 'value="1986-04-02"' in body


def test_only_a_year_known_then_a_full_date_learnt_the_year_follows(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, birth_year=1987)
    form = edit_form(client, person.id)
    assert form["birth_year"] == "1987"
    form["birth_date"] = "1988-02-02"
    assert client.post(f"/beneficiaries/{person.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).birth_year == 1988


# --- right-to-left names in a Greek or English page ------------------------------------------------------


def test_right_to_left_names_are_isolated_wherever_they_are_shown(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, given_name="يوسف", family_name="كريمي", father_name="محمد")
    db.session.commit()
    profile = page(client.get(f"/beneficiaries/{person.id}"))
    for name in ("يوسف", "كريمي", "محمد"):
        assert f"<bdi>{name}</bdi>" in profile or f"<bdi>{name} " in profile or f" {name}</bdi>" in profile
    home = page(client.get("/"))
    assert "<bdi>كريمي</bdi>" in home and "<bdi>يوسف</bdi>" in home
    case_page = page(client.get(f"/cases/{person.case_files[0].id}"))
    assert re.search(r"<bdi>[^<]*كريمي[^<]*</bdi>", case_page)
    edit = page(client.get(f"/beneficiaries/{person.id}/edit"))
    assert re.search(r'<input[^>]*dir="auto"[^>]*name="family_name"|<input[^>]*name="family_name"[^>]*dir="auto"', edit)


def test_text_boxes_follow_the_direction_of_what_is_typed(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user)
    db.session.commit()
    case_page = page(client.get(f"/cases/{person.case_files[0].id}"))
    assert re.search(r'<textarea[^>]*dir="auto"', case_page)


def test_registering_with_a_date_and_the_year_box_left_empty_takes_the_year_from_the_date(client, login_as,
                                                                                           register):
    login_as("caseworker", structures=("KEM",))
    response = register(family_name="Emptyyear", birth_date="1990-04-04", birth_year="", birth_year_shown="")
    assert response.status_code == 302, page(response)[:3000]
    person = db.session.get(Beneficiary, uuid.UUID(response.headers["Location"].rsplit("/", 1)[1]))
    assert person.birth_year == 1990
