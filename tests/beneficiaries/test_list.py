"""The beneficiary list: keyset pagination, a fixed number of queries whatever the data size."""
import re
import uuid
from datetime import timedelta

from caseapp.casefiles.models import CaseFile, CaseFilePeriod
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.key_models import DataKey
from tests.factories import structure

_serial = iter(range(1, 10**6))


def bulk_beneficiaries(count: int, structure_code: str, actor, *, same_time: bool = False) -> list[Beneficiary]:
    """Many encrypted beneficiaries with an open case file each, in one flush."""
    where = structure(structure_code)
    now = utcnow()
    people = []
    for i in range(count):
        created = now if same_time else now - timedelta(seconds=next(_serial))
        person = Beneficiary(id=uuid.uuid4(), reference=f"B-1990-{next(_serial):06d}", data_key=DataKey.create(),
                             registered_structure_id=where.id, registered_by_id=actor.id, created_at=created,
                             sex="female", legal_status="refugee", birth_year=1980 + i % 30)
        person.family_name = f"Bulkname{i:04d}"
        person.given_name = "Given"
        case_file = CaseFile(id=uuid.uuid4(), beneficiary=person, structure_id=where.id, status="open",
                             opened_at=created, assigned_to_id=actor.id)
        case_file.periods.append(CaseFilePeriod(opened_on=created.date()))
        db.session.add_all([person, case_file])
        people.append(person)
    db.session.commit()
    return people


def references(body: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/beneficiaries/[0-9a-f-]+">(B-[0-9-]+)</a>', body)


def test_list_pages_issue_the_same_number_of_queries_with_10_and_1000_beneficiaries(client, login_as, count_queries):
    user = login_as("caseworker", structures=("KEM",))
    bulk_beneficiaries(10, "KEM", user)
    client.get("/beneficiaries/")
    with count_queries() as small:
        small_page = client.get("/beneficiaries/").get_data(as_text=True)
    bulk_beneficiaries(990, "KEM", user)
    with count_queries() as large:
        large_page = client.get("/beneficiaries/").get_data(as_text=True)
    assert len(references(small_page)) == 10 and len(references(large_page)) == 50
    cursor = re.search(r"after=([0-9a-f-]+)", large_page).group(1)
    with count_queries() as deep:
        client.get(f"/beneficiaries/?after={cursor}")
    assert small.n == large.n == deep.n, (small.n, large.n, deep.n)


def test_walking_the_pages_shows_everyone_once_even_with_equal_timestamps(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    people = bulk_beneficiaries(60, "KEM", user, same_time=True) + bulk_beneficiaries(57, "KEM", user)
    bulk_beneficiaries(5, "KYADA", user)
    seen, url = [], "/beneficiaries/"
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += references(body)
        match = re.search(r'href="(/beneficiaries/\?after=[0-9a-f-]+)"', body)
        url = match.group(1) if match else None
    assert len(seen) == len(set(seen)) == len(people)
    assert set(seen) == {p.reference for p in people}


def test_a_cursor_from_another_structure_reveals_nothing(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    bulk_beneficiaries(3, "KEM", user)
    [hidden] = bulk_beneficiaries(1, "SHELTER-W", user)
    body = client.get(f"/beneficiaries/?after={hidden.id}").get_data(as_text=True)
    assert references(body) == []
    assert client.get("/beneficiaries/?after=not-a-uuid").status_code == 404
