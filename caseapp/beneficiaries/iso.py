"""ISO 3166-1 alpha-2 countries and ISO 639-1 languages, shipped as data in this package.

The files (`data/*.tsv`) are the authority for what a valid code is; each
line also carries the English and Greek names, so the choice lists do not
depend on the CLDR version installed. Two user-assigned codes are added for
nationality, as European administrations use them: XK (Kosovo) and XX
(stateless, after ICAO 9303's XXA).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice


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


def languages() -> dict[str, CodeName]:
    return _read("iso639_1.tsv")


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
    entry = languages().get(code)
    return _name(entry) if entry else code


def country_choices() -> list[SelectChoice]:
    entries = sorted(countries().values(), key=lambda e: _sort_key(_name(e)))
    return [SelectChoice("", str(_l("Not known")))] + [SelectChoice(e.code, _name(e)) for e in entries]


def language_choices() -> list[SelectChoice]:
    entries = sorted(languages().values(), key=lambda e: _sort_key(_name(e)))
    return [SelectChoice(e.code, _name(e)) for e in entries]
