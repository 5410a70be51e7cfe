"""Normalisation and blind indexes for exact search over encrypted fields.

A blind index is HMAC-SHA256 of a normalised value under a key derived per
index (HKDF-SHA256 from the keyring's index key, info ``caseapp-bidx:<name>``),
truncated to a few bits so that unrelated values collide on purpose: a stolen
database then cannot tell which rows share a surname, only that they share an
index bucket with a handful of others. A search looks the bucket up, decrypts
the candidates and keeps those whose normalised value equals the query's
(`matches`).

Index only high-cardinality identifying fields. The approved indexes are
`surname`, `birth_date`, `phone` and `document` (`INDEX_NORMALISERS`); a
low-cardinality field (sex, nationality, a yes/no flag) must never get one:
its buckets would simply be its values.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date, datetime
from typing import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from caseapp.security.crypto import LruCache

MAX_BITS = 64
"""Blind-index columns are String(16): 16 hex digits."""

Normaliser = Callable[[object], str]

# --- Greek transliteration (ELOT 743, the standard of Greek passports) ------

_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "ϲ": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch",
    "ψ": "ps", "ω": "o", "ϳ": "j",
}
_GREEK_PAIRS = {"ου": "ou", "γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch", "ντ": "nt"}
_VOWEL_U_DIGRAPHS = {"α": "a", "ε": "e", "η": "i"}
# Before these αυ/ευ/ηυ sound (and are written) av/ev/iv; elsewhere af/ef/if.
_VOICED_OR_VOWEL = set("αεηιοωυβγδζλμνρ")
_DIAERESIS = "\u0308"

# --- Spelling folds: make common non-ELOT romanisations meet -------------------

_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"ph", "f"),            # Philippos / Filippos
        (r"ch", "h"),            # Chatzis / Hatzis
        (r"ks", "x"),            # Aleksandros / Alexandros
        (r"mb", "mp"),           # Lambrakis / Lamprakis
        (r"nd", "nt"),           # Pandelis / Pantelis
        (r"gg", "ng"),           # Aggelos / Angelos
        (r"^mp", "b"),          # Mpakogiannis / Bakogiannis
        (r"^nt", "d"),          # Ntora / Dora
        (r"^gk", "g"),          # Gkika / Gika
        (r"gk", "ng"),           # Agkistro / Angistro
        (r"y", "i"),             # Kyriakos / Kiriakos
        (r"gi(?=[aeiou])", "i"),  # Giannis / Yannis
        (r"ou", "u"),            # Papadopoulos / Papadopulos
        (r"([a-z])\1+", r"\1"),  # Psarra / Psara, Giannis / Yanis
    )
)


def normalise(value: object) -> str:
    """Search key for a name: equal keys mean "may be the same name".

    Steps: NFKC; casefold; strip accents (NFD, drop combining marks, after
    noting Greek diaeresis); transliterate Greek to Latin (ELOT 743);
    punctuation and symbols become spaces; spelling folds; whitespace
    collapsed and stripped. So "Παπαδόπουλος", "PAPADOPOULOS" and
    "Papadópoulos" give the same key, as do "Γεωργίου"/"Georgiou",
    "Χατζής"/"Chatzis"/"Hatzis", "Ψαρρά"/"Psarra".

    The key is not meant to be read: it is deliberately lossy. ELOT 743 is
    deterministic (μπ is "b" at the start of a word and "mp" inside it, ντ is
    "nt", γκ "gk", γγ "ng", αυ/ευ "av/ev" before vowels and voiced
    consonants, "af/ef" otherwise, ου "ou", η/ι/υ "i/i/y"), but people write
    Greek names in Latin letters in many ways. The folds (see `_FOLDS`) map
    the usual variants onto one spelling: mb/mp, nd/nt, gg/ng, initial
    mp/b, nt/d and gk/g, y/i, gi+vowel/i, ch/h, ph/f, ks/x, ou/u, and
    doubled letters. Folding can only merge keys, so at worst a search shows
    a few extra candidates for a person to dismiss; missing a duplicate
    registration would be worse.

    Limits: no phonetic matching beyond those folds ("Eustathios" does not
    meet "Efstathios", "Demetriou" does not meet "Dimitriou"); Cyrillic,
    Arabic and other scripts are not transliterated (a name entered in
    Arabic is found by the same Arabic spelling, with vowel marks ignored);
    word boundaries count ("Al Hassan" differs from "Alhassan").
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    text = unicodedata.normalize("NFKC", text)
    words = _transliterate(_letters_with_diaeresis(text)).split()
    return unicodedata.normalize("NFC", " ".join(_fold(word) for word in words))


