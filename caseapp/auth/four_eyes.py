"""Four eyes on the way into a confidential structure (SHELTER-W, GBV-CC: `Structure.confidential`).

An administrator manages accounts but must not be able to give anyone (themselves
included, through an account they created or whose password they reset) the files of a
confidential structure. So these changes, made on screen by an administrator, are stored
as pending `AccessRequest` rows instead of being applied:

- granting a confidential structure: a new user created with it, an existing user given it,
  or an existing member's role widened (e.g. caseworker to supervisor);
- reactivating a member of a confidential structure;
- resetting the password or the second factor of a member (or of someone with a pending grant).

An active supervisor of that structure, who is neither the requester nor the user concerned,
confirms or refuses it (with a reason) from the "Confirmations" page; their home page tells
them when requests wait. Until then the change gives nothing: a pending grant is not a
membership (`user_structures` holds confirmed memberships only, so every scoping query
ignores it), a pending one-time password is kept only as a hash on the request and does not
open the account, a pending second-factor reset leaves the factor in place, a pending
reactivation leaves the account inactive. Every request, confirmation, refusal and
cancellation is audited.

A structure with no active supervisor who could confirm refuses the request at once with a
clear message. The operator at the server (`flask users create --structure SHELTER-W`, and the
demo loader) is not asked for four eyes: they hold the database and the key file anyway; their
grants are applied at once and audited as `access.grant` with outcome `operator`.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import selectinload

from caseapp.auth import throttle, totp
from caseapp.auth.errors import UserError
from caseapp.auth.models import AccessRequest, User, user_structures
from caseapp.auth.sessions import end_all_sessions
from caseapp.domain import flush_or_conflict
from caseapp.extensions import db
from caseapp.lifecycle import Lifecycle, Transition
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.security.permissions import ROLE_PERMISSIONS, Role
from caseapp.structures.models import Structure

GRANT = "grant_structure"
REACTIVATE = "reactivate"
RESET_PASSWORD = "reset_password"
RESET_SECOND_FACTOR = "reset_second_factor"

KIND_LABELS = {
    GRANT: _l("Access to the structure"),
    REACTIVATE: _l("Reactivation of the account"),
    RESET_PASSWORD: _l("Password reset"),
    RESET_SECOND_FACTOR: _l("Two-step verification reset"),
}

STATUS_LABELS = {
    "pending": _l("Waiting for confirmation"),
    "confirmed": _l("Confirmed"),
    "refused": _l("Refused"),
    "cancelled": _l("Cancelled"),
}


def _parties(request: AccessRequest, user: User | None) -> set[str]:
    """Who `user` is for `request`: its "confirmer" (an active supervisor of its structure,
    neither requester nor subject), an "administrator", or (None) the "system" closing the
    rest of a refused batch."""
    if user is None:
        return {"system"}
    parties = set()
    if may_decide(user, request):
        parties.add("confirmer")
    if user.has_permission("users.manage"):
        parties.add("administrator")
    return parties


# The lifecycle, as data: a request is decided once.
ACCESS_REQUEST = Lifecycle(
    name="access_request",
    states=STATUS_LABELS,
    transitions=[
        Transition("confirm", {"pending"}, "confirmed", parties={"confirmer"}),
        Transition("refuse", {"pending"}, "refused", parties={"confirmer"}),
        Transition("cancel", {"pending"}, "cancelled", parties={"administrator", "system"}),
    ],
    parties=_parties,
)

REASON_MAX_LENGTH = 500
ALREADY_DECIDED = _l("This request has already been decided.")


def widens(old_role: str, new_role: str) -> bool:
    """True when `new_role` has a permission `old_role` lacks (a membership then needs confirming again)."""
    return not ROLE_PERMISSIONS[Role(new_role)] <= ROLE_PERMISSIONS[Role(old_role)]


def _confirmers(structure_ids: Iterable[int], excluding: Iterable[int | None]) -> Select:
    """Active supervisors who are confirmed members of one of `structure_ids`."""
    stmt = (select(user_structures.c.structure_id, user_structures.c.user_id)
            .join(User, User.id == user_structures.c.user_id)
            .where(user_structures.c.structure_id.in_(list(structure_ids)),
                   User.active.is_(True), User.role == Role.SUPERVISOR.value))
    excluded = [i for i in excluding if i is not None]
    if excluded:
        stmt = stmt.where(User.id.notin_(excluded))
    return stmt


def check_confirmable(structures: Iterable[Structure], *, excluding: Iterable[int | None],
                      field: str | None = None) -> None:
    """Raise `UserError` unless each structure has an active supervisor outside `excluding`."""
    structures = list(structures)
    if not structures:
        return
    covered = set(db.session.execute(
        _confirmers([s.id for s in structures], excluding).with_only_columns(user_structures.c.structure_id)
        .distinct()).scalars())
    missing = [s.code for s in structures if s.id not in covered]
    if missing:
        raise UserError(field, _l(
            "%(codes)s has no active supervisor who could confirm this, so it cannot be done from this "
            "screen. The structure needs a supervisor first (the first one is created by the operator "
            "on the server with “flask users create”).", codes=", ".join(missing)))


def confidential_staff_structures(user: User) -> list[Structure]:
    """The confidential structures a reset of `user` concerns: confirmed and pending memberships."""
    found = {s.id: s for s in user.confidential_structures}
    for request in user.pending_access_requests:
        if request.kind == GRANT:
            found.setdefault(request.structure_id, request.structure)
    return sorted(found.values(), key=lambda s: s.code)


def _new_request(kind: str, user: User, structure: Structure, *, actor: User, batch: uuid.UUID,
                 password_hash: str | None = None) -> AccessRequest:
    request = AccessRequest(kind=kind, batch=batch, user=user, structure=structure, status="pending",
                            requested_by_id=actor.id, requested_at=utcnow(), password_hash=password_hash)
    db.session.add(request)
    db.session.flush()
    record("access.request", object_type="access_request", object_id=request.id,
           structure_id=structure.id, outcome="pending", user=actor)
    return request


def pending_grant(user: User, structure: Structure) -> AccessRequest | None:
    return next((r for r in user.pending_access_requests
                 if r.kind == GRANT and r.structure_id == structure.id), None)


def request_grant(user: User, structure: Structure, *, actor: User) -> AccessRequest:
    """Ask for `structure` to be given to `user`; an identical pending request is reused."""
    existing = pending_grant(user, structure)
    if existing is not None:
        return existing
    request = _new_request(GRANT, user, structure, actor=actor, batch=uuid.uuid4())
    db.session.expire(user, ["pending_access_requests"])
    return request


def request_change(kind: str, user: User, structures: list[Structure], *, actor: User,
                   password_hash: str | None = None) -> list[AccessRequest]:
    """One action (reactivate, reset) needing the confirmation of each of `structures`.

    A pending request of the same kind for the same user is cancelled (superseded).
    """
    for old in list(user.pending_access_requests):
        if old.kind == kind:
            cancel(old, actor=actor, outcome="superseded")
    batch = uuid.uuid4()
    requests = [_new_request(kind, user, s, actor=actor, batch=batch, password_hash=password_hash)
                for s in structures]
    db.session.expire(user, ["pending_access_requests"])
    return requests


def cancel(request: AccessRequest, *, actor: User | None, outcome: str = "withdrawn") -> None:
    """Close a pending request without effect: the administrator withdraws or supersedes it,
    or (`actor` None) another structure refused its batch."""
    _close(request, "cancel", actor)
    record("access.cancel", object_type="access_request", object_id=request.id,
           structure_id=request.structure_id, outcome=outcome, user=actor)
    db.session.expire(request.user, ["pending_access_requests"])


def _close(request: AccessRequest, action: str, actor: User | None, reason: str | None = None) -> None:
    """Apply `action` of the lifecycle (TransitionError when the state or the party forbids it)."""
    ACCESS_REQUEST.apply(request, action, actor)
    request.decided_by_id = actor.id if actor is not None else None
    request.decided_at = utcnow()
    request.refusal_reason = reason
    request.password_hash = None  # a one-time password is never kept once decided


def may_decide(actor: User, request: AccessRequest) -> bool:
    """An active supervisor, confirmed member of the request's structure, not its requester or subject."""
    return (actor.active and actor.has_permission("access.confirm")
            and request.structure_id in actor.structure_ids
            and actor.id not in (request.requested_by_id, request.user_id))


