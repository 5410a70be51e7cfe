"""A form is saved once: the same form sent twice is saved the first time only.

A double click on "Save", the back button followed by "Send" again, or a browser
retrying a request over a slow connection sends the same form twice. Each rendered
form (of a POST form with CSRF protection: `caseapp.formtools.Form`) carries a random
`submission_id`. The unit of work of form views (`formtools.commit_or_show`) claims it
in the same transaction as the save: the second sending of that form finds it taken and
is answered with "already saved" and the page the first sending led to, and nothing is
written twice. A refused sending (a message on the form) rolls its claim back with the
rest, so the corrected form can still be sent.

Only a digest of (user id, token) is stored, with the time and the path the save led to
(an id-bearing path, never personal data). Rows older than `KEEP` are deleted as new
ones are written: longer than a session lives (10 hours), so a form can never be replayed
from an old page; a new form (a new token) is always a new save.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow

KEEP = timedelta(days=1)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ALREADY_SAVED = _l("This form had already been sent and saved: it was not saved a second time.")


class FormSubmission(db.Model):
    """One form that was saved: `key` is SHA-256 (hex) of "user id:token"."""

    __tablename__ = "form_submissions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    result_path: Mapped[str | None] = mapped_column(String(500))


def _key(user_id, token: str) -> str:
    return hashlib.sha256(f"{user_id}:{token}".encode()).hexdigest()


def usable_token(token) -> str | None:
    """The form's token if it looks like one we issue (16-64 URL-safe characters), else None."""
    if isinstance(token, str) and TOKEN_PATTERN.fullmatch(token):
        return token
    return None


def claim(user_id, token: str) -> FormSubmission | None:
    """Take `token` for this user in the current transaction.

    Returns None when the form is sent for the first time (the claim is flushed and
    commits or rolls back with the save), or the earlier `FormSubmission` when this form
    was already saved. Two sendings at the same instant: the primary key makes the second
    wait for the first and then see it (PostgreSQL); SQLite refuses the second's write
    while the first holds the lock, so the second starts a fresh transaction whose first
    statement writes, which waits for the first to commit and then sees it.
    """
    key = _key(user_id, token)
    try:
        return _claim(key)
    except OperationalError as error:
        if "locked" not in str(error).lower():
            raise
        db.session.rollback()
        return _claim(key)


def _claim(key: str) -> FormSubmission | None:
    # A write first (the clean-up of old claims), so SQLite takes its lock before any read.
    db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEEP))
    earlier = db.session.get(FormSubmission, key)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            db.session.add(FormSubmission(key=key, created_at=utcnow()))
    except IntegrityError:
        return db.session.execute(select(FormSubmission).where(FormSubmission.key == key)).scalar_one()
    return None


def settle(user_id, token: str, result_path: str) -> None:
    """Record where the first save led, so a repeat is taken to the same page. If the
    claim was rolled back on the way (a save that retried in a fresh transaction), it is
    taken again here, in the transaction of the save."""
    key = _key(user_id, token)
    submission = db.session.get(FormSubmission, key)
    if submission is None:
        submission = FormSubmission(key=key, created_at=utcnow())
        db.session.add(submission)
    submission.result_path = result_path[:500]
