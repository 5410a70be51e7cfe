"""Greek as people write it: gender-neutral wording (no "Ελεύθερος/η" slashes), numbers by locale
(decimal comma, digit grouping) on every page, and examples that have the real shape of what they show."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string, session

from caseapp import formats
from caseapp.beneficiaries.references import new_reference, reference_problem

ROOT = Path(__file__).resolve().parents[2]
GREEK_LETTERS = "\u0370-\u03ff\u1f00-\u1fff"
# "Ελεύθερος/η", "ο/η", "τον/τη", "Αδελφός/αδελφή", "κάποιον/α", "(ες)": one gender then the other.
SLASHED_GENDER = re.compile(rf"[{GREEK_LETTERS}]+/[{GREEK_LETTERS}]+|[{GREEK_LETTERS}]\((?:η|ες|α|ος|ή|ού)\)")
# A float formatted by a template itself (a decimal point in Greek): "%.1f"|format, "%g", |round.
RAW_NUMBER = re.compile(r"\"%[-+0-9.]*[fgeFGE]\"\s*\|\s*format|\|\s*round\b|\*\s*100\s*\}\}\s*%")


def greek_catalogue():
    with (ROOT / "translations/el/LC_MESSAGES/messages.po").open("rb") as handle:
        return [m for m in read_po(handle, locale="el") if m.id]


def strings(message):
    return message.string if isinstance(message.string, (tuple, list)) else (message.string,)


def test_no_greek_string_writes_both_genders_with_a_slash():
    offenders = [f"{m.id!r}: {text}" for m in greek_catalogue() for text in strings(m)
                 if text and SLASHED_GENDER.search(text)]
    assert offenders == []


@pytest.mark.parametrize("msgid, avoid", [
    ("Children admitted with this person", "μαζί του"),
    ("Free", "Ελεύθερος"),
    ("Busy", "Απασχολημένος"),
    ("Sibling", "Αδελφός"),
    ("Survivor of torture", "Επιζήσασα"),
    ("Greek citizen", "Έλληνας"),
    ("Interpreter declined", "Ο/Η"),
])
def test_the_quoted_and_similar_wordings_are_neutral(msgid, avoid):
    catalogue = {m.id: m for m in greek_catalogue()}
    text = catalogue[msgid].string
    assert text and avoid not in text


def test_no_greek_string_calls_a_person_of_unknown_gender_him():
    """The admission's heading spoke of "the children admitted with him" (a woman with her children)."""
    catalogue = {m.id: m for m in greek_catalogue()}
    for msgid, message in catalogue.items():
        if isinstance(msgid, str) and re.search(r"\b(her or him|him or her|with them)\b", msgid):
            assert not re.search(r"μαζί (του|της)\b", message.string), msgid


def test_every_example_reference_in_the_interface_has_the_real_format():
    examples = set()
    for message in greek_catalogue():
        for text in (message.id if isinstance(message.id, str) else " ".join(message.id), *strings(message)):
            examples.update(re.findall(r"\bB-\d{2}-[0-9A-Z]+-[0-9A-Z]\b", text or ""))
    assert examples, "no example reference found"
    shape = re.sub(r"[0-9A-Z]", "X", new_reference(2026))
    for example in examples:
        assert reference_problem(example) is None, example
        assert re.sub(r"[0-9A-Z]", "X", example) == shape, example


@pytest.fixture
def in_locale(app):
    contexts = []

    def _in(locale: str):
        while contexts:  # Flask-Babel keeps the locale for the context's life
            contexts.pop().pop()
        context = app.test_request_context()
        context.push()
        contexts.append(context)
        session["locale"] = locale
    yield _in
    for context in reversed(contexts):
        context.pop()


@pytest.mark.parametrize("value, decimals, greek, english", [
    (1.5, None, "1,5", "1.5"),
    (2.25, 1, "2,2", "2.2"),       # half even, as Babel rounds
    (1250.5, 1, "1.250,5", "1,250.5"),
    (3, 1, "3,0", "3.0"),
    (0.75, None, "0,75", "0.75"),
    (12500, None, "12.500", "12,500"),
    (None, None, "—", "—"),
])
def test_numbers_read_the_locale_way(in_locale, value, decimals, greek, english):
    in_locale("el")
    assert formats.number_text(value, decimals) == greek
    in_locale("en")
    assert formats.number_text(value, decimals) == english


def test_percentages_and_the_template_filters_read_the_locale_way(in_locale):
    in_locale("el")
    assert formats.percent_text(0.254).replace("\xa0", " ") in ("25 %", "25%")
    assert formats.percent_text(0.254, 1).replace("\xa0", " ").startswith("25,4")
    assert render_template_string("{{ 7.25|number(2) }} {{ 0.5|percent }}").replace("\xa0", " ") \
        .startswith("7,25 50")
    in_locale("en")
    assert render_template_string("{{ 7.25|number(2) }} {{ 0.5|percent }}") == "7.25 50%"


def test_no_template_formats_a_number_its_own_way():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RAW_NUMBER.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "Use the |number or |percent filters (caseapp/formats.py)"


def test_the_occupancy_page_shows_averages_with_a_decimal_comma_in_greek(client, login):
    from caseapp.extensions import db
    from tests.conftest import csrf_token
    from tests.stays.factories import admit, resident, set_capacity, shelter_staff

    staff = login(shelter_staff("SHELTER-W"))
    shelter = set_capacity("SHELTER-W", 3)
    admit(resident("SHELTER-W", actor=staff), days_ago=40, actor=staff)
    admit(resident("SHELTER-W", actor=staff), days_ago=3, actor=staff)
    db.session.commit()
    client.post("/language", data={"locale": "el", "next": "/", "csrf_token": csrf_token(client, "/")})
    page = client.get(f"/stays/structures/{shelter.id}").get_data(as_text=True)
    summary = page[page.index('id="month-heading"'):]
    summary = summary[:summary.index("</dl>")]
    figures = re.findall(r"<dd>([^<]*)</dd>", summary)
    assert figures and not any(re.search(r"\d\.\d", figure) for figure in figures), figures
    assert any(re.search(r"\d,\d", figure) for figure in figures), figures
