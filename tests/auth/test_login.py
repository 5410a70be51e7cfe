from datetime import timedelta

from sqlalchemy import select

from caseapp.auth.models import AuthSession
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, make_user


def post_login(client, username, password, next_=None):
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"username": username, "password": password,
                                  "csrf_token": csrf_token(client)})


def audit_actions(user_id=None):
    stmt = select(AuditEvent.action, AuditEvent.outcome).order_by(AuditEvent.id)
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    return [tuple(row) for row in db.session.execute(stmt)]


def test_login_page_is_greek_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="el"' in page
    assert "Σύνδεση" in page
    assert 'name="username"' in page and 'name="password"' in page


def test_login_and_logout_round_trip(client):
    user = make_user("caseworker")
    response = post_login(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    actions = audit_actions(user.id)
    assert ("auth.login", "ok") in actions and ("auth.logout", "ok") in actions


def test_wrong_password_and_unknown_user_get_the_same_message(client):
    user = make_user("caseworker")
    wrong = post_login(client, user.username, "not the password at all").get_data(as_text=True)
    unknown = post_login(client, "nobody-here", "not the password at all").get_data(as_text=True)
    message = "Λάθος όνομα χρήστη ή κωδικός."
    assert message in wrong and message in unknown
    assert ("auth.login", "failed") in audit_actions(user.id)


def test_the_session_cookie_ends_with_the_browser(client):
    """No Expires or Max-Age: closing the browser (a shared computer) ends the session."""
    user = make_user("caseworker")
    response = post_login(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302
    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("caseapp_session=")]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert "expires" not in attributes and "max-age" not in attributes
    assert {"httponly", "path", "samesite"} <= attributes
    assert client.get("/").status_code == 200


def test_logout_requires_post_with_csrf(client, login_as):
    login_as("caseworker")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_replayed_cookie_after_logout_gets_the_login_page(client, login_as):
    login_as("caseworker")
    stolen = client.get_cookie("caseapp_session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.set_cookie("caseapp_session", stolen)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_id_changes_at_login(client):
    user = make_user("caseworker")
    client.get("/login")
    before = client.get_cookie("caseapp_session").value
    post_login(client, user.username, DEFAULT_PASSWORD)
    after = client.get_cookie("caseapp_session").value
    assert before != after
    client.set_cookie("caseapp_session", before)
    assert client.get("/").status_code == 302


def test_idle_timeout_ends_the_session(client, login_as, app):
    user = login_as("caseworker")
    row = db.session.execute(select(AuthSession).where(AuthSession.user_id == user.id)).scalar_one()
    row.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/").status_code == 302
    assert row.end_reason == "idle_timeout"


def test_absolute_timeout_ends_an_active_session(client, login_as, app):
    user = login_as("caseworker")
    row = db.session.execute(select(AuthSession).where(AuthSession.user_id == user.id)).scalar_one()
    row.created_at = utcnow() - app.config["SESSION_ABSOLUTE_TIMEOUT"] - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_a_burst_of_attempts_gets_429(client):
    statuses = [post_login(client, "someone", "wrong password attempt").status_code for _ in range(20)]
    assert 429 in statuses


def test_next_leads_only_to_same_site_paths(client):
    for evil in ("//evil.example", "https://evil.example", "/\\evil.example", "https:/evil.example"):
        user = make_user("caseworker")
        response = post_login(client, user.username, DEFAULT_PASSWORD, next_=evil)
        assert response.status_code == 302
        assert response.headers["Location"] == "/", evil
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_next_keeps_a_same_site_path(client):
    user = make_user("admin")
    response = post_login(client, user.username, DEFAULT_PASSWORD, next_="/admin/users/")
    assert response.headers["Location"] == "/admin/users/"


def test_unauthenticated_redirect_keeps_no_query_string(client):
    response = client.get("/admin/users/?after=someone")
    assert response.status_code == 302
    assert "someone" not in response.headers["Location"]


def test_deactivated_user_session_ends(client, login_as):
    user = login_as("caseworker")
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_password_is_rehashed_when_parameters_change(client, app):
    user = make_user("caseworker")
    old_hash = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    try:
        post_login(client, user.username, DEFAULT_PASSWORD)
    finally:
        app.config["ARGON2_TIME_COST"] = 1
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert "t=2" in user.password_hash and user.password_hash.startswith("$argon2id$")
