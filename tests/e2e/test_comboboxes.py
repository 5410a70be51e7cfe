"""Nationality and languages: type-ahead comboboxes over the native selects, by keyboard alone,
announced to screen readers, and the plain selects when JavaScript is off."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, browser_page, fill_registration, log_in_in_english

pytestmark = pytest.mark.browser

PROFILE_PATH = re.compile(r"/beneficiaries/[0-9a-f-]{36}(#[a-z_]+)?$")


@pytest.fixture
def caseworker(page, keep_user_locales):
    log_in_in_english(page, "caseworker", DEMO_PASSWORD)
    return page


def test_nationality_and_languages_are_chosen_by_typing_with_the_keyboard_only(caseworker):
    page = caseworker
    page.goto("/beneficiaries/new")
    fill_registration(page, family_name="Comboboxian", given_name="Leila", birth_date="1990-03-03")

    nationality = page.get_by_role("combobox", name="Nationality")
    expect(nationality).to_have_accessible_description(re.compile("Type a few letters to find the country"))
    nationality.focus()
    page.keyboard.press("ArrowDown")  # opens the list: the city's common choices first
    expect(nationality).to_have_attribute("aria-expanded", "true")
    listbox = page.get_by_role("listbox", name="Nationality")
    expect(listbox.get_by_role("option").nth(1)).to_have_text("Syria")
    expect(listbox.get_by_role("option").nth(2)).to_have_text("Afghanistan")
    page.keyboard.type("afgh")
    expect(listbox.get_by_role("option")).to_have_text(["Afghanistan"])
    active = nationality.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").inner_text() == "Afghanistan"
    page.keyboard.press("Enter")
    expect(nationality).to_have_attribute("aria-expanded", "false")
    expect(page.locator("select#nationality")).to_have_value("AF")

    page.keyboard.press("Tab")
    languages = page.get_by_role("combobox", name="Languages")
    expect(languages).to_be_focused()
    chosen = page.locator("#languages + .ts-wrapper .item")
    for typed, name in (("dari", "Dari"), ("levan", "Levantine Arabic"), ("kurm", "Northern Kurdish (Kurmanji)")):
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        expect(chosen.last).to_contain_text(name)
    page.keyboard.type("zzzz")
    expect(page.get_by_role("listbox", name="Languages")).to_contain_text("Nothing matches. Try other letters.")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")  # on an empty box: removes the last choice (Kurmanji)
    page.keyboard.press("Escape")
    expect(page.locator("select#languages option:checked")).to_have_text(["Dari", "Levantine Arabic"])
    assert_no_axe_violations(page, "registration form with comboboxes")

    page.get_by_role("button", name="Register", exact=True).click()
    expect(page).to_have_url(PROFILE_PATH)
    profile = page.get_by_role("region", name="Profile")
    expect(profile).to_contain_text("Afghanistan")
    expect(profile).to_contain_text("Levantine Arabic, Dari")


def test_a_refused_form_keeps_the_chosen_languages_in_the_combobox(caseworker):
    page = caseworker
    page.goto("/beneficiaries/new")
    page.get_by_label("Given name").fill("Nour")  # family name missing: refused
    languages = page.get_by_role("combobox", name="Languages")
    languages.click()
    page.keyboard.type("sorani")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Family name: This field is required.")
    expect(page.locator("#languages + .ts-wrapper .item")).to_have_text(
        [re.compile("Central Kurdish \\(Sorani\\)")])


def test_without_javascript_the_native_selects_work(browser, live_server, keep_user_locales):
    context = browser.new_context(base_url=live_server, locale="el-GR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login")
        page.get_by_label("Όνομα χρήστη").fill("caseworker")
        page.get_by_label("Κωδικός").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Σύνδεση").click()
        page.get_by_role("button", name="English").click()
        page.goto("/beneficiaries/new")
        fill_registration(page, family_name="Nojavascripti", given_name="Omid", birth_date="1985-04-04")
        expect(page.locator(".ts-wrapper")).to_have_count(0)  # no enhancement: the native selects
        page.get_by_label("Nationality").select_option("IQ")
        page.get_by_label("Languages").select_option(["acm", "ckb"])
        page.get_by_role("button", name="Register", exact=True).click()
        expect(page).to_have_url(PROFILE_PATH)
        profile = page.get_by_role("region", name="Profile")
        expect(profile).to_contain_text("Iraq")
        expect(profile).to_contain_text("Iraqi Arabic")
    finally:
        context.close()


def _choose_languages(page, *typed_names):
    languages = page.get_by_role("combobox", name=re.compile("^(Languages|Γλώσσες)$"))
    languages.click()
    for typed in typed_names:
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    return languages


def test_each_chosen_language_has_a_remove_button_the_keyboard_reaches_and_changes_are_announced(caseworker):
    page = caseworker
    page.goto("/beneficiaries/new")
    status = page.locator("#languages-status")
    expect(status).to_have_attribute("aria-live", "polite")
    languages = _choose_languages(page, "dari", "pasht", "sorani")
    expect(status).to_have_text("Central Kurdish (Sorani) added")
    chosen = page.locator("#languages + .ts-wrapper .item")
    expect(chosen).to_have_count(3)

    # Shift+Tab from the box reaches the last item's remove button, named after its item.
    languages.focus()
    page.keyboard.press("Shift+Tab")
    remove_sorani = page.get_by_role("button", name="Remove Central Kurdish (Sorani)")
    expect(remove_sorani).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Remove Pashto")).to_be_focused()
    page.keyboard.press("Enter")                         # Enter removes Pashto...
    expect(status).to_have_text("Pashto removed")       # ...and says so
    expect(page.locator("select#languages option:checked")).to_have_text(["Dari", "Central Kurdish (Sorani)"])
    focused = page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.id")
    assert focused and focused != "body"               # the focus is not lost
    page.get_by_role("button", name="Remove Dari").focus()
    page.keyboard.press("Space")                        # Space too
    expect(status).to_have_text("Dari removed")
    expect(page.locator("select#languages option:checked")).to_have_text(["Central Kurdish (Sorani)"])

    # The mouse still works, and Backspace in the empty box removes the last item.
    _choose_languages(page, "urdu")
    page.get_by_role("button", name="Remove Central Kurdish (Sorani)").click()
    expect(status).to_have_text("Central Kurdish (Sorani) removed")
    languages.focus()
    page.keyboard.press("Backspace")
    expect(page.locator("select#languages option:checked")).to_have_count(0)
    expect(status).to_have_text(re.compile("Urdu removed"))
    assert_no_axe_violations(page, "languages combobox after removals")


def test_the_announcements_and_remove_buttons_speak_the_pages_language(browser, live_server, keep_user_locales):
    with browser_page(browser, live_server) as page:
        from tests.e2e.conftest import log_in

        log_in(page, "caseworker", DEMO_PASSWORD)
        expect(page.locator("html")).to_have_attribute("lang", "el")
        page.goto("/beneficiaries/new")
        expect(page.locator("#languages + .ts-wrapper")).to_be_visible()   # the combobox is set up (a busy machine)
        page.get_by_role("combobox", name="Γλώσσες").click()
        expect(page.get_by_role("listbox").first).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")  # the first of the common choices
        page.keyboard.press("Escape")
        status = page.locator("#languages-status")
        expect(status).to_have_text(re.compile(r"^Προστέθηκε: "))
        button = page.locator("#languages + .ts-wrapper .item .remove")
        expect(button).to_have_attribute("aria-label", re.compile(r"^Αφαίρεση "))
        button.focus()
        page.keyboard.press("Enter")
        expect(status).to_have_text(re.compile(r"^Αφαιρέθηκε: "))
        expect(page.locator("select#languages option:checked")).to_have_count(0)
