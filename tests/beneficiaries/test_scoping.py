"""Who sees whom: a user sees a beneficiary only through a case file at one of their structures."""
import re
import uuid

import pytest

from tests.beneficiaries.conftest import audit_events
from tests.factories import case_file_of, make_beneficiary, make_note


def page(response) -> str:
    return response.get_data(as_text=True)


def test_a_shelter_caseworker_opening_a_kem_beneficiary_gets_404_and_is_audited(client, login_as):
    kem_person = make_beneficiary("KEM", family_name="Mansour")
    user = login_as("caseworker", structures=("SHELTER-W",))
    response = client.get(f"/beneficiaries/{kem_person.id}")
    assert response.status_code == 404
    assert "Mansour" not in page(response)
    [denied] = audit_events("access.denied")
    assert (denied.user_id, denied.object_type, denied.object_id, denied.outcome) == \
        (user.id, "beneficiary", str(kem_person.id), "denied")


@pytest.mark.parametrize("suffix", ["", "/edit", "/consent", "/erasure"])
def test_every_beneficiary_url_of_another_structure_answers_404(client, login_as, suffix):
    other = make_beneficiary("KYADA")
    login_as("supervisor", structures=("KEM",))
    assert client.get(f"/beneficiaries/{other.id}{suffix}").status_code == 404
    assert audit_events("access.denied")[-1].object_id == str(other.id)


def test_case_file_urls_of_another_structure_answer_404(client, login_as):
    other = make_beneficiary("KYADA")
    case_file = case_file_of(other, "KYADA")
    login_as("supervisor", structures=("KEM",))
    csrf = __import__("tests.conftest", fromlist=["csrf_token"]).csrf_token(client, "/beneficiaries/")
    assert client.get(f"/cases/{case_file.id}").status_code == 404
    for action in ("notes", "close", "reopen", "assign"):
        assert client.post(f"/cases/{case_file.id}/{action}", data={"csrf_token": csrf, "text": "x"}).status_code == 404
    assert {e.object_id for e in audit_events("access.denied")} == {str(case_file.id)}


def test_an_unknown_id_answers_exactly_like_a_hidden_one(client, login_as):
    hidden = make_beneficiary("KYADA")
    login_as("caseworker", structures=("KEM",))
    missing_id = uuid.uuid4()
    unknown = client.get(f"/beneficiaries/{missing_id}")
    other = client.get(f"/beneficiaries/{hidden.id}")
    assert unknown.status_code == other.status_code == 404
    assert _without_token(page(unknown)).replace(str(missing_id), "ID") == \
        _without_token(page(other)).replace(str(hidden.id), "ID")


def _without_token(html: str) -> str:
    """CSRF tokens are signed with a timestamp: two requests a second apart differ there only."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"|name="csrf_token" value="[^"]*"',
                  'name="csrf_token"', html)


def test_the_list_shows_only_the_structures_people(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    mine = make_beneficiary(actor=user, family_name="Ownstructure")
    theirs = make_beneficiary("GBV-CC", family_name="Confidentialone")
    listing = page(client.get("/beneficiaries/"))
    assert mine.reference in listing and "Ownstructure" in listing
    assert theirs.reference not in listing and "Confidentialone" not in listing


@pytest.mark.parametrize("role", ["admin", "coordinator", "interpreter"])
def test_admins_coordinators_and_interpreters_see_no_beneficiary_files(client, login_as, role):
    person = make_beneficiary("KEM")
    case_file = case_file_of(person)
    login_as(role, structures=("ACCMR",) if role == "coordinator" else ())
    for url in ("/beneficiaries/", f"/beneficiaries/{person.id}", f"/cases/{case_file.id}", "/beneficiaries/new"):
        assert client.get(url).status_code == 403, url
    assert "Beneficiaries" not in page(client.get("/"))


def test_a_profile_view_writes_one_audit_event(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user)
    before = len(audit_events())
    client.get(f"/beneficiaries/{person.id}")
    events = audit_events()[before:]
    assert [(e.action, e.object_id, e.user_id) for e in events] == [("beneficiaries.view", str(person.id), user.id)]


def test_a_case_file_view_writes_one_audit_event(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=user))
    before = len(audit_events())
    client.get(f"/cases/{case_file.id}")
    events = audit_events()[before:]
    assert [(e.action, e.object_id) for e in events] == [("cases.view", str(case_file.id))]


def test_a_user_sees_only_their_structures_case_files_of_a_shared_person(client, login_as):
    from caseapp.casefiles import service as casefile_service
    from tests.factories import make_user, structure

    person = make_beneficiary("KEM")
    casefile_service.open_case_file(person, structure("SHELTER-W"), actor=make_user("caseworker", structures=("SHELTER-W",)))
    make_note(case_file_of(person, "SHELTER-W"), "Arrived at night with the children.")
    login_as("caseworker", structures=("KEM",))
    profile = page(client.get(f"/beneficiaries/{person.id}"))
    assert "SHELTER-W" not in profile and "Ξενώνας" not in profile and "Shelter" not in profile
    assert client.get(f"/cases/{case_file_of(person, 'SHELTER-W').id}").status_code == 404


def test_audit_events_carry_ids_never_values(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    register(family_name="Uniquesurnamexyz", phone="+30 699 999 9999")
    for event in audit_events():
        text = " ".join(str(getattr(event, c)) for c in ("action", "object_type", "object_id", "outcome"))
        assert "Uniquesurnamexyz" not in text and "699 999" not in text and "6999999999" not in text
