"""ISO 3166-1 alpha-2 countries (data shipped in this package) and the languages served.

The country file (`data/iso3166_1_alpha2.tsv`) is the authority for what a
valid nationality is; each line also carries the English and Greek names, so
the choice lists do not depend on the CLDR version installed. Two
user-assigned codes are added for nationality, as European administrations use
them: XK (Kosovo) and XX (stateless, after ICAO 9303's XXA).

Languages are BCP 47 tags with dialects (`caseapp.beneficiaries.language_tags`).

Choice lists put the city's common choices first, in their own group
(`COMMON_NATIONALITIES` / `COMMON_LANGUAGES` settings, most frequent first),
then every other one alphabetically in the interface language; each code
appears once.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from caseapp.beneficiaries import language_tags


class CodeName(NamedTuple):
    code: str
    en: str
    el: str


EXTRA_NATIONALITIES = {
    "XK": CodeName("XK", "Kosovo", "Κοσσυφοπέδιο"),
    "XX": CodeName("XX", "Stateless", "Άπατρις"),
}


@lru_cache(maxsize=None)
def _read(filename: str) -> dict[str, CodeName]:
    text = resources.files("caseapp.beneficiaries").joinpath("data", filename).read_text(encoding="utf-8")
    entries = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, en, el = line.split("\t")
            entries[code] = CodeName(code, en, el)
    return entries


def countries() -> dict[str, CodeName]:
    """Every valid nationality code: ISO 3166-1 alpha-2 plus `EXTRA_NATIONALITIES`."""
    return {**_read("iso3166_1_alpha2.tsv"), **EXTRA_NATIONALITIES}


@lru_cache(maxsize=1)
def languages() -> dict[str, CodeName]:
    """Every valid language tag (`language_tags.TAGS`) with its English and Greek names."""
    return {tag: CodeName(tag, language_tags.name(tag, "en"), language_tags.name(tag, "el"))
            for tag in language_tags.TAGS}


def is_country(code: str | None) -> bool:
    return bool(code) and code in countries()


def is_language(code: str | None) -> bool:
    return bool(code) and code in languages()


def _greek() -> bool:
    locale = get_locale()
    return locale is None or locale.language != "en"


def _name(entry: CodeName) -> str:
    return entry.el if _greek() else entry.en


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name.casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def country_name(code: str | None) -> str:
    entry = countries().get(code or "")
    return _name(entry) if entry else (code or "—")


def language_name(code: str) -> str:
    """The name of a language tag in the interface language (any accepted spelling of a tag,
    e.g. ``fa-AF``, is named like its canonical tag); an unknown code is shown as it is."""
    entry = languages().get(code) or languages().get(language_tags.canonical(code) or "")
    return _name(entry) if entry else code


def family_of(code: str) -> str:
    """The language `code` is a variety of (``apc`` → ``ar``); see `language_tags.family_of`."""
    return language_tags.family_of(code)


# The city's most frequent choices, most frequent first (overridable by the settings of the same names).
COMMON_NATIONALITIES = ("SY", "AF", "IQ", "PK", "UA", "PS", "IR", "TR", "CD", "SO", "ER", "BD", "EG",
                        "CM", "SD", "GR", "AL", "GE")
COMMON_LANGUAGES = ("ar", "apc", "acm", "prs", "fa", "ps", "ur", "kmr", "ckb", "uk", "ru", "fr", "ln",
                    "ti", "so", "bn", "pa", "tr", "en", "el")


def _common(setting: str, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(current_app.config.get(setting) or default) if has_app_context() else default


def _grouped(entries: dict[str, CodeName], common: tuple[str, ...]) -> list[SelectChoice]:
    """Common codes first (in their order) in one optgroup, then the rest alphabetically in another."""
    first = [code for code in common if code in entries]
    rest = sorted((e for code, e in entries.items() if code not in first), key=lambda e: _sort_key(_name(e)))
    common_label, other_label = str(_l("Most common here")), str(_l("All others (A–Z)"))
    return ([SelectChoice(code, _name(entries[code]), optgroup=common_label) for code in first]
            + [SelectChoice(e.code, _name(e), optgroup=other_label) for e in rest])


def country_choices() -> list[SelectChoice]:
    """"Not known" (value ""), the city's common nationalities, then every other country A–Z."""
    return ([SelectChoice("", str(_l("Not known")))]
            + _grouped(countries(), _common("COMMON_NATIONALITIES", COMMON_NATIONALITIES)))


def language_choices() -> list[SelectChoice]:
    """The city's common languages and dialects, then every other one A–Z (grouped choices)."""
    return _grouped(languages(), _common("COMMON_LANGUAGES", COMMON_LANGUAGES))
