"""The languages of the people served: BCP 47 tags, CLDR names through Babel, dialect families.

A stored language is a canonical tag from `TAGS`:

- every ISO 639-1 code (two letters, e.g. ``ar``, ``fa``, ``ps``, ``ur``, ``ti``, ``ln``), which is
  also its BCP 47 tag;
- the dialects and languages without a two-letter code that the people served speak, as their
  ISO 639-3 code, which is their BCP 47 tag too (`DIALECTS`: Dari ``prs``, Hazaragi ``haz``,
  Kurmanji ``kmr``, Sorani ``ckb``, Levantine ``apc``, Iraqi ``acm``, Egyptian ``arz`` Arabic...),
  plus Greek Sign Language ``gss``.

Other spellings of the same language are accepted on input and turned into the canonical tag by
`canonical` (``fa-AF`` and ``fa_AF`` → ``prs``, ``ajp`` → ``apc``, deprecated ``iw`` → ``he``,
``tl`` → ``fil``, any letter case).

Each tag has a *family*, the language it is a variety of (`family_of`): ``apc`` → ``ar``,
``prs`` → ``fa``, ``kmr`` → ``ku``; a language is its own family. Interpretation matches an
interpreter on the exact tag first, then on the family (`caseapp.interpretation.languages`).

Names come from CLDR through Babel in the interface language (`name`); CLDR has no name, or no
Greek name, for a few dialects, which `NAMES` gives, as it does the well-known local name that
people search by (Sorani, Kurmanji).
"""
from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

# ISO 639-1: the 183 two-letter codes (each also a BCP 47 tag). "tl" (Tagalog) is listed as
# "fil", the tag CLDR and BCP 47 canonicalisation use for it.
ISO_639_1 = (
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv "
    "dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie "
    "ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv "
    "mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm "
    "rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tn to tr ts "
    "tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
).split()

# Dialects and languages without a two-letter code: tag -> family (the tag itself when none).
DIALECTS = {
    "prs": "fa",   # Dari (Afghan Persian)
    "haz": "fa",   # Hazaragi
    "tg": "fa",    # Tajik, a variety of Persian (also in ISO 639-1)
    "kmr": "ku",   # Northern Kurdish (Kurmanji)
    "ckb": "ku",   # Central Kurdish (Sorani)
    "sdh": "ku",   # Southern Kurdish
    "apc": "ar",   # Levantine Arabic (Syria, Lebanon, Jordan, Palestine)
    "acm": "ar",   # Iraqi (Mesopotamian) Arabic
    "arz": "ar",   # Egyptian Arabic
    "apd": "ar",   # Sudanese Arabic
    "afb": "ar",   # Gulf Arabic
    "ayl": "ar",   # Libyan Arabic
    "aeb": "ar",   # Tunisian Arabic
    "arq": "ar",   # Algerian Arabic
    "ary": "ar",   # Moroccan Arabic
    "pnb": "pa",   # Western Punjabi (Shahmukhi script, Pakistan)
    "tw": "ak",    # Twi, a variety of Akan (also in ISO 639-1)
    "fil": "fil",  # Filipino (Tagalog)
    "skr": "skr",  # Saraiki
    "bal": "bal",  # Baluchi
    "lrc": "lrc",  # Northern Luri
    "zza": "zza",  # Zaza
    "aii": "aii",  # Assyrian Neo-Aramaic
    "syr": "syr",  # Syriac
    "tig": "tig",  # Tigre
    "bej": "bej",  # Beja
    "din": "din",  # Dinka
    "nus": "nus",  # Nuer
    "kab": "kab",  # Kabyle
    "rhg": "rhg",  # Rohingya
    "rom": "rom",  # Romani
    "kri": "kri",  # Krio
    "pcm": "pcm",  # Nigerian Pidgin
    "snk": "snk",  # Soninke
    "sus": "sus",  # Susu
    "lua": "lua",  # Luba-Lulua
    "gss": "gss",  # Greek Sign Language
}

TAGS: tuple[str, ...] = tuple(sorted(set(ISO_639_1) - {"tl"} | set(DIALECTS)))

