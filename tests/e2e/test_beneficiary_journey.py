"""A caseworker's day with a beneficiary, in the real UI: register, meet the duplicate
warning, register anyway, write a note in the case file, find the person again by surname
(in Latin and in Greek letters), and the same pages checked with axe-core and the keyboard.

The live database is shared by the session's browser tests, so every test registers
people with a surname and date of birth of its own.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, fill_registration, log_in_in_english

pytestmark = pytest.mark.browser

REGISTERED = re.compile(r"Registered with reference (B-\d{2}-[0-9A-Z]{5}-[0-9A-Z])\.")
# Forms post to their own address, fragment included, and a redirect keeps it (e.g. after
# following the error summary's link to #family_name): harmless, a field name at most.
PROFILE_PATH = re.compile(r"/beneficiaries/[0-9a-f-]{36}(#[a-z_]+)?$")
CASE_FILE_PATH = re.compile(r"/cases/[0-9a-f-]{36}$")


@pytest.fixture
def caseworker(page, keep_user_locales):
    """The demo caseworker at KEM, logged in, interface in English."""
    log_in_in_english(page, "caseworker", DEMO_PASSWORD)
    return page


def nav_link(page, name: str):
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


def open_registration(page) -> None:
    nav_link(page, "Beneficiaries").click()
    page.get_by_role("link", name="Register a beneficiary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a beneficiary")


def register_button(page):
    return page.get_by_role("button", name="Register", exact=True)


def registered_reference(page) -> str:
    """After a successful registration: the profile, with the confirmation naming the reference."""
    expect(page).to_have_url(PROFILE_PATH)
    status = page.get_by_role("status")
    expect(status).to_have_text(REGISTERED)
    return REGISTERED.search(status.inner_text()).group(1)


def search_by_surname(page, surname: str) -> None:
    nav_link(page, "Beneficiaries").click()
    page.get_by_label("Surname").fill(surname)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Search results")).to_be_visible()


def results_table(page):
    return page.get_by_role("table", name="Search results")


def test_register_warn_about_duplicate_write_a_note_and_find_the_person_again(caseworker):
    page = caseworker

    # 1. Register Giorgos Papadopoulos.
    open_registration(page)
    expect(page.get_by_label("Structure")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("Structure").locator("option:checked")).to_have_text(
        "KEM — Migrant Integration Centre")
    fill_registration(page, family_name="Papadopoulos", given_name="Giorgos", birth_date="1985-03-14",
                      sex="Male")
    page.get_by_label("Phone").fill("+30 694 123 4567")
    register_button(page).click()
    first_reference = registered_reference(page)
    first_profile = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Papadopoulos Giorgos {first_reference}")
    identity = page.get_by_role("region", name="Identity and contact")
    expect(identity.get_by_role("definition").nth(4)).to_have_text("14 Mar 1985")
    expect(page.get_by_role("region", name="Profile").get_by_role("definition").first).to_have_text("Male")
    # No personal data in the address bar.
    assert "Papadopoulos" not in page.url and "1985" not in page.url

    # 2. A second person with the same surname and date of birth: warned first.
    open_registration(page)
    fill_registration(page, family_name="Papadopoulos", given_name="Nikos", birth_date="1985-03-14",
                      sex="Male")
    register_button(page).click()
    warning = page.get_by_role("alert")
    expect(warning.get_by_role("heading")).to_have_text("This person may already be registered")
    existing = warning.get_by_role("link", name=re.compile(re.escape(first_reference)))
    expect(existing).to_have_text(f"{first_reference} — Papadopoulos Giorgos, 14 Mar 1985")
    expect(page).to_have_url(re.compile(r"/beneficiaries/new$"))  # nothing registered yet
    expect(page.get_by_label("Given name")).to_have_value("Nikos")  # nothing to type again
    expect(page.get_by_label("Family name")).to_have_value("Papadopoulos")
    expect(page.get_by_label("Sex")).to_have_value("male")

    # The warning offers the existing record: it opens (here in a new tab, to compare).
    with page.context.expect_page() as opened:
        existing.click(modifiers=["Control"])
    record = opened.value
    record.wait_for_load_state()
    assert record.url == first_profile
    expect(record.get_by_role("heading", level=1)).to_have_text(f"Papadopoulos Giorgos {first_reference}")
    record.close()

    # A different person after all: confirm and register.
    confirm = page.get_by_label("I have checked: this is a different person. Register them anyway.")
    expect(confirm).not_to_be_checked()
    confirm.check()
    register_button(page).click()
    second_reference = registered_reference(page)
    assert second_reference != first_reference
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Papadopoulos Nikos {second_reference}")

    # 3. The first person's KEM case file: add a note.
    page.goto(first_profile)
    cases = page.get_by_role("table", name="Case files")
    kem_row = cases.get_by_role("row", name=re.compile("^KEM — Migrant Integration Centre"))
    expect(kem_row.get_by_role("cell").first).to_have_text("Open")
    kem_row.get_by_role("link", name="KEM — Migrant Integration Centre").click()
    expect(page).to_have_url(CASE_FILE_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case file at KEM {first_reference}")
    expect(page).to_have_title(f"Case file · {first_reference} · caseapp")
    notes = page.get_by_role("region", name="Notes")
    expect(notes).to_contain_text("No notes yet.")
    note_text = "Asked about Greek lessons for beginners; next appointment on Tuesday at 10:00."
    notes.get_by_label("New note").fill(note_text)
    notes.get_by_role("button", name="Add the note").click()
    expect(page.get_by_role("status")).to_have_text("The note has been added.")
    note = notes.get_by_role("article")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(note_text)
    expect(note).to_contain_text("Ελένη Καραγιάννη")  # the author
    expect(notes.get_by_label("New note")).to_have_value("")
    timeline = page.get_by_role("table", name="Everything that happened to this case file, newest first")
    expect(timeline.get_by_role("rowheader")).to_have_text(["Note added", "Case file opened"])
    # The timeline entry links to the note, and says nothing of its content.
    expect(timeline).not_to_contain_text("Greek lessons")
    timeline.get_by_role("link", name="Note added").click()
    expect(page).to_have_url(re.compile(r"#note-[0-9a-f-]{36}$"))

    # 4. The list: both people, newest first.
    nav_link(page, "Beneficiaries").click()
    recent = page.get_by_role("table", name="Beneficiaries")
    expect(recent.get_by_role("row", name=re.compile(re.escape(second_reference)))).to_contain_text("Nikos")
    expect(recent.get_by_role("row", name=re.compile(re.escape(first_reference)))).to_contain_text("Giorgos")

    # 5. Search by surname, as registered and in Greek letters: the same two people.
    for spelling in ("Papadopoulos", "Παπαδόπουλος", "papadopoulos"):
        search_by_surname(page, spelling)
        expect(page.get_by_role("status")).to_have_text("2 people found.")
        expect(results_table(page).get_by_role("rowheader")).to_have_text([second_reference, first_reference])
        assert spelling not in page.url  # a search is a POST: no name in the address bar
    # A different surname finds neither.
    search_by_surname(page, "Papadopoulou")
    expect(page.get_by_role("status")).to_have_text("Nobody found. Check the spelling, or search by another field.")

    # 6. Open Giorgos from the results, then his case file: the note is there.
    search_by_surname(page, "Παπαδόπουλος")
    row = results_table(page).get_by_role("row", name=re.compile(re.escape(first_reference)))
    expect(row).to_contain_text("Giorgos")
    row.get_by_role("link", name=first_reference).click()
    assert page.url == first_profile
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Papadopoulos Giorgos {first_reference}")
    page.get_by_role("table", name="Case files").get_by_role(
        "link", name="KEM — Migrant Integration Centre").click()
    expect(page.get_by_role("region", name="Notes").get_by_role("article")).to_contain_text(note_text)


def test_beneficiary_pages_have_no_accessibility_violations(caseworker):
    page = caseworker
    open_registration(page)

    # The registration form with validation errors shown (and the summary on top).
    page.get_by_label("Phone").fill("12")
    register_button(page).click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Please correct the following")
    expect(summary.get_by_role("link")).to_have_text([
        "Given name: This field is required.", "Family name: This field is required.",
        "Phone: This number is too short: a digit may be missing."])
    expect(page.get_by_label("Family name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Phone")).to_have_accessible_description(
        "Digits of any script. Without a country code the number is Greek; others start with + and the "
        "country code, e.g. +963 933 123 456. This number is too short: a digit may be missing.")
    page.get_by_label("Phone").fill("")
    assert_no_axe_violations(page, "registration with validation errors")

    fill_registration(page, family_name="Oikonomou", given_name="Amina", birth_date="1992-07-02",
                      sex="Female")
    register_button(page).click()
    reference = registered_reference(page)
    profile = page.url
    assert_no_axe_violations(page, "profile")

    # The duplicate warning is part of the registration page too.
    open_registration(page)
    fill_registration(page, family_name="Οικονόμου", given_name="Amira", birth_date="1992-07-02")
    register_button(page).click()
    expect(page.get_by_role("alert").get_by_role("link", name=re.compile(reference))).to_be_visible()
    assert_no_axe_violations(page, "registration with the duplicate warning")

    page.goto(profile)
    page.get_by_role("link", name="KEM — Migrant Integration Centre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case file at KEM {reference}")
    page.get_by_label("New note").fill("First meeting.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_role("article")).to_contain_text("First meeting.")
    assert_no_axe_violations(page, "case file")

    nav_link(page, "Beneficiaries").click()
    expect(page.get_by_role("table", name="Beneficiaries")).to_contain_text(reference)
    assert_no_axe_violations(page, "beneficiary list")

    search_by_surname(page, "Oikonomou")
    expect(results_table(page)).to_contain_text(reference)
    assert_no_axe_violations(page, "search results")

    # Another spelling finds nobody exactly: the similar names are offered, and marked as such.
    nav_link(page, "Beneficiaries").click()
    page.get_by_label("Surname").fill("Ikonomou")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Similar names")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("No exact match.")
    similar = page.get_by_role("table", name="Similar names")
    expect(similar.get_by_role("row", name=re.compile(re.escape(reference)))).to_contain_text("Similar name")
    assert_no_axe_violations(page, "similar names")


def tab_until(page, target, limit: int = 40) -> None:
    """Press Tab until `target` has the focus (as a keyboard user would), failing if it never does."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused(timeout=1)


