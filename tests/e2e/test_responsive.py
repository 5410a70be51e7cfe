"""Every page of the main journeys fits a phone (375 px: no sideways scrolling of the page; wide
tables scroll inside their own box) and the header of a laptop (1280 px) stays on one line."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.casefiles import service as casefile_service
from caseapp.dates import local_today
from caseapp.demo import DEMO_PASSWORD
from caseapp.extensions import db
from tests.e2e.conftest import log_in, serving
from tests.factories import beneficiary_values, structure

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
LONG_WORD = "https://example.org/" + "very-long-path-segment-" * 40


@pytest.fixture
def person(live_app):
    """A KEM person with a long name, a note holding a long URL and a consent decision."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one()
        someone = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name="Mohammadreza-Abdolrahman", family_name="Responsivezadeh-Khorasani",
                               language_codes=["prs", "apc", "kmr", "ckb", "fr", "en"], nationality="AF"),
            structure=structure("KEM"), actor=caseworker)
        beneficiary_service.record_consent(someone, purpose="processing", given=True, decided_on=local_today(),
                                           actor=caseworker)
        case_file = someone.case_files[0]
        casefile_service.add_note(case_file, f"Documents at {LONG_WORD} and {'x' * 3000}", confidential=False,
                                  actor=caseworker)
        db.session.commit()
        ids = {"person": someone.id, "case_file": case_file.id,
               "user": db.session.execute(select(User.id).where(User.username == "caseworker")).scalar_one()}
        db.session.remove()
    return ids


def _overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _nav_paths(page) -> list[str]:
    """Every page of the main navigation, those listed under "More" too."""
    return page.locator("header nav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")


