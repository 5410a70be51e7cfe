"""Language selection: Greek by default, English on request."""
from flask import current_app, has_request_context, redirect, request, session, url_for
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


def redirect_to_login():
    """Unauthenticated: go to the login page, keeping only the path (never a query string)."""
    return redirect(url_for("auth.login", next=request.path))
