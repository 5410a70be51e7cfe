"""Search across scripts: exact keys first, then "similar names", clearly marked, in both languages."""
from datetime import date
import html

import pytest

from tests.beneficiaries.conftest import audit_events
from tests.conftest import csrf_token
from tests.factories import make_beneficiary

SIMILAR_NOTICE = "No exact match."
SIMILAR_TAG = '<span class="tag similar">Similar name</span>'


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("registered, searched", [
    ("Yılmaz", "YILMAZ"), ("YILMAZ", "Yilmaz"),            # the example
    ("كريمي", "کریمی"),                                     # the example
    ("Had\u200bdad", "Haddad"), ("Haddad", "Had\u200bdad"),  # the example, both ways
    ("Шевченко", "Shevchenko"),                             # the example
    ("Işık", "ISIK"), ("فاطمة", "فاطمه"), ("محــمد", "مُحَمَّد"), ("Коваленко", "Kovalenko"),
    ("\u200fعلي\u200f", "علی"),
])
def test_an_exact_search_finds_the_same_name_written_another_way(client, login_as, search, registered, searched):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name=registered)
    body = page(search(surname=searched))
    assert person.reference in body and "1 person found." in body
    assert SIMILAR_NOTICE not in body and SIMILAR_TAG not in body


@pytest.mark.parametrize("registered, searched", [
    ("يوسف", "Yusuf"), ("يوسف", "Youssef"), ("يوسف", "Yousef"), ("Yusuf", "يوسف"),   # the examples
    ("محمد", "Mohammad"), ("Muhammad", "Mohamed"), ("Mohamed", "محمد"),
    ("حسين", "Hussein"), ("Fatemeh", "فاطمة"), ("أحمد", "Ahmet"), ("Ганна", "Hanna"),
])
def test_when_nothing_matches_exactly_similar_names_are_offered_and_marked(
        client, login_as, search, registered, searched):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name=registered)
    make_beneficiary(actor=user, family_name="Papadakis")
    response = search(surname=searched)
    body = page(response)
    assert response.status_code == 200
    assert person.reference in body and "Papadakis" not in body
    assert SIMILAR_NOTICE in body and "1 person has a similar surname" in body and SIMILAR_TAG in body
    assert "<h2 id=\"results-heading\">Similar names</h2>" in body
    assert audit_events("beneficiaries.search")[-1].outcome == "similar_names"


def test_similar_names_are_marked_in_greek_too(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user, family_name="يوسف")
    client.post("/language", data={"locale": "el", "next": "/", "csrf_token": csrf_token(client, "/")})
    body = page(search(surname="Yusuf"))
    assert person.reference in body
    assert "Δεν βρέθηκε ακριβές ταίριασμα." in body and "Παρόμοιο όνομα" in body and "Παρόμοια ονόματα" in body


def test_similar_names_are_not_offered_when_an_exact_match_exists(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    exact = make_beneficiary(actor=user, family_name="Youssef")
    similar = make_beneficiary(actor=user, family_name="يوسف")
    body = page(search(surname="Youssef"))
    assert exact.reference in body and similar.reference not in body and SIMILAR_NOTICE not in body


def test_similar_names_keep_the_other_criteria_exact(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    right = make_beneficiary(actor=user, family_name="يوسف", birth_date=date(1990, 1, 2))
    wrong = make_beneficiary(actor=user, family_name="يوسف", birth_date=date(1991, 1, 2))
    body = page(search(surname="Yusuf", birth_date="02/01/1990"))
    assert right.reference in body and wrong.reference not in body and SIMILAR_TAG in body


def test_similar_names_never_come_from_another_structure(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    theirs = [make_beneficiary(code, family_name="يوسف") for code in ("KYADA", "SHELTER-W", "GBV-CC")]
    body = page(search(surname="Yusuf"))
    assert "Nobody found" in body and SIMILAR_NOTICE not in body
    for other in theirs:
        assert other.reference not in body and str(other.id) not in body
    mine = make_beneficiary(actor=user, family_name="Youssef")
    body = page(search(surname="Yusuf"))
    assert mine.reference in body and all(other.reference not in body for other in theirs)


def test_nobody_similar_says_nobody_found(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="Papadakis")
    body = page(search(surname="Yusuf"))
    assert "Nobody found" in body and SIMILAR_NOTICE not in body
    assert audit_events("beneficiaries.search")[-1].outcome == "ok"


def test_a_similar_names_search_is_posted_and_its_terms_never_reach_the_url_or_the_audit(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    make_beneficiary(actor=user, family_name="يوسف")
    assert client.get("/beneficiaries/search?surname=Yusuf").status_code == 405
    response = search(surname="Yusufname")
    assert response.status_code == 200 and "Yusufname" not in response.headers.get("Location", "")
    event = audit_events("beneficiaries.search")[-1]
    assert "Yusuf" not in f"{event.object_type} {event.object_id} {event.outcome}"
