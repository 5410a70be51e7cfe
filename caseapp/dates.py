"""Local calendar (the municipality's time zone) for dates people see and months reports count."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/Athens"


def local_zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def local_today() -> date:
    return datetime.now(local_zone()).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def month_utc_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a local month, as UTC instants (for timestamp columns)."""
    first, last = month_bounds(year, month)
    following = date.fromordinal(last.toordinal() + 1)
    zone = local_zone()
    return (datetime.combine(first, time(), zone).astimezone(timezone.utc),
            datetime.combine(following, time(), zone).astimezone(timezone.utc))
