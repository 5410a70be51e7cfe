"""Every refused POST shows its form again with what was typed and says what happened: a stale CSRF
token, a conflict, a closed case file, an expired session. A refused request changes nothing."""
import html
import re
from datetime import timedelta

from sqlalchemy import select

from caseapp.auth.models import AuthSession, User
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles.models import CaseFile, CaseNote
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.audit import AuditEvent
from tests.conftest import DEFAULT_PASSWORD, csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user

EXPIRED_FORM = "This form had expired"
LONG_NOTE = "Met at the clinic; she asked about the asylum interview.\nSecond paragraph, with ünïcödé and العربية."


def page(response) -> str:
    return response.get_data(as_text=True)


def notes_of(case_file) -> list[CaseNote]:
    return list(db.session.execute(select(CaseNote).where(CaseNote.case_file_id == case_file.id)).scalars())


def sign_in_again(client, user) -> None:
    """What another tab does: log out and in, which gives the session new CSRF tokens."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD,
                                "csrf_token": csrf_token(client)})


def test_a_note_sent_from_a_stale_tab_is_shown_again_with_its_text_and_can_be_sent(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    stale_token = csrf_token(client, f"/cases/{case_file.id}")
    sign_in_again(client, user)
    response = client.post(f"/cases/{case_file.id}/notes", data={"csrf_token": stale_token, "text": LONG_NOTE})
    body = page(response)
    assert response.status_code == 400
    assert EXPIRED_FORM in body and "nothing was saved" in body
    assert LONG_NOTE in html.unescape(body)
    assert notes_of(case_file) == []
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    assert fresh != stale_token
    again = client.post(f"/cases/{case_file.id}/notes", data={"csrf_token": fresh, "text": LONG_NOTE})
    assert again.status_code == 302
    assert [n.text for n in notes_of(case_file)] == [LONG_NOTE]


def test_a_stale_edit_of_a_person_keeps_every_field_typed_and_changes_nothing(client, login_as):
    from tests.beneficiaries.test_edit import edit_form

    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=user, family_name="Before")
    db.session.commit()
    form = edit_form(client, person.id)
    sign_in_again(client, user)
    form.update(family_name="Typedafter", address="Odos Egnatias 12")
    response = client.post(f"/beneficiaries/{person.id}/edit", data=form)
    body = page(response)
    assert response.status_code == 400 and EXPIRED_FORM in body
    assert 'value="Typedafter"' in body and "Odos Egnatias 12" in body
    db.session.expire_all()
    assert person.family_name == "Before"


def test_a_stale_search_shows_the_search_form_again(client, login_as):
    login_as("caseworker", structures=("KEM",))
    response = client.post("/beneficiaries/search", data={"csrf_token": "stale", "surname": "Haddad"})
    assert response.status_code == 400 and EXPIRED_FORM in page(response) and 'value="Haddad"' in page(response)


def test_a_stale_button_without_a_form_to_show_changes_nothing(client, login_as):
    login_as("admin")
    target = make_user("caseworker", structures=("KEM",))
    db.session.commit()
    response = client.post(f"/admin/users/{target.id}/active", data={"csrf_token": "stale", "active": "0"})
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(User, target.id).active


def test_closing_a_case_file_with_a_stale_token_closes_nothing_and_says_so(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    response = client.post(f"/cases/{case_file.id}/close", data={"csrf_token": "stale", "reason": "goals_met"})
    db.session.expire_all()
    assert db.session.get(CaseFile, case_file.id).is_open
    if response.status_code == 302:
        assert "This page had expired, so nothing was done." in page(client.get(response.headers["Location"]))
    else:
        assert response.status_code == 400


def test_a_stale_language_change_or_logout_changes_nothing(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    client.post("/language", data={"csrf_token": "stale", "locale": "el", "next": "/"})
    assert 'lang="en"' in page(client.get("/"))
    db.session.expire_all()
    assert db.session.get(User, user.id).locale != "el"
    client.post("/logout", data={"csrf_token": "stale"})
    assert client.get("/").status_code == 200  # still signed in
    assert db.session.execute(select(AuthSession).where(AuthSession.user_id == user.id,
                                                        AuthSession.ended_at.is_(None))).scalars().all()


def test_a_note_on_a_case_closed_meanwhile_is_shown_again_with_the_reason(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    token = csrf_token(client, f"/cases/{case_file.id}")
    casefile_service.close_case_file(case_file, "goals_met", actor=user)
    db.session.commit()
    response = client.post(f"/cases/{case_file.id}/notes", data={"csrf_token": token, "text": LONG_NOTE})
    body = html.unescape(page(response))
    assert response.status_code == 400
    assert "This case file is closed: reopen it to add a note." in body and LONG_NOTE in body


def test_a_note_sent_after_the_session_ended_goes_to_login_saying_nothing_was_saved(app, client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    case_path = f"/cases/{case_file.id}"
    token = csrf_token(client, case_path)
    row = db.session.execute(select(AuthSession).where(AuthSession.user_id == user.id,
                                                       AuthSession.ended_at.is_(None))).scalar_one()
    row.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"{case_path}/notes", data={"csrf_token": token, "text": LONG_NOTE},
                           headers={"Referer": f"http://localhost{case_path}"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login") and case_path.replace("/", "%2F") in \
        response.headers["Location"].replace("/", "%2F")
    login_page = page(client.get(response.headers["Location"]))
    assert "Your session had ended, so what you sent was not saved." in login_page
    assert notes_of(case_file) == []


def test_a_referrer_from_another_site_is_not_followed_after_login(client):
    response = client.post("/cases/00000000-0000-0000-0000-000000000000/notes", data={"text": "x"},
                           headers={"Referer": "https://evil.example/cases/phish"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


# --- the timeout warning's endpoints --------------------------------------------------------------------


def _session_row(user) -> AuthSession:
    return db.session.execute(select(AuthSession).where(AuthSession.user_id == user.id,
                                                        AuthSession.ended_at.is_(None))).scalar_one()


def test_asking_how_long_is_left_does_not_extend_the_session(app, client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    row = _session_row(user)
    row.last_seen_at = utcnow() - idle + timedelta(seconds=90)
    db.session.commit()
    before = row.last_seen_at
    answer = client.get("/session/status")
    assert answer.status_code == 200 and 0 < answer.json["seconds_left"] <= 90
    db.session.expire_all()
    assert _session_row(user).last_seen_at == before


def test_stay_signed_in_starts_the_idle_timeout_again(app, client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    row = _session_row(user)
    row.last_seen_at = utcnow() - idle + timedelta(seconds=30)
    db.session.commit()
    answer = client.post("/session/extend", headers={"X-CSRFToken": csrf_token(client, "/")})
    assert answer.status_code == 200 and answer.json["seconds_left"] > idle.total_seconds() - 60


def test_stay_signed_in_needs_the_csrf_token_and_a_live_session(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    assert client.post("/session/extend").status_code == 400
    assert not db.session.execute(select(AuditEvent).where(AuditEvent.action == "auth.session_extended")).all()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.post("/session/extend", headers={"X-CSRFToken": csrf_token(client)}).status_code == 401


def test_pages_carry_the_time_left_for_the_warning_only_when_signed_in(client, login_as):
    assert "data-session-left" not in page(client.get("/login"))
    login_as("caseworker", structures=("KEM",))
    body = page(client.get("/"))
    assert re.search(r'data-session-left="\d+"', body) and 'id="timeout-warning"' in body
