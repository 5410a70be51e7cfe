"""A form is saved once: the same form sent twice is saved the first time only.

A double click on "Save", the back button followed by "Send" again, or a browser
retrying a request over a slow connection sends the same form twice. Each rendered
form (of a POST form with CSRF protection: `caseapp.formtools.Form`) carries a random
`submission_id`. The unit of work of form views (`formtools.commit_or_show`) claims it
in the same transaction as the save, together with a digest of what the form says
(user, path, fields). The second sending of that form, or of the same content within
`SUBMISSION_REPEAT_SECONDS` (the back button shows the form with a new token, but the
browser puts the text back), finds it taken and is answered with "already saved" and
the page the first sending led to; nothing is written twice. A refused sending (a
message on the form) rolls its claim back with the rest, so the corrected form can
still be sent. A form sent without a token (a script) is never taken for a repeat.

Only SHA-256 digests are stored, with the time and the path the save led to (an
id-bearing path, never personal data). Rows older than `KEEP` are deleted as new ones
are written: longer than a session lives (10 hours), so a form can never be replayed
from an old page.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from flask import current_app
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


def content_key(user_id, path: str, fields) -> str:
    """Digest of what a form says: the user, the path it was sent to and its fields
    (`fields`: (name, value) pairs; the CSRF token and the submission id left out)."""
    digest = hashlib.sha256(f"{user_id}\x1f{path}".encode())
    for name, value in sorted((n, v) for n, v in fields if n not in ("csrf_token", "submission_id")):
        digest.update(f"\x1e{name}\x1f{value}".encode())
    return "c" + digest.hexdigest()[:63]


def claim(user_id, token: str, content: str | None = None) -> FormSubmission | None:
    """Take `token` (and the form's `content_key`) for this user in the current transaction.

    Returns None when the form is sent for the first time (the claim is flushed and
    commits or rolls back with the save), or the earlier `FormSubmission` when this form
    was already saved: the same token, or the same content saved less than
    `SUBMISSION_REPEAT_SECONDS` ago (the back button shows the form again with a new
    token but the text the browser kept). Two sendings at the same instant: the primary
    key makes the second wait for the first and then see it (PostgreSQL); on SQLite
    transactions queue (caseapp/database.py); a "database is locked" answer is retried
    once in a fresh transaction.
    """
    keys = [_key(user_id, token)] + ([content] if content else [])
    try:
        return _claim(keys)
    except OperationalError as error:
        if "locked" not in str(error).lower():
            raise
        db.session.rollback()
        return _claim(keys)


def _repeat_window() -> timedelta:
    return timedelta(seconds=current_app.config.get("SUBMISSION_REPEAT_SECONDS", 120))


def _claim(keys: list[str]) -> FormSubmission | None:
    now = utcnow()
    # A write first (the clean-up of old claims), so SQLite takes its lock before any read.
    db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - KEEP))
    token_key, content = keys[0], keys[1] if len(keys) > 1 else None
    earlier = db.session.get(FormSubmission, token_key)
    if earlier is not None:
        return earlier
    if content is not None:
        same = db.session.get(FormSubmission, content)
        if same is not None and same.created_at >= now - _repeat_window():
            return same
        if same is not None:
            db.session.delete(same)
            db.session.flush()
    try:
        with db.session.begin_nested():
            for key in keys:
                db.session.add(FormSubmission(key=key, created_at=now))
    except IntegrityError:
        return db.session.execute(select(FormSubmission).where(FormSubmission.key.in_(keys))
                                  .order_by(FormSubmission.created_at)).scalars().first()
    return None


def settle(user_id, token: str, result_path: str, content: str | None = None) -> None:
    """Record where the first save led, so a repeat is taken to the same page. If the
    claim was rolled back on the way (a save that retried in a fresh transaction), it is
    taken again here, in the transaction of the save."""
    for key in [_key(user_id, token)] + ([content] if content else []):
        submission = db.session.get(FormSubmission, key)
        if submission is None:
            submission = FormSubmission(key=key, created_at=utcnow())
            db.session.add(submission)
        submission.result_path = result_path[:500]
