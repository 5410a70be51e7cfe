"""Helpers every domain's views share: the current user, audited reads, refusals, query arguments.

A missing id and another structure's id get the same answer (404), so a URL
cannot be used to learn whether someone is known elsewhere.
"""
from __future__ import annotations

import uuid

from flask import abort, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from caseapp.panels import panel_subjects
from caseapp.formtools import MAX_DATABASE_INT, has_unstorable_characters
from caseapp.security.audit import record_and_commit, record_denied

MAX_INT_ARG = MAX_DATABASE_INT
MAX_QUERY_VALUE = 2048


def user():
    return current_user._get_current_object()


def audited(html: str, action: str, **event) -> str:
    """Commit the audit event of a read once the page is rendered, then send the page.

    Rendering first keeps the objects loaded (a commit expires them, and a
    page of 50 would reload row by row); committing before returning means
    no page leaves the server unless its audit event is stored. The people the page's
    panels showed (`caseapp.panels.panel_subjects`) are named with the event's own subjects.
    """
    shown = panel_subjects()
    if shown:
        event["subjects"] = set(event.get("subjects") or ()) | shown
    record_and_commit(action, **event)
    return html


def refuse(object_type: str, object_id) -> None:
    """The user sees the object but this action is not theirs to take: audit, then 403."""
    record_denied("object_rule", object_type=object_type, object_id=object_id)
    abort(403)


def not_visible(object_type: str, object_id) -> None:
    """The object does not exist or is not the user's to see: audit, then 404."""
    record_denied("not_visible", object_type=object_type, object_id=object_id)
    abort(404)


def uuid_arg(name: str) -> uuid.UUID | None:
    """A UUID query argument; absent is None, malformed answers 404."""
    value = request.args.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        abort(404)


def int_arg(name: str) -> int | None:
    """A positive integer query argument (cursor, page); absent is None, malformed or
    out of range (beyond a 32-bit id) answers 404 rather than reaching the database."""
    value = request.args.get(name)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > MAX_INT_ARG:
        abort(404)
    return int(value)


def text_arg(name: str, max_length: int = 255) -> str | None:
    """A text query argument (a keyset cursor); absent is None; longer than `max_length` or
    holding control or undecodable characters answers 404 rather than reaching the database."""
    value = request.args.get(name)
    if not value:
        return None
    if len(value) > max_length or has_unstorable_characters(value):
        abort(404)
    return value


def version_of(form) -> int:
    """The record version a form was loaded with (optimistic locking); 0 if missing or malformed."""
    try:
        version = int(form.version.data or 0)
    except (TypeError, ValueError):
        return 0
    return version if 0 <= version <= MAX_DATABASE_INT else 0


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every URL: a non-negative integer the database can hold (PostgreSQL
    `integer`), so `/admin/users/999999999999999999999/edit` answers 404 like any unknown id
    instead of overflowing the query. Registered app-wide in place of Werkzeug's `int`."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_INT)
        super().__init__(map, *args, **kwargs)


def refuse_malformed_query() -> None:
    """Before every request: a query string with control or undecodable characters, or a
    value longer than any link of the app makes, answers 400 (the normal error page)."""
    for key, value in request.args.items(multi=True):
        if (len(key) > MAX_QUERY_VALUE or len(value) > MAX_QUERY_VALUE
                or has_unstorable_characters(key) or has_unstorable_characters(value)):
            abort(400)


def register(app) -> None:
    """URL converters and query checks shared by every blueprint (before they are registered)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_malformed_query)
