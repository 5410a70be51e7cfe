"""Administration journeys in the real UI: an administrator creates a user who logs in with
the one-time password and chooses their own, then is deactivated (their session ends on the
server); erasure with four eyes (a supervisor asks, an administrator confirms by retyping
the reference); two-step verification from enrolment to a login with a code, and the
administrator's reset; and four eyes on the women's shelter (an administrator's grant gives
nothing until the shelter's supervisor confirms). The same screens are checked with axe-core.

Every test speaks English (switched on the login page, before logging in: the choice then
lives in the browser's session, not on the account) and works on users and people of its
own, so the shared live database stays usable by the other browser tests.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pyotp
import pytest
from playwright.sync_api import expect

from caseapp.beneficiaries.references import new_reference
from caseapp.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, browser_page, fill_registration

pytestmark = pytest.mark.browser

ONE_TIME_PASSWORD = re.compile(r"^[a-z2-9]{5}(-[a-z2-9]{5}){3}$")
REGISTERED = re.compile(r"Registered with reference (B-\d{2}-[0-9A-Z]{5}-[0-9A-Z])\.")
PROFILE_PATH = re.compile(r"/beneficiaries/[0-9a-f-]{36}$")
CONFIRM_PATH = re.compile(r"/admin/erasure-requests/[0-9a-f-]{36}$")
KEM = "KEM — Migrant Integration Centre"
ADMIN_NAME = "Σοφία Ιωάννου"
SUPERVISOR_NAME = "Νίκος Αλεξίου"
WEAK_PASSWORD_ERROR = "This password is too common or easy to guess. Try a longer phrase of unrelated words."
NEW_PASSWORD_HINT = "At least 12 characters. A phrase of several unrelated words is easy to remember."
BAD_CODE_ERROR = "That code is not valid. Check the time on your phone and try the current code."
LOGIN_REFUSED = ("Wrong username or password. After several failed attempts, logging in from this device is "
                 "paused for a few minutes.")


@pytest.fixture
def other_page(browser, live_server):
    """A second browser (its own cookies): another person at another desk."""
    with browser_page(browser, live_server) as page:
        yield page


# --- helpers ----------------------------------------------------------------------------------


def log_in_as(page, username: str, password: str) -> None:
    """The login page, switched to English first, then the credentials."""
    page.goto("/login")
    if page.locator("html").get_attribute("lang") != "en":
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def log_in_to_home(page, username: str, password: str) -> None:
    log_in_as(page, username, password)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def nav_link(page, name: str):
    return page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=name, exact=True)


def users_table(page):
    return page.get_by_role("table", name="Users")


def user_row(page, username: str):
    return users_table(page).get_by_role("row").filter(
        has=page.get_by_role("cell", name=username, exact=True))


def open_users(page) -> None:
    nav_link(page, "Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")


def accept_next_dialog(page) -> list[str]:
    """The page's `window.confirm`: accept it, and keep its question to check."""
    questions: list[str] = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    return questions


def create_user(page, *, username: str, full_name: str, role: str, structure: str) -> str:
    """As the administrator (logged in, on any page): the new-user form; returns the one-time password."""
    open_users(page)
    page.get_by_role("link", name="New user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New user")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_role("group", name="Structures").get_by_label(structure).check()
    page.get_by_role("button", name="Save").click()
    return read_one_time_password(page, username)


def read_one_time_password(page, username: str) -> str:
    expect(page.get_by_role("heading", level=1)).to_have_text(f"One-time password for {username}")
    expect(page.get_by_text("It is shown only once")).to_be_visible()
    code = page.locator("#one-time-password")
    expect(code).to_have_text(ONE_TIME_PASSWORD)
    return code.inner_text()


def change_password_form(page, current: str, new: str, repeat: str | None = None) -> None:
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password").fill(new if repeat is None else repeat)
    page.get_by_role("button", name="Change password").click()


def first_login(page, username: str, one_time_password: str, new_password: str) -> None:
    """A new user's first login: the one-time password, then a password of their own."""
    log_in_as(page, username, one_time_password)
    expect(page).to_have_url(re.compile(r"/account/password$"))
    change_password_form(page, one_time_password, new_password)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_have_text(
        "Your password has been changed. Other sessions were logged out.")


