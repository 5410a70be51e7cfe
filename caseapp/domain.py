"""Errors every domain's service raises, and the optimistic-locking flush.

Services raise a `DomainError` (or a subclass) when a request cannot be carried
out; views show its `message` on the form field named by `field` (or above the
form) with `caseapp.formtools.show_error`, and keep what the user typed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from caseapp.extensions import db

DEFAULT_CONFLICT = _l("Someone else changed this at the same time. Nothing of yours was saved yet: "
                      "look at the current state and try again.")


class DomainError(ValueError):
    """A request that cannot be carried out. `field` (or None) says where to show `message`."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """Two people changed the same thing: the later one is refused, never silently overwritten."""

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message or DEFAULT_CONFLICT, field)


def check_version(obj, expected_version: int | None, message=None) -> None:
    """Refuse when the form was loaded from an older version of `obj` (a stale tab).

    `expected_version` None means the caller does not track versions.
    Raises `ConflictError`.
    """
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(message)


def flush_or_conflict(message=None) -> None:
    """Flush; a concurrent save that won the race (the versioned UPDATE matched no row)
    becomes a `ConflictError` with `message`."""
    try:
        db.session.flush()
    except StaleDataError:
        raise ConflictError(message) from None


def add_or_refuse(obj, error: DomainError) -> None:
    """Add `obj` and flush it in a savepoint; if the database refuses it as a duplicate
    (a unique constraint: someone saved the same thing at the same moment), raise `error`
    instead of failing the request. The savepoint keeps the rest of the transaction usable."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        raise error from None
