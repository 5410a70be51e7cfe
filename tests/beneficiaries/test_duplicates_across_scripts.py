"""The registration duplicate check across spellings and scripts, and with only a birth year."""
from datetime import date
import html
import re

import pytest
from sqlalchemy import func, select

from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from tests.beneficiaries.conftest import audit_events, registered_id
from tests.factories import make_beneficiary

WARNING = "This person may already be registered"
ELSEWHERE = "A record may exist elsewhere: ask for a referral."
SIMILAR_TAG = '<span class="tag similar">Similar name</span>'


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count_beneficiaries() -> int:
    return db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one()


def warned_about(body: str, person) -> bool:
    return WARNING in body and f"/beneficiaries/{person.id}" in body


def listed_line(body: str, person) -> str:
    match = re.search(rf'<li><a href="/beneficiaries/{person.id}">.*?</li>', body)
    assert match, "the match is not listed"
    return match.group(0)


# (registered, typed again): each pair must warn, with the same date of birth.
SIMILAR_ACROSS_SCRIPTS = [
    ("يوسف", "Yusuf"), ("يوسف", "Youssef"), ("يوسف", "Yousef"), ("Yusuf", "يوسف"),   # the examples
    ("Mohammad", "Muhammad"), ("Mohammad", "Mohamed"), ("Mohammad", "محمد"), ("محمد", "Mohamed"),
    # our own
    ("Karimi", "کریمی"), ("حسين", "Hussein"), ("Fatemeh", "فاطمة"), ("Ahmad", "أحمد"), ("Nazari", "نظری"),
    ("Hanna", "Ганна"), ("Mohammad", "Μοχάμαντ"), ("Γιουσέφ", "يوسف"),
    # Greek spellings of Arabic names (a QA trial): Greek has no h and writes j as τζ
    ("Ibrahim", "Ιμπραήμ"), ("إبراهيم", "Ιμπραήμ"), ("Jamal", "Τζαμάλ"), ("Τζαμάλ", "Djamal"),
]
EXACT_ACROSS_SCRIPTS = [
    ("Шевченко", "Shevchenko"),                  # the example (Олена Шевченко / Olena Shevchenko)
    ("YILMAZ", "Yılmaz"), ("Yılmaz", "Yilmaz"),  # Turkish dotless i
    ("کریمی", "كريمي"),                           # Persian / Arabic letters
    ("Had\u200bdad", "Haddad"),                  # a zero-width space pasted from a phone
    ("Коваленко", "Kovalenko"), ("ბერიძე", "Beridze"), ("KILIÇ", "Kılıç"), ("علی", "علي"),
    ("Papa\u00addopoulos", "Παπαδόπουλος"),
    ("Hassan", "Χασάν"),                         # Greek χ for h, doubled letters single
]


@pytest.mark.parametrize("registered, typed", SIMILAR_ACROSS_SCRIPTS)
def test_a_similar_surname_in_another_script_or_spelling_with_the_same_birth_date_warns(
        client, login_as, register, registered, typed):
    user = login_as("caseworker", structures=("KEM",))
    existing = make_beneficiary(actor=user, family_name=registered, birth_date=date(1990, 6, 1))
    response = register(family_name=typed, birth_date="1990-06-01")
    body = page(response)
    assert response.status_code == 200 and warned_about(body, existing)
    assert SIMILAR_TAG in listed_line(body, existing)
    assert count_beneficiaries() == 1
    assert audit_events("beneficiaries.duplicate_check")[-1].outcome == "visible_match"


@pytest.mark.parametrize("registered, typed", EXACT_ACROSS_SCRIPTS)
def test_the_same_surname_typed_another_way_warns_as_the_same_name(client, login_as, register, registered, typed):
    user = login_as("caseworker", structures=("KEM",))
    existing = make_beneficiary(actor=user, family_name=registered, birth_date=date(1990, 6, 1))
    body = page(register(family_name=typed, birth_date="1990-06-01"))
    assert warned_about(body, existing)
    assert SIMILAR_TAG not in listed_line(body, existing)
    assert count_beneficiaries() == 1