def described_by_error(page, field, message: str) -> None:
    """The field is marked invalid and its description (aria-describedby) carries the error."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    ids = field.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{i}").inner_text() == message for i in ids), ids


def search_by_surname(page, surname: str) -> None:
    nav_link(page, "Beneficiaries").click()
    page.get_by_label("Surname").fill(surname)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Search results")).to_be_visible()


# --- 1. an administrator creates a user -------------------------------------------------------


def test_admin_creates_a_user_who_sets_a_password_and_is_then_deactivated(page, other_page, keep_user_locales):
    admin, newcomer = page, other_page
    username, full_name = "dimitra.k", "Δήμητρα Κωνσταντίνου"

    log_in_to_home(admin, "admin", DEMO_PASSWORD)
    open_users(admin)
    expect(user_row(admin, "caseworker")).to_contain_text("Ελένη Καραγιάννη")
    expect(user_row(admin, username)).to_have_count(0)
    assert_no_axe_violations(admin, "users list")

    # The form refuses a caseworker without a structure, and says so on the group of boxes.
    admin.get_by_role("link", name="New user").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("New user")
    admin.get_by_label("Username").fill(username)
    admin.get_by_label("Full name").fill(full_name)
    admin.get_by_label("Role").select_option(label="Caseworker")
    admin.get_by_role("button", name="Save").click()
    summary = admin.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Please correct the following")
    expect(summary.get_by_role("link")).to_have_text(
        ["Structures: Caseworkers and supervisors belong to at least one structure."])
    structures = admin.get_by_role("group", name="Structures")
    expect(structures).to_have_accessible_description(
        "Caseworkers and supervisors belong to at least one structure.")
    expect(admin.get_by_label("Username")).to_have_value(username)  # nothing to type again
    expect(admin.get_by_label("Full name")).to_have_value(full_name)
    expect(admin.get_by_label("Role")).to_have_value("caseworker")
    assert_no_axe_violations(admin, "new-user form with an error")

    structures.get_by_label(KEM).check()
    admin.get_by_role("button", name="Save").click()
    one_time_password = read_one_time_password(admin, username)
    assert_no_axe_violations(admin, "one-time password page")
    admin.get_by_role("link", name="Back to users").click()
    row = user_row(admin, username)
    expect(row.get_by_role("cell")).to_have_text(
        [username, full_name, "Caseworker", "KEM", "Active", re.compile(r"^\s*Edit")])

    # At another desk, the new user logs in with it and must choose their own password.
    log_in_as(newcomer, username, one_time_password)
    expect(newcomer).to_have_url(re.compile(r"/account/password$"))
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Change password")
    expect(newcomer.get_by_text(
        "You logged in with a one-time password. Choose your own password to continue.")).to_be_visible()
    newcomer.goto("/beneficiaries/")  # nothing else opens before that
    expect(newcomer).to_have_url(re.compile(r"/account/password$"))

    # A common password is refused, the error tied to the field.
    change_password_form(newcomer, one_time_password, "password1234")
    expect(newcomer.get_by_role("alert").get_by_role("link")).to_have_text(
        [f"New password: {WEAK_PASSWORD_ERROR}"])
    new_password_field = newcomer.get_by_label("New password", exact=True)
    described_by_error(newcomer, new_password_field, WEAK_PASSWORD_ERROR)
    expect(new_password_field).to_have_accessible_description(f"{NEW_PASSWORD_HINT} {WEAK_PASSWORD_ERROR}")
    expect(newcomer).to_have_url(re.compile(r"/account/password$"))
    assert_no_axe_violations(newcomer, "change-password page with an error")

    change_password_form(newcomer, one_time_password, "violet tractor harbour lemonade")
    expect(newcomer).to_have_url(re.compile(r"/$"))
    expect(newcomer.get_by_role("status")).to_have_text(
        "Your password has been changed. Other sessions were logged out.")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(f"Welcome, {full_name}")
    expect(newcomer.get_by_role("definition")).to_have_text(["Caseworker", "Migrant Integration Centre (KEM)"])
    expect(nav_link(newcomer, "Beneficiaries")).to_be_visible()
    expect(nav_link(newcomer, "Users")).to_have_count(0)

    # The administrator deactivates the account; the browser asks first.
    open_users(admin)
    deactivate = user_row(admin, username).get_by_role("button", name=f"Deactivate {username}")
    admin.once("dialog", lambda dialog: dialog.dismiss())
    deactivate.click()  # changed their mind: nothing happens
    expect(user_row(admin, username).get_by_role("cell").nth(4)).to_have_text("Active")
    questions = accept_next_dialog(admin)
    deactivate.click()
    expect(admin.get_by_role("status")).to_have_text("The account is deactivated and its sessions have ended.")
    assert questions == [f"Deactivate {username}? Their sessions end at once."]
    row = user_row(admin, username)
    expect(row.get_by_role("cell").nth(4)).to_have_text("Deactivated")
    expect(row.get_by_role("button", name=f"Reactivate {username}")).to_be_visible()

    # The new user's next page load: their session has ended on the server.
    newcomer.reload()
    expect(newcomer).to_have_url(re.compile(r"/login\?next=/$"))
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Log in")
    # And the password no longer opens the account.
    log_in_as(newcomer, username, "violet tractor harbour lemonade")
    expect(newcomer.get_by_role("alert")).to_have_text(LOGIN_REFUSED)
    expect(newcomer).to_have_url(re.compile(r"/login$"))


# --- 2. erasure: a supervisor asks, an administrator confirms ---------------------------------


def test_erasure_is_requested_by_a_supervisor_and_confirmed_by_an_administrator(
        page, other_page, keep_user_locales):
    supervisor, admin = page, other_page
    surname, given_name = "Stavropoulou", "Leila"

    # The supervisor registers a (fictional) person at KEM...
    log_in_to_home(supervisor, "supervisor", DEMO_PASSWORD)
    nav_link(supervisor, "Beneficiaries").click()
    supervisor.get_by_role("link", name="Register a beneficiary").click()
    supervisor.get_by_label("Structure").select_option(label=KEM)
    fill_registration(supervisor, family_name=surname, given_name=given_name, birth_date="1990-04-04",
                      sex="Female")
    supervisor.get_by_role("button", name="Register", exact=True).click()
    expect(supervisor).to_have_url(PROFILE_PATH)
    status = supervisor.get_by_role("status")
    expect(status).to_have_text(REGISTERED)
    reference = REGISTERED.search(status.inner_text()).group(1)
    profile = supervisor.url

    # ...and asks for the erasure of their data.
    supervisor.get_by_role("link", name="Request erasure of this person's data").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text(f"Request erasure of {reference}")
    supervisor.get_by_label("Reason").select_option(label="Registered in error")
    supervisor.get_by_role("button", name="Request erasure").click()
    expect(supervisor).to_have_url(profile)
    expect(supervisor.get_by_role("status")).to_have_text(
        "Erasure requested. An administrator must confirm it before anything is erased.")
    expect(supervisor.get_by_text("An erasure of this person's data has been requested and is waiting "
                                  "for an administrator's confirmation.")).to_be_visible()
    expect(supervisor.get_by_role("link", name="Request erasure of this person's data")).to_have_count(0)

    # The supervisor cannot decide on it: no menu entry, and the screen answers "Not allowed".
    expect(nav_link(supervisor, "Erasure requests")).to_have_count(0)
    response = supervisor.goto("/admin/erasure-requests/")
    assert response.status == 403
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(supervisor.get_by_text("You do not have permission to open this page.")).to_be_visible()

    # The administrator sees the request: its reference, never the name.
    log_in_to_home(admin, "admin", DEMO_PASSWORD)
    nav_link(admin, "Erasure requests").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Erasure requests")
    expect(admin.get_by_role("navigation", name="Request status").get_by_role(
        "link", name="Waiting for confirmation")).to_have_attribute("aria-current", "page")
    pending = admin.get_by_role("table", name="Waiting for confirmation")
    row = pending.get_by_role("row").filter(has=admin.get_by_role("rowheader", name=reference))
    expect(row.get_by_role("cell")).to_have_text(["Registered in error", SUPERVISOR_NAME, "KEM", re.compile(r"\d")])
    expect(admin.get_by_role("main")).not_to_contain_text(surname)
    expect(admin.get_by_role("main")).not_to_contain_text(given_name)
    assert_no_axe_violations(admin, "erasure requests list")

    row.get_by_role("link", name=reference).click()
    expect(admin).to_have_url(CONFIRM_PATH)
    confirm_page = admin.url
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Erasure of {reference}")
    expect(admin.get_by_role("main")).not_to_contain_text(surname)

    # A valid reference that is not this one is refused, on the field.
    wrong = next(r for r in iter(lambda: new_reference(2026), None) if r != reference)
    reference_field = admin.get_by_label("Type the reference to confirm")
    reference_field.fill(wrong)
    admin.get_by_role("button", name="Erase for good").click()
    error = "The reference you typed does not match this request."
    expect(admin.get_by_role("alert").get_by_role("link")).to_have_text([f"Type the reference to confirm: {error}"])
    described_by_error(admin, reference_field, error)
    expect(admin).to_have_url(confirm_page)
    assert_no_axe_violations(admin, "erasure confirmation with an error")

    # The requester cannot open the confirmation either.
    response = supervisor.goto(confirm_page)
    assert response.status == 403
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Not allowed")

    # The right reference erases the person.
    reference_field.fill(reference)
    admin.get_by_role("button", name="Erase for good").click()
    expect(admin).to_have_url(re.compile(r"/admin/erasure-requests/$"))
    expect(admin.get_by_role("status")).to_have_text(re.compile(
        r"^Erased from the live database now\. Backups made before now stop being readable once root key\(s\) "
        r"test-root-1 are retired: at the latest on .+ under the key schedule\.$"))
    expect(admin.get_by_role("link", name=reference)).to_have_count(0)
    admin.get_by_role("navigation", name="Request status").get_by_role("link", name="Erased").click()
    erased = admin.get_by_role("table", name="Erased")
    erased_row = erased.get_by_role("row").filter(has=admin.get_by_role("rowheader", name=reference))
    expect(erased_row.get_by_role("cell")).to_have_text(
        ["Registered in error", SUPERVISOR_NAME, "KEM", re.compile(r"\d"), ADMIN_NAME, re.compile(r"\d")])

    # The supervisor no longer finds the person, and the old profile address is "Not found".
    search_by_surname(supervisor, surname)
    expect(supervisor.get_by_role("status")).to_have_text(
        "Nobody found. Check the spelling, or search by another field.")
    response = supervisor.goto(profile)
    assert response.status == 404
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(supervisor.get_by_text("This page does not exist, or you cannot see it.")).to_be_visible()
    expect(supervisor.get_by_role("main")).not_to_contain_text(surname)


# --- 3. two-step verification ------------------------------------------------------------------


def other_code(secret: str) -> str:
    """A six-digit code valid at no step the server would accept now."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(timezone.utc))
    valid = {totp.generate_otp(s) for s in range(step - 2, step + 3)}
    return next(code for code in ("123456", "654321", "000000", "999999") if code not in valid)


