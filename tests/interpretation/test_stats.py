"""Monthly interpretation counts, in SQL, checked against a brute-force count of the same rows."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from caseapp.extensions import db
from caseapp.interpretation import stats
from caseapp.interpretation.calendar import local, to_utc
from caseapp.interpretation.models import InterpretationRequest
from tests.factories import case_file_of, make_beneficiary, make_user

MODES = ("in_person", "phone", "video")
STATUSES = ("requested", "assigned", "confirmed", "completed", "no_show", "cancelled")


def seed(n: int, rng: random.Random):
    """Requests written straight into the table (the counts do not care how they got there),
    around the turn of March/April 2026 in Athens time (the clocks change on 29 March)."""
    actor = make_user("supervisor", structures=("DIS-PROG", "KEM"))
    files = [case_file_of(make_beneficiary(code, actor=actor), code) for code in ("DIS-PROG", "KEM")]
    from caseapp.interpretation.service import save_interpreter

    def interpreter():
        return save_interpreter(None, {"name": "Stats", "gender": "female", "language_codes": ["ar"],
                                       "active": True, "user": None}, actor=actor)

    closed_by = interpreter()
    for i in range(n):
        case_file = rng.choice(files)
        day = date(2026, 3, 25) + timedelta(days=rng.randrange(12))
        starts = to_utc(day, time(rng.choice((0, 1, 9, 23)), rng.choice((0, 30))))
        status = rng.choice(STATUSES)
        booked = status in ("assigned", "confirmed", "completed", "no_show")
        db.session.add(InterpretationRequest(
            beneficiary_id=case_file.beneficiary_id, case_file_id=case_file.id, structure_id=case_file.structure_id,
            caseworker_id=actor.id, status=status, language=rng.choice(("ar", "fa", "fr")), mode=rng.choice(MODES),
            purpose=rng.choice(("clinic", "asylum_service")), escort=rng.random() < 0.3, starts_at=starts,
            duration_minutes=60, busy_from=starts, busy_until=starts + timedelta(minutes=60),
            # Active bookings each get an interpreter of their own: no overlap to refuse.
            interpreter_id=(interpreter().id if status in ("assigned", "confirmed") else closed_by.id) if booked else None,
            delivered_minutes=rng.choice((30, 90, 120)) if status == "completed" else None))
    db.session.flush()


def brute_force(year: int, month: int) -> dict:
    rows = db.session.execute(select(InterpretationRequest)).scalars().all()
    result = {}
    for r in rows:
        start = local(r.starts_at)
        if (start.year, start.month) != (year, month):
            continue
        e = result.setdefault(r.structure_id, {"requests": 0, "language": Counter(), "mode": Counter(),
                                               "status": Counter(), "purpose": Counter(), "escorts": 0, "minutes": 0})
        e["requests"] += 1
        e["language"][r.language] += 1
        e["mode"][r.mode] += 1
        e["status"][r.status] += 1
        e["purpose"][r.purpose] += 1
        e["escorts"] += r.escort
        e["minutes"] += (r.delivered_minutes or 0) if r.status == "completed" else 0
    return result


def test_monthly_counts_match_a_brute_force_count(db_session):
    seed(80, random.Random(20260329))
    for year, month in ((2026, 3), (2026, 4), (2026, 5)):
        counted = stats.monthly_counts(year, month)
        expected = brute_force(year, month)
        assert set(counted) == set(expected)
        for structure_id, e in expected.items():
            got = counted[structure_id]
            assert (got.requests, got.by_language, got.by_mode, got.by_status, got.by_purpose, got.escorts,
                    got.delivered_minutes) == (e["requests"], dict(e["language"]), dict(e["mode"]),
                                               dict(e["status"]), dict(e["purpose"]), e["escorts"], e["minutes"])
            held = e["status"]["completed"] + e["status"]["no_show"]
            assert got.no_show_rate == (e["status"]["no_show"] / held if held else None)
            assert got.hours == e["minutes"] / 60
    total = stats.city_totals(stats.monthly_counts(2026, 3))
    assert total.requests == sum(e["requests"] for e in brute_force(2026, 3).values())


def test_the_month_is_the_athens_month_of_the_appointment(db_session):
    _one(datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc))  # 01:30 on 1 April in Athens
    assert stats.monthly_counts(2026, 3) == {}
    april = stats.monthly_counts(2026, 4)
    assert sum(m.requests for m in april.values()) == 1


def _one(starts):
    actor = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=actor), "KEM")
    db.session.add(InterpretationRequest(
        beneficiary_id=case_file.beneficiary_id, case_file_id=case_file.id, structure_id=case_file.structure_id,
        caseworker_id=actor.id, status="requested", language="ar", mode="phone", purpose="clinic", escort=False,
        starts_at=starts, duration_minutes=30, busy_from=starts, busy_until=starts + timedelta(minutes=30)))
    db.session.flush()


def test_counts_take_five_queries_whatever_the_number_of_requests(db_session, count_queries):
    seed(5, random.Random(2))
    with count_queries() as small:
        stats.monthly_counts(2026, 3)
    seed(40, random.Random(3))
    with count_queries() as large:
        stats.monthly_counts(2026, 3, structure_ids=[1, 2, 3])
    assert small.n == large.n == 5
