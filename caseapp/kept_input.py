"""Input that is never lost: a refused POST shows its form again with what was typed.

Every form of the app already does this for bad input, conflicts and closed case files (the
view validates, calls the service, and renders the form again on a `DomainError`). Two
refusals happen before any view runs, and used to answer a bare page that lost the text:

- **A stale CSRF token** (the form was loaded before the user signed in again in another tab,
  or before the server restarted with a new secret). Flask-WTF's own check raises before the
  view runs. Here it is done instead by `check_csrf`: on a bad token the request goes on to its
  view *in refused mode*, where every form fails validation on its `csrf_token` field, so the
  view shows the form again with everything typed and the message "this form had expired,
  nothing was saved" (status 400), with a fresh token to send it again. Refused mode can change
  nothing: any SQL write other than the audit log raises `RefusedWrite` (the answer is then the
  plain "form expired" page, as before), and the cookie session is put back as it was (only a
  flashed message may be added). A view that changes state without a form therefore still
  cannot be reached by a forged request.
- **An expired session.** A POST without a live session cannot be shown its page (that needs
  the login), so it is sent to the login page with a message saying that nothing was saved and
  that what was typed is kept in the browser tab; `static/js/keep-input.js` keeps the text of
  every form in the tab's `sessionStorage` until a page confirms it was saved, and puts it back
  in the form after the sign-in. Before the idle timeout ends a session, the same script warns
  in an accessible dialog (the GOV.UK timeout-warning pattern) with "Stay signed in", which calls
  `auth.extend_session`.
"""
from __future__ import annotations

import re

from flask import current_app, flash, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine

from caseapp.extensions import csrf

EXPIRED_FORM = _l("This form had expired (you signed in again in another tab, or the page stayed open a long "
                  "time), so nothing was saved. What you typed is below: check it and send it again.")
EXPIRED_ACTION = _l("This page had expired, so nothing was done. Try again.")

# Writes allowed while a request is refused: the audit log (reads of the page shown again are
# audited like any other).
_ALLOWED_TABLES = re.compile(r"^audit", re.I)
_WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


class RefusedWrite(CSRFError):
    """A request whose CSRF token was refused tried to change something."""


def refused() -> bool:
    """True while the current request runs in refused mode (its CSRF token was not valid)."""
    return bool(g.get("csrf_refused"))


def check_csrf():
    """Before every request, in place of Flask-WTF's check (same rules, same exemptions)."""
    app = current_app
    if not app.config["WTF_CSRF_ENABLED"] or request.method not in app.config["WTF_CSRF_METHODS"]:
        return None
    if not request.endpoint:
        return None
    if app.blueprints.get(request.blueprint) in csrf._exempt_blueprints:
        return None
    view = app.view_functions.get(request.endpoint)
    if view is not None and f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
        return None
    try:
        csrf.protect()
    except CSRFError:
        # Who is asking is settled first (the session's last-seen time may be written), then
        # nothing else may change.
        current_user._get_current_object()
        g.csrf_refused = True
        g.csrf_session_before = dict(session)
    return None


def _guard_writes(conn, cursor, statement, parameters, context, executemany):
    try:
        active = refused()
    except RuntimeError:  # no application context: not a request
        return
    if not active:
        return
    match = _WRITE.match(statement)
    if match and not _ALLOWED_TABLES.match(match.group(1)):
        raise RefusedWrite(str(EXPIRED_ACTION))


def restore_session(response):
    """After a refused request: the cookie session as it was, plus one message if the view
    answered with a redirect (its own message could mislead: nothing was done)."""
    if not refused():
        return response
    before = g.pop("csrf_session_before", {})
    fresh_token, flashes = session.get("csrf_token"), session.get("_flashes")
    session.clear()
    session.update({k: v for k, v in before.items() if k != "_flashes"})
    if fresh_token and "csrf_token" not in before:
        session["csrf_token"] = fresh_token  # the token the form shown again carries
    if not current_user.is_authenticated:  # the session had ended: the login page says so
        if flashes:
            session["_flashes"] = flashes
    elif 300 <= response.status_code < 400:
        session.pop("_flashes", None)
        flash(str(EXPIRED_ACTION), "error")
    return response


def expired_form_message() -> str:
    return str(EXPIRED_FORM)


def session_timing() -> dict | None:
    """For the page's timeout warning: seconds left and when to warn; None when signed out."""
    from caseapp.auth.sessions import seconds_left

    if not current_user.is_authenticated:
        return None
    left = seconds_left()
    if left is None:
        return None
    return {"left": left, "warn": int(current_app.config["SESSION_TIMEOUT_WARNING"].total_seconds())}


def register(app) -> None:
    """Take over the CSRF check (call right after `csrf.init_app`, so it runs where Flask-WTF's
    check ran: before the permission checks)."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(check_csrf)
    app.after_request(restore_session)
    app.jinja_env.globals["expired_form_message"] = expired_form_message
    app.jinja_env.globals["session_timing"] = session_timing
    if not event.contains(Engine, "before_cursor_execute", _guard_writes):
        event.listen(Engine, "before_cursor_execute", _guard_writes)
