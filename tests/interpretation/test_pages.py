"""Calendars, day sheet, lists and the interpreter's page: right content, fixed number of queries."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from caseapp.extensions import db
from caseapp.interpretation import calendar, service
from tests.factories import make_user
from tests.interpretation.factories import in_days, make_interpreter, make_request, supervisor_of


def week_of(instant) -> str:
    return calendar.local(instant).date().isoformat()


@pytest.fixture
def staff(db_session):
    return {"supervisor": supervisor_of("DIS-PROG"), "login": make_user("interpreter")}


def book(n: int, staff, interpreter=None, day_offset=3, start=0):
    """`n` requests two hours apart (six a day from `day_offset` days ahead), booked with
    `interpreter` or each with their own."""
    made = []
    for i in range(start, start + n):
        booking = make_request(actor=staff["supervisor"], starts_at=in_days(day_offset + i // 6, 8 + (i % 6) * 2))
        service.assign(booking, interpreter or make_interpreter(("ar",)), actor=staff["supervisor"])
        made.append(booking)
    db.session.commit()
    return made


def queries_for(client, count_queries, url) -> int:
    """Statements of the second GET of `url` (the first one after a commit also opens the test's
    SAVEPOINT, which is the harness's work, not the page's)."""
    client.get(url)
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200, url
    return counted.n


def test_staff_pages_take_the_same_number_of_queries_for_2_or_12_requests(client, login, count_queries, staff):
    login(staff["supervisor"])
    make_interpreter(("ar",))  # free: the request page has suggestions at both sizes
    shared = make_interpreter(("ar",))
    first = book(2, staff, interpreter=shared)
    client.get("/")  # the first request after a commit opens the test's savepoint: not the page's work
    week = week_of(first[0].starts_at)
    urls = ["/interpretation/?list=booked", f"/interpretation/calendar?week={week}", f"/interpretation/day?day={week}",
            f"/interpretation/requests/{first[0].id}", "/interpretation/interpreters/",
            f"/interpretation/calendar/interpreters/{shared.id}?week={week}"]
    small = {url: queries_for(client, count_queries, url) for url in urls}
    book(10, staff, interpreter=shared, start=2)
    book(3, staff)
    client.get("/")
    large = {url: queries_for(client, count_queries, url) for url in urls}
    assert small == large


def test_the_interpreters_pages_take_the_same_number_of_queries_whatever_they_hold(client, login, count_queries, staff):
    interpreter = make_interpreter(("ar",), login=staff["login"])
    first = book(2, staff, interpreter=interpreter)
    login(staff["login"])
    client.get("/")
    small = queries_for(client, count_queries, "/interpretation/mine")
    for booking in book(10, staff, interpreter=interpreter, day_offset=10)[:3]:
        service.confirm(booking, actor=staff["login"])
    service.cancel(first[0], "other", actor=staff["supervisor"])
    db.session.commit()
    client.get("/")
    assert queries_for(client, count_queries, "/interpretation/mine") == small


def test_the_week_shows_the_structures_requests_on_their_athens_day(client, login, staff):
    login(staff["supervisor"])
    late = make_request(actor=staff["supervisor"], starts_at=in_days(9, 23, 30))  # 23:30 in Athens: UTC is the day before or same
    html = client.get(f"/interpretation/calendar?week={week_of(late.starts_at)}").get_data(as_text=True)
    day = calendar.local(late.starts_at).date()
    section = html.split(f'id="day-{day.isoformat()}"')[1].split("</section>")[0]
    assert "23:30" in section and late.beneficiary.reference in section


def test_other_structures_bookings_show_only_as_busy_in_an_interpreters_week(client, login, staff):
    interpreter = make_interpreter(("ar",))
    kem_supervisor = supervisor_of("KEM")
    theirs = make_request(actor=kem_supervisor, structure_code="KEM", starts_at=in_days(5, 9))
    service.assign(theirs, interpreter, actor=kem_supervisor)
    ours = make_request(actor=staff["supervisor"], starts_at=in_days(5, 14))
    service.assign(ours, interpreter, actor=staff["supervisor"])
    db.session.commit()
    login(staff["supervisor"])
    html = client.get(f"/interpretation/calendar/interpreters/{interpreter.id}?week={week_of(ours.starts_at)}"
                      ).get_data(as_text=True)
    assert ours.beneficiary.reference in html
    assert theirs.beneficiary.reference not in html and "KEM" not in html.split("<main")[1]
    assert "09:00" in html  # the busy slot itself is shown


@pytest.mark.parametrize("monday, hours", [(date(2026, 3, 23), 167), (date(2026, 10, 19), 169), (date(2026, 6, 1), 168)])
def test_athens_weeks_across_a_change_of_the_clocks(monday, hours):
    start, end = calendar.week_utc_bounds(monday)
    assert end - start == timedelta(hours=hours)
    assert calendar.local(start).time() == time(0) and calendar.local(end).time() == time(0)
    assert calendar.week_start(monday + timedelta(days=6)) == monday


def test_wall_clock_times_map_to_utc_in_both_seasons_and_the_repeated_hour():
    assert calendar.to_utc(date(2026, 1, 15), time(10)) == datetime(2026, 1, 15, 8, tzinfo=timezone.utc)
    assert calendar.to_utc(date(2026, 7, 15), time(10)) == datetime(2026, 7, 15, 7, tzinfo=timezone.utc)
    # 03:30 happens twice on 25 October 2026: the first (summer time) one is taken.
    assert calendar.to_utc(date(2026, 10, 25), time(3, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
    with pytest.raises(calendar.NonexistentLocalTime):
        calendar.to_utc(date(2026, 3, 29), time(3, 30))


def test_calendar_arguments_that_are_not_dates_fall_back_to_this_week(client, login, staff):
    login(staff["supervisor"])
    for week in ("not-a-date", "0001-01-01", "2026-02-30"):
        assert client.get(f"/interpretation/calendar?week={week}").status_code == 200
        assert client.get(f"/interpretation/day?day={week}").status_code == 200
