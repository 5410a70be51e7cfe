"""Language selection: Greek by default, English on request."""
from urllib.parse import urlsplit

from flask import current_app, flash, has_request_context, redirect, request, session, url_for
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