def _wide_pages(browser, live_server, username: str, extra: list[str]) -> list[str]:
    context = browser.new_context(base_url=live_server, locale="el-GR", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    too_wide = []
    try:
        log_in(page, username, DEMO_PASSWORD)
        expect(page.get_by_role("navigation", name="Κύρια πλοήγηση")).to_be_visible()
        for path in dict.fromkeys(["/"] + _nav_paths(page) + extra):
            response = page.goto(path)
            assert response.status == 200, (username, path, response.status)
            if _overflow(page) > 0:
                too_wide.append(f"{username} {path}: {_overflow(page)} px too wide")
    finally:
        context.close()
    return too_wide


def test_no_page_of_the_main_journeys_scrolls_sideways_on_a_phone(browser, live_server, person):
    pages = {
        "caseworker": [f"/beneficiaries/{person['person']}", f"/beneficiaries/{person['person']}/edit",
                       f"/beneficiaries/{person['person']}/consent", f"/cases/{person['case_file']}",
                       "/beneficiaries/new", "/account/password", "/account/two-factor"],
        "supervisor": [f"/cases/{person['case_file']}", "/interpretation/calendar", "/interpretation/day",
                       "/interpretation/interpreters/new", f"/beneficiaries/{person['person']}/erasure"],
        "admin": ["/admin/users/new", f"/admin/users/{person['user']}/edit", "/admin/audit/?action=cases.view"],
        "interpreter": ["/interpretation/mine"],
        "coordinator": [],
    }
    too_wide = []
    for username, extra in pages.items():
        too_wide += _wide_pages(browser, live_server, username, extra)
    assert too_wide == []


def test_a_wide_table_scrolls_inside_its_own_box_on_a_phone(browser, live_server, person):
    context = browser.new_context(base_url=live_server, locale="el-GR", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    try:
        log_in(page, "admin", DEMO_PASSWORD)
        page.goto("/admin/audit/")
        box = page.get_by_role("region", name="Συμβάντα, τα νεότερα πρώτα (ώρα Αθήνας)")
        expect(box).to_be_visible()
        assert box.evaluate("element => element.scrollWidth > element.clientWidth")  # the table scrolls...
        assert _overflow(page) <= 0                                                  # ...not the page
        box.focus()  # reachable by keyboard, so it can be scrolled with the arrow keys
        expect(box).to_be_focused()
    finally:
        context.close()


@pytest.mark.parametrize("username", ["admin", "supervisor", "caseworker", "shelter-supervisor", "coordinator"])
def test_the_header_stays_on_one_line_on_a_laptop(browser, demo_server, username):
    """With the demo data of every domain, so the waiting counts (badges) take their room too."""
    context = browser.new_context(base_url=demo_server, locale="el-GR", viewport=LAPTOP)
    page = context.new_page()
    try:
        log_in(page, username, DEMO_PASSWORD)
        header = page.get_by_role("banner")
        expect(header.get_by_role("navigation")).to_be_visible()
        page.wait_for_load_state("load")   # the stylesheet applied before anything is measured (a busy machine)
        def middles(selector: str) -> list[int]:
            return header.evaluate(
                f"header => [...header.querySelectorAll('{selector}')].filter(e => e.offsetParent !== null)"
                ".map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))")

        def heights(selector: str) -> list[int]:
            return header.evaluate(f"header => [...header.querySelectorAll('{selector}')]"
                                   ".map(e => Math.round(e.getBoundingClientRect().height))")

        first_row = middles(".brand, .header-tools > *")
        assert max(first_row) - min(first_row) <= 8, first_row   # brand and account tools: one line
        entries = middles("nav > ul > li")
        assert len(entries) >= 2 and max(entries) - min(entries) <= 2, entries  # the navigation: one line
        assert max(heights("nav > ul > li")) < 40          # no entry broken over two lines
        assert _overflow(page) <= 0
    finally:
        context.close()


def test_less_used_pages_are_under_more_and_reachable_by_keyboard(browser, demo_server):
    context = browser.new_context(base_url=demo_server, locale="el-GR", viewport=LAPTOP)
    page = context.new_page()
    try:
        log_in(page, "supervisor", DEMO_PASSWORD)
        nav = page.get_by_role("navigation", name="Κύρια πλοήγηση")
        partners = nav.get_by_role("link", name="Φορείς", exact=True)
        expect(partners).to_be_hidden()   # not on the header's line
        more = nav.get_by_text("Περισσότερα", exact=True)
        more.focus()
        page.keyboard.press("Enter")
        expect(partners).to_be_visible()
        page.keyboard.press("Escape")     # closes, and the focus goes back to "More"
        expect(partners).to_be_hidden()
        expect(more).to_be_focused()
        page.keyboard.press("Enter")
        partners.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Συνεργαζόμενοι φορείς")
        assert _overflow(page) <= 0
    finally:
        context.close()


# --- every page of every role, with the demo data of every domain ---------------------------------

SKIP_LINK = ("/logout", "/export", "download", ".xlsx", ".csv", "/static/", "/language", "/favicon")
ROLES = ("caseworker", "supervisor", "disprog", "shelter", "shelter-supervisor", "food", "coordinator", "admin",
         "interpreter")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A server of its own holding the demo data of every domain (referrals, stays, plans, deliveries,
    requests, interpretation), so that the pages of each have rows to show."""

    from flask_migrate import upgrade
    
    from caseapp.demo import load_demo_beneficiaries, load_demo_users
    from caseapp.structures.service import load_reference_data
    from tests.conftest import make_app

    path = tmp_path_factory.mktemp("e2e-responsive") / "demo.sqlite"
    app = make_app(f"sqlite:///{path}", LOGIN_LIMIT_PER_ADDRESS="1000 per minute")
    with app.app_context():
        upgrade()
        load_reference_data()
        load_demo_users()
        db.session.flush()
        load_demo_beneficiaries()
        from caseapp.deliveries.demo import load_demo_deliveries
        from caseapp.inquiries.demo import load_demo_inquiries
        from caseapp.interpretation.demo import load_demo_interpretation
        from caseapp.plans.demo import load_demo_plans
        from caseapp.referrals.demo import load_demo_referrals
        from caseapp.stays.demo import load_demo_stays

        for load in (load_demo_interpretation, load_demo_referrals, load_demo_stays, load_demo_plans,
                     load_demo_deliveries, load_demo_inquiries):
            load()
        _long_stays()
        db.session.commit()
        db.session.remove()
    with serving(app) as url:
        yield url


def _long_stays() -> None:
    """At the shelter: people with long names staying since last month, one discharged, one waiting
    (the occupancy page's month summary and tables have long content)."""
    from datetime import timedelta

    from caseapp.stays import service as stays_service

    staff = db.session.execute(select(User).where(User.username == "shelter")).scalar_one()
    shelter = structure("SHELTER-W")
    stays = []
    for n in range(3):
        person = beneficiary_service.register_beneficiary(
            beneficiary_values(given_name=f"Mohammadreza-Abdolrahman{n}", family_name="Responsivezadeh-Khorasani",
                               sex="female"), structure=shelter, actor=staff)
        stays += stays_service.admit(person.case_files[0], local_today() - timedelta(days=45 + n), actor=staff)
    stays_service.discharge(stays[0], local_today() - timedelta(days=33), "own_housing", actor=staff)
    waiting = beneficiary_service.register_beneficiary(
        beneficiary_values(given_name="Anastasia-Konstantina", family_name="Papadimitriou-Karamanlidou"),
        structure=shelter, actor=staff)
    stays_service.add_to_waiting_list(waiting.case_files[0], local_today(), 3, actor=staff)


def _links(page) -> list[str]:
    hrefs = page.locator("main a[href^='/'], nav a[href^='/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href').split('#')[0])")
    return [h for h in hrefs if h and not any(part in h for part in SKIP_LINK)]


def _widest(page) -> str:
    """What sticks out: the outermost elements wider than the window (for the failure message)."""
    return page.evaluate("""() => {
        const out = [];
        for (const e of document.querySelectorAll('main *')) {
            const r = e.getBoundingClientRect();
            if (r.right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1)) {
                out.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ':' + Math.round(r.right));
            }
        }
        return out.slice(0, 4).join(', ');
    }""")


# Pages each walk must have reached (the walk follows links: a page no link leads to is added here).
MUST_REACH = {
    "supervisor": ["/referrals/", "/plans/", "/plans/revisions/", "/reports/", "/structures/partners/",
                   "/inquiries/", "/cases/", "/beneficiaries/"],
    "disprog": ["/referrals/", "/plans/revisions/", "/interpretation/"],
    "caseworker": ["/deliveries/sessions/", "/deliveries/session/", "/households/cases/", "/referrals/"],
    "food": ["/deliveries/desk/", "/deliveries/sessions/", "/deliveries/card/"],
    "shelter": ["/stays/", "/stays/structures/", "/stays/cases/", "/households/cases/"],
    "shelter-supervisor": ["/stays/structures/", "/reports/"],
    "coordinator": ["/reports/", "/structures/"],
    "admin": ["/admin/users/", "/admin/audit/", "/reference/structures/", "/structures/partners/"],
    "interpreter": ["/interpretation/mine"],
}


@pytest.mark.parametrize("username, english", [(role, False) for role in ROLES]
                         + [("shelter-supervisor", True), ("admin", True)])
def test_every_page_a_role_reaches_fits_a_phone(browser, demo_server, username, english):
    """The navigation (the "More" pages too), and every page linked from those pages: referrals, plans,
    deliveries (desk, session register, card), stays, households, reports, partners, requests..."""
    context = browser.new_context(base_url=demo_server, locale="el-GR", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    too_wide, visited = [], []
    try:
        log_in(page, username, DEMO_PASSWORD)
        expect(page.get_by_role("navigation", name="Κύρια πλοήγηση")).to_be_visible()
        if english:  # the language switch is remembered on the account: back to Greek at the end
            page.get_by_role("button", name="English").click()
        queue, seen = list(dict.fromkeys(["/"] + _nav_paths(page))), set()
        while queue and len(visited) < 150:
            path = queue.pop(0)
            kind = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", path)  # one page of each kind
            if kind in seen:
                continue
            seen.add(kind)
            response = page.goto(path)
            if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            visited.append(path)
            if _overflow(page) > 0:
                too_wide.append(f"{path}: {_overflow(page)} px too wide ({_widest(page)})")
            queue += _links(page)
    finally:
        if english:
            page.get_by_role("button", name="Ελληνικά").click()
        context.close()
    missing = [prefix for prefix in MUST_REACH.get(username, []) if not any(v.startswith(prefix) for v in visited)]
    assert missing == [], (missing, visited)
    assert too_wide == [], "\n".join(too_wide)
