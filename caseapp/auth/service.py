"""Writes for users: login attempts, lockout, password changes, administration."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from caseapp.auth import passwords
from caseapp.auth import totp
from caseapp.auth.models import AuthSession, User
from caseapp.auth.sessions import current_session_row as current_session
from caseapp.auth.sessions import end_all_sessions, end_current_session, start_session
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.security.permissions import Role
from caseapp.structures.models import Structure


class LoginOutcome(StrEnum):
    OK = "ok"
    SECOND_FACTOR = "second_factor"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


class UserError(ValueError):
    """A user-administration request that cannot be carried out (shown on the form)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def find_user(username: str) -> User | None:
    return db.session.execute(
        select(User).where(User.username == normalise_username(username))
    ).scalar_one_or_none()


def attempt_login(username: str, password: str) -> LoginResult:
    """Check credentials, apply the lockout rule, audit; the caller commits."""
    user = find_user(username)
    if user is None or not user.active:
        passwords.burn_verification_time(password)
        record("auth.login", object_type="user", object_id=user.id if user else None,
               outcome="failed", user=user)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    now = utcnow()
    if user.is_locked(now):
        record("auth.login", object_type="user", object_id=user.id, outcome="locked", user=user)
        return LoginResult(LoginOutcome.LOCKED)
    if user.locked_until is not None:
        _lift_lock(user)
    if not passwords.verify_password(user.password_hash, password):
        _count_failure(user, now)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.totp_enabled:
        start_session(user, second_factor_pending=True)
        record("auth.login", object_type="user", object_id=user.id, outcome="password_ok", user=user)
        return LoginResult(LoginOutcome.SECOND_FACTOR, user)
    _succeed(user, now)
    return LoginResult(LoginOutcome.OK, user)


def complete_second_factor(pending: AuthSession, code: str) -> LoginResult:
    """Second step of a login: a valid, unused TOTP code turns the pending session into a real one."""
    user = pending.user
    now = utcnow()
    if user.is_locked(now):
        end_current_session("locked")
        record("auth.login", object_type="user", object_id=user.id, outcome="locked", user=user)
        return LoginResult(LoginOutcome.LOCKED, user)
    if not totp.accept_code(user, code):
        _count_failure(user, now, action="auth.second_factor")
        if user.is_locked(now):
            end_current_session("locked")
            return LoginResult(LoginOutcome.LOCKED, user)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS, user)
    pending.second_factor_pending = False
    pending.last_seen_at = now
    user.failed_logins = 0
    user.last_login_at = now
    record("auth.login", object_type="user", object_id=user.id, outcome="ok", user=user)
    return LoginResult(LoginOutcome.OK, user)


def _lift_lock(user: User) -> None:
    """The lock expired by itself: clear it and say so in the audit log."""
    user.locked_until = None
    user.failed_logins = 0
    record("auth.unlock", object_type="user", object_id=user.id, outcome="expired", user=user)


def _count_failure(user: User, now, action: str = "auth.login") -> None:
    user.failed_logins += 1
    record(action, object_type="user", object_id=user.id, outcome="failed", user=user)
    if user.failed_logins >= current_app.config["LOCKOUT_THRESHOLD"]:
        user.locked_until = now + current_app.config["LOCKOUT_DURATION"]
        record("auth.lock", object_type="user", object_id=user.id, outcome="locked", user=user)


def _succeed(user: User, now) -> None:
    user.failed_logins = 0
    user.last_login_at = now
    start_session(user)
    record("auth.login", object_type="user", object_id=user.id, outcome="ok", user=user)


