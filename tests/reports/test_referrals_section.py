"""The referrals section: every figure equals a brute-force count over the referral rows, in the
structure's report and city-wide (a confidential structure's counts only from five up)."""
from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.referrals import service
from caseapp.referrals.models import Referral
from caseapp.reports.model import Month
from caseapp.reports.service import build_report
from caseapp.structures.models import Structure
from tests.factories import make_user, structure
from tests.referrals.factories import make_referral

ROUTES = [("KEM", "DIS-PROG"), ("KEM", "P-PRAKSIS"), ("DIS-PROG", "KEM"), ("KEM", "SHELTER-W"),
          ("SHELTER-W", "KEM")]


def month_start(day):
    return day.replace(day=1)


def seed(rng: random.Random):
    """Referrals along `ROUTES`, answered or not, spread over this month, the month before and the
    same month last year (dates written straight into the rows)."""
    today = local_today()
    this = month_start(today)
    previous = month_start(this - timedelta(days=1))
    last_year = this.replace(year=this.year - 1)
    workers = {code: make_user("supervisor", structures=(code,)) for code in ("KEM", "DIS-PROG", "SHELTER-W")}
    for n in range(36):
        source, target = rng.choice(ROUTES)
        referral = make_referral(actor=workers[source], from_code=source, to_code=target)
        outcome = rng.choice(("accept", "decline", "wait", "wait"))
        if outcome != "wait" and target in workers:
            if outcome == "accept":
                service.accept(referral, actor=workers[target])
            else:
                service.decline(referral, "No place.", actor=workers[target])
        start = rng.choice((this, previous, last_year))
        referral.sent_on = start + timedelta(days=rng.randrange(0, 20 if start == this else 27))
        if referral.sent_on > today:
            referral.sent_on = today
        referral.due_on = referral.sent_on + timedelta(days=rng.randrange(1, 15))
        if referral.answered_on is not None:
            referral.days_to_answer = rng.randrange(0, 9)
            referral.answered_on = min(referral.sent_on + timedelta(days=referral.days_to_answer), today)
    db.session.flush()
    return [this, previous, last_year]


def brute_force(first, structure_ids):
    rows = list(db.session.execute(select(Referral)).scalars())
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    inside = lambda sid: structure_ids is None or sid in structure_ids  # noqa: E731
    month = [r for r in rows if r.sent_on and first <= r.sent_on <= last]
    sent = [r for r in month if inside(r.from_structure_id)]
    received = [r for r in month if inside(r.to_structure_id)]
    answers = [r.days_to_answer for r in rows if r.answered_on and first <= r.answered_on <= last
               and r.days_to_answer is not None and inside(r.to_structure_id)]
    return {"sent": len(sent), "received": len(received), "sent_status": Counter(r.status for r in sent),
            "received_status": Counter(r.status for r in received),
            "target": Counter(r.to_structure_id for r in sent), "answered": len(answers),
            "median": float(statistics.median(answers)) if answers else None}


def figures(report):
    return {table.key: table for section, table in report.tables() if section.key == "referrals"}


def value(table, key, column):
    figure = table.figure(str(key))
    return 0 if figure is None else figure.values[column]


def test_every_referral_figure_of_a_structure_equals_a_brute_force_count(db_session):
    months = seed(random.Random(4))
    for code in ("KEM", "DIS-PROG"):
        where = structure(code)
        t = figures(build_report(Month(months[0].year, months[0].month), structure=where, suppressed=False,
                                 generated_by="t"))
        for column, first in enumerate(months):
            e = brute_force(first, {where.id})
            assert value(t["overview"], "sent", column) == e["sent"]
            assert value(t["overview"], "received", column) == e["received"]
            assert value(t["overview"], "answered", column) == e["answered"]
            assert value(t["overview"], "median_days", column) == e["median"]
            for status, count in e["sent_status"].items():
                assert value(t["sent_status"], status, column) == count
            for status, count in e["received_status"].items():
                assert value(t["received_status"], status, column) == count
            for target, count in e["target"].items():
                assert value(t["target"], target, column) == count
            accepted = e["received_status"]["accepted"] + e["received_status"]["completed"]
            answered = accepted + e["received_status"]["declined"]
            assert value(t["overview"], "acceptance_rate", column) == (accepted / answered if answered else None)
    assert any(brute_force(months[0], None)[k] for k in ("sent", "answered"))


def test_city_wide_referrals_take_the_shelters_counts_only_from_five_up(db_session):
    months = seed(random.Random(9))
    t = figures(build_report(Month(months[0].year, months[0].month), structure=None, suppressed=False,
                             generated_by="t"))
    structures = list(db.session.execute(select(Structure)).scalars())
    others = {s.id for s in structures if not s.confidential}
    shelters = [s.id for s in structures if s.confidential]
    for column, first in enumerate(months):
        e = brute_force(first, others)
        keep = lambda n: n if n >= 5 else 0  # noqa: E731
        inside = [brute_force(first, {sid}) for sid in shelters]
        assert value(t["overview"], "sent", column) == e["sent"] + sum(keep(i["sent"]) for i in inside)
        assert value(t["overview"], "received", column) == e["received"] + sum(keep(i["received"]) for i in inside)
