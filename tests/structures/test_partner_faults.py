"""Faults a new user found in the partner directory: names that show nothing, Greek search on
SQLite, language varieties, unknown filters, and deactivated partners reached by URL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.structures import queries, service
from caseapp.structures.models import Service, Structure
from tests.factories import make_beneficiary, make_user, structure
from tests.structures.test_partners import NEW, english, partners, post, rows, values  # noqa: F401

INVISIBLE = {"zero-width space": "\u200b", "soft hyphen": "\u00ad", "left-to-right mark": "\u200e",
             "right-to-left mark": "\u200f", "byte-order mark": "\ufeff", "word joiner": "\u2060",
             "zero-width joiner": "\u200d", "Hangul filler": "\u3164", "mixed": " \u200b\u00ad \u200f "}


@pytest.mark.parametrize("field", ["name_el", "name_en"])
@pytest.mark.parametrize("typed", ["", "   ", "\t \u00a0 "])
def test_a_blank_partner_name_is_a_message_on_its_field(client, login_as, field, typed):
    login_as("coordinator")
    response = post(client, "/structures/partners/new", **dict(NEW, **{field: typed}))
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:500]
    assert f'href="#{field}"' in body and "Enter the name in" in body
    assert "code" not in [e for e in body.split('href="#')[1:] if e.startswith("code")]
    assert "already has this code" not in body and "canary-note-7731" in body
    assert len(partners()) == 39


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_a_partner_name_of_invisible_characters_is_refused_with_what_was_typed(client, login_as, name):
    login_as("coordinator")
    response = post(client, "/structures/partners/new", **dict(NEW, name_en=INVISIBLE[name]))
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#name_en"' in body
    assert "only spaces or invisible characters" in body
    assert "Βήματα" in body and "canary-note-7731" in body
    assert len(partners()) == 39


def test_other_partner_text_fields_refuse_invisible_only_values(client, login_as):
    login_as("coordinator")
    for field in ("contact_name", "address", "notes", "phone"):
        response = post(client, "/structures/partners/new", **dict(NEW, **{field: "\u200b\u200e"}))
        assert response.status_code == 400 and f'href="#{field}"' in response.get_data(as_text=True), field
    assert len(partners()) == 39


def test_a_name_with_a_joiner_inside_letters_is_kept(client, login_as):
    login_as("coordinator")
    response = post(client, "/structures/partners/new", **dict(NEW, name_en="Mi\u200cNa"))
    assert response.status_code == 302
    assert structure("P-STEPS").name_en == "Mi\u200cNa"


def test_the_service_refuses_a_name_that_shows_nothing(db_session):
    for name in (None, "", "\u200b", "\ufeff\u00ad"):
        with pytest.raises(service.PartnerError) as refused:
            service.save_partner(None, values(name_el=name), actor=make_user("coordinator"))
        assert refused.value.field == "name_el"


# --- search ---------------------------------------------------------------------------------------


@pytest.fixture
def greek_partners(db_session):
    coordinator = make_user("coordinator")
    for code, name_el, name_en in (("P-ATHINA", "Αθήνα Αλληλεγγύη", "Athena Solidarity"),
                                   ("P-ELPIDA", "ΕΛΠΊΔΑ ΣΤΈΓΗΣ", "Elpida Shelter"),
                                   ("P-KAFE", "Café Émile", "Cafe Emile")):
        service.save_partner(None, values(code=code, name_el=name_el, name_en=name_en), actor=coordinator)
    db.session.commit()


@pytest.mark.parametrize("typed, found", [
    ("αθηνα", "Athena Solidarity"), ("ΑΘΗΝΑ", "Athena Solidarity"), ("Αθήνα", "Athena Solidarity"),
    ("αθήνα αλληλεγγυη", "Athena Solidarity"), ("ελπιδα", "Elpida Shelter"), ("στεγης", "Elpida Shelter"),
    ("ΣΤΕΓΗΣ", "Elpida Shelter"), ("emile", "Cafe Emile"), ("ÉMILE", "Cafe Emile"), ("café", "Cafe Emile"),
    ("p-athina", "Athena Solidarity"),
])
def test_search_ignores_case_and_accents_on_both_databases(client, login_as, greek_partners, typed, found):
    login_as("caseworker")
    assert rows(client.get("/structures/partners/", query_string={"q": typed}).get_data(as_text=True)) == [found]


def test_search_still_treats_percent_and_underscore_as_letters(client, login_as, greek_partners):
    login_as("caseworker")
    for typed in ("%", "_", "Αθ_να"):
        assert rows(client.get("/structures/partners/", query_string={"q": typed}).get_data(as_text=True)) == []


def test_filtering_by_a_language_finds_its_varieties_and_back(client, login_as, db_session):
    coordinator = make_user("coordinator")
    service.save_partner(None, values(code="P-LEVANT", name_en="Levant Help", language_codes=["apc"]),
                         actor=coordinator)
    service.save_partner(None, values(code="P-EGYPT", name_en="Nile Help", language_codes=["arz"]),
                         actor=coordinator)
    service.save_partner(None, values(code="P-DARI", name_en="Dari Help", language_codes=["prs"]),
                         actor=coordinator)
    db.session.commit()
    login_as("caseworker")

    def found(language):
        return rows(client.get("/structures/partners/", query_string={"language": language,
                                                                       "q": "help"}).get_data(as_text=True))

    assert found("ar") == ["Levant Help", "Nile Help"]
    assert found("apc") == ["Levant Help", "Nile Help"]  # the same language: either variety can help
    assert found("fa") == ["Dari Help"]
    assert found("ps") == []
    assert set(queries.language_varieties("ar")) >= {"ar", "apc", "arz", "acm"}


@pytest.mark.parametrize("argument, value", [("service", "NOT_A_SERVICE"), ("language", "zz"),
                                             ("language", "klingon"), ("service", "legal_aid ")])
def test_an_unknown_filter_says_so_instead_of_listing_everyone(client, login_as, argument, value):
    login_as("caseworker")
    response = client.get("/structures/partners/", query_string={argument: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is not in the list, so nothing was searched" in body and f'href="#{argument}"' in body
    assert rows(body) == []


# --- deactivated partners -------------------------------------------------------------------------


@pytest.fixture
def deactivated(db_session):
    metadrasi = structure("P-METADRASI")
    service.save_partner(metadrasi, values(code="P-METADRASI", name_el="ΜΕΤΑδραση", name_en="METAdrasi",
                                           active=False), actor=make_user("coordinator"))
    db.session.commit()
    return metadrasi


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_a_deactivated_partner_is_404_for_those_who_do_not_manage_the_directory(client, login_as, deactivated,
                                                                                 role):
    login_as(role, structures=("KEM",))
    assert client.get(f"/structures/partners/{deactivated.id}").status_code == 404
    assert client.get(f"/structures/partners/{structure('P-UNHCR').id}").status_code == 200


def test_a_coordinator_still_sees_it_marked_deactivated(client, login_as, deactivated):
    login_as("coordinator")
    response = client.get(f"/structures/partners/{deactivated.id}")
    assert response.status_code == 200 and "This partner is deactivated" in response.get_data(as_text=True)


def test_the_referral_form_offers_no_deactivated_partner(client, login_as, deactivated):
    person = make_beneficiary("KEM")
    db.session.commit()
    login_as("caseworker", structures=("KEM",))
    body = client.get(f"/referrals/new/{person.id}").get_data(as_text=True)
    assert "P-UNHCR" in body or "UNHCR" in body
    services = db.session.execute(select(Service.id).where(Service.structure_id == deactivated.id)).scalars().all()
    assert services
    for service_id in services:
        assert f'value="{service_id}"' not in body
    assert "METAdrasi" not in body and "ΜΕΤΑδραση" not in body


def test_a_referral_to_a_deactivated_partner_is_refused_even_if_posted(deactivated):
    from caseapp.referrals import service as referral_service

    person = make_beneficiary("KEM")
    actor = make_user("caseworker", structures=("KEM",))
    offered = next(s for s in structure("P-METADRASI").services if s.active)
    with pytest.raises(referral_service.ReferralError) as refused:
        referral_service.create_referral(person, {"from_structure": structure("KEM"), "service": offered,
                                                  "urgency": "routine", "reason": "Needs an interpreter."},
                                         actor=actor)
    assert refused.value.field == "service"


@pytest.mark.parametrize("typed", ["   ", "\u200b", ""])
def test_a_blank_or_invisible_code_is_a_message_on_the_code_field(client, login_as, typed):
    login_as("coordinator")
    response = post(client, "/structures/partners/new", **dict(NEW, code=typed))
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#code"' in body and "canary-note-7731" in body


def test_a_search_of_spaces_lists_everyone(client, login_as, db_session):
    login_as("caseworker")
    assert len(rows(client.get("/structures/partners/", query_string={"q": "   "}).get_data(as_text=True))) == 39
