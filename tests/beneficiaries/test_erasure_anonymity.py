"""After erasure no kept row singles a person out, and the monthly counts do not move."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timezone

from flask_migrate import upgrade
from sqlalchemy import select, text, update

from caseapp.beneficiaries import stats
from caseapp.beneficiaries.erasure import erase_beneficiary
from caseapp.beneficiaries.models import Beneficiary, ErasedMonthlyCount
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles.models import CaseFilePeriod
from caseapp.extensions import db
from tests.beneficiaries.conftest import database_before_hardening
from tests.factories import case_file_of, make_beneficiary, make_user, structure
from tests.test_migrations import empty_database  # noqa: F401  (fixture)

# What someone reading the erased rows of one structure could combine to single a person out.
QUASI_IDENTIFIERS = ("registered_structure_id", "sex", "birth_year", "nationality", "legal_status",
                     "languages", "vulnerabilities")
MONTHS = [(2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3)]


def _history(person, registered: datetime, opened: date, closed: date | None, code: str = "SHELTER-W"):
    if closed is not None:
        casefile_service.close_case_file(case_file_of(person, code), "goals_met", actor=None, system=False)
    db.session.execute(update(Beneficiary).where(Beneficiary.id == person.id).values(created_at=registered))
    db.session.execute(update(CaseFilePeriod).where(CaseFilePeriod.case_file_id == case_file_of(person, code).id)
                       .values(opened_on=opened, closed_on=closed))
    db.session.expire(person)


def _small_shelter(actor):
    """Five women and children of a small shelter, each different on every coded field."""
    people = [
        make_beneficiary("SHELTER-W", actor=actor, sex="female", birth_year=1990, nationality="SY",
                         legal_status="asylum_seeker", language_codes=["ar"], vulnerability_codes=["single_parent"]),
        make_beneficiary("SHELTER-W", actor=actor, sex="female", birth_year=2001, nationality="AF",
                         legal_status="refugee", language_codes=["fa"]),
        make_beneficiary("SHELTER-W", actor=actor, sex="male", birth_year=2016, nationality="ER",
                         legal_status="asylum_seeker", language_codes=["ti"]),
        make_beneficiary("SHELTER-W", actor=actor, sex="female", birth_year=1958, nationality="GR",
                         legal_status="citizen", language_codes=["el"]),
        make_beneficiary("SHELTER-W", actor=actor, sex="female", birth_year=2008, nationality="UA",
                         legal_status="refugee", language_codes=["uk"]),
    ]
    histories = [
        (datetime(2025, 11, 3, 9, tzinfo=timezone.utc), date(2025, 11, 3), None),
        (datetime(2025, 12, 31, 22, 30, tzinfo=timezone.utc), date(2026, 1, 1), date(2026, 2, 14)),  # 1 Jan in Athens
        (datetime(2026, 1, 10, tzinfo=timezone.utc), date(2026, 1, 10), None),
        (datetime(2026, 2, 1, tzinfo=timezone.utc), date(2026, 2, 1), date(2026, 2, 2)),
        (datetime(2025, 12, 5, tzinfo=timezone.utc), date(2025, 12, 5), None),  # 17 in 2025, 18 in 2026
    ]
    for person, history in zip(people, histories):
        _history(person, *history)
    return people


def _counts(structure_id):
    result = {}
    for year, month in MONTHS:
        entry = stats.monthly_counts(year, month, [structure_id]).get(structure_id)
        result[(year, month)] = (entry.new_registrations.cells, entry.active_people.cells) if entry else None
    return result


def _quasi_identifier_classes(structure_id) -> Counter:
    table = Beneficiary.__table__
    rows = db.session.execute(
        select(*(table.c[name] for name in QUASI_IDENTIFIERS))
        .where(table.c.erased_at.is_not(None), table.c.registered_structure_id == structure_id)
    ).all()
    return Counter(tuple(row) for row in rows)


def test_erased_people_of_a_small_shelter_share_one_combination_and_counts_stay(db_session):
    actor = make_user("caseworker", structures=("SHELTER-W",))
    shelter = structure("SHELTER-W").id
    people = _small_shelter(actor)
    before = _counts(shelter)
    assert before[(2026, 1)][1] == {("female", "35-49"): 1, ("female", "25-34"): 1, ("female", "18-24"): 1,
                                    ("male", "0-17"): 1}

    for person in people[:3]:
        erase_beneficiary(person, actor=actor)
    classes = _quasi_identifier_classes(shelter)
    assert sum(classes.values()) == 3
    assert min(classes.values()) >= 2, classes  # k-anonymity, k >= 2: here all erased rows are alike
    assert _counts(shelter) == before

    for person in people[3:]:
        erase_beneficiary(person, actor=actor)
    assert list(_quasi_identifier_classes(shelter).values()) == [5]
    assert _counts(shelter) == before


def test_erased_contributions_are_frozen_per_structure_month_and_band(db_session):
    actor = make_user("caseworker", structures=("SHELTER-W",))
    teenager = _small_shelter(actor)[4]  # registered December 2025, active since
    erase_beneficiary(teenager, actor=actor)
    frozen = {(c.month, c.measure, c.sex, c.age_band): c.people for c in db.session.execute(
        select(ErasedMonthlyCount).where(ErasedMonthlyCount.structure_id == structure("SHELTER-W").id)).scalars()}
    assert frozen[(date(2025, 12, 1), "registered", "female", "0-17")] == 1
    assert frozen[(date(2025, 12, 1), "active", "female", "0-17")] == 1
    assert frozen[(date(2026, 1, 1), "active", "female", "18-24")] == 1  # the band of the counted year


def test_people_erased_before_the_migration_are_frozen_and_cleared(empty_database):  # noqa: F811
    with database_before_hardening(empty_database) as uid:
        kem = db.session.execute(text("SELECT id FROM structures WHERE code = 'KEM'")).scalar_one()
        person, key, case_file = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        registered = datetime(2026, 1, 20, 10, tzinfo=timezone.utc)
        db.session.execute(text("INSERT INTO data_keys (id, root_key_id, created_at, destroyed_at) "
                                "VALUES (:id, 'r', :t, :t)"), {"id": uid(key), "t": registered})
        db.session.execute(text(
            "INSERT INTO beneficiaries (id, reference, data_key_id, registered_structure_id, created_at, erased_at, "
            "version, sex, birth_year, nationality, languages, legal_status, vulnerabilities) VALUES "
            "(:id, 'B-2026-000001', :key, :s, :t, :t, 1, 'female', 1990, 'SY', '', 'refugee', '')"),
            {"id": uid(person), "key": uid(key), "s": kem, "t": registered})
        db.session.execute(text(
            "INSERT INTO case_files (id, beneficiary_id, structure_id, status, opened_at, closed_at, "
            "close_reason, version) VALUES (:id, :b, :s, 'closed', :t, :t, 'erased', 1)"),
            {"id": uid(case_file), "b": uid(person), "s": kem, "t": registered})
        db.session.execute(text("INSERT INTO case_file_periods (case_file_id, opened_on, closed_on) "
                                "VALUES (:cf, '2026-01-20', '2026-02-03')"), {"cf": uid(case_file)})
        db.session.commit()

        upgrade()
        row = db.session.execute(text("SELECT sex, birth_year, nationality, legal_status FROM beneficiaries")).one()
        assert tuple(row) == ("unknown", None, None, "unknown")
        january, february = stats.monthly_counts(2026, 1)[kem], stats.monthly_counts(2026, 2)[kem]
        assert january.new_registrations.cells == {("female", "35-49"): 1}
        assert january.active_people.cells == {("female", "35-49"): 1}
        assert february.active_people.cells == {("female", "35-49"): 1}
        assert not february.new_registrations.cells
