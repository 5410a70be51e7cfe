"""Shared form helpers: input filters, fields, and the unit of work every form view repeats.

Every domain's forms and views use these; no domain imports another's forms.
"""
from __future__ import annotations

import secrets
import unicodedata
from datetime import date, datetime
from typing import Callable, TypeVar

from flask import flash, redirect, request
from flask_login import current_user
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from caseapp.dates import local_today
from caseapp.domain import DomainError
from caseapp import submissions
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


# Characters that take no room on screen although Unicode files them as letters (fillers, blanks).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")
# Categories that show nothing by themselves: spaces and separators, format characters (zero-width
# space and joiners, soft hyphen, direction marks, byte-order mark, ...), controls, lone combining marks.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc", "Mn", "Me"})


def has_visible_character(text: str) -> bool:
    """True if `text` shows something: at least one character that is not a space, a format
    character (U+200B, U+00AD, U+200E, U+FEFF, ...), a control, a lone mark or a blank filler."""
    return any(not char.isspace() and char not in _BLANK_LETTERS
               and unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in text)


def refuse_invisible_text(form, field) -> None:
    """A text field that holds only invisible characters is refused, with what was typed kept:
    a name made of a zero-width space or a soft hyphen would be stored as a name nobody sees."""
    values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
    if any(isinstance(value, str) and value and not has_visible_character(value) for value in values):
        raise StopValidation(_l("This holds only spaces or invisible characters. Type letters or digits."))


def _required_after_filters(message):
    """`InputRequired` looks at what was sent, before the filters: "   " passes it and the filter
    then makes it None, which reached the service (a database error, a wrong page). This runs
    after the filters and refuses an answer that is empty once cleaned, with the field's own message."""
    def check(form, field) -> None:
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(message or _l("This field is required."))
    return check


def refuse_out_of_range_integer(form, field) -> None:
    if isinstance(field.data, int) and abs(field.data) > MAX_DATABASE_INT:
        raise StopValidation(_l("This number is too large."))


def harden_field(field):
    """Put the shared checks in front of a bound field's own validators."""
    if isinstance(field, StringField):
        checks = [refuse_unstorable_text]
        if not isinstance(field, (HiddenField, PasswordField)):
            checks.append(refuse_invisible_text)
            required = next((v for v in field.validators if isinstance(v, InputRequired)), None)
            if required is not None:
                checks.append(_required_after_filters(required.message))
        field.validators = [*checks, *field.validators]
        # Names and notes in Arabic script are typed right to left: the box follows the text.
        field.render_kw = {"dir": "auto", **(field.render_kw or {})}
    elif isinstance(field, IntegerField):
        field.validators = [refuse_out_of_range_integer, *field.validators]
    return field


class Form(FlaskForm):
    """The base of every form of the app (a test fails on a form that does not derive from it).

    Each text field (StringField and its kinds: text areas, passwords, hidden,
    email, phone) refuses control characters, lone surrogates and undecodable
    bytes with a message on the field; a visible text field refuses a value made only of
    spaces or invisible characters, and a required one an answer its filters emptied; each
    integer field refuses a number the database cannot hold. The checks run before the field's own validators, so a
    malformed value never reaches a query, whatever the form.

    Conditional rules always run. WTForms' `Optional()` stops an empty field's chain,
    and with it the form's inline `validate_<field>` method, so a rule such as "a
    document number needs a document type" never ran when the type was empty and
    the number was then dropped in silence. Here each inline rule of an empty
    optional field runs after the chain (it must accept empty data), so a value
    typed in one field of a pair is either kept or refused with a message.

    Derived fields follow their source: see `DERIVED`.

    A form sent by POST (one with CSRF protection) carries a random `submission_id`, so
    that sending the same rendered form twice saves it once (`caseapp.submissions`).
    """

    submission_id = HiddenField()
    # True where sending the same content again is a new request the domain itself judges
    # (the desk asks about a second delivery the same day): only the same token is a repeat.
    SAME_CONTENT_IS_NEW = False

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.meta.csrf:
            del self.submission_id   # a search form sent by GET: nothing is saved, no token in the URL
        elif not self.submission_id.data:
            self.submission_id.data = secrets.token_urlsafe(16)

    def submitted_token(self) -> str | None:
        """The token this form was sent with (None if it carried none we issued)."""
        field = self._fields.get("submission_id")
        return submissions.usable_token(field.raw_data[0]) if field is not None and field.raw_data else None

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
        self.show_derived()  # shown again after a refusal, the box and its hidden twin agree

    def show_derived(self) -> None:
        """After filling the form from a record: remember what each derived field showed."""
        for derived in self.DERIVED:
            shown = self._fields.get(f"{derived}_shown")
            if shown is None:
                continue
            field = self._fields[derived]
            value = field.data if not field.process_errors else (field.raw_data or [""])[0]
            shown.data = "" if value is None else str(value)


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


