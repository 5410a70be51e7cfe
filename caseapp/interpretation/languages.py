"""The one place where interpretation meets the shared language list.

Interpreters and requests store language codes from the same list as
beneficiaries (`caseapp.beneficiaries.iso`). Matching an interpreter to a
request goes through `match_rank` / `matching_codes` only, so that when the
shared list grows dialects and families (`family_of` / `same_family`), the
change is here and nowhere else.
"""
from __future__ import annotations

from wtforms import SelectChoice

from caseapp.beneficiaries import iso

EXACT = 0    # the interpreter speaks the very language (or dialect) asked for
FAMILY = 1   # the interpreter speaks another variety of the same language


def is_language(code: str | None) -> bool:
    return iso.is_language(code)


def language_name(code: str | None) -> str:
    return iso.language_name(code) if code else "—"


def language_choices() -> list[SelectChoice]:
    return iso.language_choices()


def family_of(code: str) -> str:
    """The language family `code` is matched within (a language is its own family here)."""
    return code


def matching_codes(wanted: str) -> set[str]:
    """Every code whose speakers may be offered for `wanted`: itself and its family."""
    family = family_of(wanted)
    return {code for code in iso.languages() if family_of(code) == family} | {wanted, family}


def match_rank(interpreter_codes, wanted: str) -> int | None:
    """`EXACT`, `FAMILY`, or None when none of `interpreter_codes` serves `wanted`."""
    codes = set(interpreter_codes)
    if wanted in codes:
        return EXACT
    return FAMILY if codes & matching_codes(wanted) else None


def speaks(interpreter_codes, wanted: str) -> bool:
    """True when an interpreter with these languages can be offered for `wanted`."""
    return match_rank(interpreter_codes, wanted) is not None
