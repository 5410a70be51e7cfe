"""Languages of the people served: BCP 47 tags with dialects, CLDR names, families, common first."""
from __future__ import annotations

import re
import uuid

import pytest

from caseapp.beneficiaries import iso, language_tags
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.interpretation import languages
from tests.beneficiaries.conftest import registered_id

SERVED = {  # tag: English name a caseworker looks for
    "prs": "Dari", "ps": "Pashto", "haz": "Hazaragi", "kmr": "Kurmanji", "ckb": "Sorani",
    "apc": "Levantine Arabic", "acm": "Iraqi Arabic", "arz": "Egyptian Arabic", "ti": "Tigrinya",
    "ln": "Lingala", "ur": "Urdu", "pa": "Punjabi", "bn": "Bangla", "so": "Somali", "uk": "Ukrainian",
    "fa": "Persian", "ar": "Arabic", "fr": "French", "gss": "Greek Sign Language", "fil": "Filipino",
}


@pytest.mark.parametrize("tag, english", sorted(SERVED.items()))
def test_the_languages_and_dialects_of_the_people_served_are_listed_with_names_in_both_languages(tag, english):
    assert iso.is_language(tag)
    entry = iso.languages()[tag]
    assert english in entry.en
    assert entry.el and entry.el != entry.en and entry.el != tag


def test_every_listed_tag_is_a_well_formed_bcp47_tag_with_a_greek_and_an_english_name():
    assert len(language_tags.TAGS) >= 200
    for tag in language_tags.TAGS:
        assert re.fullmatch(r"[a-z]{2,3}", tag), tag
        assert language_tags.name(tag, "en") != tag and language_tags.name(tag, "el") != tag, tag


@pytest.mark.parametrize("typed, stored", [
    ("fa-AF", "prs"), ("fa_AF", "prs"), ("FA-af", "prs"), ("ajp", "apc"), ("AR", "ar"), (" ckb ", "ckb"),
    ("iw", "he"), ("tl", "fil"), ("in", "id"), ("mo", "ro"), ("ku-Latn", "kmr"),
])
def test_other_spellings_of_a_language_become_its_canonical_tag(typed, stored):
    assert language_tags.canonical(typed) == stored


@pytest.mark.parametrize("typed", ["", None, "zz", "xx-YY", "arabic", "a", "ar;drop", "12", "apc-"])
def test_what_names_no_listed_language_has_no_canonical_tag(typed):
    assert language_tags.canonical(typed) is None
    assert not iso.is_language(typed)


@pytest.mark.parametrize("tag, family", [
    ("apc", "ar"), ("acm", "ar"), ("arz", "ar"), ("ar", "ar"), ("prs", "fa"), ("haz", "fa"), ("fa-AF", "fa"),
    ("kmr", "ku"), ("ckb", "ku"), ("pnb", "pa"), ("ti", "ti"), ("ps", "ps"), ("tig", "tig"), ("zz", "zz"),
])
def test_family_of_gives_the_language_a_dialect_is_a_variety_of(tag, family):
    assert language_tags.family_of(tag) == family
    assert languages.family_of(tag) == family


def test_tigrinya_and_tigre_are_different_languages_and_pashto_is_not_persian():
    assert not language_tags.same_family("ti", "tig")
    assert not language_tags.same_family("ps", "fa")
    assert language_tags.same_family("prs", "haz")


def test_names_follow_the_interface_language(app):
    with app.test_request_context():
        from flask import session
        session["locale"] = "en"
        assert iso.language_name("apc") == "Levantine Arabic"
        assert iso.language_name("fa-AF") == "Dari"  # an accepted spelling is named like its tag
        assert iso.language_name("zz") == "zz"
    with app.test_request_context():
        assert iso.language_name("apc") == "Αραβικά Λεβάντε"
        assert iso.language_name("prs") == "Νταρί"


def _options(html: str, select_id: str) -> list[tuple[str, str | None]]:
    """(value, optgroup label or None) of a select's options, in page order."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    found, group = [], None
    for match in re.finditer(r'<optgroup label="([^"]*)">|</optgroup>|<option[^>]*value="([^"]*)"', select):
        if match.group(0).startswith("<optgroup"):
            group = match.group(1)
        elif match.group(0) == "</optgroup>":
            group = None
        else:
            found.append((match.group(2), group))
    return found


def test_the_registration_form_offers_the_citys_common_nationalities_and_languages_first_once_each(
        client, login_as):
    login_as("caseworker", structures=("KEM",))
    html = client.get("/beneficiaries/new").get_data(as_text=True)
    countries = _options(html, "nationality")
    assert countries[0] == ("", None)  # "Not known"
    assert [code for code, _ in countries[1:6]] == ["SY", "AF", "IQ", "PK", "UA"]
    assert {group for _, group in countries[1:6]} == {"Most common here"}
    assert countries[-1][1] == "All others (A–Z)"
    codes = [code for code, _ in countries]
    assert len(codes) == len(set(codes)) == len(iso.countries()) + 1
    others = [code for code, group in countries if group == "All others (A–Z)"]
    assert others.index("AD") < others.index("ZW")

    langs = _options(html, "languages")
    assert [code for code, _ in langs[:4]] == ["ar", "apc", "acm", "prs"]
    tags = [code for code, _ in langs]
    assert len(tags) == len(set(tags)) == len(language_tags.TAGS)
    assert 'data-combobox' in re.search(r'<select[^>]*id="languages"[^>]*>', html).group(0)


def test_the_common_choices_are_a_setting(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "COMMON_NATIONALITIES", ("UA", "GR"))
    login_as("caseworker", structures=("KEM",))
    countries = _options(client.get("/beneficiaries/new").get_data(as_text=True), "nationality")
    assert [code for code, group in countries if group == "Most common here"] == ["UA", "GR"]


def test_a_person_registered_with_dialects_keeps_them_and_the_profile_names_them(client, login_as, register):
    login_as("caseworker", structures=("KEM",))
    person = registered_id(register(languages=["prs", "kmr", "apc"], nationality="AF"))
    assert db.session.get(Beneficiary, uuid.UUID(person)).language_codes == ["apc", "kmr", "prs"]
    page = client.get(f"/beneficiaries/{person}").get_data(as_text=True)
    assert "Dari" in page and "Kurmanji" in page and "Levantine Arabic" in page


@pytest.mark.parametrize("sent", [["fa-AF"], ["zz"], ["ar", "<script>"]])
def test_a_language_not_on_the_list_is_refused_on_its_field(client, login_as, register, sent):
    login_as("caseworker", structures=("KEM",))
    response = register(languages=sent)
    html = response.get_data(as_text=True)
    assert response.status_code != 302 and 'id="languages-error"' in html
    assert "Choose languages from the list." in html