def test_two_step_verification_from_enrolment_to_login_and_admin_reset(page, other_page, keep_user_locales):
    admin, user = page, other_page
    username, full_name, password = "petros.v", "Πέτρος Βλάχος", "quiet lantern orchard seventy"

    log_in_to_home(admin, "admin", DEMO_PASSWORD)
    one_time_password = create_user(admin, username=username, full_name=full_name, role="Supervisor",
                                    structure=KEM)
    first_login(user, username, one_time_password, password)

    # Enrolment, from the header: a QR code that loads, and the key to type instead.
    user.get_by_role("link", name="Two-step verification").click()
    expect(user).to_have_url(re.compile(r"/account/two-factor$"))
    expect(user.get_by_role("heading", level=1)).to_have_text("Two-step verification")
    expect(user.get_by_role("img", name="QR code for your authenticator app")).to_have_count(0)  # nothing made yet
    assert_no_axe_violations(user, "two-factor start page")
    user.get_by_role("button", name="Set up two-step verification").click()
    expect(user).to_have_url(re.compile(r"/account/two-factor$"))
    qr = user.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_have_class("qr")
    expect(qr).to_be_visible()
    # Served, as an SVG image (whether the browser can draw it: see the test below).
    answer = user.request.get(qr.get_attribute("src"))
    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml")
    secret = user.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    code_field = user.get_by_label("Six-digit code")
    expect(code_field).to_have_accessible_description("The code your authenticator app shows now.")
    assert_no_axe_violations(user, "two-factor enrolment page")

    totp = pyotp.TOTP(secret)
    code_field.fill(totp.now())
    user.get_by_role("button", name="Turn on").click()
    expect(user).to_have_url(re.compile(r"/$"))
    expect(user.get_by_role("status")).to_have_text(
        "Two-step verification is on. You will be asked for a code at every login.")
    user.get_by_role("link", name="Two-step verification").click()
    expect(user.get_by_role("status")).to_have_text("Two-step verification is on for your account.")
    expect(user.get_by_role("img", name="QR code for your authenticator app")).to_have_count(0)

    # Log out, log in: the password alone is not enough.
    user.get_by_role("button", name="Log out").click()
    expect(user.get_by_role("status")).to_have_text("You have logged out.")
    log_in_as(user, username, password)
    expect(user).to_have_url(re.compile(r"/login/code\?next=/$"))
    expect(user.get_by_role("heading", level=1)).to_have_text("Two-step verification")
    expect(user.get_by_role("navigation", name="Main navigation")).to_have_count(0)  # not logged in yet
    user.goto("/")
    expect(user).to_have_url(re.compile(r"/login\?next=/$"))
    log_in_as(user, username, password)
    expect(user).to_have_url(re.compile(r"/login/code\?next=/$"))

    # A wrong code: the error on the field.
    code_field = user.get_by_label("Six-digit code")
    code_field.fill(other_code(secret))
    user.get_by_role("button", name="Continue").click()
    expect(user.get_by_role("alert").get_by_role("link")).to_have_text([f"Six-digit code: {BAD_CODE_ERROR}"])
    described_by_error(user, code_field, BAD_CODE_ERROR)
    expect(user).to_have_url(re.compile(r"/login/code\?next=/$"))
    assert_no_axe_violations(user, "login-code page with an error")

    # The next code (not the one used to enrol: codes are single-use) logs in.
    code_field.fill(totp.generate_otp(totp.timecode(datetime.now(timezone.utc)) + 1))
    user.get_by_role("button", name="Continue").click()
    expect(user).to_have_url(re.compile(r"/$"))
    expect(user.get_by_role("heading", level=1)).to_have_text(f"Welcome, {full_name}")

    # Lost phone: the administrator resets it; the user's session ends, and the password alone
    # logs in again.
    open_users(admin)
    questions = accept_next_dialog(admin)
    user_row(admin, username).get_by_role("button", name=f"Reset two-step verification {username}").click()
    expect(admin.get_by_role("status")).to_have_text(
        "Two-step verification was reset; the user sets it up again at their next login.")
    assert questions == [f"Reset the two-step verification of {username}?"]
    expect(user_row(admin, username).get_by_role("button", name=re.compile("^Reset two-step"))).to_have_count(0)
    user.reload()
    expect(user).to_have_url(re.compile(r"/login\?next=/$"))
    log_in_to_home(user, username, password)
    expect(user.get_by_role("heading", level=1)).to_have_text(f"Welcome, {full_name}")


