"""Input that is never lost, in a real browser: a note typed in a stale tab survives being refused,
a note sent after the session ended comes back after the sign-in, and the timeout warning's
"Stay signed in" keeps the session."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.demo import DEMO_PASSWORD, load_demo_users
from caseapp.extensions import db
from caseapp.structures.service import load_reference_data
from tests.conftest import make_app
from tests.e2e.conftest import browser_page, log_in_in_english, serving
from tests.factories import case_file_of, make_beneficiary

pytestmark = pytest.mark.browser

NOTE = ("A long note typed over twenty minutes: she will bring the residence permit on Monday. "
        "Το κείμενο συνεχίζεται στα ελληνικά, و بالعربية أيضًا.")


def _new_case_file(app, family_name: str) -> str:
    with app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        person = make_beneficiary("KEM", actor=caseworker, family_name=family_name)
        case_file_id = str(case_file_of(person).id)
        db.session.commit()
        db.session.remove()
    return case_file_id


def _note_box(page):
    return page.get_by_label("New note")


def test_a_note_typed_in_a_stale_tab_survives_being_refused(browser, live_app, live_server, keep_user_locales):
    case_path = f"/cases/{_new_case_file(live_app, 'Staletab')}"
    with browser_page(browser, live_server) as tab:
        log_in_in_english(tab, "caseworker", DEMO_PASSWORD)
        tab.goto(case_path)
        _note_box(tab).fill(NOTE)
        other = tab.context.new_page()  # another tab of the same browser: signs out and in again
        other.goto("/")
        other.get_by_role("button", name="Log out").click()
        _log_in(other)
        other.close()

        tab.get_by_role("button", name="Add the note").click()
        expect(tab.get_by_role("alert").first).to_contain_text("This form had expired")
        expect(_note_box(tab)).to_have_value(NOTE)
        tab.get_by_role("button", name="Add the note").click()
        expect(tab.get_by_text("The note has been added.")).to_be_visible()
        expect(tab.locator(".note-text").first).to_have_text(NOTE)


def test_a_note_sent_after_the_session_ended_comes_back_after_signing_in(browser, live_app, live_server,
                                                                           keep_user_locales):
    case_path = f"/cases/{_new_case_file(live_app, 'Endedsession')}"
    with browser_page(browser, live_server) as tab:
        log_in_in_english(tab, "caseworker", DEMO_PASSWORD)
        tab.goto(case_path)
        _note_box(tab).fill(NOTE)
        other = tab.context.new_page()
        other.goto("/")
        other.get_by_role("button", name="Log out").click()  # the session ends (as a timeout would)
        other.close()
        tab.context.clear_cookies()  # and this tab's cookie goes with it

        tab.get_by_role("button", name="Add the note").click()
        expect(tab.get_by_role("alert").first).to_contain_text("δεν αποθηκεύτηκε")  # signed out: Greek, the default
        # The cookie (and its language) went: the login page is in Greek, the default.
        tab.get_by_label("Όνομα χρήστη").fill("caseworker")
        tab.get_by_label("Κωδικός").fill(DEMO_PASSWORD)
        tab.get_by_role("button", name="Σύνδεση").click()
        expect(tab).to_have_url(case_path)
        expect(_note_box(tab)).to_have_value(NOTE)
        expect(tab.locator(".kept-input-notice")).to_contain_text("It is not saved yet")
        tab.get_by_role("button", name="Add the note").click()
        expect(tab.get_by_text("The note has been added.")).to_be_visible()
        tab.goto(case_path)  # once saved, the kept copy is gone: the box starts empty
        expect(_note_box(tab)).to_have_value("")


# --- the timeout warning, with a short idle timeout ---------------------------------------------------

IDLE_SECONDS = 14
WARN_SECONDS = 10


@pytest.fixture(scope="module")
def short_session_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-timeout") / "e2e.sqlite"
    app = make_app(f"sqlite:///{path}", LOGIN_LIMIT_PER_ADDRESS="1000 per minute",
                   SESSION_IDLE_TIMEOUT=timedelta(seconds=IDLE_SECONDS),
                   SESSION_TIMEOUT_WARNING=timedelta(seconds=WARN_SECONDS))
    with app.app_context():
        upgrade()
        load_reference_data()
        load_demo_users()
        db.session.commit()
        db.session.remove()
    with serving(app) as url:
        yield url


def _log_in(page):
    page.goto("/login")
    if page.get_by_role("button", name="English").count():
        page.get_by_role("button", name="English").click()
    page.get_by_label("Username").fill("caseworker")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_timeout_warning_appears_and_stay_signed_in_extends_the_session(browser, short_session_server):
    with browser_page(browser, short_session_server) as page:
        _log_in(page)
        dialog = page.get_by_role("dialog", name="You are about to be signed out")
        expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARN_SECONDS + 6) * 1000)
        stay = dialog.get_by_role("button", name="Stay signed in")
        expect(stay).to_be_focused()
        expect(dialog).to_contain_text("seconds")
        stay.click()
        expect(dialog).to_be_hidden()
        left = page.evaluate("fetch('/session/status').then(r => r.json()).then(d => d.seconds_left)")
        assert left > WARN_SECONDS
        page.wait_for_timeout((IDLE_SECONDS - WARN_SECONDS) * 1000)  # past the first deadline
        page.goto("/")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()  # still signed in


def test_without_an_answer_the_warning_signs_out_and_keeps_what_was_typed(browser, short_session_server):
    with browser_page(browser, short_session_server) as page:
        _log_in(page)
        page.goto("/beneficiaries/")
        page.get_by_label("Surname").fill("Karimi")
        dialog = page.get_by_role("dialog", name="You are about to be signed out")
        expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARN_SECONDS + 6) * 1000)
        expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)beneficiaries(%2F|/)$"),
                                 timeout=(WARN_SECONDS + 8) * 1000)
        page.get_by_label("Username").fill("caseworker")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url("/beneficiaries/")
        expect(page.get_by_label("Surname")).to_have_value("Karimi")
        expect(page.locator(".kept-input-notice")).to_be_visible()


# --- user text wraps; right-to-left names keep their order ---------------------------------------------


@pytest.mark.parametrize("width", [375, 1280])
def test_a_huge_word_or_url_in_a_note_or_a_name_never_widens_the_page(browser, live_app, live_server,
                                                                        keep_user_locales, width):
    from caseapp.casefiles import service as casefile_service
    from caseapp.casefiles.models import CaseFile

    case_file_id = _new_case_file(live_app, "W" * 3000)
    with live_app.app_context():
        case_file = db.session.get(CaseFile, __import__("uuid").UUID(case_file_id))
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        casefile_service.add_note(case_file, "x" * 20_000, confidential=False, actor=caseworker)
        casefile_service.add_note(case_file, "https://example.org/" + "a/b-c_d" * 800, confidential=False,
                                  actor=caseworker)
        beneficiary_id = str(case_file.beneficiary_id)
        db.session.commit()
        db.session.remove()
    with browser_page(browser, live_server) as page:
        page.set_viewport_size({"width": width, "height": 800})
        log_in_in_english(page, "caseworker", DEMO_PASSWORD)
        for path in (f"/cases/{case_file_id}", f"/beneficiaries/{beneficiary_id}", "/"):
            page.goto(path)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width + 1, f"{path} is {scroll_width}px wide at {width}px"
