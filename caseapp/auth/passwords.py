"""Password hashing (argon2id) and the password policy.

Policy follows NIST SP 800-63B: 12 to 128 characters, no composition rules,
refuse passwords that are common or trivially guessable. "Common" means in
zxcvbn's list of frequent passwords or scored below 3 by zxcvbn (which also
catches the username or display name reused as a password).
"""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_ZXCVBN_SCORE = 3


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


_DUMMY_HASH: dict[tuple, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash("dummy password for timing")
    return _DUMMY_HASH[key]


def verify_or_dummy(stored_hash: str | None, password: str) -> bool:
    """One argon2id verification on every path: against `stored_hash`, or a dummy hash when
    there is no account (always False then), so an unknown username costs as long as a wrong
    password. The dummy is made on the first call of either kind, so even the first
    request of a process does the same work on both paths."""
    dummy = _dummy_hash(_hasher())
    if stored_hash is None:
        verify_password(dummy, password)
        return False
    return verify_password(stored_hash, password)


def password_problems(password: str, user_inputs: tuple[str, ...] = ()) -> list[str]:
    """Why a new password is refused; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))]
    if len(password) > MAX_LENGTH:
        return [str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))]
    result = zxcvbn(password[:64], user_inputs=[u for u in user_inputs if u])
    if result["score"] < MIN_ZXCVBN_SCORE:
        return [str(_l("This password is too common or easy to guess. "
                       "Try a longer phrase of unrelated words."))]
    return []
