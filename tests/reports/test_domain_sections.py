"""The plans, deliveries and stays sections: every figure equals a brute-force count over the rows
(dates written straight into the rows, over this month, the month before and the same month
last year), in the structure's report; city-wide, a confidential shelter's counts enter only
from five up."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select, update

from caseapp.dates import local_date, local_today
from caseapp.deliveries import service as deliveries_service
from caseapp.deliveries.models import DELIVERY, ServiceDelivery
from caseapp.extensions import db
from caseapp.plans import service as plans_service
from caseapp.plans.models import DONE, PlanAction, PlanEvent, PlanRevision
from caseapp.reports.model import Month
from caseapp.reports.service import build_report
from caseapp.stays.models import Stay
from caseapp.structures.models import Service
from tests.deliveries.conftest import service_of
from tests.factories import case_file_of, make_beneficiary, make_user, structure
from tests.plans.factories import draft_plan, make_case_file
from tests.stays.factories import admit, resident, set_capacity, shelter_staff


def three_months() -> list[date]:
    this = local_today().replace(day=1)
    previous = (this - timedelta(days=1)).replace(day=1)
    return [this, previous, this.replace(year=this.year - 1)]


def last_day(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def some_day(rng, first: date) -> date:
    """A day of the month starting `first`, not after today."""
    return min(first + timedelta(days=rng.randrange(0, 28)), local_today())


def tables(report, key):
    return {table.key: table for section, table in report.tables() if section.key == key}


def value(table, key, column):
    figure = table.figure(str(key))
    return 0 if figure is None else figure.values[column]


def report_of(code=None):
    today = local_today()
    return build_report(Month(today.year, today.month), structure=structure(code) if code else None,
                        suppressed=False, generated_by="t")


# --- plans -----------------------------------------------------------------------------------

def seed_plans(rng):
    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    supervisor = make_user("supervisor", structures=("DIS-PROG",))
    months = three_months()
    for n in range(14):
        revision = draft_plan(actor=caseworker, actions=2)
        plans_service.submit(revision, actor=caseworker)
        if n % 3 == 0:
            plans_service.request_changes(revision, actor=supervisor, comment="More detail")
            revision = plans_service.revise(revision, actor=caseworker)
            plans_service.submit(revision, actor=caseworker)
        if n % 4 != 1:
            plans_service.approve(revision, actor=supervisor)
            if n % 2 == 0:
                plans_service.set_action_status(revision.actions[0], "done", actor=caseworker)
    db.session.flush()
    for event in db.session.execute(select(PlanEvent)).scalars():
        if rng.random() < 0.6:
            moved = rng.choice(months)
            event.occurred_at = event.occurred_at.replace(year=moved.year, month=moved.month,
                                                          day=rng.randrange(1, 28))
    for revision in db.session.execute(select(PlanRevision)).scalars():
        if revision.approved_at is not None:
            revision.review_on = some_day(rng, rng.choice(months)) - timedelta(days=1)
    for action in db.session.execute(select(PlanAction).where(PlanAction.status == DONE)).scalars():
        action.done_on = some_day(rng, rng.choice(months))
    db.session.flush()
    return months


def plans_brute_force(first, structure_ids):
    last = last_day(first)
    passed = min(last, local_today() - timedelta(days=1))
    inside = lambda sid: structure_ids is None or sid in structure_ids  # noqa: E731
    events = Counter(e.action for e in db.session.execute(select(PlanEvent)).scalars()
                     if inside(e.structure_id) and first <= local_date(e.occurred_at) <= last)
    revisions = {r.id: r for r in db.session.execute(select(PlanRevision)).scalars()}
    overdue = sum(1 for r in revisions.values() if inside(r.structure_id) and r.approved_at is not None
                  and r.review_on and first <= r.review_on <= passed and (r.ended_on is None or r.ended_on > r.review_on))
    done = {(revisions[a.revision_id].structure_id, a.key) for a in db.session.execute(select(PlanAction)).scalars()
            if a.status == DONE and a.done_on and first <= a.done_on <= last
            and inside(revisions[a.revision_id].structure_id)}
    return {"submitted": events["submit"], "approved": events["approve"],
            "changes_requested": events["request_changes"], "overdue_reviews": overdue, "actions_done": len(done)}


def test_every_plans_figure_of_a_structure_equals_a_brute_force_count(db_session):
    months = seed_plans(random.Random(3))
    t = tables(report_of("DIS-PROG"), "plans")
    for column, first in enumerate(months):
        expected = plans_brute_force(first, {structure("DIS-PROG").id})
        for key, count in expected.items():
            assert value(t["overview"], key, column) == count, (key, column)
    assert sum(plans_brute_force(months[0], None).values()) > 0


def test_city_wide_plans_add_the_structures_up(db_session):
    months = seed_plans(random.Random(5))
    kem = make_user("caseworker", structures=("KEM",))
    plans_service.submit(draft_plan(make_case_file("KEM", actor=kem), actor=kem), actor=kem)
    t = tables(report_of(None), "plans")
    for column, first in enumerate(months):
        for key, count in plans_brute_force(first, None).items():
            assert value(t["overview"], key, column) == count, (key, column)


# --- deliveries ------------------------------------------------------------------------------

def seed_deliveries(rng):
    desk = make_user("caseworker", structures=("KYADA-MARKET", "KYADA-FOOD"))
    services = [service_of("KYADA-MARKET", "CLOTHES"), service_of("KYADA-MARKET", "SHOES"),
                service_of("KYADA-FOOD", "MEALS")]
    months = three_months()
    people = [make_beneficiary("KYADA-MARKET", actor=desk) for _ in range(9)]
    from caseapp.casefiles import service as casefile_service

    for person in people[:4]:
        casefile_service.open_case_file(person, structure("KYADA-FOOD"), actor=desk)
    seen = set()
    for _ in range(40):
        person = rng.choice(people)
        chosen = rng.choice(services if person in people[:4] else services[:2])
        day = some_day(rng, rng.choice(months))
        if (person.id, chosen.id, day) in seen:
            continue
        seen.add((person.id, chosen.id, day))
        deliveries_service.record_delivery(case_file_of(person, chosen.structure.code), chosen, on=day,
                                           quantity=rng.randrange(1, 4), actor=desk)
    db.session.flush()
    return months


def deliveries_brute_force(first, structure_ids):
    last = last_day(first)
    codes = dict(db.session.execute(select(Service.id, Service.code)).all())
    rows = [d for d in db.session.execute(select(ServiceDelivery)).scalars()
            if d.entry == DELIVERY and d.reversed_at is None and first <= d.delivered_on <= last
            and (structure_ids is None or d.structure_id in structure_ids)]
    people = {(d.structure_id, d.beneficiary_id) for d in rows}
    return {"people_served": len(people), "deliveries": len(rows),
            "by_service": Counter(codes[d.service_id] for d in rows)}


def test_every_deliveries_figure_of_a_structure_equals_a_brute_force_count(db_session):
    months = seed_deliveries(random.Random(2))
    for code in ("KYADA-MARKET", "KYADA-FOOD"):
        t = tables(report_of(code), "deliveries")
        for column, first in enumerate(months):
            expected = deliveries_brute_force(first, {structure(code).id})
            assert value(t["overview"], "people_served", column) == expected["people_served"]
            assert value(t["overview"], "deliveries", column) == expected["deliveries"]
            assert value(t["service"], "total", column) == expected["deliveries"]
            for service_code, count in expected["by_service"].items():
                assert value(t["service"], service_code, column) == count
    assert deliveries_brute_force(months[0], None)["deliveries"] > 0


def test_city_wide_people_served_count_a_person_at_each_structure(db_session):
    months = seed_deliveries(random.Random(8))
    t = tables(report_of(None), "deliveries")
    for column, first in enumerate(months):
        expected = deliveries_brute_force(first, None)
        assert value(t["overview"], "people_served", column) == expected["people_served"]
        assert value(t["overview"], "deliveries", column) == expected["deliveries"]
        for service_code, count in expected["by_service"].items():
            assert value(t["service"], service_code, column) == count


# --- stays -----------------------------------------------------------------------------------

def seed_stays(rng, code="SHELTER-ADD", n=12):
    staff = shelter_staff(code)
    set_capacity(code, 9)
    months = three_months()
    reasons = ["own_housing", "left", "transfer"]
    for _ in range(n):
        stay = admit(resident(code, actor=staff), actor=staff)[0]
        admitted = some_day(rng, rng.choice(months)) - timedelta(days=rng.randrange(0, 20))
        discharged = None
        if rng.random() < 0.7:
            discharged = min(admitted + timedelta(days=rng.randrange(1, 40)), local_today())
            if discharged <= admitted:
                discharged = None
        db.session.execute(update(Stay.__table__).where(Stay.__table__.c.id == stay.id).values(
            admitted_on=admitted, discharged_on=discharged, discharge_reason=rng.choice(reasons) if discharged else None))
    db.session.expire_all()
    return months


def stays_brute_force(first, structure_ids):
    last = last_day(first)
    counted_last = min(last, local_today())
    rows = [s for s in db.session.execute(select(Stay)).scalars()
            if structure_ids is None or s.structure_id in structure_ids]
    bed_days, people = 0, set()
    day = first
    while day <= counted_last:
        for s in rows:
            if s.admitted_on <= day and (s.discharged_on is None or day < s.discharged_on):
                bed_days += 1
                people.add(s.beneficiary_id)
        day += timedelta(days=1)
    ended = [s for s in rows if s.discharged_on and first <= s.discharged_on <= last]
    days = (counted_last - first).days + 1
    return {"bed_days": bed_days, "people": len(people), "days": days,
            "admissions": sum(1 for s in rows if first <= s.admitted_on <= last), "discharges": len(ended),
            "by_reason": Counter(s.discharge_reason for s in ended),
            "average_stay": round(sum((s.discharged_on - s.admitted_on).days for s in ended) / len(ended), 2)
            if ended else None}


def test_every_stays_figure_of_a_shelter_equals_a_brute_force_count(db_session):
    months = seed_stays(random.Random(6))
    shelter = structure("SHELTER-ADD")
    t = tables(report_of("SHELTER-ADD"), "stays")
    for column, first in enumerate(months):
        e = stays_brute_force(first, {shelter.id})
        overview = t["overview"]
        for key in ("bed_days", "people", "admissions", "discharges", "average_stay"):
            assert value(overview, key, column) == e[key], (key, column)
        if e["bed_days"]:
            assert value(overview, "average_occupancy", column) == round(e["bed_days"] / e["days"], 2)
            assert abs(value(overview, "occupancy_rate", column) - e["bed_days"] / e["days"] / 9) < 1e-9
        for reason, count in e["by_reason"].items():
            assert value(t["discharge_reason"], reason, column) == count
    assert stays_brute_force(months[0], None)["bed_days"] > 0


def test_city_wide_stays_take_a_confidential_shelters_counts_only_from_five_up(db_session):
    months = seed_stays(random.Random(11), "SHELTER-ADD", n=12)
    seed_stays(random.Random(12), "SHELTER-W", n=3)
    t = tables(report_of(None), "stays")
    keep = lambda n: n if n >= 5 else 0  # noqa: E731
    open_shelter, confidential = structure("SHELTER-ADD"), structure("SHELTER-W")
    assert confidential.confidential and not open_shelter.confidential
    for column, first in enumerate(months):
        shown, hidden = stays_brute_force(first, {open_shelter.id}), stays_brute_force(first, {confidential.id})
        for key in ("bed_days", "people", "admissions", "discharges"):
            assert value(t["overview"], key, column) == shown[key] + keep(hidden[key]), (key, column)


def test_the_report_takes_as_many_queries_with_plans_deliveries_and_stays_as_without(db_session, count_queries):
    report_of("SHELTER-ADD")  # first run: what is loaded once per session
    report_of(None)
    with count_queries() as empty:
        report_of("SHELTER-ADD")
        report_of(None)
    seed_stays(random.Random(1))
    seed_deliveries(random.Random(1))
    seed_plans(random.Random(1))
    with count_queries() as full:
        report_of("SHELTER-ADD")
        report_of(None)
    assert empty.n == full.n


# --- differencing across reports --------------------------------------------------------------

def test_no_subtraction_gives_back_a_hidden_plans_deliveries_or_stays_cell_shelter_included(db_session):
    """The attack of test_suppression (city minus the other structures' published cells) on the
    plans, deliveries and stays sections, with the confidential SHELTER-W holding stays and plans."""
    from tests.reports.test_suppression import try_the_attack

    rng = random.Random(4)
    seed_plans(rng)
    seed_deliveries(rng)
    seed_stays(rng, "SHELTER-W", n=9)
    seed_stays(rng, "SHELTER-ADD", n=14)
    shelter = shelter_staff("SHELTER-W")
    for _ in range(3):
        plans_service.submit(draft_plan(make_case_file("SHELTER-W", actor=shelter), actor=shelter), actor=shelter)
    today = local_today()
    sections, structures, in_full = try_the_attack(Month(today.year, today.month))
    assert {"plans", "deliveries", "stays"} <= sections, sections
    assert "SHELTER-W" in structures, structures
    assert ("KYADA-MARKET", "deliveries") in in_full, in_full  # a count of 5 or more hidden with a small one


def test_a_shelters_discharges_hidden_with_a_small_one_are_not_given_back_by_the_city(db_session):
    """SHELTER-W (confidential) discharged 6 people to their own housing and 2 who left last month:
    its report hides the 2 and, with them, the 6. Before the rule the city's 6 + SHELTER-ADD's
    published count let anyone subtract the 6 back."""
    from caseapp.reports.model import SUPPRESSED
    from tests.reports.test_suppression import _attack, try_the_attack
    from tests.reports.test_suppression import _published as published_cell

    seed_stays(random.Random(2), "SHELTER-ADD", n=14)
    staff = shelter_staff("SHELTER-W")
    set_capacity("SHELTER-W", 12)
    first = three_months()[1]
    for reason in ["own_housing"] * 6 + ["left"] * 2:
        stay = admit(resident("SHELTER-W", actor=staff), actor=staff)[0]
        db.session.execute(update(Stay.__table__).where(Stay.__table__.c.id == stay.id).values(
            admitted_on=first - timedelta(days=10), discharged_on=first + timedelta(days=5), discharge_reason=reason))
    db.session.expire_all()
    today = local_today()
    month = Month(today.year, today.month)
    raw, shown, city, outside = _attack(month)
    key = ("stays", "discharge_reason", "own_housing")
    assert raw["SHELTER-W"][key].values[1] == 6 and shown["SHELTER-W"][key].values[1] is SUPPRESSED
    _sections, _structures, in_full = try_the_attack(month)
    assert ("SHELTER-W", "stays") in in_full
    if city[key].values[1] is not SUPPRESSED:
        assert city[key].values[1] - published_cell(shown["SHELTER-ADD"], key, 1) == outside[key][1] == 0
