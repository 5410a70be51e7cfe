"""Error pages that say what happened and nothing about the data behind it."""
import traceback

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from caseapp.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Not found"), _l("This page does not exist, or you cannot see it.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts (%(limit)s at most). "
                              "Nothing was saved: shorten the text and try again.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. Nothing you submitted was saved; "
                                         "please try again, and tell an administrator if it persists.")),
}


def _render(code: int):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if code == 413:
        message = str(message) % {"limit": _size(current_app.config["MAX_CONTENT_LENGTH"])}
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _size(n: int | None) -> str:
    """A byte count as people read it (1 MB, 500 KB)."""
    if not n:
        return "—"
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def handle_http_exception(error: HTTPException):
    if error.code == 500 or error.code not in MESSAGES:
        return _render(500 if (error.code or 500) >= 500 else 400)
    return _render(error.code)


def handle_csrf_error(_error: CSRFError):
    db.session.rollback()  # a refused request that tried to write (`kept_input.RefusedWrite`)
    title = _l("Form expired")
    message = _l("This form has expired or was not sent from this site. Go back, reload the page and try again.")
    return render_template("errors/error.html", code=400, title=title, message=message), 400


def handle_unexpected(error: Exception):
    db.session.rollback()
    current_app.logger.error("Unhandled %s on %s %s\n%s", type(error).__name__, request.method,
                             request.endpoint, _traceback_without_message(error))
    return _render(500)


def _traceback_without_message(error: Exception) -> str:
    """Where it failed, never the exception's message: messages can quote personal data."""
    frames = traceback.extract_tb(error.__traceback__)
    return "".join(traceback.format_list(frames)) + type(error).__qualname__


def register(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
