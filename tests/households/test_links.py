"""Household links: recorded through the page, seen only between people the viewer sees,
and a confidential structure's links only by its own staff."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from caseapp.casefiles import service as casefile_service
from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.households import queries, service
from caseapp.households.models import HouseholdLink
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user, structure
from tests.stays.factories import english


def link_page(client, case_file, reference, relation):
    url = f"/households/cases/{case_file.id}/link"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "reference": reference,
                                  "relation": relation})


def test_a_caseworker_links_a_spouse_by_reference_and_both_files_show_the_other(client, login):
    kem = login(make_user("caseworker", structures=("KEM",)))
    wife = make_beneficiary("KEM", actor=kem, given_name="Rania")
    husband = make_beneficiary("KEM", actor=kem, given_name="Karim")
    db.session.commit()
    typed = husband.reference.lower().replace("-", " ")  # as typed at a desk
    response = link_page(client, case_file_of(wife), typed, "partner")
    assert response.status_code == 302
    for person, other in ((wife, "Karim"), (husband, "Rania")):
        page = client.get(f"/cases/{case_file_of(person).id}").get_data(as_text=True)
        assert other in page
        assert other in client.get(f"/beneficiaries/{person.id}").get_data(as_text=True)
    assert db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "households.link")).scalar_one()


def test_parent_and_child_read_the_right_way_round(db_session):
    kem = make_user("caseworker", structures=("KEM",))
    mother, son = make_beneficiary("KEM", actor=kem), make_beneficiary("KEM", actor=kem)
    service.link(son, mother, "parent", structure_id=structure("KEM").id, actor=kem)
    [(link, other)] = queries.household_of(kem, mother.id)
    assert other.id == son.id and link.person_id == mother.id and link.relation == "parent_child"
    from caseapp.households import codes

    assert codes.seen_from(link, mother.id) == "child" and codes.seen_from(link, son.id) == "parent"


@pytest.mark.parametrize("reference, message", [("B-26-0000-0", "reference"), ("", "reference")])
def test_an_unknown_reference_is_refused_on_the_field_with_what_was_typed(client, login, reference, message):
    kem = login(make_user("caseworker", structures=("KEM",)))
    person = make_beneficiary("KEM", actor=kem)
    db.session.commit()
    response = link_page(client, case_file_of(person), reference, "sibling")
    assert response.status_code == 400
    assert 'id="reference-error"' in response.get_data(as_text=True)


def test_a_person_of_another_structure_cannot_be_linked_and_the_answer_reveals_nothing(client, login):
    kem = login(make_user("caseworker", structures=("KEM",)))
    person = make_beneficiary("KEM", actor=kem)
    hidden = make_beneficiary("SHELTER-W")
    db.session.commit()
    erased = make_beneficiary("KEM", actor=kem)
    from caseapp.beneficiaries import erasure

    erasure.erase_beneficiary(erased)
    db.session.commit()
    unknown_reference = "B-26-7KQ4-M"

    def refusal(reference):
        response = link_page(client, case_file_of(person), reference, "sibling")
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        errors = re.findall(r'id="reference-error"[^>]*>(.*?)</', body, re.S)
        assert errors, "the refusal is shown on the reference field"
        assert f'value="{reference}"' in body                       # what was typed is kept
        return errors, body

    unknown_errors, _ = refusal(unknown_reference)
    for reference in (hidden.reference, erased.reference):
        errors, body = refusal(reference)
        assert errors == unknown_errors                             # the same answer as for nobody
        assert hidden.family_name not in body and "SHELTER-W" not in body
    assert db.session.execute(select(func.count()).select_from(HouseholdLink)).scalar_one() == 0


def test_the_same_person_or_a_second_link_by_the_same_structure_is_refused(db_session):
    kem = make_user("caseworker", structures=("KEM",))
    a, b = make_beneficiary("KEM", actor=kem), make_beneficiary("KEM", actor=kem)
    kem_id = structure("KEM").id
    with pytest.raises(DomainError) as same:
        service.link(a, a, "sibling", structure_id=kem_id, actor=kem)
    assert "same person" in english(same.value.message)
    service.link(a, b, "sibling", structure_id=kem_id, actor=kem)
    with pytest.raises(DomainError) as again:
        service.link(b, a, "partner", structure_id=kem_id, actor=kem)
    assert "already linked" in english(again.value.message) and again.value.field == "reference"


def test_a_link_recorded_at_the_womens_shelter_stays_inside_it(db_session):
    """KEM follows both people too, yet the shelter's record of them as a family is not KEM's to see;
    KEM may record its own link, which the shelter's record does not reveal."""
    shelter_staff = make_user("caseworker", structures=("SHELTER-W",))
    mother = make_beneficiary("SHELTER-W", actor=shelter_staff)
    daughter = make_beneficiary("SHELTER-W", actor=shelter_staff)
    service.link(mother, daughter, "child", structure_id=structure("SHELTER-W").id, actor=shelter_staff)
    kem = make_user("caseworker", structures=("KEM",))
    for person in (mother, daughter):
        casefile_service.open_case_file(person, structure("KEM"), actor=kem)
    assert queries.household_of(kem, mother.id) == []
    assert [p.id for _l, p in queries.household_of(shelter_staff, mother.id)] == [daughter.id]
    service.link(mother, daughter, "child", structure_id=structure("KEM").id, actor=kem)  # not "already linked"
    [(link, _p)] = queries.household_of(kem, mother.id)
    assert link.structure_id == structure("KEM").id
    [(link, _p)] = queries.household_of(shelter_staff, mother.id)
    assert link.structure_id == structure("SHELTER-W").id


