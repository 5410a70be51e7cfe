import re
from contextlib import contextmanager

import pyotp
from sqlalchemy import select

from caseapp.auth.models import AuthSession, User
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import DEFAULT_PASSWORD, make_user


@contextmanager
def required_for(app, *roles):
    saved = app.config["TOTP_REQUIRED_ROLES"]
    app.config["TOTP_REQUIRED_ROLES"] = roles
    try:
        yield
    finally:
        app.config["TOTP_REQUIRED_ROLES"] = saved


def start_enrolment(client):
    token = csrf_token(client, "/account/two-factor")
    return client.post("/account/two-factor/start", data={"start-csrf_token": token})


def enrol(client) -> str:
    assert start_enrolment(client).headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.data  # a standalone document, drawable as <img>
    code = pyotp.TOTP(secret).now()
    response = client.post("/account/two-factor", data={"csrf_token": csrf_token(client, "/account/two-factor"),
                                                        "code": code})
    assert response.status_code == 302
    return secret


def log_in_password(client, user):
    return client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD,
                                       "csrf_token": csrf_token(client)})


def test_enrol_then_every_login_needs_a_code(app, client, login_as):
    user = login_as("supervisor")
    secret = enrol(client)
    db.session.refresh(user)
    assert user.totp_enabled
    assert secret.encode() not in bytes(user.totp_secret_ct)
    assert client.get("/account/two-factor/qr.svg").status_code == 404  # never re-served once on
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    response = log_in_password(client, user)
    assert response.headers["Location"].startswith("/login/code")
    assert client.get("/").status_code == 302  # the password alone opens nothing
    wrong = client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"), "code": "000000"})
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    totp = pyotp.TOTP(secret)
    code = totp.generate_otp(totp.timecode(utcnow()) + 1)  # the next step: within the window, not yet used
    ok = client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"), "code": code})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    actions = [a for (a,) in db.session.execute(
        select(AuditEvent.action).where(AuditEvent.user_id == user.id, AuditEvent.outcome == "failed"))]
    assert "auth.second_factor" in actions


def test_a_code_is_accepted_only_once(app, client, login_as):
    user = login_as("supervisor")
    secret = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    log_in_password(client, user)
    db.session.refresh(user)
    used_step = user.totp_last_step
    replay = pyotp.TOTP(secret).generate_otp(used_step)
    response = client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"), "code": replay})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_required_roles_must_enrol_before_anything_else(app, client, login_as):
    with required_for(app, "supervisor", "admin"):
        login_as("supervisor")
        response = client.get("/")
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
        enrol(client)
        assert client.get("/").status_code == 200


def test_caseworkers_are_not_forced(app, client, login_as):
    with required_for(app, "supervisor"):
        login_as("caseworker")
        assert client.get("/").status_code == 200


def test_the_enrolment_page_writes_nothing_until_the_user_starts(client, login_as):
    user = login_as("supervisor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_secret_ct is None and user.totp_key_id is None
    assert 'action="/account/two-factor/start"' in page and 'id="totp-secret"' not in page
    assert client.get("/account/two-factor/qr.svg").status_code == 404
    assert start_enrolment(client).status_code == 302
    db.session.refresh(user)
    first = bytes(user.totp_secret_ct)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    client.get("/account/two-factor")
    db.session.refresh(user)
    assert bytes(user.totp_secret_ct) == first  # reloading shows the same enrolment
    assert re.search(r'id="totp-secret">([A-Z2-7]+)<', client.get("/account/two-factor").get_data(as_text=True)
                     ).group(1) == secret
    start_enrolment(client)  # "start again" makes a new key
    db.session.refresh(user)
    assert bytes(user.totp_secret_ct) != first
    assert [a for (a,) in db.session.execute(select(AuditEvent.action).where(
        AuditEvent.user_id == user.id, AuditEvent.action == "auth.second_factor_enrolment"))] == \
        ["auth.second_factor_enrolment"] * 2


def test_wrong_codes_count_on_the_same_throttle_as_wrong_passwords(app, client, login_as):
    user = login_as("supervisor")
    enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    log_in_password(client, user)
    answers = [client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"), "code": "123456"})
               for _ in range(app.config["LOGIN_THROTTLE_AFTER"])]
    assert [a.status_code for a in answers] == [200] * (len(answers) - 1) + [302]
    assert answers[-1].headers["Location"] == "/login"  # the pending session has ended
    assert client.get("/login/code").headers["Location"] == "/login"
    # The password step from this address is now refused too, however right the password.
    assert log_in_password(client, user).status_code == 200
    outcomes = [o for (o,) in db.session.execute(select(AuditEvent.outcome).where(
        AuditEvent.user_id == user.id, AuditEvent.action.in_(("auth.throttle", "auth.login"))))]
    assert "blocked" in outcomes and outcomes[-1] == "throttled"


def test_knowing_the_password_does_not_reset_the_count_of_wrong_codes(app, client, login_as):
    user = login_as("supervisor")
    enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for _ in range(app.config["LOGIN_THROTTLE_AFTER"]):
        assert log_in_password(client, user).headers["Location"].startswith("/login/code")
        client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"), "code": "123456"})
    assert log_in_password(client, user).status_code == 200  # throttled


def test_admin_resets_a_lost_second_factor(app, client, login_as):
    target = make_user("supervisor")
    other = app.test_client()
    other.post("/login", data={"username": target.username, "password": DEFAULT_PASSWORD,
                               "csrf_token": csrf_token(other)})
    enrol(other)
    login_as("admin")
    response = client.post(f"/admin/users/{target.id}/reset-two-factor",
                           data={"csrf_token": csrf_token(client, "/admin/users/")})
    assert response.status_code == 302
    db.session.refresh(target)
    assert not target.totp_enabled and target.totp_secret_ct is None
    assert other.get("/").status_code == 302  # sessions ended
    open_rows = db.session.execute(select(AuthSession).where(AuthSession.user_id == target.id,
                                                             AuthSession.ended_at.is_(None))).all()
    assert open_rows == []
    assert db.session.get(User, target.id).totp_key.is_destroyed


def test_pending_second_factor_session_expires(app, client, login_as):
    from datetime import timedelta

    user = login_as("supervisor")
    enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    log_in_password(client, user)
    row = db.session.execute(select(AuthSession).where(AuthSession.user_id == user.id,
                                                       AuthSession.second_factor_pending.is_(True))).scalar_one()
    row.created_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    assert client.get("/login/code").headers["Location"] == "/login"
