"""Monthly shelter counts (SQL aggregates) and the occupancy pages' fixed number of queries."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.stays import queries, service, stats
from caseapp.stays.models import Stay
from tests.factories import structure
from tests.stays.factories import admit, resident, set_capacity, shelter_staff


def backdate(stay: Stay, admitted_on: date, discharged_on: date | None = None, reason: str | None = None) -> None:
    """Move a stay into the past (the service admits only up to today and discharges after)."""
    db.session.execute(update(Stay.__table__).where(Stay.__table__.c.id == stay.id)
                       .values(admitted_on=admitted_on, discharged_on=discharged_on, discharge_reason=reason))
    db.session.expire_all()


def last_month() -> tuple[int, int, date, date]:
    first_this = local_today().replace(day=1)
    last = first_this - timedelta(days=1)
    return last.year, last.month, last.replace(day=1), last


def test_bed_nights_admissions_discharges_and_average_stay_of_a_past_month(db_session):
    staff = shelter_staff("SHELTER-ADD")
    shelter = set_capacity("SHELTER-ADD", 4)
    year, month, first, last = last_month()
    days = (last - first).days + 1
    whole, early, late, before = (admit(resident("SHELTER-ADD", actor=staff), actor=staff)[0] for _ in range(4))
    backdate(whole, first - timedelta(days=10))                                  # all month, still there
    backdate(early, first + timedelta(days=1), first + timedelta(days=4), "own_housing")  # 3 nights
    backdate(late, last - timedelta(days=1), None)                               # 2 nights in the month
    backdate(before, first - timedelta(days=30), first - timedelta(days=2), "left")  # not in the month
    counts = stats.monthly_counts(year, month)
    entry = counts[shelter.id]
    assert entry.days == days
    assert entry.bed_days == days + 3 + 2
    assert entry.people == 3
    assert entry.admissions == 2 and entry.discharges == 1 and entry.by_reason == {"own_housing": 1}
    assert entry.average_stay == 3.0
    assert entry.capacity == 4
    assert abs(entry.average_occupancy - (days + 5) / days) < 1e-9
    assert abs(entry.occupancy_rate - (days + 5) / days / 4) < 1e-9
    assert stats.monthly_counts(year, month, [structure("SHELTER-W").id]) == {}
    total = stats.city_totals(counts)
    assert total.structure_id is None and total.bed_days >= entry.bed_days


def test_the_current_month_counts_only_the_days_lived(db_session):
    staff = shelter_staff("SHELTER-ADD")
    shelter = set_capacity("SHELTER-ADD", 4)
    today = local_today()
    stay = admit(resident("SHELTER-ADD", actor=staff), actor=staff)[0]
    backdate(stay, today.replace(day=1) - timedelta(days=3))
    entry = stats.monthly_counts(today.year, today.month)[shelter.id]
    assert entry.days == today.day and entry.bed_days == today.day


def test_daily_occupancy_counts_a_bed_from_admission_to_the_day_before_discharge(db_session):
    staff = shelter_staff("SHELTER-ADD")
    shelter = set_capacity("SHELTER-ADD", 4)
    year, month, first, _last = last_month()
    stay = admit(resident("SHELTER-ADD", actor=staff), actor=staff)[0]
    backdate(stay, first + timedelta(days=2), first + timedelta(days=4), "left")
    days = {d.day: d.occupied for d in queries.daily_occupancy(shelter.id, year, month)}
    assert [days[first + timedelta(n)] for n in range(6)] == [0, 0, 1, 1, 0, 0]


def queries_for(client, count_queries, url) -> int:
    client.get(url)
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200, url
    return counted.n


def test_occupancy_pages_take_the_same_number_of_queries_for_2_or_12_people(client, login, count_queries):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 40)

    def fill(n):
        for _ in range(n):
            case_file = resident("SHELTER-W", actor=staff)
            admit(case_file, actor=staff)
            waiting = resident("SHELTER-W", actor=staff)
            service.add_to_waiting_list(waiting, local_today(), 2, actor=staff)
        db.session.commit()

    fill(2)
    first_file = resident("SHELTER-W", actor=staff)
    admit(first_file, actor=staff)
    db.session.commit()
    client.get("/")
    shelter_id = structure("SHELTER-W").id
    urls = ["/stays/", f"/stays/structures/{shelter_id}", f"/cases/{first_file.id}",
            f"/stays/cases/{first_file.id}/admit"]
    small = {url: queries_for(client, count_queries, url) for url in urls}
    fill(10)
    client.get("/")
    large = {url: queries_for(client, count_queries, url) for url in urls}
    assert small == large
