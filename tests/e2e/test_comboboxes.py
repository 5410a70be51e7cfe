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
