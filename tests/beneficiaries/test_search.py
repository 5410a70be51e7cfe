"""Search: blind indexes in SQL, confirmed after decryption, scoped to the user's structures."""
from datetime import date

from tests.factories import make_beneficiary


def page(response) -> str:
    return response.get_data(as_text=True)


def test_greek_spelling_finds_a_latin_registration_and_the_reverse(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    latin = make_beneficiary(actor=user, family_name="Papadopoulos", given_name="Nikos")
    greek = make_beneficiary(actor=user, family_name="Γεωργίου", given_name="Άννα")
    found = page(search(surname="Παπαδόπουλος"))
    assert latin.reference in found and greek.reference not in found
    found = page(search(surname="georgiou"))
    assert greek.reference in found and latin.reference not in found
    assert "Γεωργίου" in found


def test_a_search_never_returns_a_beneficiary_of_another_structure(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    mine = make_beneficiary(actor=user, family_name="Haddad", birth_date=date(1990, 1, 1), phone="6940000001",
                            document_type="passport", document_number="N1234567")
    theirs = [make_beneficiary(code, family_name="Haddad", birth_date=date(1990, 1, 1), phone="6940000001",
                               document_type="passport", document_number="N1234567")
              for code in ("KYADA", "SHELTER-W", "GBV-CC")]
    for criteria in ({"surname": "Haddad"}, {"birth_date": "1990-01-01"}, {"phone": "+30 694 000 0001"},
                     {"document_number": "n 123 4567"}, {"reference": theirs[0].reference}):
        found = page(search(**criteria))
        for other in theirs:
            assert f"/beneficiaries/{other.id}" not in found, criteria
        if "reference" in criteria:
            assert "Nobody found" in found
        else:
            assert mine.reference in found and "1 person found." in found, criteria


def test_all_given_criteria_must_match(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    right = make_beneficiary(actor=user, family_name="Karimi", birth_date=date(1980, 5, 5))
    wrong = make_beneficiary(actor=user, family_name="Karimi", birth_date=date(1981, 5, 5))
    found = page(search(surname="Karimi", birth_date="05/05/1980"))
    assert right.reference in found and wrong.reference not in found


def test_search_by_reference(client, login_as, search):
    user = login_as("caseworker", structures=("KEM",))
    beneficiary = make_beneficiary(actor=user)
    assert beneficiary.family_name in page(search(reference=beneficiary.reference.lower()))


def test_an_empty_search_asks_for_a_field(client, login_as, search):
    login_as("caseworker", structures=("KEM",))
    response = search()
    assert response.status_code == 400
    assert "Fill in at least one search field." in page(response)
    # The refused search says nothing was searched; it does not claim the structure follows no one.
    assert "Nothing was searched" in page(response) and "do not follow anyone" not in page(response)
    spaces = search(surname="   ")
    assert spaces.status_code == 400 and "do not follow anyone" not in page(spaces)


def test_search_terms_never_travel_in_the_url(client, login_as, search):
    login_as("caseworker", structures=("KEM",))
    assert client.get("/beneficiaries/search?surname=Haddad").status_code == 405
    response = search(surname="Haddad")
    assert response.status_code == 200
    assert 'method="post"' in page(client.get("/beneficiaries/"))


def test_a_user_of_two_structures_finds_people_of_both(client, login_as, search):
    user = login_as("caseworker", structures=("KEM", "DIS-PROG"))
    kem = make_beneficiary("KEM", actor=user, family_name="Stathopoulos")
    dis = make_beneficiary("DIS-PROG", actor=user, family_name="Stathopoulos")
    found = page(search(surname="Σταθόπουλος"))
    assert kem.reference in found and dis.reference in found


def test_searches_are_audited_without_the_terms(client, login_as, search):
    from tests.beneficiaries.conftest import audit_events

    login_as("caseworker", structures=("KEM",))
    search(surname="Distinctivename")
    [event] = audit_events("beneficiaries.search")
    assert "Distinctivename" not in f"{event.object_type} {event.object_id} {event.outcome}"


def test_a_search_whose_bucket_overflows_says_more_may_match_instead_of_dropping_them(client, login_as, search,
                                                                                       monkeypatch):
    from caseapp.beneficiaries import queries as beneficiary_queries

    me = login_as("caseworker", structures=("KEM",))
    for _ in range(4):
        make_beneficiary("KEM", actor=me, family_name="Overflowidis")
    monkeypatch.setattr(beneficiary_queries, "SEARCH_CANDIDATE_LIMIT", 3)
    body = search(surname="Overflowidis").get_data(as_text=True)
    assert "More people may match than one search can check" in body

    monkeypatch.setattr(beneficiary_queries, "SEARCH_CANDIDATE_LIMIT", 10)
    body = search(surname="Overflowidis").get_data(as_text=True)
    assert "4 people found." in body and "More people may match" not in body
