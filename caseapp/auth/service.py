"""Writes for users: login attempts, throttling, password changes, administration.

Administration made on screen (`actor` given) goes through four eyes when it would open a
confidential structure (see `caseapp.auth.four_eyes`); the operator's command line and the
demo loader (`actor=None`) apply at once, audited.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from caseapp.auth import four_eyes, passwords, throttle
from caseapp.auth import totp
from caseapp.auth.errors import UserError
from caseapp.auth.models import AccessRequest, AuthSession, User
from caseapp.auth.sessions import current_session_row as current_session
from caseapp.auth.sessions import end_all_sessions, end_current_session, start_session
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.security.permissions import Role
from caseapp.structures.models import Structure

__all__ = ["UserError"]  # re-exported: views catch `service.UserError`


class LoginOutcome(StrEnum):
    OK = "ok"
    SECOND_FACTOR = "second_factor"
    # Unknown user, wrong password, inactive account, or a throttled (account, address) pair:
    # one outcome, so the login page cannot tell them apart.
    REFUSED = "refused"
    # Only after the password step (the user proved the password): too many wrong codes.
    THROTTLED = "throttled"


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def find_user(username: str) -> User | None:
    return db.session.execute(
        select(User).where(User.username == normalise_username(username))
    ).scalar_one_or_none()


def attempt_login(username: str, password: str) -> LoginResult:
    """Check credentials under the (account, address) throttle, audit; the caller commits.

    Every path runs the same statements and exactly one argon2id verification (against a
    dummy hash for an unknown name, and even while the pair is throttled, whose attempts are
    then refused unchecked), and every refusal has the same outcome.
    """
    now = utcnow()
    user = find_user(username)
    pair = throttle.begin(username, now)
    blocked = throttle.is_blocked(pair, now)
    password_ok = passwords.verify_or_dummy(user.password_hash if user is not None else None, password)
    subject = {"object_type": "user", "object_id": user.id if user is not None else None, "user": user}
    if blocked:
        record("auth.login", outcome="throttled", **subject)
        return LoginResult(LoginOutcome.REFUSED)
    if user is None or not user.active or not password_ok:
        _count_failure(pair, now, "auth.login", subject)
        return LoginResult(LoginOutcome.REFUSED)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.totp_enabled:
        # The pair is not cleared yet: only a complete login does that, or knowing the
        # password would reset the count of wrong codes.
        start_session(user, second_factor_pending=True)
        record("auth.login", outcome="password_ok", **subject)
        return LoginResult(LoginOutcome.SECOND_FACTOR, user)
    _succeed(user, pair, now)
    start_session(user)
    return LoginResult(LoginOutcome.OK, user)


def complete_second_factor(pending: AuthSession, code: str) -> LoginResult:
    """Second step of a login: a valid, unused TOTP code turns the pending session into a real one.

    Wrong codes count on the same (account, address) pair as wrong passwords; once the pair
    must wait, the pending session ends (THROTTLED).
    """
    user = pending.user
    now = utcnow()
    pair = throttle.begin(user.username, now)
    subject = {"object_type": "user", "object_id": user.id, "user": user}
    if throttle.is_blocked(pair, now):
        end_current_session("throttled")
        record("auth.login", outcome="throttled", **subject)
        return LoginResult(LoginOutcome.THROTTLED, user)
    if not totp.accept_code(user, code):
        if _count_failure(pair, now, "auth.second_factor", subject):
            end_current_session("throttled")
            return LoginResult(LoginOutcome.THROTTLED, user)
        return LoginResult(LoginOutcome.REFUSED, user)
    pending.second_factor_pending = False
    pending.last_seen_at = now
    _succeed(user, pair, now)
    return LoginResult(LoginOutcome.OK, user)


def _count_failure(pair, now, action: str, subject: dict) -> bool:
    """Audit a failure and count it on the pair; True (and audited) when the pair must now wait."""
    record(action, outcome="failed", **subject)
    blocked = throttle.record_failure(pair, now)
    if blocked:
        record("auth.throttle", outcome="blocked", **subject)
    return blocked


def _succeed(user: User, pair, now) -> None:
    throttle.record_success(pair, now)
    user.last_login_at = now
    record("auth.login", object_type="user", object_id=user.id, outcome="ok", user=user)


def logout(user: User) -> None:
    end_current_session("logout")
    record("auth.logout", object_type="user", object_id=user.id, user=user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The user's own password change, the current password checked under the login throttle.

    Raises `UserError` on `current_password` when it is wrong or the (account, address) pair
    must wait (the caller commits anyway: the failure is audited and counted).
    """
    now = utcnow()
    pair = throttle.begin(user.username, now)
    blocked = throttle.is_blocked(pair, now)
    current_ok = passwords.verify_or_dummy(user.password_hash, current_password)
    subject = {"object_type": "user", "object_id": user.id, "user": user}
    if blocked:
        record("auth.password_change", outcome="throttled", **subject)
        raise UserError("current_password", _l("Too many wrong attempts: wait a few minutes and try again."))
    if not current_ok:
        _count_failure(pair, now, "auth.password_change", subject)
        raise UserError("current_password", _l("The current password is not correct."))
    _check_password(new_password, user)
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = False
    end_all_sessions(user, "password_changed")
    start_session(user)
    record("auth.password_change", outcome="ok", **subject)


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


