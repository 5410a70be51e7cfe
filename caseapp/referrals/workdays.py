"""Due dates in working days: Monday to Friday, minus Greek public holidays, with one-off overrides.

Greek public holidays come from the `holidays` library (fixed days and the ones moving with
Orthodox Easter: Clean Monday, Good Friday, Easter Monday, Whit Monday). Admins enter
one-off changes in `WorkingDayOverride` (a holiday moved by ministerial decision, a working
Saturday), which win over the library. The days each urgency allows are configuration
(`REFERRAL_DUE_WORKING_DAYS`).
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from flask import current_app
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.referrals.models import WorkingDayOverride

DEFAULT_DUE_WORKING_DAYS = {"routine": 10, "urgent": 3, "emergency": 1}


@lru_cache(maxsize=64)
def _greek_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GR", years=year).keys())


def public_holiday(day: date) -> bool:
    """True on a Greek public holiday (the library's calendar, without overrides)."""
    return day in _greek_holidays(day.year)


def overrides_between(first: date, last: date) -> dict[date, bool]:
    """{day: working} for the overrides in [first, last], in one query."""
    rows = db.session.execute(
        select(WorkingDayOverride.day, WorkingDayOverride.working)
        .where(WorkingDayOverride.day >= first, WorkingDayOverride.day <= last)).all()
    return {day: working for day, working in rows}


def is_working_day(day: date, overrides: dict[date, bool] | None = None) -> bool:
    """Monday to Friday and not a public holiday, unless an override says otherwise."""
    if overrides is not None and day in overrides:
        return overrides[day]
    return day.weekday() < 5 and not public_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself never counts). `days` >= 0;
    0 gives `start`. One query for the overrides, whatever `days`."""
    if days < 0:
        raise ValueError("days must be >= 0")
    if days == 0:
        return start
    # Enough calendar days to hold `days` working days even around Easter and Christmas.
    horizon = start + timedelta(days=days * 2 + 21)
    overrides = overrides_between(start, horizon)
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if day > horizon:  # a run of overrides declaring days off: look further
            horizon = day + timedelta(days=days * 2 + 21)
            overrides.update(overrides_between(day, horizon))
        if is_working_day(day, overrides):
            left -= 1
    return day


def working_days_for(urgency: str) -> int:
    """Working days an urgency allows (configuration `REFERRAL_DUE_WORKING_DAYS`)."""
    table = current_app.config.get("REFERRAL_DUE_WORKING_DAYS") or DEFAULT_DUE_WORKING_DAYS
    return int(table[urgency])


def due_date(sent_on: date, urgency: str) -> date:
    """The due date of a referral of `urgency` sent on `sent_on` (local day). KeyError for an unknown urgency."""
    return add_working_days(sent_on, working_days_for(urgency))
