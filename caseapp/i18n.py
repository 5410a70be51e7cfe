"""Language selection: Greek by default, English on request."""
from urllib.parse import urlsplit

from flask import current_app, flash, has_request_context, redirect, request, session, url_for
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


LANGUAGE_NAMES = {"el": "Ελληνικά", "en": "English"}
LOGIN_REQUIRED_MESSAGE = _l("Please log in to continue.")


SESSION_ENDED_MESSAGE = _l("Your session had ended, so what you sent was not saved. Sign in again: what you "
                          "typed is kept in this browser tab and put back in the form.")
# Asked by the timeout warning's script: an answer it can read, not a login page.
SCRIPT_ENDPOINTS = frozenset({"auth.session_status", "auth.extend_session"})


def redirect_to_login():
    """Unauthenticated: go to the login page, keeping only the path (never a query string).

    A POST (a form sent after the session ended) is told that nothing was saved and that
    the browser tab keeps what was typed (`static/js/keep-input.js`); after the login it
    comes back to the page the form was on (its path, same site only), where the text is
    put back.
    """
    if request.endpoint in SCRIPT_ENDPOINTS:
        return {"seconds_left": 0}, 401
    target = request.path
    if request.method == "POST":
        flash(str(SESSION_ENDED_MESSAGE), "error")
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc == request.host and referrer.path.startswith("/"):
            target = referrer.path
    return redirect(url_for("auth.login", next=target))


# --- WTForms' built-in messages, in the page's language ----------------------------------------


class _Extract:
    """Markers only: `pybabel extract` collects the strings passed to `gettext`/`ngettext`."""

    @staticmethod
    def gettext(message):
        return message

    @staticmethod
    def ngettext(singular, plural, n):
        return singular, plural


# Every message WTForms (3.x) builds into its fields and validators (wtforms/locale/wtforms.pot),
# in our own catalogue: WTForms' shipped Greek catalogue lacks some and words others badly.
WTFORMS_MESSAGES = (
    _Extract.gettext("Invalid field name '%s'."),
    _Extract.gettext("Field must be equal to %(other_name)s."),
    _Extract.ngettext("Field must be at least %(min)d character long.",
                      "Field must be at least %(min)d characters long.", 2),
    _Extract.ngettext("Field cannot be longer than %(max)d character.",
                      "Field cannot be longer than %(max)d characters.", 2),
    _Extract.ngettext("Field must be exactly %(max)d character long.",
                      "Field must be exactly %(max)d characters long.", 2),
    _Extract.gettext("Field must be between %(min)d and %(max)d characters long."),
    _Extract.gettext("Number must be at least %(min)s."),
    _Extract.gettext("Number must be at most %(max)s."),
    _Extract.gettext("Number must be between %(min)s and %(max)s."),
    _Extract.gettext("Date must be at least %(min)s."),
    _Extract.gettext("Date must be at most %(max)s."),
    _Extract.gettext("Date must be between %(min)s and %(max)s."),
    _Extract.gettext("This field is required."),
    _Extract.gettext("Invalid input."),
    _Extract.gettext("Invalid email address."),
    _Extract.gettext("Invalid IP address."),
    _Extract.gettext("Invalid Mac address."),
    _Extract.gettext("Invalid URL."),
    _Extract.gettext("Invalid UUID."),
    _Extract.gettext("Invalid value, must be one of: %(values)s."),
    _Extract.gettext("Invalid value, can't be any of: %(values)s."),
    _Extract.gettext("This field cannot be edited."),
    _Extract.gettext("This field is disabled and cannot have a value."),
    _Extract.gettext("Invalid CSRF Token."),
    _Extract.gettext("CSRF token missing."),
    _Extract.gettext("CSRF failed."),
    _Extract.gettext("CSRF token expired."),
    _Extract.gettext("Invalid Choice: could not coerce."),
    _Extract.gettext("Choices cannot be None."),
    _Extract.gettext("Not a valid choice."),
    _Extract.gettext("Invalid choice(s): one or more data inputs could not be coerced."),
    _Extract.ngettext("'%(value)s' is not a valid choice for this field.",
                      "'%(value)s' are not valid choices for this field.", 2),
    _Extract.gettext("Not a valid datetime value."),
    _Extract.gettext("Not a valid date value."),
    _Extract.gettext("Not a valid time value."),
    _Extract.gettext("Not a valid week value."),
    _Extract.gettext("Not a valid integer value."),
    _Extract.gettext("Not a valid decimal value."),
    _Extract.gettext("Not a valid float value."),
)


class FormTranslations:
    """What WTForms asks for its built-in messages (`Form.Meta.get_translations`): our catalogue,
    in the request's language (Flask-Babel), so a Greek page never shows WTForms' English."""

    @staticmethod
    def _active() -> bool:
        return has_request_context() and "babel" in current_app.extensions

    def gettext(self, string):
        if not self._active():
            return string
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        if not self._active():
            return singular if n == 1 else plural
        return get_translations().ungettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()