@dataclass
class AdminResult:
    """What an administrator's change did: `pending` lists the requests now waiting for a
    supervisor's confirmation (empty when everything took effect at once)."""

    user: User
    pending: list[AccessRequest] = field(default_factory=list)
    one_time_password: str | None = None

    @property
    def pending_codes(self) -> str:
        return ", ".join(sorted({r.structure.code for r in self.pending}))


def create_user(*, username: str, display_name: str, role: str, password: str | None,
                structure_codes, actor: User | None = None, must_change_password: bool = False) -> User:
    """Create a user; without a password a one-time password is generated and returned on `.one_time_password`.

    With an `actor` (an administrator on screen) confidential structures are not given but
    requested (`.pending_requests`), and refused at once (`UserError` on `structures`) when
    such a structure has no active supervisor to confirm. Without one (the operator's command
    line) everything is granted, each confidential structure audited as `access.grant`/`operator`.
    """
    username = normalise_username(username)
    Role(role)
    _check_username_free(username)
    structures = _structures_by_code(structure_codes)
    _check_role_structures(role, structures)
    held_back = [s for s in structures if s.confidential] if actor is not None else []
    four_eyes.check_confirmable(held_back, excluding=(actor.id,) if actor else (), field="structures")
    user = User(username=username, display_name=display_name.strip(), role=role, active=True)
    user.structures = [s for s in structures if s not in held_back]
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
    if actor is None:
        for structure in user.confidential_structures:
            record("access.grant", object_type="user", object_id=user.id, structure_id=structure.id,
                   outcome="operator")
    user.pending_requests = [four_eyes.request_grant(user, s, actor=actor) for s in held_back]
    user.one_time_password = one_time
    return user


def update_user(user: User, *, display_name: str, role: str, structure_codes, actor: User,
                expected_version: int) -> AdminResult:
    """Save an administrator's edit. Removing structures applies at once; a confidential structure
    added (or kept while the role gains permissions) becomes a pending grant; a pending grant
    no longer ticked is cancelled."""
    if user.version != expected_version:
        raise UserError("version", _l("Someone else changed this user while you were editing. "
                                      "Review the current values and save again."))
    Role(role)
    if user.id == actor.id and role != user.role:
        raise UserError("role", _l("You cannot change your own role."))
    wanted = _structures_by_code(structure_codes)
    _check_role_structures(role, wanted)
    widened = four_eyes.widens(user.role, role)
    confirmed = set(user.structure_ids)
    to_request = [s for s in wanted if s.confidential and (s.id not in confirmed or widened)]
    new_requests = [s for s in to_request if widened or four_eyes.pending_grant(user, s) is None]
    four_eyes.check_confirmable(new_requests, excluding=(actor.id, user.id), field="structures")
    user.display_name = display_name.strip()
    user.role = role
    user.structures = [s for s in wanted if s not in to_request]
    wanted_ids = {s.id for s in wanted}
    for request in list(user.pending_access_requests):
        if request.kind == four_eyes.GRANT and (request.structure_id not in wanted_ids or widened):
            four_eyes.cancel(request, actor=actor, outcome="superseded" if widened else "withdrawn")
    db.session.flush()
    _take_back_case_files(user, actor)
    record("users.update", object_type="user", object_id=user.id, user=actor)
    pending = [four_eyes.request_grant(user, s, actor=actor) for s in to_request]
    return AdminResult(user, pending)


def _take_back_case_files(user: User, actor: User | None) -> None:
    """Open case files the user can no longer hold go back to their structure's supervisors."""
    from caseapp.casefiles.service import unassign_files_of  # casefiles builds on auth, not the reverse

    unassign_files_of(user, actor=actor)


# Roles whose access comes from their structures, and roles that structures give nothing.
ROLES_NEEDING_A_STRUCTURE = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
ROLES_WITHOUT_STRUCTURES = frozenset({Role.ADMIN, Role.INTERPRETER})


