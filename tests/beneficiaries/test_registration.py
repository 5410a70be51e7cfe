"""Registration through the real form, with the city-wide duplicate check."""
from sqlalchemy import func, select

import uuid
from datetime import date

from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from tests.beneficiaries.conftest import audit_events, registered_id
from tests.conftest import csrf_token
from caseapp.beneficiaries.references import is_valid_reference
from tests.factories import make_beneficiary, make_user, valid_amka

ELSEWHERE = "A record may exist elsewhere: ask for a referral."


def count_beneficiaries() -> int:
    return db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one()


def page(response) -> str:
    return response.get_data(as_text=True)


def test_registration_opens_a_case_file_and_shows_the_profile(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    response = register(given_name="Amina", family_name="Haddad", birth_date="1990-05-17", sex="female",
                        nationality="SY", languages=["ar", "en"], vulnerabilities=["single_parent"],
                        phone="+30 694 555 0101", email="amina@example.org", address="Odos 1, Athina",
                        document_type="amka", document_number=valid_amka())
    beneficiary_id = registered_id(response)
    profile = page(client.get(f"/beneficiaries/{beneficiary_id}"))
    for shown in ("Haddad", "Amina", "+30 694 555 0101", "amina@example.org", valid_amka(), "Syria", "Arabic, English",
                  "Single parent"):
        assert shown in profile
    client.post("/language", data={"locale": "el", "next": "/", "csrf_token": csrf_token(client, "/")})
    greek = page(client.get(f"/beneficiaries/{beneficiary_id}"))
    assert "Συρία" in greek and "Αραβικά" in greek
    beneficiary = db.session.get(Beneficiary, uuid.UUID(beneficiary_id))
    assert beneficiary.reference.startswith(f"B-{date.today().year % 100:02d}-")
    assert beneficiary.birth_year == 1990
    [case_file] = beneficiary.case_files
    assert case_file.structure.code == "KEM" and case_file.is_open and case_file.assigned_to_id == user.id
    [event] = audit_events("beneficiaries.register")
    assert event.object_id == beneficiary_id and event.user_id == user.id


def test_references_are_random_and_say_nothing_about_the_person(login_as):
    """Not sequential: see tests/beneficiaries/test_references.py for what that protects."""
    actor = make_user("caseworker", structures=("KEM",))
    first = make_beneficiary(actor=actor, family_name="Alpha")
    second = make_beneficiary(actor=actor, family_name="Beta")
    assert first.reference != second.reference
    assert is_valid_reference(first.reference) and is_valid_reference(second.reference)
    assert "ALPHA" not in first.reference.upper()


def test_bad_input_is_reported_on_its_field_and_nothing_is_saved(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    before = count_beneficiaries()
    cases = {
        "birth_date": ("31/02/1990", "Enter a real date"),
        "nationality": ("QQ", "Not a valid choice"),
        "document_number": ("12345678901", "check digit"),
        "phone": ("call me", "phone number"),
        "email": ("not-an-email", "email address"),
        "birth_year": ("1850", "between 1900"),
    }
    for field, (value, message) in cases.items():
        extra = {"document_type": "amka"} if field == "document_number" else {}
        response = register(**{field: value}, **extra)
        assert response.status_code == 400, field
        body = page(response)
        assert f'id="{field}-error"' in body, field
        assert message in body, field
    assert count_beneficiaries() == before


def test_a_date_of_birth_in_the_future_is_refused(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    response = register(birth_date="2999-01-01")
    assert "The date cannot be in the future." in page(response)
    assert count_beneficiaries() == 0


def test_an_unknown_language_code_is_refused(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    response = register(languages=["xx"])
    assert 'id="languages-error"' in page(response)


def test_a_caseworker_cannot_register_at_a_structure_they_do_not_belong_to(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    response = register("KYADA", family_name="Elsewhere")
    assert response.status_code == 400
    assert 'id="structure-error"' in page(response)
    assert count_beneficiaries() == 0


def test_same_surname_and_birth_date_in_my_structure_offers_the_existing_record(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    existing = make_beneficiary(actor=user, family_name="Papadopoulos", given_name="Eleni",
                                birth_date=date(1985, 3, 14))
    response = register(family_name="Παπαδόπουλος", given_name="Ελένη", birth_date="1985-03-14")
    assert response.status_code == 200
    body = page(response)
    assert existing.reference in body and f"/beneficiaries/{existing.id}" in body
    assert ELSEWHERE not in body
    assert count_beneficiaries() == 1
    assert audit_events("beneficiaries.duplicate_check")[-1].outcome == "visible_match"


def test_registering_anyway_after_the_warning_needs_the_box_ticked(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="Papadopoulos", birth_date=date(1985, 3, 14))
    warned = page(register(family_name="Papadopoulos", birth_date="1985-03-14"))
    assert 'name="register_anyway"' in warned
    check = _hidden(warned, "duplicate_check")
    again = register(family_name="Papadopoulos", birth_date="1985-03-14", duplicate_check=check)
    assert again.status_code == 200 and count_beneficiaries() == 1
    response = register(family_name="Papadopoulos", birth_date="1985-03-14", duplicate_check=check, register_anyway="y")
    registered_id(response)
    assert count_beneficiaries() == 2
    assert audit_events("beneficiaries.register")[-1].outcome == "after_warning"


def test_changing_the_details_after_the_warning_runs_the_check_again(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="Papadopoulos", birth_date=date(1985, 3, 14), phone="6941112222")
    check = _hidden(page(register(family_name="Papadopoulos", birth_date="1985-03-14")), "duplicate_check")
    response = register(family_name="Someoneelse", birth_date="1990-01-01", phone="+30 694 111 2222",
                        duplicate_check=check, register_anyway="y")
    assert response.status_code == 200
    assert "This person may already be registered" in page(response)
    assert count_beneficiaries() == 1


def test_same_phone_or_document_in_another_format_is_a_possible_duplicate(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="One", phone="+30 694 123 4567", document_type="asylum_card",
                     document_number="ab 123-456")
    assert "This person may already be registered" in page(register(family_name="Two", phone="0030 6941234567"))
    assert "This person may already be registered" in page(
        register(family_name="Three", document_type="asylum_card", document_number="AB123456"))
    assert count_beneficiaries() == 1


def test_a_match_held_only_by_another_structure_says_nothing_but_ask_for_a_referral(client, login_as, register):
    other = make_beneficiary("KYADA", family_name="Karimi", given_name="Hassan", birth_date=date(1979, 8, 2),
                             phone="+30 697 000 1111")
    login_as("caseworker", structures=("KEM",))
    response = register(family_name="Karimi", given_name="Hassan", birth_date="1979-08-02")
    body = page(response)
    assert response.status_code == 200
    assert ELSEWHERE in body
    for hidden in (other.reference, str(other.id), "KYADA", "Κέντρο Υποδοχής", "697 000 1111"):
        assert hidden not in body
    assert audit_events("beneficiaries.duplicate_check")[-1].outcome == "match_elsewhere"
    assert count_beneficiaries() == 1


def test_registering_at_kem_a_person_held_by_the_shelter_shows_no_sign_of_it(client, login_as, register):
    sheltered = make_beneficiary("SHELTER-W", family_name="Rahimi", given_name="Zahra",
                                 birth_date=date(1995, 1, 9), phone="+30 698 765 4321")
    login_as("caseworker", structures=("KEM",))
    response = register(family_name="Rahimi", given_name="Zahra", birth_date="1995-01-09", phone="6987654321")
    new_id = registered_id(response)  # straight through, exactly as if nobody matched
    assert new_id != str(sheltered.id)
    profile = page(client.get(f"/beneficiaries/{new_id}"))
    for hidden in (ELSEWHERE, "SHELTER-W", "Ξενώνας", sheltered.reference, "may already be registered"):
        assert hidden not in profile
    assert audit_events("beneficiaries.duplicate_check")[-1].outcome == "no_match"


def test_a_person_held_by_the_shelter_and_by_kyada_is_signalled_because_of_kyada(client, login_as, register):
    from caseapp.casefiles import service as casefile_service
    from tests.factories import structure

    person = make_beneficiary("SHELTER-W", family_name="Noori", birth_date=date(1988, 4, 4))
    casefile_service.open_case_file(person, structure("KYADA"), actor=make_user("caseworker", structures=("KYADA",)))
    login_as("caseworker", structures=("KEM",))
    body = page(register(family_name="Noori", birth_date="1988-04-04"))
    assert ELSEWHERE in body and "SHELTER" not in body and "KYADA" not in body


def test_the_shelter_is_told_about_a_match_at_a_municipal_structure(client, login_as, register):
    make_beneficiary("KEM", family_name="Ahmadi", birth_date=date(1992, 2, 2))
    login_as("caseworker", structures=("SHELTER-W",))
    body = page(register("SHELTER-W", family_name="Ahmadi", birth_date="1992-02-02"))
    assert ELSEWHERE in body and "KEM" not in body


def _hidden(body: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', body)
    assert match, f"no hidden {name}"
    return match.group(1)
