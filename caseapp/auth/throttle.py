"""Login throttling per (account, client address), with growing delays; no account lock.

An account lock that anyone can trigger by typing a name ten times is a way to lock the
owner out. Instead, failures are counted for each pair (account, client address): after
`LOGIN_THROTTLE_AFTER` consecutive failures from one address for one account, that pair
must wait `LOGIN_THROTTLE_BASE`, and each further failure after the wait doubles it (up to
`LOGIN_THROTTLE_MAX`). While a pair waits, its attempts are refused without being checked
(and without counting), with the very same answer as a wrong password. The owner at another
address (their office, a colleague's desk) is not affected, and the attacker's address is
slowed down. A success from an address clears that pair and remembers the address as one of
the account's usual addresses (`is_usual_address`), which the per-username Flask-Limiter
limit exempts: an attacker hammering a name from elsewhere cannot shut the owner out of
their usual desk either.

Failed password logins, wrong second-factor codes and wrong "current password" answers on
the password-change form all count on the same pair.

Where the state lives, and why: a small table, `login_throttles`, not the limiter storage.
It must be read and updated in the same transaction as the login it judges (so two parallel
attempts cannot both pass), survive restarts and be shared by every app server without
requiring Redis. Its key is two HMAC-SHA256 values, under a key derived from `SECRET_KEY`,
of the normalised username and of the client address: unknown usernames get rows through
exactly the same code as real ones (neither the answer nor the database work tells whether
an account exists), and no name or address is stored in clear. Changing `SECRET_KEY`
forgets all throttle state. Rows untouched for `LOGIN_USUAL_ADDRESS_DAYS` are deleted at the
next attempt; a failure count restarts from zero after `LOGIN_THROTTLE_RESET` without failures.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from caseapp.auth.models import LoginThrottle
from caseapp.extensions import db
from caseapp.models_base import utcnow


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"caseapp login throttle v1", hashlib.sha256).digest()


def _mac(kind: str, value: str) -> str:
    return hmac.new(_key(), f"{kind}:{value}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def account_key(username: str) -> str:
    """HMAC of the normalised username (64 hex characters); the same for known and unknown names."""
    return _mac("account", (username or "").strip().lower())


def address_key(address: str | None = None) -> str:
    """HMAC of the client address (the request's, after ProxyFix, when not given)."""
    if address is None:
        address = request.remote_addr if has_request_context() else None
    return _mac("address", address or "-")


def begin(username: str, now: datetime, address: str | None = None) -> LoginThrottle:
    """The pair's row, created if missing and locked for this transaction (PostgreSQL).

    Runs the same statements whether or not the account exists; also deletes rows nobody
    touched for `LOGIN_USUAL_ADDRESS_DAYS`.
    """
    account, where = account_key(username), address_key(address)
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.touched_at < now - _memory())
                       .execution_options(synchronize_session=False))
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(LoginThrottle).values(account_key=account, address_key=where, failures=0,
                                                    touched_at=now).on_conflict_do_nothing())
    return db.session.execute(
        select(LoginThrottle).where(LoginThrottle.account_key == account, LoginThrottle.address_key == where)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def is_blocked(row: LoginThrottle, now: datetime) -> bool:
    """True while the pair must wait: its attempts are refused without being checked."""
    return row.blocked_until is not None and row.blocked_until > now


def delay_after(failures: int) -> timedelta | None:
    """The wait imposed after `failures` consecutive failures, or None below the threshold.

    `LOGIN_THROTTLE_BASE` at the threshold, doubling with each further failure, capped at
    `LOGIN_THROTTLE_MAX`.
    """
    cfg = current_app.config
    extra = failures - cfg["LOGIN_THROTTLE_AFTER"]
    if extra < 0:
        return None
    base, cap = cfg["LOGIN_THROTTLE_BASE"], cfg["LOGIN_THROTTLE_MAX"]
    return cap if extra >= 32 else min(base * (2 ** extra), cap)


def record_failure(row: LoginThrottle, now: datetime) -> bool:
    """Count one failure; returns True when the pair now has to wait."""
    if row.last_failure_at is not None and now - row.last_failure_at > current_app.config["LOGIN_THROTTLE_RESET"]:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    row.touched_at = now
    delay = delay_after(row.failures)
    row.blocked_until = now + delay if delay is not None else None
    return delay is not None


def record_success(row: LoginThrottle, now: datetime) -> None:
    """A completed login: the pair starts afresh and the address becomes a usual one."""
    row.failures = 0
    row.blocked_until = None
    row.last_success_at = now
    row.touched_at = now


def is_usual_address(username: str, address: str | None = None) -> bool:
    """Whether the account logged in successfully from this address within `LOGIN_USUAL_ADDRESS_DAYS`."""
    if not has_request_context() and address is None:
        return False
    found = db.session.execute(
        select(LoginThrottle.last_success_at).where(LoginThrottle.account_key == account_key(username),
                                                    LoginThrottle.address_key == address_key(address))
    ).scalar_one_or_none()
    return found is not None and utcnow() - found <= _memory()


def forget_failures(username: str) -> None:
    """Clear every pair's failures for an account (its password was reset); usual addresses stay."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.account_key == account_key(username))
                       .values(failures=0, blocked_until=None).execution_options(synchronize_session=False))


def _memory() -> timedelta:
    return timedelta(days=current_app.config["LOGIN_USUAL_ADDRESS_DAYS"])