def role_structures_problem(role: str, structure_count: int):
    """The message refusing a role/structures combination that means nothing, or None.

    Caseworkers and supervisors work in at least one structure; administrators and
    interpreters get nothing from a structure (their access is not per structure), so
    giving them one would look like access that does not exist.
    """
    if role in ROLES_NEEDING_A_STRUCTURE and not structure_count:
        return _l("Caseworkers and supervisors belong to at least one structure.")
    if role in ROLES_WITHOUT_STRUCTURES and structure_count:
        return _l("Administrators and interpreters do not belong to structures: a structure would give them "
                  "nothing. Untick the structures, or choose another role.")
    return None


def _check_role_structures(role: str, structures) -> None:
    problem = role_structures_problem(role, len(structures))
    if problem:
        raise UserError("structures", problem)


def set_active(user: User, active: bool, *, actor: User) -> AdminResult:
    """Deactivate at once, and the user's open case files become unassigned (the supervisors'
    "to assign" list); reactivating a member of a confidential structure waits for four eyes."""
    if user.id == actor.id and not active:
        raise UserError("active", _l("You cannot deactivate your own account."))
    if active and not user.active and user.confidential_structures:
        return _held_for_four_eyes("users.activate", four_eyes.REACTIVATE, user, user.confidential_structures,
                                   actor=actor)
    user.active = active
    if not active:
        end_all_sessions(user, "deactivated")
    db.session.flush()
    if not active:
        _take_back_case_files(user, actor)
    record("users.activate" if active else "users.deactivate", object_type="user",
           object_id=user.id, user=actor)
    return AdminResult(user)


def reset_password(user: User, *, actor: User) -> AdminResult:
    """A random one-time password that must be changed at the next login (on `.one_time_password`).

    For staff of a confidential structure (confirmed or pending) it is only stored, hashed, on
    pending requests: the old password keeps working and the new one opens nothing until a
    supervisor of each such structure confirms.
    """
    if user.id == actor.id:
        raise UserError("password", _l("Change your own password from your account page."))
    one_time = generate_one_time_password()
    structures = four_eyes.confidential_staff_structures(user)
    if structures:
        result = _held_for_four_eyes("users.reset_password", four_eyes.RESET_PASSWORD, user, structures,
                                     actor=actor, password_hash=passwords.hash_password(one_time))
        result.one_time_password = one_time
        return result
    user.password_hash = passwords.hash_password(one_time)
    user.must_change_password = True
    throttle.forget_failures(user.username)
    end_all_sessions(user, "password_reset")
    db.session.flush()
    record("users.reset_password", object_type="user", object_id=user.id, user=actor)
    return AdminResult(user, [], one_time)


def enable_second_factor(user: User, code: str) -> None:
    """Finish enrolment: the first valid code from the user's app switches TOTP on."""
    if user.totp_enabled:
        raise UserError("code", _l("Two-step verification is already on."))
    if not totp.accept_code(user, code):
        raise UserError("code", _l("That code is not valid. Check the time on your phone and try the current code."))
    user.totp_enabled = True
    end_all_sessions(user, "second_factor_enabled", keep=current_session())
    record("auth.second_factor_enable", object_type="user", object_id=user.id, user=user)


def reset_second_factor(user: User, *, actor: User) -> AdminResult:
    """Admin reset (lost phone): the user enrols again at the next login if their role requires it.

    Waits for four eyes for staff of a confidential structure, like `reset_password`.
    """
    if user.id == actor.id:
        raise UserError("code", _l("Another administrator must reset your two-step verification."))
    structures = four_eyes.confidential_staff_structures(user)
    if structures:
        return _held_for_four_eyes("users.reset_second_factor", four_eyes.RESET_SECOND_FACTOR, user, structures,
                                   actor=actor)
    totp.clear(user)
    end_all_sessions(user, "second_factor_reset")
    db.session.flush()
    record("users.reset_second_factor", object_type="user", object_id=user.id, user=actor)
    return AdminResult(user)


def _held_for_four_eyes(action: str, kind: str, user: User, structures, *, actor: User,
                        password_hash: str | None = None) -> AdminResult:
    """Store an administrator's change as requests to the supervisors of `structures` (audited
    `action`/`pending`) instead of applying it; `UserError` when one of them has nobody to confirm."""
    four_eyes.check_confirmable(structures, excluding=(actor.id, user.id))
    record(action, object_type="user", object_id=user.id, outcome="pending", user=actor)
    return AdminResult(user, four_eyes.request_change(kind, user, structures, actor=actor,
                                                      password_hash=password_hash))


def generate_one_time_password() -> str:
    """Five random words' worth of entropy in an easy-to-type form (about 100 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4)]
    return "-".join(groups)
