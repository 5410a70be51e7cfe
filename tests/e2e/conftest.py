"""Browser tests: the real app served on localhost, driven by Playwright in Debian's Chromium.

The server runs in a thread on its own SQLite file with committed data (a
browser cannot share the rolled-back test transaction); the database-level
behaviour is covered on both backends by the rest of the suite.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from caseapp.demo import load_demo_users
from caseapp.extensions import db
from caseapp.structures.service import load_reference_data
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e") / "e2e.sqlite"
    app = make_app(f"sqlite:///{path}", LOGIN_LIMIT_PER_ADDRESS="1000 per minute")
    with app.app_context():
        upgrade()
        load_reference_data()
        load_demo_users()
        db.session.commit()
        db.session.remove()
    return app


@contextmanager
def serving(app):
    """Serve `app` on a free local port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(live_app):
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@contextmanager
def browser_page(browser, base_url: str):
    """A fresh browser context (its own cookies) with one page."""
    context = browser.new_context(base_url=base_url, locale="el-GR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server):
    with browser_page(browser, live_server) as page:
        yield page


def log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Όνομα χρήστη").fill(username)
    page.get_by_label("Κωδικός").fill(password)
    page.get_by_role("button", name="Σύνδεση").click()


# --- Shared by the beneficiary journeys -------------------------------------------------

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from caseapp.auth.models import User  # noqa: E402


@pytest.fixture
def keep_user_locales(live_app):
    """Switching language while logged in is remembered on the user account (the live
    database is shared by the whole session): put every user's choice back afterwards, so
    later tests still meet the Greek default."""
    with live_app.app_context():
        saved = dict(db.session.execute(select(User.id, User.locale)).all())
        db.session.remove()
    yield
    with live_app.app_context():
        for user in db.session.execute(select(User)).scalars():
            if user.id in saved:
                user.locale = saved[user.id]
        db.session.commit()
        db.session.remove()


def switch_to_english(page) -> None:
    """The header's language button; the English labels are the source strings, so
    assertions do not depend on the Greek catalogue being complete."""
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def log_in_in_english(page, username: str, password: str) -> None:
    log_in(page, username, password)
    expect(page.get_by_role("navigation")).to_be_visible()  # only shown once logged in
    switch_to_english(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def fill_registration(page, *, family_name: str, given_name: str, birth_date: str | None = None,
                      sex: str | None = None) -> None:
    """Fill the registration form by its labels (open at /beneficiaries/new, in English)."""
    page.get_by_label("Family name").fill(family_name)
    page.get_by_label("Given name").fill(given_name)
    if birth_date is not None:
        page.get_by_label("Date of birth").fill(birth_date)
    if sex is not None:
        page.get_by_label("Sex").select_option(label=sex)


def choose_in_combobox(page, label: str, typed: str, option: str) -> None:
    """Type into a type-ahead combobox (static/js/app.js) and pick the option named `option`."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(typed)
    page.get_by_role("listbox", name=label).get_by_role("option", name=option, exact=True).click()


def assert_no_axe_violations(page, what: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


@pytest.fixture(autouse=True)
def greek_accounts_again(request):
    """The language switch is remembered on the account: after each test every account of the
    shared server is back to the default (Greek), so a test that read in English cannot change
    the language of the next one."""
    yield
    if "live_app" not in request.fixturenames:
        return
    from sqlalchemy import update

    from caseapp.auth.models import User

    app = request.getfixturevalue("live_app")
    with app.app_context():
        db.session.execute(update(User).values(locale=None))
        db.session.commit()
        db.session.remove()
