"""Shared form helpers: input filters, fields, and the unit of work every form view repeats.

Every domain's forms and views use these; no domain imports another's forms.
"""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Callable, TypeVar

from flask import flash, redirect
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from caseapp.dates import local_today
from caseapp.domain import DomainError
from caseapp.i18n import FORM_TRANSLATIONS
from caseapp.extensions import db

T = TypeVar("T")

EARLIEST_DATE = date(1900, 1, 1)


# --- filters -------------------------------------------------------------------------


def clean(value):
    """Strip surrounding spaces; an empty answer is no answer (None)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def clean_text(value):
    """Like `clean`, with browser line endings (CRLF) made plain newlines."""
    value = clean(value)
    return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def clean_name(value):
    value = clean(value)
    return " ".join(value.split()) if value else value


# --- every form: text that can be stored, numbers the database can hold ----------------

# PostgreSQL's `integer`: the largest id, version or count a form may carry.
MAX_DATABASE_INT = 2**31 - 1
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_unstorable_characters(text: str) -> bool:
    """True if `text` holds a character no one types and a database may refuse.

    Control characters (Unicode category Cc: NUL, escape, ... but not tab and
    line breaks), lone surrogates (Cs), and U+FFFD, which is what undecodable
    bytes (invalid UTF-8) become when a request is decoded. Format characters
    such as the zero-width non-joiner (Cf) are kept: Persian and Arabic need them.
    """
    for char in text:
        if char == "\ufffd":
            return True
        category = unicodedata.category(char)
        if (category == "Cc" and char not in _ALLOWED_CONTROLS) or category == "Cs":
            return True
    return False


def refuse_unstorable_text(form, field) -> None:
    """A validator every text field gets first, so no later check or query sees the value."""
    values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
    if any(isinstance(value, str) and has_unstorable_characters(value) for value in values):
        raise StopValidation(_l("This contains characters that cannot be typed (a null, control or "
                                "unreadable character). Type it again."))


def refuse_out_of_range_integer(form, field) -> None:
    if isinstance(field.data, int) and abs(field.data) > MAX_DATABASE_INT:
        raise StopValidation(_l("This number is too large."))


def harden_field(field):
    """Put the shared checks in front of a bound field's own validators."""
    if isinstance(field, StringField):
        field.validators = [refuse_unstorable_text, *field.validators]
        # Names and notes in Arabic script are typed right to left: the box follows the text.
        field.render_kw = {"dir": "auto", **(field.render_kw or {})}
    elif isinstance(field, IntegerField):
        field.validators = [refuse_out_of_range_integer, *field.validators]
    return field


class Form(FlaskForm):
    """The base of every form of the app (a test fails on a form that does not derive from it).

    Each text field (StringField and its kinds: text areas, passwords, hidden,
    email, phone) refuses control characters, lone surrogates and undecodable
    bytes with a message on the field; each integer field refuses a number the
    database cannot hold. The checks run before the field's own validators, so a
    malformed value never reaches a query, whatever the form.

    Conditional rules always run. WTForms' `Optional()` stops an empty field's chain,
    and with it the form's inline `validate_<field>` method, so a rule such as "a
    document number needs a document type" never ran when the type was empty and
    the number was then dropped in silence. Here each inline rule of an empty
    optional field runs after the chain (it must accept empty data), so a value
    typed in one field of a pair is either kept or refused with a message.

    Derived fields follow their source: see `DERIVED`.
    """

    # {derived field name: (source field name, function(source value) -> derived value)}.
    # The form carries, in a hidden `<derived>_shown` input, the derived value it was shown
    # with; if the user left the derived field as shown and changed the source, the derived
    # field takes the source's value (editing only a birth date moves the birth year with it).
    DERIVED: dict = {}

    class Meta:
        def get_translations(self, form):
            # WTForms' built-in messages ("Not a valid integer value.", ...) from our catalogue.
            return FORM_TRANSLATIONS

        def bind_field(self, form, unbound_field, options):
            return harden_field(super().bind_field(form, unbound_field, options))

    def validate(self, extra_validators=None) -> bool:
        self._follow_sources()
        valid = super().validate(extra_validators)
        for name, field in self._fields.items():
            inline = getattr(type(self), f"validate_{name}", None)
            if inline is None or field.errors or not _emptied_by_optional(field):
                continue
            try:
                inline(self, field)
            except (ValidationError, StopValidation) as error:
                if error.args and error.args[0]:
                    field.errors = list(field.errors) + [error.args[0]]
                valid = False
        return valid

    def _follow_sources(self) -> None:
        for derived, (source, derive) in self.DERIVED.items():
            shown = self._fields.get(f"{derived}_shown")
            field, source_field = self._fields[derived], self._fields[source]
            if shown is None or source_field.data is None:
                continue
            if str(field.data if field.data is not None else "") == (shown.data or ""):
                field.data = derive(source_field.data)
                field.raw_data = [str(field.data)]
                field.process_errors = []  # an empty box ("" is no integer) now holds the derived value

    def show_derived(self) -> None:
        """After filling the form from a record: remember what each derived field showed."""
        for derived in self.DERIVED:
            value = self._fields[derived].data
            self._fields[f"{derived}_shown"].data = "" if value is None else str(value)


