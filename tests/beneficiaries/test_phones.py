"""Phone numbers: digits of any script, one E.164 form per number, clear messages, foreign numbers."""
from datetime import date
import html
import re
import uuid

import pytest

from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from tests.beneficiaries.conftest import registered_id
from tests.factories import make_beneficiary

WARNING = "This person may already be registered"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def stored(beneficiary_id: str) -> Beneficiary:
    db.session.expire_all()
    return db.session.get(Beneficiary, uuid.UUID(beneficiary_id))


def field_error(body: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', body)
    assert match, f"no error on {field}"
    return match.group(1)


@pytest.mark.parametrize("typed", [
    "٦٩٤١٢٣٤٥٦٧",          # the example: Arabic-Indic digits
    "۶۹۴۱۲۳۴۵۶۷",          # Extended Arabic-Indic (Persian, Urdu)
    "+٣٠ ٦٩٤ ١٢٣ ٤٥٦٧",
    "६९४१२३४५६७",          # Devanagari
    "６９４ １２３ ４５６７",  # fullwidth
    "\u200f٦٩٤١٢٣٤٥٦٧\u200f",  # with the right-to-left marks a phone adds
])
def test_digits_of_any_script_are_accepted_and_stored_in_ascii_e164(client, login_as, register, typed):
    login_as("caseworker", structures=("KEM",))
    person_id = registered_id(register(family_name="Digits", phone=typed))
    assert stored(person_id).phone == "+306941234567"
    assert "+30 694 123 4567" in page(client.get(f"/beneficiaries/{person_id}"))


@pytest.mark.parametrize("typed, e164, shown", [
    ("+30 694 123 4567", "+306941234567", "+30 694 123 4567"),
    ("0030 (694) 123-45-67", "+306941234567", "+30 694 123 4567"),
    ("694.123.4567", "+306941234567", "+30 694 123 4567"),
    ("210 123 4567", "+302101234567", "+30 21 0123 4567"),
    ("+963 933 123 456", "+963933123456", "+963 933 123 456"),      # Syria
    ("00963 933 123 456", "+963933123456", "+963 933 123 456"),
    ("+93 70 123 4567", "+93701234567", "+93 70 123 4567"),          # Afghanistan
    ("+380 (0)67 123 4567", "+380671234567", "+380 67 123 4567"),    # Ukraine, with the trunk 0
    ("+964 770 123 4567", "+9647701234567", "+964 770 123 4567"),    # Iraq
    ("+92 300 1234567", "+923001234567", "+92 300 1234567"),         # Pakistan
])
def test_every_way_of_writing_a_number_is_stored_once_in_e164(client, login_as, register, typed, e164, shown):
    login_as("caseworker", structures=("KEM",))
    person_id = registered_id(register(family_name="Formats", phone=typed))
    assert stored(person_id).phone == e164
    assert shown in page(client.get(f"/beneficiaries/{person_id}"))


@pytest.mark.parametrize("typed, message", [
    ("123", "too short"),
    ("+30 12", "too short"),
    ("694 123 456", "too short"),                     # a Greek mobile missing a digit
    ("+30 694 123 45678", "not a Greek phone number"),  # one digit too many
    ("0000000000", "not a Greek phone number"),
    ("0933 123 456", "starts with + and its country code"),  # a Syrian number without +963
    ("+999 123 456", "No country has this code"),
    ("+963 12", "too short"),
    ("+963 123 456 789", "not a phone number in use in Syria"),
    ("+30 694 123 4567 123456789", "too long"),
    ("call me", "digits only"),
    ("694 123 4567 ext. 12", "digits only"),
])
def test_an_impossible_number_gets_a_clear_message_on_its_field_and_keeps_what_was_typed(
        client, login_as, register, typed, message):
    login_as("caseworker", structures=("KEM",))
    response = register(family_name="Wrongnumber", phone=typed)
    body = page(response)
    assert response.status_code == 400
    assert message in field_error(body, "phone")
    assert f'value="{typed}"' in body and 'value="Wrongnumber"' in body
    assert db.session.query(Beneficiary).count() == 0


def test_the_same_phone_written_in_another_script_or_format_is_a_possible_duplicate(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="One", phone="+30 694 123 4567")
    for typed in ("٦٩٤١٢٣٤٥٦٧", "0030-694-123-4567", "(694) 123 45 67", "۶۹۴ ۱۲۳ ۴۵۶۷"):
        body = page(register(family_name="Two", phone=typed))
        assert WARNING in body and f"/beneficiaries/{person.id}" in body, typed


def test_a_foreign_number_written_two_ways_is_a_possible_duplicate(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="One", phone="00380 67 123 4567")
    body = page(register(family_name="Two", phone="+380 (0)67 123-4567"))
    assert WARNING in body and f"/beneficiaries/{person.id}" in body


@pytest.mark.parametrize("searched", ["٦٩٤١٢٣٤٥٦٧", "+30 694 123 4567", "0030 694.123.4567", "۶۹۴-۱۲۳-۴۵۶۷",
                                      "６９４１２３４５６７"])
def test_search_accepts_digits_of_any_script_and_any_format(client, login_as, search, searched):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Phoned", phone="694 123 4567")
    other = make_beneficiary(actor=user, family_name="Other", phone="694 123 4568")
    body = page(search(phone=searched))
    assert person.reference in body and other.reference not in body and "1 person found." in body


def test_a_search_by_a_foreign_number_finds_it(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Syrian", phone="+963 933 123 456")
    assert person.reference in page(search(phone="00963933123456"))


def test_a_search_by_an_impossible_number_says_why_on_the_field(client, login_as, search):
    login_as("caseworker", structures=("KEM",))
    response = search(phone="+999 12")
    body = page(response)
    assert response.status_code == 400
    assert "No country has this code" in field_error(body, "phone") and 'value="+999 12"' in body


def test_editing_shows_the_number_readably_and_saving_it_unchanged_changes_nothing(client, login_as):
    from tests.beneficiaries.test_edit import edit_form

    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Editme", phone="٦٩٤١٢٣٤٥٦٧", birth_date=date(1980, 1, 1))
    assert person.phone == "+306941234567"
    form = edit_form(client, person.id)
    assert form["phone"] == "+30 694 123 4567"
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form, follow_redirects=True)
    assert "Nothing was changed." in page(response)


def test_a_number_edited_into_another_script_is_stored_the_same(client, login_as):
    from caseapp.beneficiaries import service

    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="Same", phone="+306941234567")
    assert service.update_beneficiary(person, {"phone": "٦٩٤ ١٢٣ ٤٥٦٧"}, actor=user,
                                      expected_version=person.version) == []
