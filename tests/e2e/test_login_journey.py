import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_log_in_and_out_through_the_ui(page):
    log_in(page, "caseworker", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Καλώς ορίσατε")
    expect(page.get_by_text("Κέντρο Ένταξης Μεταναστών")).to_be_visible()
    page.get_by_role("button", name="Αποσύνδεση").click()
    expect(page).to_have_url("/login")
    expect(page.get_by_role("status")).to_contain_text("Αποσυνδεθήκατε")
    page.goto("/")
    expect(page).to_have_url("/login?next=/")


def test_wrong_password_shows_one_message_and_keyboard_only_login_works(page):
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    page.get_by_label("Όνομα χρήστη").focus()
    page.keyboard.type("caseworker")
    page.keyboard.press("Tab")
    page.keyboard.type("not the right one")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Λάθος όνομα χρήστη ή κωδικός")
    page.get_by_label("Κωδικός").fill(DEMO_PASSWORD)
    page.get_by_label("Όνομα χρήστη").fill("caseworker")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Καλώς ορίσατε")


def test_switch_to_english(page):
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_login_and_home_pages_have_no_accessibility_violations(page):
    axe = Axe()
    page.goto("/login")
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    log_in(page, "admin", DEMO_PASSWORD)
    for path in ("/", "/admin/users/", "/admin/users/new"):
        page.goto(path)
        results = axe.run(page)
        assert results.violations_count == 0, f"{path}: {results.generate_report()}"
