"""The access policy: one role → permission table, and how views declare it.

Every view declares its policy with exactly one of `public`, `authenticated`
or `permission_required(...)`. `enforce_declared_policy` (a before-request
hook) refuses any endpoint that declares nothing, so a forgotten decorator
fails closed; `tests/security/test_route_policies.py` walks `app.url_map` to
catch it before it ships.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    INTERPRETER = "interpreter"


CASEWORK = frozenset({
    "beneficiaries.view",
    "beneficiaries.register",
    "beneficiaries.edit",
    "consent.record",
    "cases.view",
    "cases.manage",
    "notes.write",
    "interpretation.request",
    # Referrals: see the structure's inbox and outbox, refer a person, answer for the structure.
    "referrals.view",
    "referrals.send",
    "referrals.answer",
    "stays.manage",        # shelters: admissions, discharges, waiting list (their own structures only)
    "households.manage",   # household links between people the structure follows
    "reports.caseload",  # their own caseload summary (caseapp/reports)
    "plans.view",
    "plans.edit",
    "deliveries.record",  # services given, the desk, group sessions, the card (caseapp/deliveries)
    "partners.view",      # the partner directory, read-only (they pick partners when referring)
    "inquiries.send",     # ask the structures holding a possible duplicate (caseapp/inquiries)
    "inquiries.answer",   # answer such a request for their own structures
})

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.CASEWORKER: CASEWORK,
    # access.confirm: four eyes on grants and resets at the supervisor's confidential structures.
    Role.SUPERVISOR: CASEWORK | {"cases.reassign", "erasure.request", "access.confirm",
                                 "interpretation.assign", "interpreters.manage",
                                 "reports.view", "reports.export", "plans.review"},
    # reports.*: every structure's report and the city-wide one, always with small-cell suppression.
    Role.COORDINATOR: frozenset({"structures.view", "reports.view", "reports.export", "reports.all_structures",
                                 "reports.city", "partners.view", "partners.manage"}),
    Role.ADMIN: frozenset({
        "users.manage",
        "structures.view",
        "partners.view",
        "audit.verify",
        "erasure.confirm",
        "interpreters.manage",
        "referrals.calendar",   # one-off working-day overrides of the referral due dates
        "reference.manage",  # structures and service catalogues on screen (caseapp/deliveries/reference.py)
    }),
    # Their own assignments only (caseapp/interpretation): nothing else of any file.
    Role.INTERPRETER: frozenset({"interpretation.own"}),
}

ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())

# Endpoints whose view function is not ours to decorate.
PUBLIC_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class Policy:
    kind: str  # "public", "authenticated" or "permission"
    permissions: tuple[str, ...] = ()

    def allows(self, user) -> bool:
        if self.kind == "public":
            return True
        if not user.is_authenticated:
            return False
        if self.kind == "authenticated":
            return True
        return all(user.has_permission(p) for p in self.permissions)


def role_has(role: str | Role, permission: str) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def _declare(view: Callable, policy: Policy) -> Callable:
    if hasattr(view, "access_policy"):
        raise RuntimeError(f"{view.__name__} declares two access policies")
    view.access_policy = policy
    return view


def public(view: Callable) -> Callable:
    """Reachable without logging in (login page, health check, language switch)."""
    return _declare(view, Policy("public"))


def _guarded(view: Callable, policy: Policy) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        required = current_app.config["TOTP_REQUIRED_ROLES"]
        if current_user.needs_second_factor_enrolment(required) and request.endpoint not in ENROLMENT_ENDPOINTS:
            return redirect(url_for("auth.two_factor"))
        if not policy.allows(current_user):
            from caseapp.security.audit import record_denied

            record_denied("permission", policy.permissions)
            abort(403)
        return view(*args, **kwargs)

    return _declare(wrapper, policy)


# Reachable while a user must first change their password / enrol a second factor.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout"})
ENROLMENT_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | {"auth.two_factor", "auth.two_factor_start", "auth.two_factor_qr"}


def authenticated(view: Callable) -> Callable:
    """Any logged-in user (their own home page, password, logout)."""
    return _guarded(view, Policy("authenticated"))


def permission_required(*permissions: str) -> Callable[[Callable], Callable]:
    """The view needs every listed permission from the role table."""
    unknown = set(permissions) - ALL_PERMISSIONS
    if unknown or not permissions:
        raise ValueError(f"unknown permission(s): {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        return _guarded(view, Policy("permission", tuple(permissions)))

    return decorator


def policy_for(endpoint: str | None) -> Policy | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return Policy("public")
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_policy", None)


def enforce_declared_policy():
    """Deny by default: refuse any matched route whose view declares no policy."""
    if request.endpoint is None:
        return None  # no route matched: Flask answers 404
    if policy_for(request.endpoint) is None:
        current_app.logger.error("Refused %s: route declares no access policy", request.endpoint)
        abort(403)
    return None


def register_policy_enforcement(app) -> None:
    app.before_request(enforce_declared_policy)
