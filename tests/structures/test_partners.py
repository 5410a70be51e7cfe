"""The partner directory: the 39 ACCMR partners as reference data, coordinators manage it,
everyone who refers searches it by service and language."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import delete, func, select, text

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from caseapp.structures import service
from caseapp.structures.models import PartnerLanguage, PartnerProfile, Service, Structure
from tests.conftest import csrf_token
from tests.factories import make_user, structure

NEW = {"code": "P-STEPS", "name_el": "Βήματα", "name_en": "Steps", "service_codes": ["LEGAL_AID", "HOUSING"],
       "language_codes": ["ar", "fa"], "contact_name": "Eleni K.", "phone": "+30 210 000 0000",
       "email": "info@steps.example", "website": "https://steps.example/", "address": "Athens",
       "notes": "Call before ten; the canary-note-7731 is here.", "active": "y"}


@pytest.fixture(autouse=True)
def english(request):
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client)})


def post(client, path, **fields):
    data = {"csrf_token": csrf_token(client, path)}
    data.update({k: v for k, v in fields.items() if v is not None})
    return client.post(path, data=data)


def partners() -> list[Structure]:
    return list(db.session.execute(select(Structure).where(Structure.kind == "partner")).scalars())


def values(**changes) -> dict:
    base = dict(NEW, active=True)
    base.update(changes)
    return base


# --- reference data ----------------------------------------------------------------------------


def test_the_39_accmr_partners_are_loaded_with_services_and_languages(db_session):
    loaded = partners()
    assert len(loaded) == 39 and all(p.partner is not None for p in loaded)
    names = {p.name_en for p in loaded}
    assert {"UNHCR, the UN Refugee Agency", "METAdrasi", "Greek Council for Refugees", "Hellenic Red Cross",
            "Doctors of the World"} <= names
    metadrasi = structure("P-METADRASI")
    assert "INTERPRETATION" in {s.code for s in metadrasi.services}
    assert {"ar", "fa", "ti"} <= set(metadrasi.partner.language_codes)


def test_loading_adds_missing_entries_and_never_overwrites_the_coordinators(app, db_session):
    unhcr = structure("P-UNHCR")
    unhcr.partner.website = "https://edited.example/"
    praksis = structure("P-PRAKSIS")
    db.session.execute(delete(PartnerLanguage).where(PartnerLanguage.profile_id == praksis.partner.id))
    db.session.execute(delete(PartnerProfile).where(PartnerProfile.id == praksis.partner.id))
    db.session.commit()
    db.session.expire_all()
    result = app.test_cli_runner().invoke(args=["structures", "load"])
    assert result.exit_code == 0
    db.session.expire_all()
    assert structure("P-PRAKSIS").partner is not None and "fa" in structure("P-PRAKSIS").partner.language_codes
    assert structure("P-UNHCR").partner.website == "https://edited.example/"
    assert "nothing changed" in app.test_cli_runner().invoke(args=["structures", "load"]).output


# --- coordinators manage -----------------------------------------------------------------------------


def test_a_coordinator_adds_edits_and_deactivates_a_partner(client, login_as):
    coordinator = login_as("coordinator")
    response = post(client, "/structures/partners/new", **NEW)
    assert response.status_code == 302
    steps = structure("P-STEPS")
    assert response.headers["Location"].endswith(f"/structures/partners/{steps.id}")
    page = client.get(f"/structures/partners/{steps.id}").get_data(as_text=True)
    for shown in ("Steps", "Βήματα", "Legal aid", "Housing", "Arabic", "Persian", "Eleni K.", "canary-note-7731"):
        assert shown in page, shown

    path = f"/structures/partners/{steps.id}/edit"
    response = post(client, path, **dict(NEW, version=str(steps.partner.version), service_codes=["HOUSING"],
                                         active=None, notes=""))
    assert response.status_code == 302
    db.session.expire_all()
    steps = structure("P-STEPS")
    assert not steps.active and steps.partner.notes is None
    assert {(s.code, s.active) for s in steps.services} == {("LEGAL_AID", False), ("HOUSING", True)}
    audited = db.session.execute(select(AuditEvent).where(AuditEvent.action.in_(["partners.create",
                                                                                "partners.update"]))).scalars().all()
    assert [(e.action, e.object_id, e.user_id) for e in audited] == [
        ("partners.create", str(steps.id), coordinator.id), ("partners.update", str(steps.id), coordinator.id)]


def test_the_notes_are_sealed_at_rest_under_a_key_made_with_the_first_notes(db_session):
    unhcr = structure("P-UNHCR")
    assert all(p.partner.data_key_id is None for p in partners())  # loading made no key
    service.save_partner(unhcr, values(code="P-UNHCR", name_en=unhcr.name_en, name_el=unhcr.name_el),
                         actor=make_user("coordinator"))
    db.session.flush()
    raw = db.session.execute(text("SELECT notes FROM partner_profiles WHERE structure_id = :id"),
                             {"id": unhcr.id}).scalar_one()
    assert b"canary-note-7731" not in bytes(raw) and unhcr.partner.notes == NEW["notes"]
    assert unhcr.partner.data_key_id is not None
    service.save_partner(unhcr, values(code="P-UNHCR", notes=None), actor=make_user("coordinator"))
    db.session.flush()
    assert unhcr.partner.notes is None


def test_bad_input_is_shown_on_its_field_with_what_was_typed(client, login_as):
    login_as("coordinator")
    for change, field in (({"code": "STEPS"}, "code"), ({"code": "P-KEM!"}, "code"), ({"code": "P-UNHCR"}, "code"),
                          ({"name_el": ""}, "name_el"), ({"service_codes": []}, "service_codes"),
                          ({"service_codes": ["NOT_A_SERVICE"]}, "service_codes"),
                          ({"language_codes": ["zz"]}, "language_codes"), ({"email": "not an email"}, "email"),
                          ({"website": "javascript:alert(1)"}, "website")):
        response = post(client, "/structures/partners/new", **dict(NEW, **change))
        body = response.get_data(as_text=True)
        assert response.status_code == 400, change
        assert f'href="#{field}"' in body, change
        assert "canary-note-7731" in body, change  # what was typed stays
    assert len(partners()) == 39


def test_two_coordinators_editing_at_once_the_second_gets_a_conflict(client, login_as):
    login_as("coordinator")
    steps = service.save_partner(None, values(), actor=make_user("coordinator"))
    db.session.commit()
    loaded = str(steps.partner.version)
    service.save_partner(steps, values(name_en="Steps (first)"), actor=make_user("coordinator"),
                         expected_version=steps.partner.version)
    db.session.commit()
    response = post(client, f"/structures/partners/{steps.id}/edit", **dict(NEW, version=loaded,
                                                                            name_en="Steps (second)"))
    assert response.status_code == 409
    assert "Someone else changed this at the same time" in response.get_data(as_text=True)
    db.session.expire_all()
    assert structure("P-STEPS").name_en == "Steps (first)"


# --- everyone who refers searches ---------------------------------------------------------------------


def rows(body: str) -> list[str]:
    return [html.unescape(name) for name in
            re.findall(r'<th scope="row"><a href="/structures/partners/\d+">([^<]+)</a>', body)]


def test_caseworkers_search_by_service_and_language_read_only(client, login_as):
    login_as("caseworker")
    body = client.get("/structures/partners/?service=INTERPRETATION&language=ti").get_data(as_text=True)
    assert rows(body) == ["Greek Forum of Refugees", "METAdrasi"]
    assert rows(client.get("/structures/partners/?service=INTERPRETATION&language=bn").get_data(as_text=True)) == [
        "METAdrasi"]
    assert "Add a partner" not in body
    legal_in_pashto = rows(client.get("/structures/partners/?service=ASYLUM_LEGAL&language=ps").get_data(as_text=True))
    assert "Greek Council for Refugees" in legal_in_pashto and "METAdrasi" not in legal_in_pashto
    assert rows(client.get("/structures/partners/?q=red%20cross").get_data(as_text=True)) == ["Hellenic Red Cross"]
    partner = structure("P-METADRASI")
    assert client.get(f"/structures/partners/{partner.id}").status_code == 200
    assert client.get("/structures/partners/new").status_code == 403
    assert client.get(f"/structures/partners/{partner.id}/edit").status_code == 403
    assert client.post(f"/structures/partners/{partner.id}/edit", data=dict(NEW)).status_code in (400, 403)
    db.session.expire_all()
    assert structure("P-METADRASI").name_en == "METAdrasi"


def test_deactivated_partners_are_hidden_from_caseworkers_but_not_from_coordinators(app, client, login_as):
    service.save_partner(structure("P-METADRASI"), values(code="P-METADRASI", name_el="ΜΕΤΑδραση",
                                                          name_en="METAdrasi", active=False),
                         actor=make_user("coordinator"))
    db.session.commit()
    login_as("caseworker")
    assert "METAdrasi" not in rows(client.get("/structures/partners/?inactive=1").get_data(as_text=True))
    other = app.test_client()
    coordinator = make_user("coordinator")
    other.post("/login", data={"username": coordinator.username, "password": "correct horse battery staple 42",
                               "csrf_token": csrf_token(other)})
    other.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(other, "/")})
    assert "METAdrasi" not in rows(other.get("/structures/partners/").get_data(as_text=True))
    assert "METAdrasi" in rows(other.get("/structures/partners/?inactive=1").get_data(as_text=True))


def test_pages_walk_every_partner_once_in_name_order(client, login_as, monkeypatch, app):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    login_as("caseworker")
    seen, url = [], "/structures/partners/"
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += rows(body)
        found = re.search(r'<p class="pager"><a href="([^"]+)"', body)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert len(seen) == 39 and sorted(seen) == sorted(p.name_en for p in partners())
    monkeypatch.setitem(app.config, "PAGE_SIZE", 100)
    assert seen == rows(client.get("/structures/partners/").get_data(as_text=True))  # one page, same order


def test_the_directory_takes_the_same_number_of_queries_for_39_or_59_partners(client, login_as, count_queries):
    login_as("caseworker")

    def measured():
        client.get("/structures/partners/")
        with count_queries() as counted:
            assert client.get("/structures/partners/").status_code == 200
        return counted.n

    db.session.commit()
    small = measured()
    coordinator = make_user("coordinator")
    for n in range(20):
        service.save_partner(None, values(code=f"P-EXTRA{n}", name_en=f"Extra {n}"), actor=coordinator)
    db.session.commit()
    assert measured() == small


def test_a_municipal_structure_or_unknown_id_is_not_a_partner(client, login_as):
    login_as("coordinator")
    for partner_id in (structure("KEM").id, 999999):
        assert client.get(f"/structures/partners/{partner_id}").status_code == 404
        assert client.get(f"/structures/partners/{partner_id}/edit").status_code == 404
    denied = db.session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "access.denied")).scalar_one()
    assert denied == 4


def test_interpreters_cannot_see_the_directory(client, login_as):
    login_as("interpreter")
    assert client.get("/structures/partners/").status_code == 403