def qr_code_width(page) -> int:
    """The enrolment page's QR code, once the browser has tried to load it: its drawn width."""
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_have_class("qr")
    return qr.evaluate("img => img.complete ? img.naturalWidth : new Promise(done => {"
                       " img.addEventListener('load', () => done(img.naturalWidth), {once: true});"
                       " img.addEventListener('error', () => done(0), {once: true}); })")


def test_the_enrolment_qr_code_loads(page, other_page, keep_user_locales):
    admin, user = page, other_page
    username, password = "qr.check", "amber kettle meadow ninety"
    log_in_to_home(admin, "admin", DEMO_PASSWORD)
    one_time_password = create_user(admin, username=username, full_name="QR Check", role="Caseworker",
                                    structure=KEM)
    first_login(user, username, one_time_password, password)
    user.get_by_role("link", name="Two-step verification").click()
    user.get_by_role("button", name="Set up two-step verification").click()
    expect(user.locator("#totp-secret")).to_have_text(re.compile(r"[A-Z2-7]{16,}"))
    assert qr_code_width(user) > 0, "the QR code image does not load"



def test_the_error_summary_link_leads_to_the_structure_boxes(page, keep_user_locales):
    """The summary's link to a group of checkboxes moves the keyboard to that group (it used to
    point at an id nothing had, and left the focus in the summary)."""
    log_in_to_home(page, "admin", DEMO_PASSWORD)
    open_users(page)
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Username").fill("summary.check")
    page.get_by_label("Full name").fill("Summary Check")
    page.get_by_label("Role").select_option(label="Caseworker")
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    link = summary.get_by_role("link", name="Structures: Caseworkers and supervisors belong to at least one structure.")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    structures = page.get_by_role("group", name="Structures")
    expect(structures).to_be_focused()
    expect(structures).to_have_accessible_description(
        "Caseworkers and supervisors belong to at least one structure.")
    page.keyboard.press("Tab")
    first_box = structures.get_by_role("checkbox").first
    expect(first_box).to_be_focused()
    page.keyboard.press("Space")
    expect(first_box).to_be_checked()


