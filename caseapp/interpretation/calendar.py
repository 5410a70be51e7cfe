"""Wall-clock times and weeks in the municipality's time zone (Europe/Athens), DST-safe.

Appointments are typed as a local date and time and stored as UTC instants. A week runs
Monday 00:00 to the next Monday 00:00 local time, so a week that contains a change of the
clocks lasts 167 or 169 hours, and its UTC bounds say so.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from caseapp.dates import local_zone


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped when the clocks go forward (e.g. 03:30 on the last Sunday of March)."""


def to_utc(day: date, moment: time) -> datetime:
    """The UTC instant of a local wall-clock time. In the hour repeated when the clocks go back,
    the first (summer-time) one. Raises `NonexistentLocalTime` for a skipped time."""
    local = datetime.combine(day, moment.replace(tzinfo=None), local_zone())
    instant = local.astimezone(timezone.utc)
    back = instant.astimezone(local_zone())
    if (back.date(), back.time().replace(tzinfo=None)) != (day, moment.replace(tzinfo=None)):
        raise NonexistentLocalTime(f"{day} {moment} does not exist in {local_zone().key}")
    return instant


def local(instant: datetime) -> datetime:
    return instant.astimezone(local_zone())


def week_start(day: date) -> date:
    """The Monday of `day`'s week (ISO 8601 weeks)."""
    return day - timedelta(days=day.weekday())


def day_utc_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day as UTC instants (23 or 25 hours on the days the clocks change)."""
    zone = local_zone()
    start = datetime.combine(day, time(), zone).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(timezone.utc)
    return start, end


def week_utc_bounds(monday: date) -> tuple[datetime, datetime]:
    """[start, end) of the local week beginning `monday`, as UTC instants."""
    return day_utc_bounds(monday)[0], day_utc_bounds(monday + timedelta(days=6))[1]


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=n) for n in range(7)]


def parse_day(value: str | None) -> date | None:
    """A YYYY-MM-DD query argument, or None when absent or malformed."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None


def by_local_day(items, days, attr: str = "starts_at") -> dict[date, list]:
    """Items grouped by the local day of their `attr` instant, for each of `days` (in order)."""
    grouped: dict[date, list] = {day: [] for day in days}
    for item in items:
        day = local(getattr(item, attr)).date()
        if day in grouped:
            grouped[day].append(item)
    return grouped
