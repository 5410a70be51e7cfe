"""WTForms' built-in messages ("Not a valid time value.", "Invalid Choice: could not coerce.", ...) are
shown in the page's language: our catalogue translates every one, and every field of every form of the
app, given bad input on a Greek page, answers in Greek."""
import re
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask import session
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from caseapp.formtools import Form
from caseapp.i18n import FORM_TRANSLATIONS

GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
LATIN_WORD = re.compile(r"\b(?:Not|Invalid|Field|This|Number|Date|must|valid|choice)\b")
BAD_INPUTS = ("", "zz", "-1", "99999999999999999999", "25:99", "2026-13-45", "x" * 5000, "<b>?</b>")
WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"


def wtforms_messages():
    with WTFORMS_POT.open("rb") as handle:
        return [m.id for m in read_po(handle) if m.id]


@pytest.fixture
def greek(app):
    with app.test_request_context("/"):
        session["locale"] = "el"
        yield


@pytest.fixture
def english_request(app):
    with app.test_request_context("/"):
        session["locale"] = "en"
        yield


def all_forms():
    found, todo = [], [Form]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("caseapp."):
                found.append(sub)
    return found


def unbound_fields(form_class):
    return {name: value for name in dir(form_class)
            if not name.startswith("_") and isinstance(value := getattr(form_class, name, None), UnboundField)}


def probe(form_class, data):
    """The form's fields (without its own __init__ or inline rules), bound to `data` and validated."""
    probe_class = type("Probe", (Form,), {**unbound_fields(form_class), "Meta": type("Meta", (), {"csrf": False})})
    form = probe_class(formdata=MultiDict(data))
    for field in form:
        if getattr(field, "choices", False) is None:
            field.choices = [wtforms.SelectChoice(1 if field.coerce is int else "a", "A")]
    form.validate()
    return form


@pytest.mark.parametrize("message", wtforms_messages(), ids=lambda m: (m[0] if isinstance(m, tuple) else m)[:40])
def test_every_built_in_wtforms_message_has_its_greek_translation(message, greek):
    if isinstance(message, tuple):
        texts = [FORM_TRANSLATIONS.ngettext(*message, n) for n in (1, 2, 5)]
        english = set(message)
    else:
        texts = [FORM_TRANSLATIONS.gettext(message)]
        english = {message}
    for text in texts:
        assert GREEK.search(text) and text not in english, text
        for placeholder in re.findall(r"%\(\w+\)[sd]", " ".join(english)):
            assert placeholder in text  # WTForms fills it in afterwards


def test_english_pages_keep_wtforms_english_messages(english_request):
    assert FORM_TRANSLATIONS.gettext("Not a valid time value.") == "Not a valid time value."
    assert FORM_TRANSLATIONS.ngettext("Field cannot be longer than %(max)d character.",
                                      "Field cannot be longer than %(max)d characters.", 3) \
        == "Field cannot be longer than %(max)d characters."


def test_the_app_uses_the_field_types_and_validators_this_test_walks(app):
    forms = all_forms()
    assert len(forms) > 30
    kinds = {unbound.field_class.__name__ for form in forms for unbound in unbound_fields(form).values()}
    # The kinds with built-in messages that the walk below must meet (a new kind is walked too).
    assert {"IntegerField", "SelectField", "SelectMultipleField", "TimeField", "DecimalField",
            "LocalDateField", "RadioField", "MultiCheckboxField", "EmailField"} <= kinds


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=["empty", "letters", "negative", "huge", "bad-time",
                                                 "bad-date", "long", "markup"])
def test_every_field_of_every_form_answers_bad_input_in_greek(bad, greek):
    english_found = []
    for form_class in all_forms():
        fields = unbound_fields(form_class)
        for name in fields:
            form = probe(form_class, {name: bad})
            for field_name, errors in form.errors.items():
                for error in errors if isinstance(errors, list) else [errors]:
                    text = str(error)
                    if not GREEK.search(text) or LATIN_WORD.search(text):
                        english_found.append(f"{form_class.__name__}.{field_name}: {text}")
    assert english_found == []


@pytest.mark.parametrize(("field", "value", "english"), [
    (wtforms.TimeField("t"), "9h", "Not a valid time value."),
    (wtforms.IntegerField("i"), "ten", "Not a valid integer value."),
    (wtforms.SelectField("s", coerce=int, choices=[wtforms.SelectChoice(1, "A")]), "x", "Invalid Choice: could not coerce."),
    (wtforms.SelectField("s", choices=[wtforms.SelectChoice("a", "A")]), "b", "Not a valid choice."),
    (wtforms.DecimalField("d"), "1,5,5", "Not a valid decimal value."),
    (wtforms.DateField("d"), "31/02/2020", "Not a valid date value."),
    (wtforms.SelectMultipleField("m", coerce=int, choices=[wtforms.SelectChoice(1, "A")]), "x",
     "Invalid choice(s): one or more data inputs could not be coerced."),
])
def test_the_quoted_messages_are_greek_on_a_greek_page(field, value, english, greek):
    form = type("Probe", (Form,), {"f": field, "Meta": type("Meta", (), {"csrf": False})})(
        formdata=MultiDict({"f": value}))
    assert not form.validate()
    assert form.f.errors and english not in form.f.errors
    assert all(GREEK.search(str(error)) for error in form.f.errors), form.f.errors