def logout(user: User) -> None:
    end_current_session("logout")
    record("auth.logout", object_type="user", object_id=user.id, user=user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise UserError("current_password", _l("The current password is not correct."))
    _check_password(new_password, user)
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = False
    end_all_sessions(user, "password_changed")
    start_session(user)
    record("auth.password_change", object_type="user", object_id=user.id, user=user)


def _check_password(password: str, user_like) -> None:
    problems = passwords.password_problems(password, (user_like.username, user_like.display_name))
    if problems:
        raise UserError("password", problems[0])


def _structures_by_code(codes) -> list[Structure]:
    codes = list(dict.fromkeys(codes))
    found = db.session.execute(select(Structure).where(Structure.code.in_(codes))).scalars().all()
    missing = set(codes) - {s.code for s in found}
    if missing:
        raise UserError("structures", _l("Unknown structure: %(codes)s", codes=", ".join(sorted(missing))))
    return sorted(found, key=lambda s: s.code)


def _check_username_free(username: str, exclude_id: int | None = None) -> None:
    stmt = select(func.count()).select_from(User).where(User.username == username)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.execute(stmt).scalar_one():
        raise UserError("username", _l("This username is already taken."))


def create_user(*, username: str, display_name: str, role: str, password: str | None,
                structure_codes, actor: User | None = None, must_change_password: bool = False) -> User:
    """Create a user; without a password a one-time password is generated and returned on `.one_time_password`."""
    username = normalise_username(username)
    Role(role)
    _check_username_free(username)
    user = User(username=username, display_name=display_name.strip(), role=role,
                active=True, failed_logins=0)
    user.structures = _structures_by_code(structure_codes)
    one_time = None
    if password is None:
        one_time = generate_one_time_password()
        password = one_time
        must_change_password = True
    else:
        _check_password(password, user)
    user.password_hash = passwords.hash_password(password)
    user.must_change_password = must_change_password
    db.session.add(user)
    db.session.flush()
    record("users.create", object_type="user", object_id=user.id, user=actor)
    user.one_time_password = one_time
    return user


def update_user(user: User, *, display_name: str, role: str, structure_codes, actor: User,
                expected_version: int) -> User:
    if user.version != expected_version:
        raise UserError("version", _l("Someone else changed this user while you were editing. "
                                      "Review the current values and save again."))
    Role(role)
    if user.id == actor.id and role != user.role:
        raise UserError("role", _l("You cannot change your own role."))
    user.display_name = display_name.strip()
    user.role = role
    user.structures = _structures_by_code(structure_codes)
    db.session.flush()
    record("users.update", object_type="user", object_id=user.id, user=actor)
    return user


def set_active(user: User, active: bool, *, actor: User) -> User:
    if user.id == actor.id and not active:
        raise UserError("active", _l("You cannot deactivate your own account."))
    user.active = active
    if not active:
        end_all_sessions(user, "deactivated")
    db.session.flush()
    record("users.activate" if active else "users.deactivate", object_type="user",
           object_id=user.id, user=actor)
    return user


def reset_password(user: User, *, actor: User) -> str:
    """Give a random one-time password that must be changed at the next login."""
    if user.id == actor.id:
        raise UserError("password", _l("Change your own password from your account page."))
    one_time = generate_one_time_password()
    user.password_hash = passwords.hash_password(one_time)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(user, "password_reset")
    db.session.flush()
    record("users.reset_password", object_type="user", object_id=user.id, user=actor)
    return one_time


def enable_second_factor(user: User, code: str) -> None:
    """Finish enrolment: the first valid code from the user's app switches TOTP on."""
    if user.totp_enabled:
        raise UserError("code", _l("Two-step verification is already on."))
    if not totp.accept_code(user, code):
        raise UserError("code", _l("That code is not valid. Check the time on your phone and try the current code."))
    user.totp_enabled = True
    end_all_sessions(user, "second_factor_enabled", keep=current_session())
    record("auth.second_factor_enable", object_type="user", object_id=user.id, user=user)


def reset_second_factor(user: User, *, actor: User) -> None:
    """Admin reset (lost phone): the user enrols again at the next login if their role requires it."""
    if user.id == actor.id:
        raise UserError("code", _l("Another administrator must reset your two-step verification."))
    totp.clear(user)
    end_all_sessions(user, "second_factor_reset")
    db.session.flush()
    record("users.reset_second_factor", object_type="user", object_id=user.id, user=actor)


def generate_one_time_password() -> str:
    """Five random words' worth of entropy in an easy-to-type form (about 100 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4)]
    return "-".join(groups)
