"""One login answer, and no lock-out anyone can trigger: throttling per (account, address)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, select

from caseapp.auth import throttle
from caseapp.auth.models import LoginThrottle
from caseapp.extensions import db
from caseapp.models_base import utcnow
from tests.auth.conftest import ATTACKER, OFFICE, audited, login_post, post_form
from tests.factories import DEFAULT_PASSWORD, make_user

WRONG = "not the password at all"
# The random per-render values: CSRF tokens and the form's submission id (caseapp/submissions.py).
CSRF_VALUE = re.compile(r'(name="(?:csrf_token|submission_id)"[^>]*value=")[^"]+(")')


def masked(response) -> str:
    """The page with its random tokens blanked (the only part that may differ)."""
    return CSRF_VALUE.sub(r"\1TOKEN\2", response.get_data(as_text=True))


def fail_until_throttled(app, client, username: str, address: str = ATTACKER) -> None:
    for _ in range(app.config["LOGIN_THROTTLE_AFTER"]):
        assert login_post(client, username, WRONG, address).status_code == 200


def pair_row(username: str, address: str) -> LoginThrottle:
    return db.session.execute(select(LoginThrottle).where(
        LoginThrottle.account_key == throttle.account_key(username),
        LoginThrottle.address_key == throttle.address_key(address))).scalar_one()


def test_unknown_user_wrong_password_and_throttled_account_get_the_same_page(app, client):
    """Same status, same bytes but for the CSRF token: the same name first unknown, then real,
    then throttled (with its right password)."""
    unknown = login_post(client, "elena.k", WRONG, ATTACKER)
    make_user("caseworker", username="elena.k")
    db.session.commit()
    wrong = login_post(client, "elena.k", WRONG, ATTACKER)
    fail_until_throttled(app, client, "elena.k")
    throttled = login_post(client, "elena.k", DEFAULT_PASSWORD, ATTACKER)
    inactive_user = make_user("caseworker", username="elena.x", active=False)
    db.session.commit()
    inactive = login_post(client, inactive_user.username, DEFAULT_PASSWORD, ATTACKER)

    assert unknown.status_code == wrong.status_code == throttled.status_code == inactive.status_code == 200
    assert masked(unknown) == masked(wrong) == masked(throttled)
    assert masked(inactive) == masked(wrong).replace('value="elena.k"', 'value="elena.x"')
    assert "Λάθος όνομα χρήστη ή κωδικός" in masked(wrong)
    assert client.get("/").status_code == 302


def statements_of(client, username: str, password: str, address: str) -> list[str]:
    """The SQL a login attempt runs, as "VERB table" (savepoints left out)."""
    client.get("/login")
    seen = []
    engine = db.session.get_bind().engine

    def listen(_conn, _cursor, statement, *_args):
        words = statement.split()
        if words[0] not in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
            table = next((w for w in words if w.strip('"') in db.metadata.tables), "?")
            seen.append(f"{words[0]} {table.strip(chr(34))}")

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert login_post(client, username, password, address).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_an_unknown_name_a_wrong_password_and_an_inactive_account_run_the_same_statements(client):
    user = make_user("caseworker")
    inactive = make_user("caseworker", active=False)
    db.session.commit()
    wrong = statements_of(client, user.username, WRONG, ATTACKER)
    unknown = statements_of(client, "nobody.at.all", WRONG, ATTACKER)
    closed = statements_of(client, inactive.username, DEFAULT_PASSWORD, ATTACKER)
    assert wrong == unknown == closed
    assert "UPDATE users" not in wrong


@pytest.fixture
def verifications(monkeypatch):
    """Counts argon2 verifications (the work that takes time)."""
    calls = []
    original = PasswordHasher.verify

    def counting(self, stored_hash, password):
        calls.append(stored_hash)
        return original(self, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


def test_every_path_does_exactly_one_argon2_verification(app, client, verifications):
    user = make_user("caseworker")
    inactive = make_user("caseworker", active=False)
    db.session.commit()
    fail_until_throttled(app, client, user.username, OFFICE)
    cases = {"unknown": ("nobody.here", WRONG), "wrong": (user.username, WRONG),
             "inactive": (inactive.username, DEFAULT_PASSWORD)}
    for name, (username, password) in cases.items():
        verifications.clear()
        login_post(client, username, password)
        assert len(verifications) == 1, name
    verifications.clear()
    assert login_post(client, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 200  # throttled
    assert len(verifications) == 1 and verifications[0] == user.password_hash


def test_a_throttled_pair_waits_exponentially_longer(app, client):
    user = make_user("caseworker")
    db.session.commit()
    base, after = app.config["LOGIN_THROTTLE_BASE"], app.config["LOGIN_THROTTLE_AFTER"]
    fail_until_throttled(app, client, user.username)
    waits = []
    for _ in range(3):
        row = pair_row(user.username, ATTACKER)
        waits.append(row.blocked_until - row.last_failure_at)
        assert login_post(client, user.username, DEFAULT_PASSWORD, ATTACKER).status_code == 200  # refused
        db.session.refresh(row)
        row.blocked_until = utcnow() - timedelta(seconds=1)  # the wait is over...
        db.session.commit()
        login_post(client, user.username, WRONG, ATTACKER)  # ...and the next guess is wrong again
    assert waits == [base, base * 2, base * 4]
    assert pair_row(user.username, ATTACKER).failures == after + 3
    assert throttle.delay_after(after + 40) == app.config["LOGIN_THROTTLE_MAX"]
    # Once the wait is over the owner's right password works, and clears the pair.
    row = pair_row(user.username, ATTACKER)
    row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login_post(client, user.username, DEFAULT_PASSWORD, ATTACKER).status_code == 302
    db.session.refresh(row)
    assert (row.failures, row.blocked_until) == (0, None)


def test_an_attacker_elsewhere_never_locks_the_owner_out(app, client):
    """Ten and more failures from another address: the owner's desk logs in at once."""
    user = make_user("caseworker", username="shelter.victim")
    db.session.commit()
    for _ in range(12):
        login_post(client, user.username, WRONG, ATTACKER)
    owner = app.test_client()
    assert login_post(owner, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302
    assert owner.get("/").status_code == 200
    assert login_post(app.test_client(), user.username, DEFAULT_PASSWORD, ATTACKER).status_code == 200


def test_the_per_username_limit_spares_the_owners_usual_address(app, client):
    user = make_user("caseworker")
    db.session.commit()
    owner = app.test_client()
    assert login_post(owner, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302  # a usual address now
    owner.post("/logout", data={"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                                        owner.get("/").get_data(as_text=True)).group(1)})
    statuses = [login_post(client, user.username, WRONG, f"203.0.113.{i}").status_code for i in range(20)]
    assert 429 in statuses  # a distributed guesser is limited per name...
    assert login_post(owner, user.username, DEFAULT_PASSWORD, OFFICE).status_code == 302  # ...the owner is not
    assert login_post(app.test_client(), user.username, DEFAULT_PASSWORD, "192.0.2.1").status_code == 429


def test_the_throttle_stores_neither_names_nor_addresses(app, client):
    login_post(client, "someone.real", WRONG, ATTACKER)
    row = pair_row("someone.real", ATTACKER)
    assert "someone" not in row.account_key and "203.0.113" not in row.address_key
    assert len(row.account_key) == len(row.address_key) == 64
    assert row.account_key == throttle.account_key("  Someone.Real ")  # the normalised name


def test_failures_are_forgotten_after_a_quiet_day_and_stale_rows_deleted(app, client):
    user = make_user("caseworker")
    db.session.commit()
    for _ in range(app.config["LOGIN_THROTTLE_AFTER"] - 1):
        login_post(client, user.username, WRONG, ATTACKER)
    row = pair_row(user.username, ATTACKER)
    row.last_failure_at = utcnow() - app.config["LOGIN_THROTTLE_RESET"] - timedelta(minutes=1)
    stale = LoginThrottle(account_key="a" * 64, address_key="b" * 64, failures=3,
                          touched_at=utcnow() - timedelta(days=app.config["LOGIN_USUAL_ADDRESS_DAYS"] + 1))
    db.session.add(stale)
    db.session.commit()
    login_post(client, user.username, WRONG, ATTACKER)
    db.session.refresh(row)
    assert row.failures == 1 and row.blocked_until is None
    assert db.session.get(LoginThrottle, ("a" * 64, "b" * 64)) is None


def test_logins_are_audited_failed_throttled_and_ok(app, client):
    user = make_user("caseworker")
    db.session.commit()
    fail_until_throttled(app, client, user.username)
    login_post(client, user.username, DEFAULT_PASSWORD, ATTACKER)
    login_post(client, user.username, DEFAULT_PASSWORD, OFFICE)
    events = [(e.outcome, e.address) for e in audited("auth.login") if e.object_id == str(user.id)]
    after = app.config["LOGIN_THROTTLE_AFTER"]
    assert events == [("failed", ATTACKER)] * after + [("throttled", ATTACKER), ("ok", OFFICE)]
    assert [(e.outcome, e.address) for e in audited("auth.throttle") if e.object_id == str(user.id)] == \
        [("blocked", ATTACKER)]
    assert audited("auth.lock") == []


def test_a_password_reset_clears_the_throttle(app, client, login_as):
    user = make_user("caseworker")
    db.session.commit()
    fail_until_throttled(app, client, user.username, OFFICE)
    login_as("admin")
    post_form(client, f"/admin/users/{user.id}/reset-password", "/admin/users/")
    row = pair_row(user.username, OFFICE)
    assert (row.failures, row.blocked_until) == (0, None)


# --- the password-change form's "current password" --------------------------------------------


def change(client, current: str, new: str = "violet tractor harbour lemonade"):
    return post_form(client, "/account/password", current_password=current, new_password=new, confirm=new)


def test_wrong_current_passwords_are_audited_counted_and_throttled(app, client, login_as):
    user = login_as("caseworker")
    after = app.config["LOGIN_THROTTLE_AFTER"]
    for _ in range(after):
        response = change(client, WRONG)
        assert response.status_code == 200 and 'id="current_password-error"' in response.get_data(as_text=True)
    throttled = change(client, DEFAULT_PASSWORD)  # right, but the pair must wait
    assert throttled.status_code == 200 and 'id="current_password-error"' in throttled.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash and client.get("/").status_code == 200
    outcomes = [e.outcome for e in audited("auth.password_change")]
    assert outcomes == ["failed"] * after + ["throttled"]
    assert all(e.user_id == user.id and e.object_id == str(user.id) for e in audited("auth.password_change"))
    # The same pair as the login form: a login from this address is refused for now.
    assert login_post(app.test_client(), user.username, DEFAULT_PASSWORD).status_code == 200


def test_a_wrong_then_right_current_password_is_audited_failed_then_ok(client, login_as):
    login_as("caseworker")
    assert change(client, WRONG).status_code == 200
    assert change(client, DEFAULT_PASSWORD).status_code == 302
    assert [e.outcome for e in audited("auth.password_change")] == ["failed", "ok"]


def test_the_password_change_form_is_rate_limited_per_address(app, client, login_as):
    login_as("caseworker")
    statuses = [change(client, WRONG).status_code for _ in range(32)]
    assert 429 in statuses