def _emptied_by_optional(field) -> bool:
    """True when the field has `Optional()` and it stopped the chain (the field was left empty)."""
    optional = next((v for v in field.validators if isinstance(v, Optional)), None)
    if optional is None:
        return False
    raw = field.raw_data
    return not raw or (isinstance(raw[0], str) and not optional.string_check(raw[0]))


# --- fields ---------------------------------------------------------------------------


class LocalDateField(DateField):
    """A date typed as YYYY-MM-DD (what date pickers send) or DD/MM/YYYY (the Greek way)."""

    FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        self.raw_data = valuelist
        if not text:
            return
        for pattern in self.FORMATS:
            try:
                self.data = datetime.strptime(text, pattern).date()
                return
            except ValueError:
                continue
        raise ValueError(_l("Enter a real date, for example 1985-03-14 or 14/03/1985."))


def combobox(*, placeholder=None) -> dict:
    """`render_kw` that makes a select (single or multiple) a type-ahead combobox in the browser
    (static/js/app.js with the vendored Tom Select); without JavaScript the native select stays."""
    kw = {"data-combobox": "", "data-no-results": _l("Nothing matches. Try other letters."),
          "data-remove-label": _l("Remove"),
          # Said by screen readers when an item of a multiple choice is added or removed.
          "data-added": _l("%(item)s added"), "data-removed": _l("%(item)s removed")}
    if placeholder is not None:
        kw["data-placeholder"] = placeholder
    return kw


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (rendered as a fieldset by _forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def check_date_range(field, *, allow_future: bool = False) -> None:
    """Refuse dates before 1900 and, unless `allow_future`, after today (Europe/Athens)."""
    if field.data is None:
        return
    if not allow_future and field.data > local_today():
        raise ValidationError(_l("The date cannot be in the future."))
    if field.data < EARLIEST_DATE:
        raise ValidationError(_l("The date cannot be before 1900."))


# --- showing a service's refusal ------------------------------------------------------


def show_error(form, error) -> None:
    """Show a service's refusal where it belongs: on its field, or above the form.

    `error` is a `caseapp.domain.DomainError` (anything with `field`, None or a
    field name, and `message`).
    """
    if error.field and error.field in form:
        form[error.field].errors = list(form[error.field].errors) + [error.message]
    else:
        form.form_errors.append(error.message)


# --- the unit of work of a form view ---------------------------------------------------


def commit_or_show(form, action: Callable[[], T], *, success, next_url: Callable[[T], str]):
    """Run `action` (a service call) in the request's transaction.

    On success: commit, flash `success` (a message, or None for no message) and
    return a redirect to `next_url(result)`. On a `DomainError`: roll back, put the
    message on `form` (its field, or above the form) and return None, so the view
    shows the form again with everything the user typed (status 400 or 409).
    """
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        form.refused = error
        return None
    db.session.commit()
    if success:
        flash(str(success), "success")
    return redirect(next_url(result))


def commit_or_flash(action: Callable[[], T], *, success, next_url: str):
    """For buttons without a form to show again: run, commit and flash `success`, or roll
    back and flash the refusal; either way redirect to `next_url`."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if success:
            flash(str(success), "success")
    return redirect(next_url)


def refused_status(form) -> int:
    """HTTP status for a form shown again: 409 after a conflict, 400 otherwise."""
    from caseapp.domain import ConflictError

    return 409 if isinstance(getattr(form, "refused", None), ConflictError) else 400
