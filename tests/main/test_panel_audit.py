"""Panels name the people they show: the audit event of the page they render on lists them,
so "who has seen this person" includes what the boxes of other domains showed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseapp import panels
from caseapp.beneficiaries.sightings import who_has_seen
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.households import service as household_service
from caseapp.security.audit import AuditEvent
from caseapp.security.audit_subjects import AuditEventSubject
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def _last_id() -> int:
    return db.session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one()


def _page_event(client, url, mark=None) -> AuditEvent:
    """The one audit event of a successful page view, after `mark`."""
    mark = _last_id() if mark is None else mark
    response = client.get(url)
    assert response.status_code == 200, url
    db.session.expire_all()
    events = db.session.execute(select(AuditEvent).where(AuditEvent.id > mark, AuditEvent.outcome != "denied")
                                ).scalars().all()
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def _subjects(event) -> set:
    return set(db.session.execute(select(AuditEventSubject.beneficiary_id)
                                  .where(AuditEventSubject.event_id == event.id)).scalars())


def _seen_by(person_id, user, after: int = 0) -> list[str]:
    return [s.action for s in who_has_seen(person_id) if s.user_id == user.id and s.event_id > after]


# --- households: the other members shown on a case file and a profile -----------------------------


def test_the_household_panel_names_the_members_it_shows_on_the_case_file_and_the_profile(client, login):
    kem = login(make_user("caseworker", structures=("KEM",)))
    mother = make_beneficiary("KEM", actor=kem)
    son = make_beneficiary("KEM", actor=kem)
    sister = make_beneficiary("KEM", actor=kem)
    stranger = make_beneficiary("KEM", actor=kem)
    household_service.link(son, mother, "parent", structure_id=structure("KEM").id, actor=kem)
    household_service.link(sister, mother, "sibling", structure_id=structure("KEM").id, actor=kem)
    db.session.commit()
    mark = _last_id()
    case_view = _page_event(client, f"/cases/{case_file_of(mother).id}")
    assert case_view.action == "cases.view" and {son.id, sister.id} <= _subjects(case_view)
    assert stranger.id not in _subjects(case_view)
    profile_view = _page_event(client, f"/beneficiaries/{mother.id}")
    assert profile_view.action == "beneficiaries.view" and {son.id, sister.id} <= _subjects(profile_view)
    assert _seen_by(son.id, kem, mark) == ["cases.view", "beneficiaries.view"]
    assert _seen_by(stranger.id, kem, mark) == []


# --- home page panels: audited even without an own list -------------------------------------------


def test_the_to_assign_panel_makes_the_home_page_audited_with_the_files_shown(client, login):
    from caseapp.auth import service as auth_service

    worker = make_user("caseworker", structures=("KEM",))
    orphans = [make_beneficiary("KEM", actor=worker) for _ in range(3)]
    elsewhere = make_beneficiary("CLINICS")
    auth_service.set_active(worker, False, actor=make_user("admin"))
    supervisor = make_user("supervisor", structures=("KEM",))
    db.session.commit()
    login(supervisor)
    home = _page_event(client, "/")
    assert home.action == "home.view" and home.object_id == str(supervisor.id)
    assert _subjects(home) == {p.id for p in orphans}
    assert elsewhere.id not in _subjects(home)


def test_the_referrals_home_panel_names_the_people_due_and_overdue(client, login):
    from tests.referrals.factories import make_referral

    kem = make_user("caseworker", structures=("KEM",))
    dis = make_user("caseworker", structures=("DIS-PROG",))
    due = make_referral(actor=kem, to_code="DIS-PROG")
    late = make_referral(actor=kem, to_code="DIS-PROG")
    late.due_on = local_today() - timedelta(days=1)
    kem_supervisor = make_user("supervisor", structures=("KEM",))
    db.session.commit()
    login(dis)
    home = _page_event(client, "/")
    assert due.beneficiary.reference in client.get("/").get_data(as_text=True)
    assert home.action == "home.view" and _subjects(home) == {due.beneficiary_id, late.beneficiary_id}
    client.post("/logout", data={"csrf_token": _token(client)})
    login(kem_supervisor)
    home = _page_event(client, "/")
    assert late.beneficiary_id in _subjects(home)   # the overdue box at the sending structure


def test_the_plans_home_panel_names_the_people_whose_plans_need_the_caseworker(client, login):
    from caseapp.plans.models import PlanAction
    from tests.plans.factories import approved_plan

    caseworker = make_user("caseworker", structures=("DIS-PROG",))
    revision = approved_plan(caseworker=caseworker)
    for action in db.session.execute(select(PlanAction).where(PlanAction.revision_id == revision.id)).scalars():
        action.due_on = local_today() - timedelta(days=2)
    db.session.commit()
    login(caseworker)
    home = _page_event(client, "/")
    assert revision.plan.beneficiary_id in _subjects(home)


def test_a_home_page_without_people_in_its_panels_is_not_audited(client, login):
    login(make_user("caseworker", structures=("KEM",)))
    mark = _last_id()
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert _last_id() == mark


# --- every panel on the case file and the profile names the page's person ------------------------


@pytest.fixture
def registered_panel(app, tmp_path):
    from jinja2 import ChoiceLoader, FileSystemLoader

    loader_dir = tmp_path / "templates" / "test"
    loader_dir.mkdir(parents=True)
    (loader_dir / "_people.html").write_text('<p class="test-people">{{ data.names }}</p>')
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([original, FileSystemLoader(str(tmp_path / "templates"))])
    yield
    app.jinja_env.loader = original
    for slot in panels.SLOTS:
        panels._PANELS[slot].pop("test_people", None)


def test_a_home_panel_that_shows_people_makes_the_home_page_name_them_for_any_role(client, login, registered_panel):
    shown = make_beneficiary("KEM")
    viewer = login(make_user("admin"))   # no own case files: the home page had no event before
    panels.register_panel("home", "test_people", order=1, template="test/_people.html",
                          context=lambda user: {"names": shown.reference, "subjects": [shown.id]})
    home = _page_event(client, "/")
    assert home.action == "home.view" and _subjects(home) == {shown.id}
    assert _seen_by(shown.id, viewer) == ["home.view"]


@pytest.mark.parametrize("slot", ["case_file", "profile"])
def test_every_domain_panel_of_the_case_file_and_profile_declares_its_people(client, login, slot):
    """Each real panel that renders declares the people it shows (at least the page's person)."""
    from caseapp.stays import service as stays_service  # noqa: F401  (registers its panel)

    supervisor = login(make_user("supervisor", structures=("SHELTER-W",)))
    person = make_beneficiary("SHELTER-W", actor=supervisor)
    db.session.commit()
    case_file = case_file_of(person, "SHELTER-W")
    args = (case_file, supervisor) if slot == "case_file" else (person, supervisor)
    with client.application.test_request_context("/"):
        shown = panels.panels_for(slot, *args)
        assert shown, "no panel renders for this viewer"
        for panel, context in shown:
            if panel.name in ("confirmations", "inquiries"):
                continue
            assert person.id in set(context.get("subjects", ())), panel.name
        assert person.id in panels.panel_subjects()


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/")