# --- 4. four eyes: the shelter's supervisor confirms what an administrator grants -------------

SHELTER = "SHELTER-W — Shelter for women survivors of violence and their children"


def test_the_shelter_opens_to_a_caseworker_only_once_its_supervisor_confirms(page, other_page, keep_user_locales):
    admin_or_shelter, newcomer = page, other_page
    username, full_name, password = "kem.helper", "Ελπίδα Μαυρίδου", "copper lantern meadow ninety"
    surname, given_name = "Shelterova", "Nadia"

    # The shelter's caseworker has a woman on file.
    log_in_to_home(admin_or_shelter, "shelter", DEMO_PASSWORD)
    nav_link(admin_or_shelter, "Beneficiaries").click()
    admin_or_shelter.get_by_role("link", name="Register a beneficiary").click()
    fill_registration(admin_or_shelter, family_name=surname, given_name=given_name, birth_date="1993-05-05",
                      sex="Female")
    admin_or_shelter.get_by_role("button", name="Register", exact=True).click()
    expect(admin_or_shelter).to_have_url(PROFILE_PATH)
    profile = admin_or_shelter.url
    admin_or_shelter.get_by_role("button", name="Log out").click()

    # The administrator makes a KEM caseworker, who logs in...
    log_in_to_home(admin_or_shelter, "admin", DEMO_PASSWORD)
    admin = admin_or_shelter
    one_time_password = create_user(admin, username=username, full_name=full_name, role="Caseworker",
                                    structure=KEM)
    first_login(newcomer, username, one_time_password, password)

    # ...and then gives them the shelter: it waits for the shelter's supervisor.
    open_users(admin)
    user_row(admin, username).get_by_role("link", name=f"Edit {username}").click()
    admin.get_by_role("group", name="Structures").get_by_label(SHELTER).check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("The user has been saved.")).to_be_visible()
    expect(admin.get_by_text("Waiting for the confirmation of a supervisor of SHELTER-W: "
                             "nothing changes until then.")).to_be_visible()
    expect(user_row(admin, username).get_by_role("cell").nth(3)).to_have_text(
        re.compile(r"KEM\s*SHELTER-W \(waiting for confirmation\)"))
    assert_no_axe_violations(admin, "users list with a pending grant")

    # The caseworker still cannot see the shelter's person.
    response = newcomer.goto(profile)
    assert response.status == 404
    expect(newcomer.get_by_role("main")).not_to_contain_text(surname)
    search_by_surname(newcomer, surname)
    expect(newcomer.get_by_role("status")).to_have_text("Nobody found. Check the spelling, or search by another field.")

    # The shelter's supervisor is told on their home page, and confirms.
    admin.get_by_role("button", name="Log out").click()
    log_in_to_home(admin, "shelter-supervisor", DEMO_PASSWORD)
    supervisor = admin
    supervisor.get_by_role("link", name="1 request waits for your confirmation.").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Confirmations")
    waiting = supervisor.get_by_role("table", name="Waiting for your confirmation")
    row = waiting.get_by_role("row").filter(has_text=username)
    expect(row.get_by_role("cell")).to_have_text([f"{full_name} ({username})", "SHELTER-W", ADMIN_NAME,
                                                   re.compile(r"\d")])
    assert_no_axe_violations(supervisor, "confirmations list")
    row.get_by_role("link", name=re.compile("^Access to the structure")).click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text(f"Access to the structure for {full_name}")
    expect(supervisor.get_by_text("Confirming gives this account everything SHELTER-W holds")).to_be_visible()
    assert_no_axe_violations(supervisor, "confirmation page")
    supervisor.get_by_role("button", name="Confirm", exact=True).click()
    expect(supervisor.get_by_role("status")).to_have_text("Confirmed: the change has taken effect.")
    expect(supervisor.get_by_text("Nothing waits for your confirmation.")).to_be_visible()

    # Now the caseworker sees her.
    newcomer.goto(profile)
    expect(newcomer.get_by_role("heading", level=1)).to_contain_text(f"{surname} {given_name}")
