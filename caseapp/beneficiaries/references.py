"""Beneficiary references: random, short, readable on the phone, with a check character.

Format `B-YY-XXXXX-C`, e.g. `B-26-7KQ4X-7`:

- `YY`: the two last digits of the registration year;
- `XXXXX`: five random symbols of Crockford's base32 alphabet
  (0-9 and A-Z without I, L, O, U: https://www.crockford.com/base32.html), drawn with
  `secrets`, so references of one structure say nothing about registrations elsewhere
  (no counter, no order); 32**5 = 33,554,432 per year, and a collision with the unique
  index is simply drawn again;
- `C`: a check symbol over `YY` + `XXXXX` by the Luhn mod N algorithm (the Luhn
  formula of ISO/IEC 7812-1, Annex B, generalised to an alphabet of N = 32 symbols;
  python-stdnum's `luhn` with that alphabet). It catches every single mistyped symbol
  and every swap of two neighbours except 0 <-> Z.

Typed input is normalised the Crockford way before checking: case, spaces, dashes
and dots are ignored, O is read as 0, I and L as 1, and Greek capitals that look like
Latin ones (a Greek keyboard) as those letters.

References issued before this format (`B-2026-004213`, sequential) were re-issued by
migration 0009 and are kept as *former references* for a transition period, so
printed papers still find the person; `normalise_reference` accepts that shape too.
"""
from __future__ import annotations

import re
import secrets

from stdnum import luhn

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
RANDOM_SYMBOLS = 5
PREFIX = "B"

_CONFUSABLE = str.maketrans({
    "O": "0", "I": "1", "L": "1",
    # Greek capitals typed on a Greek layout that look like Latin letters
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "1", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "0", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
_SEPARATORS = re.compile(r"[\s\-_.·/]+")
_NEW = re.compile(rf"^{PREFIX}?(\d{{2}})([{ALPHABET}]{{{RANDOM_SYMBOLS}}})([{ALPHABET}])$")
_FORMER = re.compile(rf"^{PREFIX}(\d{{4}})(\d{{6,}})$")


def check_symbol(payload: str) -> str:
    """The Luhn mod 32 check symbol of `payload` (digits and Crockford symbols, canonical)."""
    return luhn.calc_check_digit(payload, ALPHABET)


def new_reference(year: int) -> str:
    """A fresh random reference for a person registered in `year` (uniqueness: the caller's
    unique index; draw again on a collision)."""
    payload = f"{year % 100:02d}" + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return format_reference(payload + check_symbol(payload))


def format_reference(compact: str) -> str:
    """`267KQ4X7` -> `B-26-7KQ4X-7`."""
    return f"{PREFIX}-{compact[:2]}-{compact[2:-1]}-{compact[-1]}"


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", (text or "").strip().upper()).translate(_CONFUSABLE)


def reference_problem(text: str | None) -> str | None:
    """Why `text` is not a reference: None (it is one), "shape" or "check" (a typo the
    check symbol caught)."""
    compact = _compact(text or "")
    if _FORMER.match(compact):
        return None
    match = _NEW.match(compact)
    if not match:
        return "shape"
    year, random_part, check = match.groups()
    return None if check_symbol(year + random_part) == check else "check"


def normalise_reference(text: str | None) -> str | None:
    """The canonical reference typed or scanned in `text`, or None if it is not one.

    Accepts any case, spaces, dashes, Crockford's confusions (O/0, I/L/1), Greek
    look-alike capitals and a missing `B` prefix: ` b 26 7kq4x 7 ` -> `B-26-7KQ4X-7`.
    A new-format reference must carry the right check symbol. A former sequential
    reference (`B-2026-004213`) is returned in its stored form.
    """
    if reference_problem(text) is not None:
        return None
    compact = _compact(text)
    former = _FORMER.match(compact)
    if former:
        return f"{PREFIX}-{former.group(1)}-{former.group(2)}"
    return format_reference("".join(_NEW.match(compact).groups()))


def is_valid_reference(text: str | None) -> bool:
    """True when `text` is a reference with a correct check symbol (or a former one)."""
    return normalise_reference(text) is not None
