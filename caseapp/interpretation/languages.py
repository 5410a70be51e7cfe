"""The one place where interpretation meets the shared language list.

Interpreters and requests store language tags from the same list as
beneficiaries (`caseapp.beneficiaries.iso`, BCP 47 tags with dialects:
`caseapp.beneficiaries.language_tags`). Matching an interpreter to a request
goes through `match_rank` / `matching_codes` only: the exact tag (the dialect
asked for) first, then any variety of the same language (`family_of`: an
interpreter of ``ar`` or ``acm`` for a request in ``apc``).
"""
from __future__ import annotations

from wtforms import SelectChoice

from caseapp.beneficiaries import iso, language_tags

EXACT = 0    # the interpreter speaks the very language (or dialect) asked for
FAMILY = 1   # the interpreter speaks another variety of the same language


def is_language(code: str | None) -> bool:
    return iso.is_language(code)


def language_name(code: str | None) -> str:
    return iso.language_name(code) if code else "—"


def language_choices() -> list[SelectChoice]:
    return iso.language_choices()


def family_of(code: str) -> str:
    """The language `code` is a variety of (``apc`` → ``ar``, ``prs`` → ``fa``; ``ar`` → ``ar``)."""
    return iso.family_of(code)


def matching_codes(wanted: str) -> set[str]:
    """Every tag whose speakers may be offered for `wanted`: itself, its family and the family's
    other varieties (``apc`` → ``{apc, ar, acm, arz, ...}``)."""
    return set(language_tags.members(wanted)) | {wanted, family_of(wanted)}


def match_rank(interpreter_codes, wanted: str) -> int | None:
    """`EXACT`, `FAMILY`, or None when none of `interpreter_codes` serves `wanted`."""
    codes = set(interpreter_codes)
    if wanted in codes:
        return EXACT
    return FAMILY if codes & matching_codes(wanted) else None


def speaks(interpreter_codes, wanted: str) -> bool:
    """True when an interpreter with these languages can be offered for `wanted`."""
    return match_rank(interpreter_codes, wanted) is not None
