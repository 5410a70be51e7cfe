"""Deny by default: every route declares a policy, and each role gets exactly what the table gives it."""
import re

import pytest
from flask import Blueprint

from caseapp.security.permissions import ROLE_PERMISSIONS, Role, permission_required, policy_for, public
from tests.conftest import csrf_token, make_app

ROLES = [r.value for r in Role]


def routes(app):
    for rule in app.url_map.iter_rules():
        yield rule


def test_every_route_declares_an_access_policy(app):
    with app.test_request_context():
        missing = [rule.rule for rule in routes(app) if policy_for(rule.endpoint) is None]
    assert missing == []


def test_a_route_added_without_a_policy_is_refused(database_url):
    app = make_app(database_url)
    undeclared = Blueprint("undeclared", __name__)

    @undeclared.route("/undeclared")
    def naked_view():
        return "secret"

    app.register_blueprint(undeclared)
    with app.test_request_context():
        assert policy_for("undeclared.naked_view") is None
    assert app.test_client().get("/undeclared").status_code == 403


def test_unknown_permissions_cannot_be_declared():
    with pytest.raises(ValueError):
        permission_required("beneficiaries.delete_everything")


def test_a_view_cannot_declare_two_policies():
    def view():
        return ""

    with pytest.raises(RuntimeError):
        public(permission_required("users.manage")(view))


def _sample_url(rule) -> str:
    """Fill URL variables with harmless values of the right type."""
    def value(match):
        converter = match.group(1) or "string"
        return {"int": "1", "uuid": "00000000-0000-4000-8000-000000000000"}.get(converter, "x")

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", value, rule.rule)


def _protected_rules(app):
    """Protected rules, logout last so the matrix keeps its session to the end."""
    with app.test_request_context():
        rules = [(rule, policy_for(rule.endpoint)) for rule in routes(app)]
    protected = [(rule, policy) for rule, policy in rules if policy.kind != "public"]
    return sorted(protected, key=lambda item: item[0].endpoint == "auth.logout")


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, client, login_as, role):
    """A role without the permission gets 403 on every protected route; one with it never gets 403."""
    login_as(role, structures=("KEM",) if role in ("caseworker", "supervisor") else ())
    permissions = ROLE_PERMISSIONS[Role(role)]
    token = csrf_token(client, "/")
    checked = 0
    for rule, policy in list(_protected_rules(app)):
        allowed = policy.kind == "authenticated" or set(policy.permissions) <= permissions
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample_url(rule), method=method, data=_form(method, token))
            if allowed:
                assert response.status_code != 403, f"{role} refused on {method} {rule.rule}"
            else:
                assert response.status_code == 403, f"{role} got {response.status_code} on {method} {rule.rule}"
            checked += 1
    assert checked > 5


def _form(method: str, token: str):
    return None if method == "GET" else {"csrf_token": token}


def test_anonymous_users_are_sent_to_login_from_every_protected_route(app, client):
    from caseapp.i18n import SCRIPT_ENDPOINTS

    token = csrf_token(client, "/login")
    for rule, _policy in list(_protected_rules(app)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample_url(rule), method=method, data=_form(method, token))
            if rule.endpoint in SCRIPT_ENDPOINTS:  # asked by a script: an answer it reads, not a page
                assert response.status_code == 401 and response.json == {"seconds_left": 0}
                continue
            assert response.status_code == 302, f"{method} {rule.rule} answered {response.status_code}"
            assert response.headers["Location"].startswith("/login")
