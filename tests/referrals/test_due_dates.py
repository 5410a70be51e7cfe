"""Due dates in working days: weekends, Greek public holidays (Orthodox Easter, 15 August), overrides."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.referrals import workdays
from caseapp.referrals.models import WorkingDayOverride
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import make_user


def test_a_day_later_skips_the_weekend(db_session):
    assert workdays.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)   # Friday -> Monday


def test_orthodox_easter_is_skipped_good_friday_to_easter_monday(db_session):
    # Orthodox Easter 2025: 20 April (Good Friday 18 April, Easter Monday 21 April).
    assert workdays.add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)
    # 2026: Easter 12 April (Good Friday 10, Easter Monday 13); 3 working days from Thursday 9 April.
    assert workdays.add_working_days(date(2026, 4, 9), 3) == date(2026, 4, 16)


def test_the_fifteenth_of_august_is_a_holiday(db_session):
    # 15 August 2025 is a Friday.
    assert workdays.add_working_days(date(2025, 8, 14), 1) == date(2025, 8, 18)
    assert not workdays.is_working_day(date(2025, 8, 15))


def test_urgency_sets_the_number_of_working_days_from_configuration(app, db_session):
    assert workdays.due_date(date(2025, 3, 3), "routine") == date(2025, 3, 17)   # 10 working days (Mon)
    assert workdays.due_date(date(2025, 3, 3), "urgent") == date(2025, 3, 6)
    assert workdays.due_date(date(2025, 3, 3), "emergency") == date(2025, 3, 4)
    original = app.config["REFERRAL_DUE_WORKING_DAYS"]
    app.config["REFERRAL_DUE_WORKING_DAYS"] = {**original, "urgent": 2}
    try:
        assert workdays.due_date(date(2025, 3, 3), "urgent") == date(2025, 3, 5)
    finally:
        app.config["REFERRAL_DUE_WORKING_DAYS"] = original


def test_an_override_adds_a_day_off_or_a_working_day(db_session):
    db.session.add(WorkingDayOverride(day=date(2025, 3, 10), working=False, note="Moved holiday"))
    db.session.add(WorkingDayOverride(day=date(2025, 4, 21), working=True, note="Working Easter Monday"))
    db.session.flush()
    assert workdays.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 11)
    assert workdays.add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 21)


def test_a_sent_referral_gets_its_due_date_in_working_days(db_session):
    from caseapp.dates import local_today
    from tests.referrals.factories import make_referral

    referral = make_referral(urgency="urgent")
    assert referral.sent_on == local_today()
    assert referral.due_on == workdays.add_working_days(local_today(), 3)


def test_an_admin_adds_and_removes_a_one_off_change_and_both_are_audited(client, login, db_session):
    admin = login(make_user("admin"))
    page = client.get("/referrals/calendar")
    assert page.status_code == 200
    response = client.post("/referrals/calendar", data={
        "csrf_token": csrf_token(client, "/referrals/calendar"), "day": "2099-03-10", "working": "off",
        "note": "Ministerial decision 123/2099"})
    assert response.status_code == 302
    override = db.session.execute(select(WorkingDayOverride)).scalar_one()
    assert override.day == date(2099, 3, 10) and override.working is False
    assert "Ministerial decision 123/2099" in client.get("/referrals/calendar").get_data(as_text=True)
    again = client.post("/referrals/calendar", data={
        "csrf_token": csrf_token(client, "/referrals/calendar"), "day": "2099-03-10", "working": "working",
        "note": "Again"})
    assert again.status_code == 400 and "Again" in again.get_data(as_text=True)
    client.post(f"/referrals/calendar/{override.id}/remove",
                data={"csrf_token": csrf_token(client, "/referrals/calendar")})
    assert db.session.execute(select(WorkingDayOverride)).first() is None
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.user_id == admin.id)).scalars().all()
    assert "referrals.calendar_add" in actions and "referrals.calendar_remove" in actions


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "coordinator"])
def test_only_admins_change_the_calendar(client, login, db_session, role):
    login(make_user(role))
    assert client.get("/referrals/calendar").status_code == 403
