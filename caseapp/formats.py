"""One way to show dates and times everywhere: Flask-Babel patterns, in the municipality's time zone.

Templates use the filters registered by `register` and never a pattern of their own
(tests/main/test_formats.py reads every template to keep it so); Python code that writes a
date into a message uses the functions below.

- ``value|date``: a calendar day, ``30 Νοε 2026`` / ``30 Nov 2026`` (`DATE_FORMAT`).
- ``value|datetime``: an instant, ``30 Νοε 2026, 14:05`` (`DATETIME_FORMAT`, 24-hour clock).
- ``value|time``: the time of an instant, ``14:05`` (`TIME_FORMAT`).
- ``value|day_heading``: a day heading in a calendar, ``Δευτέρα, 30 Νοε 2026``.
- ``value|number``, ``value|number(1)``: a number by locale, ``1.250,5`` / ``1,250.5`` (decimal
  comma and digit grouping in Greek); with a count of decimals, exactly that many.
- ``value|percent``: a share (0.25) as ``25%`` (``25 %`` in Greek), by locale.

Templates never format a number with ``"%.1f"|format`` or ``|round`` (tests/main/test_formats.py).

An instant (a timezone-aware UTC ``datetime``, as stored) is shown in Europe/Athens
(``BABEL_DEFAULT_TIMEZONE``): its day is the local day, not the UTC one. A naive ``datetime``
is taken as UTC. A ``date`` is shown as it is. ``None`` is shown as "—".
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_decimal, format_percent, format_time

DATE_FORMAT = "d MMM y"
TIME_FORMAT = "HH:mm"
DATETIME_FORMAT = f"{DATE_FORMAT}, {TIME_FORMAT}"
DAY_HEADING_FORMAT = f"EEEE, {DATE_FORMAT}"
EMPTY = "—"


def local_date_text(value: date | datetime | None) -> str:
    """``30 Νοε 2026``: the local (Athens) day of an instant, or a date as it is."""
    return EMPTY if value is None else format_date(value, DATE_FORMAT)


def local_datetime_text(value: datetime | None) -> str:
    """``30 Νοε 2026, 14:05``: an instant in Athens time."""
    return EMPTY if value is None else format_datetime(value, DATETIME_FORMAT)


def local_time_text(value: datetime | None) -> str:
    """``14:05``: the Athens time of an instant."""
    return EMPTY if value is None else format_time(value, TIME_FORMAT)


def day_heading_text(value: date | datetime | None) -> str:
    """``Δευτέρα, 30 Νοε 2026``: a day with its weekday (calendar and day-sheet headings)."""
    return EMPTY if value is None else format_date(value, DAY_HEADING_FORMAT)


def number_text(value, decimals: int | None = None) -> str:
    """A number for people, by locale: ``1.250,5`` in Greek, ``1,250.5`` in English; None is "—".

    `decimals`: that many decimals exactly (rounded half even); None: as many as needed, up to 3.
    """
    if value is None:
        return EMPTY
    if decimals is None:
        return format_decimal(value)
    return format_decimal(value, "#,##0" + ("." + "0" * decimals if decimals else ""))


def percent_text(value, decimals: int = 0) -> str:
    """A share (0.254) as a percentage by locale: ``25%`` / ``25,4 %``; None is "—"."""
    if value is None:
        return EMPTY
    return format_percent(value, "#,##0" + ("." + "0" * decimals if decimals else "") + "%")


def register(app) -> None:
    app.jinja_env.filters.update({
        "date": local_date_text,
        "datetime": local_datetime_text,
        "time": local_time_text,
        "day_heading": day_heading_text,
        "number": number_text,
        "percent": percent_text,
    })
