"""Monthly case-file counts: periods, not files, so reopenings and gaps count as they happened,
with the months' first and last days on the right side (Europe/Athens dates)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from caseapp.casefiles import stats
from caseapp.casefiles.models import CaseFilePeriod
from caseapp.extensions import db
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def _periods(case_file, *spans) -> None:
    """Replace the file's periods by `spans`: (opened_on, closed_on or None)."""
    db.session.execute(delete(CaseFilePeriod).where(CaseFilePeriod.case_file_id == case_file.id))
    for opened_on, closed_on in spans:
        db.session.add(CaseFilePeriod(case_file_id=case_file.id, opened_on=opened_on, closed_on=closed_on))
    db.session.flush()


def _kem(year, month, **kwargs):
    return stats.monthly_counts(year, month, structure_ids=[structure("KEM").id], **kwargs).get(structure("KEM").id)


def test_a_reopening_counts_as_an_opening_and_the_gap_is_not_active(db_session):
    actor = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=actor))
    _periods(case_file, (date(2026, 1, 10), date(2026, 2, 3)), (date(2026, 5, 4), None))
    january, february, march, may = (_kem(2026, m) for m in (1, 2, 3, 5))
    assert (january.opened, january.closed, january.active) == (1, 0, 1)
    assert (february.opened, february.closed, february.active) == (0, 1, 1)
    assert march is None or march.active == 0          # closed all of March
    assert (may.opened, may.closed, may.active) == (1, 0, 1)


def test_the_first_and_last_day_of_a_month_belong_to_it(db_session):
    actor = make_user("caseworker", structures=("KEM",))
    first, last = (case_file_of(make_beneficiary("KEM", actor=actor)) for _ in range(2))
    _periods(first, (date(2026, 3, 1), date(2026, 3, 1)))      # opened and closed on the 1st
    _periods(last, (date(2026, 3, 31), None))                   # opened on the 31st
    march, february, april = _kem(2026, 3), _kem(2026, 2), _kem(2026, 4)
    assert (march.opened, march.closed, march.active) == (2, 1, 2)
    assert february is None
    assert (april.opened, april.active) == (0, 1)


def test_a_file_open_in_two_periods_of_one_month_is_one_active_file(db_session):
    actor = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=actor))
    _periods(case_file, (date(2026, 6, 1), date(2026, 6, 10)), (date(2026, 6, 20), None))
    june = _kem(2026, 6)
    assert (june.opened, june.closed, june.active) == (2, 1, 1)


def test_the_caseload_is_by_assignee_and_narrows_to_one_caseworker(db_session):
    from caseapp.casefiles import service as casefile_service

    supervisor = make_user("supervisor", structures=("KEM",))
    mine, theirs = make_user("caseworker", structures=("KEM",)), make_user("caseworker", structures=("KEM",))
    files = [case_file_of(make_beneficiary("KEM", actor=supervisor)) for _ in range(3)]
    for case_file, assignee in zip(files, (mine, mine, theirs)):
        casefile_service.reassign_case_file(case_file, assignee, actor=supervisor)
        _periods(case_file, (date(2026, 7, 2), None))
    july = _kem(2026, 7)
    assert july.caseload.get(mine.id) == 2 and july.caseload.get(theirs.id) == 1 and july.active == 3
    own = _kem(2026, 7, assignee_id=mine.id)
    assert own.caseload == {mine.id: 2} and own.opened == 2
