"""Server-side, revocable login sessions.

The Flask session cookie carries a random token (`sid`); the server keeps
its hash in `auth_sessions`. A request is authenticated only while that row
is open, the user is active and neither the idle nor the absolute timeout has
passed. Logout, password change and deactivation end the rows, so a copied
cookie stops working at once.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta

from flask import current_app, request, session
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from caseapp.auth.models import AuthSession, User
from caseapp.extensions import db
from caseapp.models_base import utcnow

SESSION_KEY = "sid"
# Write last_seen_at at most this often, so every page view is not a write (and at most a tenth
# of the idle timeout, so a short timeout is still measured from the last page seen).
TOUCH_INTERVAL = timedelta(seconds=60)
# Endpoints that read the session without counting as activity (the timeout warning asks how
# long is left: asking must not extend it).
PASSIVE_ENDPOINTS = frozenset({"auth.session_status"})


def _touch_interval():
    return min(TOUCH_INTERVAL, current_app.config["SESSION_IDLE_TIMEOUT"] / 10)


def seconds_left(row: AuthSession | None = None) -> int | None:
    """Seconds until the current session ends if the user does nothing (idle or absolute
    timeout, whichever comes first); None without a live session."""
    row = row if row is not None else current_session_row()
    if row is None or row.ended_at is not None:
        return None
    cfg, now = current_app.config, utcnow()
    left = min(row.last_seen_at + cfg["SESSION_IDLE_TIMEOUT"], row.created_at + cfg["SESSION_ABSOLUTE_TIMEOUT"]) - now
    return max(0, math.ceil(left.total_seconds()))  # 0 only once it has ended


def extend_current_session() -> int | None:
    """"Stay signed in": count now as activity (the idle timeout starts again); returns the
    seconds left, or None without a live session. The absolute timeout is not moved."""
    row = current_session_row()
    if row is None or row.ended_at is not None:
        return None
    row.last_seen_at = utcnow()
    return seconds_left(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, second_factor_pending: bool = False) -> AuthSession:
    """Begin a fresh session: the old cookie content is dropped (new id at login).

    With `second_factor_pending` the session proves only the password: it
    authenticates nobody until `complete_second_factor` clears the flag.
    """
    _clear_keeping_locale()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = AuthSession(id=_digest(token), user=user, created_at=now, last_seen_at=now,
                      second_factor_pending=second_factor_pending)
    db.session.add(row)
    session[SESSION_KEY] = token
    # A browser-session cookie (no Expires): it ends when the browser closes. The idle and
    # absolute timeouts are enforced here, on the server, whatever the cookie says.
    session.permanent = False
    return row


def _clear_keeping_locale() -> None:
    """Drop everything from the cookie but the interface language, which outlives a login."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def current_session_row() -> AuthSession | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    return db.session.get(AuthSession, _digest(token))


def pending_second_factor_session() -> AuthSession | None:
    """The session waiting for a TOTP code, while it is fresh and its user active."""
    row = current_session_row()
    if row is None or row.ended_at is not None or not row.second_factor_pending or not row.user.active:
        return None
    if utcnow() - row.created_at > current_app.config["SECOND_FACTOR_TIMEOUT"]:
        return None
    return row


def end_current_session(reason: str) -> None:
    row = current_session_row()
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason
    _clear_keeping_locale()


def end_all_sessions(user: User, reason: str, keep: AuthSession | None = None) -> int:
    """End every open session of `user` (except `keep`); returns how many."""
    stmt = (
        update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep.id)
    return db.session.execute(stmt).rowcount


def _expired(row: AuthSession, now) -> str | None:
    cfg = current_app.config
    if now - row.last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]:
        return "idle_timeout"
    if now - row.created_at > cfg["SESSION_ABSOLUTE_TIMEOUT"]:
        return "absolute_timeout"
    return None


def load_user_from_session(_request) -> User | None:
    """Flask-Login request loader: the user behind a live server-side session."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = db.session.execute(
        select(AuthSession).where(AuthSession.id == _digest(token), AuthSession.ended_at.is_(None))
        .options(joinedload(AuthSession.user))  # every request: one round trip, not two
    ).scalar_one_or_none()
    if row is not None and row.second_factor_pending:
        return None  # password checked, code still to come: keep the session for /login/code
    if row is None or not row.user.active:
        session.pop(SESSION_KEY, None)
        return None
    now = utcnow()
    reason = _expired(row, now)
    if reason:
        row.ended_at, row.end_reason = now, reason
        db.session.commit()
        session.pop(SESSION_KEY, None)
        return None
    if now - row.last_seen_at > _touch_interval() and request.endpoint not in PASSIVE_ENDPOINTS:
        row.last_seen_at = now
        db.session.commit()
    return row.user
