"""Helpers every domain's views share: the current user, audited reads, refusals, query arguments.

A missing id and another structure's id get the same answer (404), so a URL
cannot be used to learn whether someone is known elsewhere.
"""
from __future__ import annotations

import uuid

from flask import abort, request
from flask_login import current_user

from caseapp.security.audit import record_and_commit, record_denied

MAX_INT_ARG = 2**31 - 1


def user():
    return current_user._get_current_object()


def audited(html: str, action: str, **event) -> str:
    """Commit the audit event of a read once the page is rendered, then send the page.

    Rendering first keeps the objects loaded (a commit expires them, and a
    page of 50 would reload row by row); committing before returning means
    no page leaves the server unless its audit event is stored.
    """
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


def version_of(form) -> int:
    """The record version a form was loaded with (optimistic locking); 0 if missing or malformed."""
    try:
        return int(form.version.data or 0)
    except (TypeError, ValueError):
        return 0
