"""Reports in the real UI: a coordinator opens the city-wide dashboard for last month, switches
to KEM, downloads the XLSX, and the file opens with openpyxl with the expected sheets and charts.

The server has its own database (a generated dataset of people would change what the other
journeys' searches and lists find)."""
from __future__ import annotations

import random

import openpyxl
import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.demo import DEMO_PASSWORD, load_demo_users
from caseapp.extensions import db
from caseapp.interpretation import service as interpretation_service
from caseapp.reports.demo import demo_services, generate
from caseapp.reports.model import Month
from caseapp.structures.models import Structure
from caseapp.structures.service import load_reference_data
from tests.conftest import make_app
from tests.e2e.conftest import assert_no_axe_violations, browser_page, log_in_in_english, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-reports") / "reports.sqlite"
    app = make_app(f"sqlite:///{path}", LOGIN_LIMIT_PER_ADDRESS="1000 per minute")
    with app.app_context():
        upgrade()
        load_reference_data()
        load_demo_users()
        db.session.flush()
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
        structures = {s.code: s for s in db.session.execute(
            select(Structure).where(Structure.code.in_(["KEM", "DIS-PROG", "SHELTER-W"]))).scalars()}
        staff = {structures["KEM"].id: [users["caseworker"]], structures["DIS-PROG"].id: [users["disprog"]],
                 structures["SHELTER-W"].id: [users["shelter"]]}
        interpreter = interpretation_service.save_interpreter(None, {
            "name": "Report Journey", "gender": "female", "phone": None, "language_codes": ["ar", "fa"],
            "active": True, "user": None}, actor=users["admin"])
        services, partner_services = demo_services(structures)
        generate(150, structures=structures, staff=staff, rng=random.Random(31), interpretation_rate=20,
                 interpreters=[interpreter], expunge=False, services=services, partner_services=partner_services)
        db.session.commit()
        db.session.remove()
    with serving(app) as url:
        yield url


def test_a_coordinator_reads_last_month_city_wide_then_kem_and_downloads_the_xlsx(browser, reports_server, tmp_path):
    last_month = str(Month.last_complete())
    with browser_page(browser, reports_server) as page:
        log_in_in_english(page, "coordinator", DEMO_PASSWORD)
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Reports").click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text("City-wide")
        expect(heading).to_contain_text(last_month)
        expect(page.get_by_role("table", name="By nationality (ten most frequent)")).to_be_visible()
        expect(page.locator("svg.report-chart").first).to_be_visible()
        assert page.get_by_label("Month").input_value() == last_month
        assert_no_axe_violations(page, "city-wide report")

        options = page.get_by_label("Structure").locator("option")
        kem_value = next(options.nth(i).get_attribute("value") for i in range(options.count())
                         if options.nth(i).inner_text().startswith("KEM "))
        page.get_by_label("Structure").select_option(kem_value)
        page.get_by_role("button", name="Show").click()
        expect(heading).to_contain_text("KEM")
        expect(page.get_by_role("table", name="Caseload per caseworker")).to_be_visible()

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download XLSX").click()
        download = download_info.value
        assert download.suggested_filename == f"report-{last_month}-KEM.xlsx"
        target = tmp_path / download.suggested_filename
        download.save_as(target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Cover", "People served", "Case files", "Referrals", "Interpretation",
                               "Action plans", "Services delivered", "Shelter stays"]
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)}
    assert cover["Month"] == last_month and cover["Structure"].startswith("KEM")
    assert len(book["People served"]._charts) >= 5 and book["Case files"]._charts and book["Referrals"]._charts