def type_date(page, day_and_month: str, year: str) -> None:
    """Type into the focused date field. Chromium orders its segments by its own UI language
    (mm/dd here, dd/mm in a Greek browser), so the test uses a date whose day and month are
    the same number: the same keys give the same date either way."""
    page.keyboard.type(day_and_month + day_and_month + year)


def test_registration_form_can_be_filled_and_sent_with_the_keyboard_only(caseworker):
    page = caseworker
    page.goto("/beneficiaries/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a beneficiary")

    # From the top of the page, Tab reaches the form; then the fields come in the order shown.
    tab_until(page, page.get_by_label("Structure"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Given name")).to_be_focused()
    page.keyboard.type("Fatima")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Family name")).to_be_focused()
    # Family name deliberately left empty: the error must be reachable by keyboard too.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Father's name")).to_be_focused()
    page.keyboard.type("Ahmad")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mother's name")).to_be_focused()
    page.keyboard.press("Tab")
    sex = page.get_by_label("Sex")
    expect(sex).to_be_focused()
    page.keyboard.press("Home")  # first option of a closed select, no mouse
    expect(sex).to_have_value("female")
    page.keyboard.press("Tab")
    birth_date = page.get_by_label("Date of birth")
    expect(birth_date).to_be_focused()
    type_date(page, "05", "2001")
    expect(birth_date).to_have_value("2001-05-05")
    page.keyboard.press("Enter")  # submits the form from the date field

    # The error summary takes the focus, and its link leads to the field.
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Family name: This field is required."])
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Family name")).to_be_focused()
    page.keyboard.type("Rahmani")
    expect(page.get_by_label("Given name")).to_have_value("Fatima")  # kept from the first try
    page.keyboard.press("Enter")

    reference = registered_reference(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Rahmani Fatima {reference}")
    identity = page.get_by_role("region", name="Identity and contact")
    expect(identity.get_by_role("definition")).to_have_text(
        ["Fatima", "Rahmani", "Ahmad", "—", "5 May 2001", "—", "—", "—", "—"])
    expect(page.get_by_role("region", name="Profile").get_by_role("definition").first).to_have_text("Female")


def test_after_the_skip_link_an_invalid_form_still_focuses_the_error_summary(caseworker):
    page = caseworker
    page.goto("/beneficiaries/new")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Structure")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Fatima")
    page.keyboard.press("Enter")  # family name missing
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Family name: This field is required.")
    expect(summary).to_be_focused(timeout=2000)
