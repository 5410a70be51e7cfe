"""Admission, discharge and beds, driven through the real pages on both databases."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles import service as casefile_service
from caseapp.dates import local_today
from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.households.models import HouseholdLink
from caseapp.security.audit import AuditEvent
from caseapp.stays import service
from caseapp.stays.models import Stay
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user, structure
from tests.stays.factories import admit, child, english, resident, set_capacity, shelter_staff


@pytest.fixture(autouse=True)
def english_pages(request):
    """Pages read in English (the source language), whatever locale an earlier test left."""
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client)})


def admission_form(client, case_file, **fields) -> dict:
    data = {"csrf_token": csrf_token(client, f"/stays/cases/{case_file.id}/admit"),
            "admitted_on": local_today().isoformat()}
    data.update(fields)
    return data


def two_children() -> dict:
    first, second = child("Lina", 6), child("Omar", 3, sex="male")
    return {"child1_given_name": first["given_name"], "child1_sex": "female",
            "child1_birth_date": first["birth_date"].isoformat(),
            "child2_given_name": second["given_name"], "child2_family_name": "Haddad-Nasser",
            "child2_sex": "male", "child2_birth_date": second["birth_date"].strftime("%d/%m/%Y")}


def test_a_mother_and_two_children_are_admitted_in_one_step(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 20)
    mother_file = resident("SHELTER-W", actor=staff, family_name="Haddad")
    response = client.post(f"/stays/cases/{mother_file.id}/admit", data=admission_form(client, mother_file,
                                                                                         **two_children()))
    assert response.status_code == 302, response.get_data(as_text=True)
    stays = db.session.execute(select(Stay).where(Stay.structure_id == mother_file.structure_id)).scalars().all()
    assert len(stays) == 3 and {s.admitted_on for s in stays} == {local_today()}
    links = db.session.execute(select(HouseholdLink).where(HouseholdLink.person_id == mother_file.beneficiary_id)) \
        .scalars().all()
    assert sorted(link.relation for link in links) == ["parent_child", "parent_child"]
    children = [db.session.get(Beneficiary, link.relative_id) for link in links]
    assert sorted(c.given_name for c in children) == ["Lina", "Omar"]
    assert sorted(c.family_name for c in children) == ["Haddad", "Haddad-Nasser"]  # the mother's when left empty
    assert all(case_file_of(c, "SHELTER-W").is_open for c in children)
    # The mother's case file shows both children, and the occupancy page counts three beds.
    page = client.get(f"/cases/{mother_file.id}").get_data(as_text=True)
    assert "Lina" in page and "Omar" in page and 'id="current-stay"' in page
    shelter = client.get(f"/stays/structures/{mother_file.structure_id}").get_data(as_text=True)
    assert re.search(r'id="occupied-today">3<', shelter)
    assert service.occupied_beds(mother_file.structure_id) == 3
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "stays.admit")).scalars().all()
    assert len(actions) == 3


def test_a_kem_caseworker_who_holds_the_mother_sees_neither_the_children_nor_the_shelter(client, login):
    staff = shelter_staff("SHELTER-W")
    set_capacity("SHELTER-W", 20)
    mother_file = resident("SHELTER-W", actor=staff, family_name="Haddad", given_name="Amal")
    admit(mother_file, actor=staff, children=[child("Lina", 6), child("Omar", 3)])
    kem = make_user("caseworker", structures=("KEM",))
    kem_file = casefile_service.open_case_file(mother_file.beneficiary, structure("KEM"), actor=kem)
    db.session.commit()
    login(kem)
    for url in (f"/cases/{kem_file.id}", f"/beneficiaries/{mother_file.beneficiary_id}"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Amal" in html  # the mother is hers to see
        for secret in ("Lina", "Omar", "SHELTER-W", structure("SHELTER-W").name_el, structure("SHELTER-W").name_en,
                       "stay-heading", "Stay at the shelter", "Φιλοξενία στη δομή", "Haddad Lina"):
            assert secret not in html, (url, secret)
    assert client.get(f"/stays/structures/{mother_file.structure_id}").status_code == 404
    assert client.get(f"/stays/cases/{mother_file.id}/admit").status_code == 404


def test_the_shelter_full_refuses_the_admission_and_registers_no_one(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 3)
    admit(resident("SHELTER-W", actor=staff), actor=staff)
    mother_file = resident("SHELTER-W", actor=staff)
    people_before = db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one()
    db.session.commit()
    response = client.post(f"/stays/cases/{mother_file.id}/admit", data=admission_form(client, mother_file,
                                                                                         **two_children()))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "2 of 3 beds are free and 3 are needed" in html or "2 από 3" in html
    assert 'value="Lina"' in html  # everything typed is still there
    assert db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one() == people_before
    assert service.occupied_beds(mother_file.structure_id) == 1


def test_no_one_occupies_two_beds(db_session):
    staff = shelter_staff("SHELTER-ADD", "caseworker", "KYADA-SHELTER")
    set_capacity("SHELTER-ADD", 10)
    set_capacity("KYADA-SHELTER", 10)
    case_file = resident("SHELTER-ADD", actor=staff)
    admit(case_file, days_ago=2, actor=staff)
    with pytest.raises(DomainError) as again:
        admit(case_file, actor=staff)
    assert again.value.field == "admitted_on"
    elsewhere = casefile_service.open_case_file(case_file.beneficiary, structure("KYADA-SHELTER"), actor=staff)
    with pytest.raises(DomainError) as refused:
        admit(elsewhere, actor=staff)
    assert "already has a bed" in english(refused.value.message)


def test_the_database_refuses_a_second_open_stay_written_past_the_service(db_session):
    staff = shelter_staff("SHELTER-ADD")
    set_capacity("SHELTER-ADD", 10)
    case_file = resident("SHELTER-ADD", actor=staff)
    stay = admit(case_file, actor=staff)[0]
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(insert(Stay.__table__).values(
                id=__import__("uuid").uuid4(), case_file_id=case_file.id, beneficiary_id=stay.beneficiary_id,
                structure_id=stay.structure_id, bed_scope=0, admitted_on=local_today(), admitted_at=stay.admitted_at,
                version=1))


def test_a_stay_at_the_womens_shelter_never_refuses_an_admission_elsewhere(db_session):
    """Refusing it would tell another shelter that the woman is known at the confidential one."""
    staff_w = shelter_staff("SHELTER-W")
    set_capacity("SHELTER-W", 5)
    set_capacity("SHELTER-ADD", 5)
    case_file = resident("SHELTER-W", actor=staff_w)
    admit(case_file, actor=staff_w)
    staff_add = shelter_staff("SHELTER-ADD")
    other = casefile_service.open_case_file(case_file.beneficiary, structure("SHELTER-ADD"), actor=staff_add)
    assert len(admit(other, actor=staff_add)) == 1


def test_discharge_before_admission_is_refused_on_the_field(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    set_capacity("SHELTER-ADD", 10)
    stay = admit(resident("SHELTER-ADD", actor=staff), days_ago=5, actor=staff)[0]
    db.session.commit()
    url = f"/stays/{stay.id}/discharge"
    token = csrf_token(client, url)
    early = (local_today() - timedelta(days=6)).isoformat()
    response = client.post(url, data={"csrf_token": token, "version": stay.version, "discharged_on": early,
                                      "reason": "own_housing"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="discharged_on-error"' in html and f'value="{early}"' in html
    db.session.refresh(stay)
    assert stay.is_open
    response = client.post(url, data={"csrf_token": token, "version": stay.version,
                                      "discharged_on": local_today().isoformat(), "reason": "own_housing"})
    assert response.status_code == 302
    db.session.refresh(stay)
    assert (stay.discharged_on, stay.discharge_reason) == (local_today(), "own_housing")
    assert service.occupied_beds(stay.structure_id) == 0


def test_a_stale_discharge_form_is_a_conflict(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    set_capacity("SHELTER-ADD", 10)
    stay = admit(resident("SHELTER-ADD", actor=staff), days_ago=5, actor=staff)[0]
    db.session.commit()
    url = f"/stays/{stay.id}/discharge"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "version": stay.version + 1,
                                      "discharged_on": local_today().isoformat(), "reason": "left"})
    assert response.status_code == 409


def test_the_database_refuses_a_discharge_before_the_admission(db_session):
    staff = shelter_staff("SHELTER-ADD")
    set_capacity("SHELTER-ADD", 10)
    stay = admit(resident("SHELTER-ADD", actor=staff), actor=staff)[0]
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(Stay.__table__.update().where(Stay.__table__.c.id == stay.id)
                               .values(discharged_on=local_today() - timedelta(days=1)))


def test_a_shelter_without_capacity_or_a_structure_that_is_not_a_shelter_admits_no_one(db_session):
    staff = shelter_staff("SHELTER-ADD")
    set_capacity("SHELTER-ADD", None)
    with pytest.raises(DomainError) as no_capacity:
        admit(resident("SHELTER-ADD", actor=staff), actor=staff)
    assert "No bed capacity" in english(no_capacity.value.message)
    kem = make_user("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=kem)
    with pytest.raises(DomainError) as not_a_shelter:
        admit(case_file_of(person, "KEM"), actor=kem)
    assert "only at shelters" in english(not_a_shelter.value.message)


def test_a_future_admission_day_is_refused_on_the_field(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    set_capacity("SHELTER-ADD", 10)
    case_file = resident("SHELTER-ADD", actor=staff)
    db.session.commit()
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = client.post(f"/stays/cases/{case_file.id}/admit",
                           data=admission_form(client, case_file, admitted_on=tomorrow))
    assert response.status_code == 400
    assert 'id="admitted_on-error"' in response.get_data(as_text=True)


def test_a_child_row_without_a_birth_date_or_of_an_adult_is_refused_on_its_field(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 10)
    case_file = resident("SHELTER-W", actor=staff)
    db.session.commit()
    adult = local_today().replace(year=local_today().year - 19).isoformat()
    response = client.post(f"/stays/cases/{case_file.id}/admit", data=admission_form(
        client, case_file, child1_given_name="Lina", child2_given_name="Sami", child2_birth_date=adult,
        child3_sex="male"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="child1_birth_date-error"' in html and 'id="child2_birth_date-error"' in html
    assert 'id="child3_given_name-error"' in html
    assert service.occupied_beds(case_file.structure_id) == 0


def test_admitting_a_linked_child_already_registered_with_the_mother(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 10)
    mother_file = resident("SHELTER-W", actor=staff)
    child_file = resident("SHELTER-W", actor=staff, given_name="Noor")
    from caseapp.households import service as households

    households.link(mother_file.beneficiary, child_file.beneficiary, "child", structure_id=mother_file.structure_id,
                    actor=staff)
    db.session.commit()
    page = client.get(f"/stays/cases/{mother_file.id}/admit").get_data(as_text=True)
    assert "Noor" in page
    response = client.post(f"/stays/cases/{mother_file.id}/admit",
                           data=admission_form(client, mother_file, companions=str(child_file.id)))
    assert response.status_code == 302
    assert service.open_stay(child_file) is not None and service.open_stay(mother_file) is not None


def test_the_waiting_list_is_closed_by_the_admission(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    set_capacity("SHELTER-ADD", 1)
    admit(resident("SHELTER-ADD", actor=staff), actor=staff)
    case_file = resident("SHELTER-ADD", actor=staff)
    db.session.commit()
    url = f"/stays/cases/{case_file.id}/wait"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "requested_on": local_today().isoformat(), "beds": "1"})
    assert response.status_code == 302
    entry = service.waiting_entry(case_file)
    assert entry is not None
    shelter = client.get(f"/stays/structures/{case_file.structure_id}").get_data(as_text=True)
    assert case_file.beneficiary.reference in shelter
    with pytest.raises(service.ShelterFull):
        admit(case_file, actor=staff)
    db.session.rollback()
    first = db.session.execute(select(Stay).where(Stay.structure_id == case_file.structure_id)).scalar_one()
    service.discharge(first, local_today(), "own_housing", actor=staff)
    admit(case_file, actor=staff)
    db.session.refresh(entry)
    assert entry.status == "admitted" and service.waiting_entry(case_file) is None


def test_staff_of_another_structure_get_404_everywhere(client, login):
    staff = shelter_staff("SHELTER-W")
    set_capacity("SHELTER-W", 10)
    case_file = resident("SHELTER-W", actor=staff)
    stay = admit(case_file, actor=staff)[0]
    waiting_file = resident("SHELTER-W", actor=staff)
    entry = service.add_to_waiting_list(waiting_file, local_today(), 1, actor=staff)
    db.session.commit()
    login(shelter_staff("SHELTER-ADD"))
    for url in (f"/stays/structures/{case_file.structure_id}", f"/stays/cases/{case_file.id}/admit",
                f"/stays/{stay.id}/discharge", f"/stays/cases/{case_file.id}/wait"):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, "/")
    assert client.post(f"/stays/waiting/{entry.id}/withdraw", data={"csrf_token": token}).status_code == 404
    denied = db.session.execute(select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id)
                                .where(AuditEvent.outcome == "denied").order_by(AuditEvent.id)).all()
    assert [tuple(row) for row in denied] == [
        ("access.denied", "structure", str(case_file.structure_id)),
        ("access.denied", "case_file", str(case_file.id)),
        ("access.denied", "stay", str(stay.id)),
        ("access.denied", "case_file", str(case_file.id)),
        ("access.denied", "stay_waiting_entry", str(entry.id)),
    ]
    db.session.expire_all()
    assert db.session.get(Stay, stay.id).discharged_on is None          # nothing changed
    assert service.waiting_entry(waiting_file).id == entry.id


def test_an_erased_persons_stay_and_waiting_entry_answer_404_to_their_own_shelter(client, login):
    from caseapp.beneficiaries import erasure

    staff = shelter_staff("SHELTER-W")
    set_capacity("SHELTER-W", 10)
    stay = admit(resident("SHELTER-W", actor=staff), actor=staff)[0]
    waiting_file = resident("SHELTER-W", actor=staff)
    entry = service.add_to_waiting_list(waiting_file, local_today(), 1, actor=staff)
    db.session.flush()
    entry_id, stay_id = entry.id, stay.id
    erasure.erase_beneficiary(stay.beneficiary)
    erasure.erase_beneficiary(waiting_file.beneficiary)
    db.session.commit()
    login(staff)
    assert client.get(f"/stays/{stay_id}/discharge").status_code == 404
    token = csrf_token(client, "/")
    assert client.post(f"/stays/waiting/{entry_id}/withdraw", data={"csrf_token": token}).status_code == 404
    denied = db.session.execute(select(AuditEvent.object_type, AuditEvent.object_id)
                                .where(AuditEvent.outcome == "denied", AuditEvent.user_id == staff.id)).all()
    assert sorted(tuple(r) for r in denied) == sorted([("stay", str(stay_id)), ("stay_waiting_entry", str(entry_id))])


def test_stays_and_waiting_entries_are_visible_exactly_when_their_case_file_is(db_session):
    """The lookups of the discharge and withdraw pages equal the one scoping query (visible_case_files)."""
    from caseapp.casefiles.models import CaseFile
    from caseapp.casefiles.queries import visible_case_files
    from caseapp.stays import queries
    from caseapp.stays.models import WaitingEntry

    set_capacity("SHELTER-W", 10)
    set_capacity("SHELTER-ADD", 10)
    w_staff, add_staff = shelter_staff("SHELTER-W"), shelter_staff("SHELTER-ADD")
    stays = [admit(resident(code, actor=who), actor=who)[0] for code, who in
             (("SHELTER-W", w_staff), ("SHELTER-ADD", add_staff), ("SHELTER-W", w_staff))]
    entries = [service.add_to_waiting_list(resident(code, actor=who), local_today(), 1, actor=who)
               for code, who in (("SHELTER-W", w_staff), ("SHELTER-ADD", add_staff))]
    db.session.flush()
    viewers = [w_staff, add_staff, shelter_staff("SHELTER-W", "supervisor", "SHELTER-ADD"),
               make_user("caseworker", structures=("KEM",)), make_user("admin"), make_user("coordinator")]
    for viewer in viewers:
        visible = set(db.session.execute(visible_case_files(viewer).join(CaseFile.beneficiary)
                                          .where(Beneficiary.erased_at.is_(None))
                                          .with_only_columns(CaseFile.id)).scalars())
        for stay in stays:
            assert (queries.get_visible_stay(viewer, stay.id) is not None) == (stay.case_file_id in visible)
        for entry in entries:
            found = queries.get_visible_waiting_entry(viewer, entry.id)
            assert (found is not None) == (entry.case_file_id in visible)
            assert found is None or isinstance(found, WaitingEntry)
    assert queries.get_visible_stay(w_staff, stays[0].id) is not None   # the test is not vacuous
    assert queries.get_visible_stay(w_staff, stays[1].id) is None


# --- children registered at admission go through the duplicate check --------------------------------------


def _child_row(given: str, family: str, born) -> dict:
    return {"child1_given_name": given, "child1_family_name": family, "child1_sex": "female",
            "child1_birth_date": born.isoformat()}


def test_a_child_already_registered_here_is_named_and_not_registered_twice(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 20)
    born = local_today().replace(day=1) - timedelta(days=6 * 365)
    known = make_beneficiary("SHELTER-W", actor=staff, given_name="Lina", family_name="Haddad", birth_date=born)
    mother_file = resident("SHELTER-W", actor=staff, family_name="Haddad")
    before = db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one()
    response = client.post(f"/stays/cases/{mother_file.id}/admit",
                           data=admission_form(client, mother_file, **_child_row("Lina", "", born)))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert known.reference in page and "Register anyway" in page and "tick the box below" in page
    assert 'value="Lina"' in page  # what was typed is kept
    assert 'href="#child1_given_name">Child 1: Given name:' in page  # the summary says which child
    assert db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one() == before
    assert db.session.execute(select(func.count()).select_from(Stay)).scalar_one() == 0
    subjects = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "stays.admit_form").order_by(AuditEvent.id.desc())
    ).scalars().first()
    from caseapp.security.audit_subjects import AuditEventSubject
    shown = db.session.execute(select(AuditEventSubject.beneficiary_id)
                               .where(AuditEventSubject.event_id == subjects.id)).scalars().all()
    assert known.id in shown  # the match named on the page is audited as seen


def test_a_child_held_elsewhere_is_reported_without_naming_the_holder(client, login):
    kem = make_user("caseworker", structures=("KEM",))
    born = local_today().replace(day=1) - timedelta(days=4 * 365)
    make_beneficiary("KEM", actor=kem, given_name="Omar", family_name="Nasserzadeh", birth_date=born)
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 20)
    mother_file = resident("SHELTER-W", actor=staff, family_name="Nasserzadeh")
    response = client.post(f"/stays/cases/{mother_file.id}/admit",
                           data=admission_form(client, mother_file, **_child_row("Omar", "", born)))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "another structure" in page and "KEM" not in page.split("<main", 1)[1]
    assert db.session.execute(select(func.count()).select_from(Stay)).scalar_one() == 0


def test_register_anyway_admits_the_child_only_for_the_values_warned_about(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 20)
    born = local_today().replace(day=1) - timedelta(days=5 * 365)
    make_beneficiary("SHELTER-W", actor=staff, given_name="Sara", family_name="Karimi", birth_date=born)
    mother_file = resident("SHELTER-W", actor=staff, family_name="Karimi")
    warned = client.post(f"/stays/cases/{mother_file.id}/admit",
                         data=admission_form(client, mother_file, **_child_row("Sara", "", born)))
    fingerprint = re.search(r'name="child1_duplicate_check" type="hidden" value="([^"]+)"',
                            warned.get_data(as_text=True)).group(1)
    # Ticked, but the date was changed after the warning: the check runs again for the new values.
    other_born = born - timedelta(days=1)
    make_beneficiary("SHELTER-W", actor=staff, given_name="Sara", family_name="Karimi", birth_date=other_born)
    changed = client.post(f"/stays/cases/{mother_file.id}/admit", data=admission_form(
        client, mother_file, **_child_row("Sara", "", other_born), child1_duplicate_check=fingerprint,
        child1_register_anyway="y"))
    assert changed.status_code == 400
    confirmed = client.post(f"/stays/cases/{mother_file.id}/admit", data=admission_form(
        client, mother_file, **_child_row("Sara", "", born), child1_duplicate_check=fingerprint,
        child1_register_anyway="y"))
    assert confirmed.status_code == 302
    assert service.occupied_beds(mother_file.structure_id) == 2
    outcomes = db.session.execute(select(AuditEvent.outcome).where(AuditEvent.action == "beneficiaries.register")
                                  .order_by(AuditEvent.id.desc())).scalars().first()
    assert outcomes == "after_warning"   # the audit says the warning was seen and overridden


def test_a_child_who_matches_no_one_is_admitted_without_a_question(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 20)
    mother_file = resident("SHELTER-W", actor=staff, family_name="Uniquesurnameoglu")
    born = local_today().replace(day=1) - timedelta(days=2 * 365)
    response = client.post(f"/stays/cases/{mother_file.id}/admit",
                           data=admission_form(client, mother_file, **_child_row("Defne", "", born)))
    assert response.status_code == 302
