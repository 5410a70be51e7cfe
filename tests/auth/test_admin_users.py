import re

from sqlalchemy import select

from caseapp.auth.models import AuthSession, User
from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import make_user


def _one_time_password(page: str) -> str:
    match = re.search(r'id="one-time-password">([^<]+)<', page)
    assert match, "no one-time password shown"
    return match.group(1)


def test_admin_creates_a_user_who_must_change_the_one_time_password(app, client, login_as):
    login_as("admin")
    response = client.post("/admin/users/new", data={
        "csrf_token": csrf_token(client, "/admin/users/new"), "username": "new.worker",
        "display_name": "Νέα Εργαζόμενη", "role": "caseworker", "structures": ["KEM", "DIS-PROG"]})
    assert response.status_code == 200
    one_time = _one_time_password(response.get_data(as_text=True))
    user = db.session.execute(select(User).where(User.username == "new.worker")).scalar_one()
    assert [s.code for s in user.structures] == ["DIS-PROG", "KEM"]
    assert user.must_change_password

    other = app.test_client()
    other.post("/login", data={"username": "new.worker", "password": one_time, "csrf_token": csrf_token(other)})
    assert other.get("/").headers["Location"] == "/account/password"
    new_password = "tram river lantern orbit 7"
    form = {"csrf_token": csrf_token(other, "/account/password"), "current_password": one_time,
            "new_password": new_password, "confirm": new_password}
    assert other.post("/account/password", data=form).status_code == 302
    assert other.get("/").status_code == 200


def test_caseworker_needs_a_structure(client, login_as):
    login_as("admin")
    response = client.post("/admin/users/new", data={
        "csrf_token": csrf_token(client, "/admin/users/new"), "username": "lonely",
        "display_name": "Lonely", "role": "caseworker"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="structures-error"' in page
    assert db.session.execute(select(User).where(User.username == "lonely")).scalar_one_or_none() is None


def test_duplicate_username_is_reported_on_the_field(client, login_as):
    login_as("admin")
    make_user("caseworker", username="taken.name")
    response = client.post("/admin/users/new", data={
        "csrf_token": csrf_token(client, "/admin/users/new"), "username": "Taken.Name",
        "display_name": "X", "role": "coordinator"})
    page = response.get_data(as_text=True)
    assert 'id="username-error"' in page and "χρησιμοποιείται ήδη" in page


def test_deactivation_ends_the_users_sessions(app, client, login_as):
    login_as("admin")
    victim = make_user("caseworker")
    victim_client = app.test_client()
    victim_client.post("/login", data={"username": victim.username, "password": "correct horse battery staple 42",
                                       "csrf_token": csrf_token(victim_client)})
    assert victim_client.get("/").status_code == 200
    client.post(f"/admin/users/{victim.id}/active",
                data={"csrf_token": csrf_token(client, "/admin/users/"), "active": "0"})
    assert victim_client.get("/").status_code == 302
    open_sessions = db.session.execute(
        select(AuthSession).where(AuthSession.user_id == victim.id, AuthSession.ended_at.is_(None))).all()
    assert open_sessions == []
    assert ("users.deactivate", victim.id) in _audited()


def _audited():
    return {(a, int(o)) for a, o in db.session.execute(
        select(AuditEvent.action, AuditEvent.object_id)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id.is_not(None)))}


def test_reset_password_gives_a_one_time_password_and_ends_sessions(app, client, login_as):
    login_as("admin")
    target = make_user("caseworker")
    response = client.post(f"/admin/users/{target.id}/reset-password",
                           data={"csrf_token": csrf_token(client, "/admin/users/")})
    one_time = _one_time_password(response.get_data(as_text=True))
    db.session.refresh(target)
    assert target.must_change_password
    other = app.test_client()
    other.post("/login", data={"username": target.username, "password": one_time, "csrf_token": csrf_token(other)})
    assert other.get("/").headers["Location"] == "/account/password"
    assert ("users.reset_password", target.id) in _audited()


def test_stale_edit_reports_a_conflict_and_keeps_the_other_change(client, login_as):
    login_as("admin")
    target = make_user("caseworker", display_name="Original Name")
    token = csrf_token(client, f"/admin/users/{target.id}/edit")
    stale_version = target.version
    target.display_name = "Changed Elsewhere"
    db.session.commit()
    response = client.post(f"/admin/users/{target.id}/edit", data={
        "csrf_token": token, "display_name": "My Typed Name", "role": "caseworker",
        "structures": ["KEM"], "version": str(stale_version)})
    page = response.get_data(as_text=True)
    assert "Κάποιος άλλος άλλαξε" in page
    assert "My Typed Name" in page
    db.session.refresh(target)
    assert target.display_name == "Changed Elsewhere"


def test_admin_cannot_deactivate_or_reset_themselves(client, login_as):
    admin = login_as("admin")
    token = csrf_token(client, "/admin/users/")
    client.post(f"/admin/users/{admin.id}/active", data={"csrf_token": token, "active": "0"})
    client.post(f"/admin/users/{admin.id}/reset-password", data={"csrf_token": token})
    db.session.refresh(admin)
    assert admin.active and not admin.must_change_password
    assert client.get("/").status_code == 200


def test_user_list_takes_a_fixed_number_of_queries(client, login_as, count_queries):
    login_as("admin")
    counts = []
    for extra in (3, 30):
        for _ in range(extra):
            make_user("caseworker", structures=("KEM", "CLINICS"))
        db.session.commit()
        with count_queries() as counted:
            assert client.get("/admin/users/").status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]


def test_user_list_pages_with_a_cursor(app, client, login_as):
    login_as("admin")
    for i in range(app.config["PAGE_SIZE"] + 2):
        make_user("caseworker", username=f"zz-page-{i:03d}")
    db.session.commit()
    first = client.get("/admin/users/").get_data(as_text=True)
    assert "after=" in first
    cursor = re.search(r'after=([^"&]+)"', first).group(1)
    second = client.get(f"/admin/users/?after={cursor}").get_data(as_text=True)
    assert "zz-page-051" in second and "zz-page-051" not in first