def _check_decidable(request: AccessRequest, actor: User) -> None:
    """Clear messages for the cases the lifecycle would refuse in general terms."""
    if not request.is_pending:
        raise UserError(None, ALREADY_DECIDED)
    if actor.id in (request.requested_by_id, request.user_id):
        raise UserError(None, _l("Someone other than the requester and the person concerned must decide."))
    if not may_decide(actor, request):
        raise UserError(None, _l("Only an active supervisor of the structure can decide."))


def _batch(request: AccessRequest) -> list[AccessRequest]:
    return list(db.session.execute(
        select(AccessRequest).where(AccessRequest.batch == request.batch).order_by(AccessRequest.id)).scalars())


def confirm(request: AccessRequest, *, actor: User) -> bool:
    """Confirm; returns True when the change took effect (every structure of its batch confirmed)."""
    _check_decidable(request, actor)
    batch = _batch(request)
    password_hash = request.password_hash
    _close(request, "confirm", actor)
    record("access.confirm", object_type="access_request", object_id=request.id,
           structure_id=request.structure_id, user=actor)
    if any(r.status != "confirmed" for r in batch):
        flush_or_conflict(ALREADY_DECIDED)
        return False
    _apply(request, actor, password_hash)
    db.session.expire(request.user, ["pending_access_requests"])
    flush_or_conflict(ALREADY_DECIDED)
    return True