def transliterate(value: str) -> str:
    """Greek to Latin per ELOT 743, accents stripped, case folded; other text kept."""
    text = unicodedata.normalize("NFKC", value).casefold()
    return _transliterate(_letters_with_diaeresis(text))


def _letters_with_diaeresis(text: str) -> list[tuple[str, bool]]:
    """Base characters of `text`, each flagged if it carried a diaeresis.

    Combining marks are dropped; the diaeresis is remembered because in Greek
    it splits a digraph: "αϊ" is a-i, not the diphthong "αι".
    """
    chars: list[tuple[str, bool]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.category(char) == "Mn":
            if char == _DIAERESIS and chars:
                chars[-1] = (chars[-1][0], True)
            continue
        chars.append((char, False))
    return chars


def _transliterate(chars: list[tuple[str, bool]]) -> str:
    out: list[str] = []
    i = 0
    while i < len(chars):
        latin, consumed = _greek_at(chars, i)
        out.append(latin)
        i += consumed
    return "".join(out)


def _greek_at(chars: list[tuple[str, bool]], i: int) -> tuple[str, int]:
    """Latin for the Greek letter (or digraph) at `i`; other characters pass through."""
    char = chars[i][0]
    following, following_split = chars[i + 1] if i + 1 < len(chars) else ("", True)
    if not following_split:
        pair = char + following
        if char in _VOWEL_U_DIGRAPHS and following == "υ":
            after = chars[i + 2][0] if i + 2 < len(chars) else ""
            return _VOWEL_U_DIGRAPHS[char] + ("v" if after in _VOICED_OR_VOWEL else "f"), 2
        if pair == "μπ":
            return ("mp" if i > 0 and chars[i - 1][0].isalpha() else "b"), 2
        if pair in _GREEK_PAIRS:
            return _GREEK_PAIRS[pair], 2
    if char in _GREEK:
        return _GREEK[char], 1
    category = unicodedata.category(char)
    return (char if category[0] in "LN" or category == "Mc" else " "), 1


def _fold(word: str) -> str:
    """Apply the spelling folds until nothing changes (so normalise is idempotent).

    Every fold either shortens the word or, keeping its length, lowers its
    count of the letters b, d, g, k and y, so the loop ends.
    """
    while True:
        folded = word
        for pattern, replacement in _FOLDS:
            folded = pattern.sub(replacement, folded)
        if folded == word:
            return word
        word = folded


# --- Other index normalisers ----------------------------------------------------

_GREEK_PREFIX = "30"
_HOMOGLYPHS = str.maketrans({
    # Greek capitals that identity documents share with Latin ones.
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Cyrillic capitals likewise (Ukrainian and Russian documents).
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "І": "I", "У": "Y",
})


def _ascii_digit(char: str) -> str | None:
    """'7' for any decimal digit: ASCII, Arabic-Indic, Persian, fullwidth..."""
    digit = unicodedata.decimal(char, None)
    return None if digit is None else str(digit)


def normalise_phone(value: object) -> str:
    """Digits only, Greek numbers without their country code, others with it.

    "+30 694 123 4567", "0030 6941234567", "306941234567" and "694-123-4567"
    all give "6941234567"; "+963 933 123 456" and "00963933123456" give
    "963933123456". Digits of other scripts count ("٦٩٤..." is "694...").
    Limit: a foreign number written in its national form (with a trunk 0 and
    no country code) does not meet its international form.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    digits = "".join(d for d in map(_ascii_digit, text) if d is not None)
    international = bool(re.match(r"^\D*\+", text)) or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith(_GREEK_PREFIX) and (international or len(digits) == 12):
        digits = digits[len(_GREEK_PREFIX):]
    return digits


def normalise_document(value: object) -> str:
    """Upper-case letters and digits only: "ab 123-456" and "AB123456" meet.

    Greek and Cyrillic capitals that look like Latin ones are mapped to them
    ("ΑΒ123456" typed in Greek meets "AB123456"), since documents are copied by
    eye; other digits are mapped to ASCII.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    text = text.upper().translate(_HOMOGLYPHS)
    return "".join(_ascii_digit(c) or c for c in text if c.isalnum())


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def normalise_date(value: object) -> str:
    """ISO ``YYYY-MM-DD`` from a date, an ISO string or a day-first D/M/YYYY string.

    Day-first is the Greek convention; month-first (US) strings would be
    misread, so forms should hand over `datetime.date` objects.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return ""
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _DAY_FIRST_DATE.match(text):
        day, month, year = match.groups()
    else:
        raise ValueError(f"not a date: use YYYY-MM-DD or DD/MM/YYYY, not {text!r}")
    return date(int(year), int(month), int(day)).isoformat()


INDEX_NORMALISERS: dict[str, Normaliser] = {
    "surname": normalise,
    "birth_date": normalise_date,
    "phone": normalise_phone,
    "document": normalise_document,
}


def normaliser_for(index_name: str) -> Normaliser:
    try:
        return INDEX_NORMALISERS[index_name]
    except KeyError:
        known = ", ".join(INDEX_NORMALISERS)
        raise KeyError(f"no blind index named {index_name!r}; known: {known}") from None


def register_index(index_name: str, normaliser: Normaliser) -> None:
    """Declare a new blind index. Only for high-cardinality identifying values."""
    existing = INDEX_NORMALISERS.get(index_name)
    if existing is not None and existing is not normaliser:
        raise ValueError(f"blind index {index_name!r} already uses {existing.__name__}")
    INDEX_NORMALISERS[index_name] = normaliser


def matches(index_name: str, stored: object, query: object) -> bool:
    """Confirm a candidate found through the index, after decryption.

    Truncated indexes return some unrelated rows on purpose; this drops them.
    """
    normalise_value = normaliser_for(index_name)
    wanted = normalise_value(query)
    return bool(wanted) and normalise_value(stored) == wanted


# --- Blind index ----------------------------------------------------------------

_subkeys: LruCache[tuple[bytes, str], bytes] = LruCache(maxsize=64)


def derive_index_key(index_key: bytes, index_name: str) -> bytes:
    """Per-index key: HKDF-SHA256(index key, info="caseapp-bidx:" + name).

    Separate keys mean equal values in two indexes (a phone number that is
    also typed as a document number) do not produce comparable outputs.
    """
    def derive() -> bytes:
        info = b"caseapp-bidx:" + index_name.encode("utf-8")
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(index_key)
    return _subkeys.get_or_create((bytes(index_key), index_name), derive)


def blind_index(index_key: bytes, index_name: str, normalised: str, bits: int) -> str:
    """HMAC-SHA256 of `normalised`, truncated to its first `bits` bits, as hex.

    The result has ceil(bits/4) hex digits and its value is below 2**bits.
    """
    if not 1 <= bits <= 256:
        raise ValueError("a blind index keeps between 1 and 256 bits")
    digest = hmac.new(derive_index_key(index_key, index_name), normalised.encode("utf-8"),
                      hashlib.sha256).digest()
    value = int.from_bytes(digest, "big") >> (256 - bits)
    return format(value, f"0{(bits + 3) // 4}x")


def coincidences(expected_rows: int, bits: int) -> float:
    """Expected number of rows sharing one index value (CipherSweet's measure)."""
    return max(1, expected_rows) / 2 ** bits


def bits_for(expected_rows: int, safety: float = 2.0, max_bits: int = MAX_BITS) -> int:
    """Blind-index size for a table expected to hold `expected_rows` rows.

    CipherSweet's "Blind Index Planning" (its FieldIndexPlanner) counts the
    expected *coincidences* of an index of L bits over a population R as
    ``C = R / 2**L`` and recommends a range of L:

    - max: the largest L that keeps ``C >= 2``: at least two rows share each
      index value, so an index value never singles a person out and equal
      index values do not prove equal plaintexts;
    - min: the smallest L with ``C <= sqrt(R)``: below it a lookup returns
      so many candidates that the index is not worth having.

    We take the max (most selective) end: the largest L with
    ``R / 2**L >= safety`` (safety defaults to CipherSweet's 2), that is
    ``floor(log2(R / safety))`` = ``floor(log2 R) - 1`` for the default;
    raised to the min bound if a tiny R pushes it below, and capped at
    `max_bits`. A lookup then returns between `safety` and twice that many
    unrelated candidates at the planned size: 10,000 rows give 12 bits
    (2.4 coincidences), 1,000,000 rows give 18 bits (3.8).

    Each of our indexes covers a different field, which is what CipherSweet
    plans one at a time; two indexes on the *same* field (say, full and
    last-four digits) would have to share this budget.
    Changing R later changes L, and existing index values must then be
    recomputed.
    """
    if expected_rows < 1:
        raise ValueError("expected_rows must be at least 1")
    if safety < 2:
        raise ValueError("safety below 2 would let one index value identify one row")
    upper = 0
    while 2 ** (upper + 1) * safety <= expected_rows:
        upper += 1
    lower = 0
    while 4 ** lower < expected_rows:
        lower += 1
    return min(max(upper, lower, 1), max_bits)
