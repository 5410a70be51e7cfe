"""Monthly counts per structure: SQL aggregates over what erasure keeps."""
from datetime import date, datetime, timezone

from sqlalchemy import update

from caseapp.beneficiaries import stats
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles.models import CaseFilePeriod
from caseapp.beneficiaries.erasure import erase_beneficiary
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def _registered_on(person, moment: datetime) -> None:
    db.session.execute(update(Beneficiary).where(Beneficiary.id == person.id).values(created_at=moment))


def _period(person, opened_on: date, closed_on: date | None, code: str = "KEM") -> None:
    db.session.execute(update(CaseFilePeriod).where(CaseFilePeriod.case_file_id == case_file_of(person, code).id)
                       .values(opened_on=opened_on, closed_on=closed_on))


def test_new_registrations_by_sex_and_age_band_in_local_months(db_session):
    actor = make_user("caseworker", structures=("KEM",))
    woman = make_beneficiary(actor=actor, sex="female", birth_year=1990)
    boy = make_beneficiary(actor=actor, sex="male", birth_year=2012)
    unknown = make_beneficiary(actor=actor, sex="unknown")
    _registered_on(woman, datetime(2026, 2, 10, 9, tzinfo=timezone.utc))
    _registered_on(boy, datetime(2026, 2, 28, 22, 30, tzinfo=timezone.utc))  # 1 March, 00:30 in Athens
    _registered_on(unknown, datetime(2026, 2, 1, 12, tzinfo=timezone.utc))
    kem = structure("KEM").id
    february = stats.monthly_counts(2026, 2)[kem].new_registrations
    assert february.total == 2
    assert february.by_sex == {"female": 1, "unknown": 1}
    assert february.by_age_band == {"35-49": 1, "unknown": 1}
    march = stats.monthly_counts(2026, 3)[kem].new_registrations
    assert march.cells == {("male", "0-17"): 1}


def test_active_people_count_each_person_once_and_respect_closed_gaps(db_session):
    actor = make_user("caseworker", structures=("KEM", "DIS-PROG"))
    steady = make_beneficiary(actor=actor, sex="female", birth_year=1960)
    gap = make_beneficiary(actor=actor, sex="male", birth_year=2000)
    casefile_service.open_case_file(steady, structure("DIS-PROG"), actor=actor)
    _period(steady, date(2025, 12, 1), None)
    _period(steady, date(2026, 1, 31), date(2026, 3, 1), "DIS-PROG")
    case_file = case_file_of(gap)
    _period(gap, date(2026, 1, 5), date(2026, 1, 20))
    db.session.add(CaseFilePeriod(case_file_id=case_file.id, opened_on=date(2026, 4, 2), closed_on=None))
    db.session.flush()
    kem, dis = structure("KEM").id, structure("DIS-PROG").id

    def active(year, month):
        return {sid: m.active_people.total for sid, m in stats.monthly_counts(year, month).items()
                if m.active_people.total}

    assert active(2026, 1) == {kem: 2, dis: 1}
    assert active(2026, 2) == {kem: 1, dis: 1}
    assert active(2026, 3) == {kem: 1, dis: 1}
    assert active(2026, 4) == {kem: 2}
    assert stats.monthly_counts(2026, 1)[kem].active_people.by_age_band == {"65+": 1, "25-34": 1}


def test_erasure_leaves_past_and_current_months_unchanged(db_session):
    actor = make_user("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=actor, sex="female", birth_year=1985)
    _registered_on(person, datetime(2026, 1, 15, tzinfo=timezone.utc))
    _period(person, date(2026, 1, 15), None)
    months = [(2026, 1), (2026, 2)]
    before = [stats.monthly_counts(*m) for m in months]
    erase_beneficiary(person, actor=actor)
    assert [stats.monthly_counts(*m) for m in months] == before


def test_age_bands():
    assert [stats.age_band(y, 2026) for y in (2026, 2009, 2008, 2002, 1992, 1977, 1962, 1961, None, 2030)] == \
        ["0-17", "0-17", "18-24", "18-24", "25-34", "35-49", "50-64", "65+", "unknown", "unknown"]
