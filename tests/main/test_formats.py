"""One format for dates and one for date-times, in Athens time, in Greek and English, on every page."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from flask import session

from caseapp import formats
from tests.factories import case_file_of, make_beneficiary, make_user

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc


@pytest.fixture
def in_locale(app):
    def _in(locale: str):
        context = app.test_request_context()
        context.push()
        session["locale"] = locale
        return context
    return _in


@pytest.mark.parametrize("value, greek, english", [
    (date(2026, 11, 29), "29 Νοε 2026", "29 Nov 2026"),
    (date(2026, 5, 1), "1 Μαΐ 2026", "1 May 2026"),
    (datetime(2026, 11, 29, 22, 5, tzinfo=UTC), "30 Νοε 2026", "30 Nov 2026"),  # already the 30th in Athens
    (datetime(2026, 6, 30, 21, 30, tzinfo=UTC), "1 Ιουλ 2026", "1 Jul 2026"),    # summer time: UTC+3
    (None, "—", "—"),
])
def test_a_day_reads_the_same_everywhere_and_an_instant_counts_in_athens(in_locale, value, greek, english):
    for locale, expected in (("el", greek), ("en", english)):
        context = in_locale(locale)
        try:
            assert formats.local_date_text(value) == expected
        finally:
            context.pop()


@pytest.mark.parametrize("value, greek, english", [
    (datetime(2026, 11, 29, 22, 5, tzinfo=UTC), "30 Νοε 2026, 00:05", "30 Nov 2026, 00:05"),
    (datetime(2026, 7, 1, 9, 0, tzinfo=UTC), "1 Ιουλ 2026, 12:00", "1 Jul 2026, 12:00"),
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 Μαρ 2026, 02:59", "29 Mar 2026, 02:59"),  # before the change
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 Μαρ 2026, 04:00", "29 Mar 2026, 04:00"),   # after it
    (datetime(2026, 11, 29, 10, 5), "29 Νοε 2026, 12:05", "29 Nov 2026, 12:05"),   # naive: taken as UTC
])
def test_a_date_time_has_one_format_with_a_24_hour_athens_clock(in_locale, value, greek, english):
    for locale, expected in (("el", greek), ("en", english)):
        context = in_locale(locale)
        try:
            assert formats.local_datetime_text(value) == expected
            assert formats.local_time_text(value) == expected.rsplit(", ", 1)[1]
        finally:
            context.pop()


def test_a_day_heading_adds_the_weekday_to_the_same_date_format(in_locale):
    context = in_locale("el")
    try:
        assert formats.day_heading_text(date(2026, 11, 30)) == "Δευτέρα, 30 Νοε 2026"
    finally:
        context.pop()


FORBIDDEN_IN_TEMPLATES = re.compile(r"dateformat|datetimeformat|timeformat|strftime|format_date|format_datetime")


def test_no_template_formats_a_date_its_own_way():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN_IN_TEMPLATES.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, ("Use the |date, |datetime, |time or |day_heading filters (caseapp/formats.py):\n"
                           + "\n".join(offenders))


def test_no_python_module_formats_a_date_for_people_its_own_way():
    """Babel's formatters are for people: only caseapp/formats.py calls them (machine formats such as
    ISO dates in file names or exports may use isoformat/strftime)."""
    offenders = []
    for path in sorted((ROOT / "caseapp").rglob("*.py")):
        if path.name == "formats.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(format_date|format_datetime|format_time|format_skeleton)\b", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, "Use caseapp/formats.py: " + ", ".join(offenders)


def test_pages_show_dates_in_the_one_format(client, db_session, login):
    caseworker = login(make_user("caseworker", structures=("KEM",)))
    person = make_beneficiary(actor=caseworker, birth_date=date(1990, 5, 17))
    case_file = case_file_of(person)
    case_file.opened_at = datetime(2026, 11, 29, 22, 5, tzinfo=UTC)
    db_session.flush()
    profile = client.get(f"/beneficiaries/{person.id}").get_data(as_text=True)
    assert "17 Μαΐ 1990" in profile and "30 Νοε 2026" in profile
    case_page = client.get(f"/cases/{case_file.id}").get_data(as_text=True)
    assert "30 Νοε 2026" in case_page
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}\b", profile + case_page)  # no "29/11/26"
