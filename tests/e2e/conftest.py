"""Browser tests: the real app served on localhost, driven by Playwright in Debian's Chromium.

The server runs in a thread on its own SQLite file with committed data (a
browser cannot share the rolled-back test transaction); the database-level
behaviour is covered on both backends by the rest of the suite.
"""
from __future__ import annotations

import threading

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


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="el-GR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Όνομα χρήστη").fill(username)
    page.get_by_label("Κωδικός").fill(password)
    page.get_by_role("button", name="Σύνδεση").click()
