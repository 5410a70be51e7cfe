"""Erasing a person deletes their household links, on every side and at every structure."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from caseapp.beneficiaries.erasure import erase_beneficiary
from caseapp.extensions import db
from caseapp.households import queries, service
from caseapp.households.models import HouseholdLink
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def _links_of(person_id) -> int:
    return db.session.execute(select(func.count()).select_from(HouseholdLink).where(
        or_(HouseholdLink.person_id == person_id, HouseholdLink.relative_id == person_id))).scalar_one()


def test_erasing_a_mother_deletes_her_links_to_her_children_and_partner_and_keeps_theirs(client, login):
    kem = login(make_user("caseworker", structures=("KEM",)))
    mother, son, daughter, partner = (make_beneficiary("KEM", actor=kem) for _ in range(4))
    kem_id = structure("KEM").id
    service.link(son, mother, "parent", structure_id=kem_id, actor=kem)
    service.link(daughter, mother, "parent", structure_id=kem_id, actor=kem)
    service.link(mother, partner, "partner", structure_id=kem_id, actor=kem)
    service.link(son, daughter, "sibling", structure_id=kem_id, actor=kem)
    db.session.commit()
    assert _links_of(mother.id) == 3

    erase_beneficiary(mother, actor=kem)
    db.session.commit()

    assert _links_of(mother.id) == 0
    assert [other.id for _link, other in queries.household_of(kem, son.id)] == [daughter.id]
    assert queries.household_of(kem, partner.id) == []
    page = client.get(f"/cases/{case_file_of(partner).id}")
    assert page.status_code == 200 and mother.reference not in page.get_data(as_text=True)


def test_erasing_a_person_with_no_household_still_erases(db_session):
    kem = make_user("caseworker", structures=("KEM",))
    alone = make_beneficiary("KEM", actor=kem)
    db.session.flush()
    erase_beneficiary(alone, actor=kem)
    assert alone.is_erased and _links_of(alone.id) == 0
