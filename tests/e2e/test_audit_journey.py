"""The administrator verifies the audit log from its screen: the result, and the signed checkpoint
written outside the database, are shown; axe-core checks the page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from caseapp.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.test_admin_journeys import log_in_to_home, nav_link

pytestmark = pytest.mark.browser


def test_verify_button_checks_the_chain_and_writes_a_checkpoint(page, live_app):
    directory = Path(live_app.config["AUDIT_CHECKPOINT_DIR"])
    before = set(directory.glob("checkpoint-*.json")) if directory.is_dir() else set()
    log_in_to_home(page, "admin", DEMO_PASSWORD)
    nav_link(page, "Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")

    page.get_by_role("button", name="Verify the chain").click()
    result = page.get_by_role("status")
    expect(result).to_contain_text(re.compile(r"The audit chain is intact: \d+ events verified\."))
    expect(result).to_contain_text(re.compile(r"New checkpoint written outside the database: checkpoint-\S+\.json"))
    written = set(directory.glob("checkpoint-*.json")) - before
    assert len(written) == 1
    expect(result).to_contain_text(next(iter(written)).name)
    assert_no_axe_violations(page, "audit verification result")

    page.get_by_role("link", name="Back to the log").click()
    page.get_by_role("button", name="Verify the chain").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"It agrees with the \d+ earlier checkpoints"))