# Other spellings of a tag (lower case, "-" separated) -> canonical tag.
ALIASES = {
    "fa-af": "prs", "ajp": "apc", "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
    "tl": "fil", "ku-latn": "kmr", "ku-arab": "ckb", "pa-arab": "pnb", "pa-pk": "pnb",
}

# Names CLDR lacks (or lacks in Greek), and the local names people search by: tag -> (English, Greek).
NAMES = {
    "prs": ("Dari", "Νταρί"),
    "haz": ("Hazaragi", "Χαζαραγκί"),
    "kmr": ("Northern Kurdish (Kurmanji)", "Βόρεια Κουρδικά (Κουρμαντζί)"),
    "ckb": ("Central Kurdish (Sorani)", "Κεντρικά Κουρδικά (Σορανί)"),
    "sdh": ("Southern Kurdish", "Νότια Κουρδικά"),
    "apc": ("Levantine Arabic", "Αραβικά Λεβάντε"),
    "acm": ("Iraqi Arabic", "Αραβικά Ιράκ"),
    "arz": ("Egyptian Arabic", "Αραβικά Αιγύπτου"),
    "apd": ("Sudanese Arabic", "Αραβικά Σουδάν"),
    "afb": ("Gulf Arabic", "Αραβικά Κόλπου"),
    "ayl": ("Libyan Arabic", "Αραβικά Λιβύης"),
    "aeb": ("Tunisian Arabic", "Αραβικά Τυνησίας"),
    "arq": ("Algerian Arabic", "Αραβικά Αλγερίας"),
    "ary": ("Moroccan Arabic", "Αραβικά Μαρόκου"),
    "pnb": ("Western Punjabi", "Δυτικά Παντζαπικά"),
    "skr": ("Saraiki", "Σαραΐκι"),
    "aii": ("Assyrian Neo-Aramaic", "Ασσυριακά Νεοαραμαϊκά"),
    "kri": ("Krio", "Κρίο"),
    "gss": ("Greek Sign Language", "Ελληνική Νοηματική Γλώσσα"),
}

_SHAPE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def canonical(tag: str | None) -> str | None:
    """The canonical tag for any accepted spelling of a language (case, ``_`` or ``-``, aliases),
    or None when `tag` names no listed language. ``"fa_AF"`` → ``"prs"``, ``"AR"`` → ``"ar"``."""
    if not tag or not isinstance(tag, str):
        return None
    key = tag.strip().replace("_", "-").lower()
    if not _SHAPE.match(key):
        return None
    key = ALIASES.get(key, key)
    return key if key in _TAG_SET else None


_TAG_SET = frozenset(TAGS)


def is_tag(tag: str | None) -> bool:
    """True when `tag` is a canonical stored tag (not merely an accepted spelling of one)."""
    return bool(tag) and tag in _TAG_SET


def family_of(tag: str) -> str:
    """The language `tag` is a variety of: ``"apc"`` → ``"ar"``, ``"prs"`` → ``"fa"``, ``"ar"`` → ``"ar"``.

    Any accepted spelling works (``"fa-AF"`` → ``"fa"``); an unknown tag is its own family.
    """
    code = canonical(tag) or tag
    return DIALECTS.get(code, code)


def same_family(a: str, b: str) -> bool:
    return family_of(a) == family_of(b)


def members(family: str) -> tuple[str, ...]:
    """Every listed tag whose family is `family` (the family itself included when listed)."""
    return _members().get(family_of(family), ())


@lru_cache(maxsize=1)
def _members() -> dict[str, tuple[str, ...]]:
    result: dict[str, list[str]] = {}
    for tag in TAGS:
        result.setdefault(family_of(tag), []).append(tag)
    return {family: tuple(tags) for family, tags in result.items()}


@lru_cache(maxsize=None)
def name(tag: str, locale: str = "el") -> str:
    """The name of `tag` in `locale` ("el" or "en"): `NAMES` first, then CLDR (Babel), then the
    English CLDR name; the tag itself when nothing names it."""
    greek = locale != "en"
    if tag in NAMES:
        return NAMES[tag][1 if greek else 0]
    babel_key = tag.replace("-", "_")
    for candidate in (locale, "en"):
        found = Locale.parse(candidate).languages.get(babel_key)
        if found:
            return found[0].upper() + found[1:] if greek else found
    return tag
