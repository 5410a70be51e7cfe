"""An administrator keeps the reference data on screen: a shelter's capacity (never below the beds
taken today) and its service catalogue, with every change in the history."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, log_in_in_english

pytestmark = pytest.mark.browser


def test_an_admin_changes_a_capacity_and_adds_a_service(page, live_app):
    log_in_in_english(page, "admin", DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_text("More", exact=True).click()
    nav.get_by_role("link", name="Reference data").click()
    page.get_by_role("link", name="SHELTER-ADD", exact=True).click()
    capacity = page.get_by_label("Capacity (beds or places)")
    capacity.fill("-3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a number from 0")
    expect(page.get_by_label("Capacity (beds or places)")).to_have_value("-3")   # kept as typed
    page.get_by_label("Capacity (beds or places)").fill("64")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Capacity (beds or places)")).to_have_value("64")
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("row").filter(has_text=re.compile("capacity", re.IGNORECASE))
           .filter(has_text="64")).to_have_count(1)
    page.get_by_role("link", name="Add a service").click()
    page.get_by_label("Code").fill("night_laundry")
    page.get_by_label("Name in Greek").fill("Νυχτερινό πλυντήριο")
    page.get_by_label("Name in English").fill("Night laundry")
    page.get_by_label("Unit").select_option(index=1)
    page.get_by_role("button", name="Add the service").click()
    catalogue = page.get_by_role("region", name="Service catalogue")
    expect(catalogue.get_by_role("row", name=re.compile("NIGHT_LAUNDRY"))).to_contain_text("Night laundry")
    assert_no_axe_violations(page, "a structure's reference data")