def test_a_link_is_seen_only_when_both_people_are(db_session):
    kem = make_user("caseworker", structures=("KEM", "DIS-PROG"))
    a = make_beneficiary("KEM", actor=kem)
    b = make_beneficiary("DIS-PROG", actor=kem)
    service.link(a, b, "sibling", structure_id=structure("KEM").id, actor=kem)
    only_kem = make_user("caseworker", structures=("KEM",))
    assert queries.household_of(only_kem, a.id) == []
    assert len(queries.household_of(kem, a.id)) == 1


def test_the_recording_structure_removes_a_link_others_cannot(client, login):
    kem = login(make_user("caseworker", structures=("KEM",)))
    a, b = make_beneficiary("KEM", actor=kem), make_beneficiary("KEM", actor=kem)
    link = service.link(a, b, "other", structure_id=structure("KEM").id, actor=kem)
    db.session.commit()
    url = f"/households/cases/{case_file_of(a).id}/links/{link.id}/remove"
    assert client.post(url, data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert db.session.execute(select(func.count()).select_from(HouseholdLink)).scalar_one() == 0
    assert db.session.execute(select(AuditEvent.action).where(AuditEvent.action == "households.unlink")).scalar_one()
    other_link = service.link(a, b, "other", structure_id=structure("KEM").id, actor=kem)
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    # A structure that does not see the people: 404, audited as denied, the link stays.
    outsider = login(make_user("caseworker", structures=("DIS-PROG",)))
    url = f"/households/cases/{case_file_of(a).id}/links/{other_link.id}/remove"
    assert client.post(url, data={"csrf_token": csrf_token(client, "/")}).status_code == 404
    denied = db.session.execute(select(AuditEvent.object_type).where(
        AuditEvent.outcome == "denied", AuditEvent.user_id == outsider.id)).scalars().all()
    assert denied == ["case_file"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    # A structure that sees both people (files there too) but did not record the link: refused, link kept.
    dis = login(make_user("caseworker", structures=("DIS-PROG",)))
    for person in (a, b):
        casefile_service.open_case_file(person, structure("DIS-PROG"), actor=dis)
    db.session.commit()
    url = f"/households/cases/{case_file_of(a, 'DIS-PROG').id}/links/{other_link.id}/remove"
    response = client.post(url, data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert db.session.execute(select(func.count()).select_from(HouseholdLink)).scalar_one() == 1
    with pytest.raises(DomainError):
        service.unlink(other_link, actor=dis)

    # A link id shown with a case file of someone outside the link: 404, audited.
    c = make_beneficiary("KEM", actor=kem)
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(kem)
    url = f"/households/cases/{case_file_of(c).id}/links/{other_link.id}/remove"
    assert client.post(url, data={"csrf_token": csrf_token(client, "/")}).status_code == 404
    assert db.session.execute(select(AuditEvent.object_id).where(
        AuditEvent.outcome == "denied", AuditEvent.user_id == kem.id)).scalars().all() == [str(other_link.id)]
    assert db.session.execute(select(func.count()).select_from(HouseholdLink)).scalar_one() == 1


def test_household_members_shown_are_exactly_the_visible_people(db_session):
    """`household_of` filters the relatives with the one scoping query (`visible_beneficiaries`)."""
    from caseapp.beneficiaries import erasure
    from caseapp.beneficiaries.queries import visible_beneficiaries
    from caseapp.beneficiaries.models import Beneficiary

    kem = make_user("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=kem)
    kem_id = structure("KEM").id
    relatives = [make_beneficiary(code, actor=make_user("caseworker", structures=(code,)))
                 for code in ("KEM", "KEM", "DIS-PROG", "CLINICS")]
    casefile_service.open_case_file(relatives[2], structure("KEM"), actor=kem)
    for relative in relatives:   # as recorded when both were followed at KEM (rows, not the service's check)
        db.session.add(HouseholdLink(person_id=person.id, relative_id=relative.id, relation="sibling",
                                     structure_id=kem_id, created_by_id=kem.id))
    erasure.erase_beneficiary(relatives[1])
    db.session.flush()
    viewers = [kem, make_user("caseworker", structures=("DIS-PROG",)), make_user("supervisor", structures=("KEM", "CLINICS")),
               make_user("admin")]
    for viewer in viewers:
        visible = set(db.session.execute(visible_beneficiaries(viewer).with_only_columns(Beneficiary.id)).scalars())
        shown = {p.id for _l, p in queries.household_of(viewer, person.id)}
        assert shown == {r.id for r in relatives} & visible, viewer.role
    assert {p.id for _l, p in queries.household_of(kem, person.id)} == {relatives[0].id, relatives[2].id}


def test_the_household_panel_takes_the_same_number_of_queries_for_1_or_8_members(client, login, count_queries):
    kem = login(make_user("caseworker", structures=("KEM",)))
    person = make_beneficiary("KEM", actor=kem)
    kem_id = structure("KEM").id

    def add(n):
        for _ in range(n):
            service.link(person, make_beneficiary("KEM", actor=kem), "sibling", structure_id=kem_id, actor=kem)
        db.session.commit()

    add(1)
    urls = [f"/cases/{case_file_of(person).id}", f"/beneficiaries/{person.id}"]

    def measure():
        client.get("/")
        result = {}
        for url in urls:
            client.get(url)
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            result[url] = counted.n
        return result

    small = measure()
    add(7)
    assert measure() == small


def test_a_link_saved_by_someone_else_at_the_same_moment_is_refused_with_a_message(db_session):
    """What the second of two simultaneous links meets: the pair was written after its check. The
    database's unique key refuses it; the caseworker is told, and the transaction stays usable."""
    from caseapp.domain import add_or_refuse
    from caseapp.models_base import utcnow
    import uuid

    staff = make_user("caseworker", structures=("KEM",))
    first, second = (make_beneficiary("KEM", actor=staff) for _ in range(2))
    service.link(first, second, "sibling", structure_id=structure("KEM").id, actor=staff)
    person_id, relative_id = sorted((first.id, second.id), key=str)
    twin = HouseholdLink(id=uuid.uuid4(), person_id=person_id, relative_id=relative_id, relation="sibling",
                         structure_id=structure("KEM").id, created_at=utcnow(), created_by_id=staff.id)
    with pytest.raises(service.HouseholdError) as refused:
        add_or_refuse(twin, service.HouseholdError(english("These two people are already linked."), "reference"))
    assert refused.value.field == "reference"
    assert db.session.execute(select(func.count()).select_from(HouseholdLink)).scalar_one() == 1  # still usable