def commit_or_show(form, action: Callable[[], T], *, success, next_url: Callable[[T], str],
                   same_content_is_new: bool | None = None):
    """Run `action` (a service call) in the request's transaction.

    On success: commit, flash `success` (a message, a function of the result giving
    one, or None for no message) and
    return a redirect to `next_url(result)`. On a `DomainError`: roll back, put the
    message on `form` (its field, or above the form) and return None, so the view
    shows the form again with everything the user typed (status 400 or 409).

    The same rendered form sent a second time (a double click, the back button) is not
    saved again: the user is told so and taken where the first sending led
    (`caseapp.submissions`). `same_content_is_new=True` (default: the form's
    `SAME_CONTENT_IS_NEW`) leaves repeats of the same content to the service, when it
    judges them itself with a better message (a second request to the holders).
    """
    again = claim_submission(form, same_content_is_new=same_content_is_new)
    if again is not None:
        return again
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        form.refused = error
        return None
    url = settle_submission(form, next_url(result))
    db.session.commit()
    if callable(success):
        success = success(result)
    if success:
        flash(str(success), "success")
    return redirect(url)


def claim_submission(form, *, same_content_is_new: bool | None = None):
    """For a view that saves a form by hand: call before the save, in its transaction.

    Returns None when this rendered form is sent for the first time (its token is now
    claimed, and the claim commits or rolls back with the save), or the answer to give
    when it was already saved: a redirect to where the first sending led, with a message.
    A form without a token (sent by a script, or a GET form) is never a repeat.
    """
    token = form.submitted_token() if isinstance(form, Form) else None
    if token is None:
        return None
    if same_content_is_new is None:
        same_content_is_new = form.SAME_CONTENT_IS_NEW
    content = None if same_content_is_new else submissions.content_key(
        current_user.get_id(), request.path, request.form.items(multi=True))
    earlier = submissions.claim(current_user.get_id(), token, content)
    if earlier is None:
        form.claimed_token, form.claimed_content = token, content
        return None
    db.session.rollback()
    flash(str(submissions.ALREADY_SAVED), "success")
    return redirect(earlier.result_path or request.path)


def settle_submission(form, url: str) -> str:
    """Record, before the commit, where the save of a claimed form leads; returns `url`."""
    token = getattr(form, "claimed_token", None)
    if token is not None:
        submissions.settle(current_user.get_id(), token, url, getattr(form, "claimed_content", None))
    return url


def commit_or_flash(action: Callable[[], T], *, success, next_url: str | Callable[[T], str],
                    refused_url: str | None = None):
    """For buttons without a form to show again: run, commit, flash `success` and redirect to
    `next_url` (a URL, or a function of the action's result); or roll back, flash the refusal
    and redirect to `refused_url` (default: `next_url`, which must then be a URL)."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(refused_url if refused_url is not None else next_url)
    db.session.commit()
    if success:
        flash(str(success), "success")
    return redirect(next_url(result) if callable(next_url) else next_url)


def refused_status(form) -> int:
    """HTTP status for a form shown again: 409 after a conflict, 400 otherwise."""
    from caseapp.domain import ConflictError

    return 409 if isinstance(getattr(form, "refused", None), ConflictError) else 400