def test_olena_shevchenko_in_cyrillic_meets_her_latin_passport_spelling(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    existing = make_beneficiary(actor=user, given_name="Олена", family_name="Шевченко", birth_date=date(1984, 2, 29))
    assert warned_about(page(register(given_name="Olena", family_name="Shevchenko", birth_date="29/02/1984")),
                        existing)


def test_a_similar_surname_with_another_birth_date_does_not_warn(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="يوسف", birth_date=date(1990, 6, 1))
    registered_id(register(family_name="Yusuf", birth_date="1990-06-02"))
    assert count_beneficiaries() == 2


def test_a_different_name_with_the_same_birth_date_does_not_warn(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="Karimi", birth_date=date(1990, 6, 1))
    registered_id(register(family_name="Rahimi", birth_date="1990-06-01"))


def test_a_cross_script_match_held_only_elsewhere_says_only_ask_for_a_referral(client, login_as, register):
    other = make_beneficiary("KYADA", family_name="محمد", given_name="علي", birth_date=date(1975, 3, 3))
    login_as("caseworker", structures=("KEM",))
    body = page(register(family_name="Mohammad", given_name="Ali", birth_date="1975-03-03"))
    assert ELSEWHERE in body
    for hidden in (other.reference, str(other.id), "KYADA", "محمد", "علي", SIMILAR_TAG):
        assert hidden not in body
    assert audit_events("beneficiaries.duplicate_check")[-1].outcome == "match_elsewhere"


def test_a_cross_script_match_held_only_by_the_shelter_leaves_no_trace(client, login_as, register):
    sheltered = make_beneficiary("SHELTER-W", family_name="کریمی", given_name="زهرا", birth_date=date(1995, 1, 9))
    login_as("caseworker", structures=("KEM",))
    new_id = registered_id(register(family_name="Karimi", given_name="Zahra", birth_date="1995-01-09"))
    assert new_id != str(sheltered.id)
    assert audit_events("beneficiaries.duplicate_check")[-1].outcome == "no_match"


# --- only the birth year known -----------------------------------------------------------------


def test_registering_nazari_born_1987_without_a_date_twice_warns(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    first = registered_id(register(family_name="Nazari", birth_year="1987"))
    body = page(register(family_name="Nazari", birth_year="1987"))
    assert WARNING in body and f"/beneficiaries/{first}" in body
    assert count_beneficiaries() == 1


@pytest.mark.parametrize("stored, typed", [
    ({"birth_date": date(1987, 5, 5)}, {"birth_year": "1987"}),        # the new side has only the year
    ({"birth_year": 1987}, {"birth_date": "1987-11-30"}),              # the stored side has only the year
    ({"birth_year": 1987}, {"birth_year": "1987"}),                    # neither has a date
])
def test_same_surname_and_birth_year_warns_when_either_side_lacks_a_full_date(
        client, login_as, register, stored, typed):
    user = login_as("caseworker", structures=("KEM",))
    existing = make_beneficiary(actor=user, family_name="Nazari", **stored)
    assert warned_about(page(register(family_name="Nazari", **typed)), existing)


def test_a_similar_surname_in_another_script_and_the_same_birth_year_warns(client, login_as, register):
    user = login_as("caseworker", structures=("KEM",))
    existing = make_beneficiary(actor=user, family_name="نظری", birth_year=1987)
    body = page(register(family_name="Nazari", birth_year="1987"))
    assert warned_about(body, existing) and SIMILAR_TAG in listed_line(body, existing)


@pytest.mark.parametrize("stored, typed", [
    ({"birth_date": date(1987, 5, 5)}, {"birth_date": "1987-05-06"}),  # two full dates that differ
    ({"birth_year": 1987}, {"birth_year": "1988"}),                    # another year
    ({"birth_date": date(1987, 5, 5)}, {"birth_year": "1986"}),
    ({"birth_year": 1987}, {}),                                        # nothing known about the birth
])
def test_no_birth_year_warning_when_the_dates_differ_or_the_year_does(client, login_as, register, stored, typed):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="Nazari", **stored)
    registered_id(register(family_name="Nazari", **typed))
    assert count_beneficiaries() == 2


def test_a_birth_year_match_held_only_by_the_shelter_leaves_no_trace(client, login_as, register):
    make_beneficiary("SHELTER-W", family_name="Nazari", birth_year=1987)
    login_as("caseworker", structures=("KEM",))
    registered_id(register(family_name="Nazari", birth_year="1987"))
    assert audit_events("beneficiaries.duplicate_check")[-1].outcome == "no_match"


def test_changing_the_birth_year_after_the_warning_runs_the_check_again(client, login_as, register):
    from tests.beneficiaries.test_registration import _hidden

    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="Nazari", birth_year=1987)
    make_beneficiary(actor=user, family_name="Nazari", birth_year=1990)
    check = _hidden(page(register(family_name="Nazari", birth_year="1987")), "duplicate_check")
    response = register(family_name="Nazari", birth_year="1990", duplicate_check=check, register_anyway="y")
    assert WARNING in page(response) and count_beneficiaries() == 2