def refuse(request: AccessRequest, *, actor: User, reason: str) -> None:
    """Refuse with a reason (required); the rest of the batch is cancelled with it."""
    _check_decidable(request, actor)
    reason = (reason or "").strip()
    if not reason:
        raise UserError("reason", _l("Say why you refuse, so the administrator knows what to do."))
    if len(reason) > REASON_MAX_LENGTH:
        raise UserError("reason", _l("Use at most %(n)d characters.", n=REASON_MAX_LENGTH))
    batch = _batch(request)
    _close(request, "refuse", actor, reason)
    record("access.refuse", object_type="access_request", object_id=request.id,
           structure_id=request.structure_id, outcome="refused", user=actor)
    for other in batch:
        if other.id != request.id and other.is_pending:
            cancel(other, actor=None, outcome="batch_refused")
    db.session.expire(request.user, ["pending_access_requests"])
    flush_or_conflict(ALREADY_DECIDED)


def _apply(request: AccessRequest, actor: User, password_hash: str | None) -> None:
    user = request.user
    if request.kind == GRANT:
        if request.structure_id not in user.structure_ids:
            user.structures = sorted([*user.structures, request.structure], key=lambda s: s.code)
        record("access.grant", object_type="user", object_id=user.id, structure_id=request.structure_id,
               outcome="confirmed", user=actor)
    elif request.kind == REACTIVATE:
        user.active = True
        record("users.activate", object_type="user", object_id=user.id, outcome="confirmed", user=actor)
    elif request.kind == RESET_PASSWORD:
        if password_hash is None:
            raise UserError(None, ALREADY_DECIDED)
        user.password_hash = password_hash
        user.must_change_password = True
        end_all_sessions(user, "password_reset")
        throttle.forget_failures(user.username)
        record("users.reset_password", object_type="user", object_id=user.id, outcome="confirmed", user=actor)
    elif request.kind == RESET_SECOND_FACTOR:
        totp.clear(user)
        end_all_sessions(user, "second_factor_reset")
        record("users.reset_second_factor", object_type="user", object_id=user.id, outcome="confirmed",
               user=actor)
    else:  # pragma: no cover - kinds are written by this module only
        raise ValueError(request.kind)


# --- reads ---------------------------------------------------------------------------------------


def decidable_by(actor: User) -> Select:
    """Pending requests `actor` may decide: their structures', not made by them, not about them."""
    stmt = select(AccessRequest)
    if not actor.has_permission("access.confirm"):
        return stmt.where(false())
    mine = select(user_structures.c.structure_id).where(user_structures.c.user_id == actor.id)
    return stmt.where(AccessRequest.status == "pending", AccessRequest.structure_id.in_(mine),
                      AccessRequest.user_id != actor.id,
                      func.coalesce(AccessRequest.requested_by_id, 0) != actor.id)


def decidable_page(actor: User, after: int | None, limit: int) -> tuple[list[AccessRequest], int | None]:
    """One page of `decidable_by(actor)`, oldest first (keyset on id); returns the next cursor."""
    stmt = (decidable_by(actor).order_by(AccessRequest.id).limit(limit + 1)
            .options(selectinload(AccessRequest.user).selectinload(User.structures),
                     selectinload(AccessRequest.structure), selectinload(AccessRequest.requested_by)))
    if after is not None:
        stmt = stmt.where(AccessRequest.id > after)
    rows = db.session.execute(stmt).scalars().all()
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_cursor


def decidable_count(actor: User) -> int:
    """How many requests wait for `actor` (the notice on their home page)."""
    return db.session.execute(
        decidable_by(actor).with_only_columns(func.count(AccessRequest.id))).scalar_one()


def get_decidable(actor: User, request_id: int) -> AccessRequest | None:
    return db.session.execute(decidable_by(actor).where(AccessRequest.id == request_id)).scalar_one_or_none()


def recent_for_user(user: User, limit: int = 10) -> list[AccessRequest]:
    """The latest requests about `user`, newest first (the administrator's edit page shows them)."""
    return list(db.session.execute(
        select(AccessRequest).where(AccessRequest.user_id == user.id).order_by(AccessRequest.id.desc()).limit(limit)
        .options(selectinload(AccessRequest.structure), selectinload(AccessRequest.decided_by))).scalars())
