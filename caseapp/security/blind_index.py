"""Normalisation and blind indexes for exact search over encrypted fields.

A blind index is HMAC-SHA256 of a normalised value under a key derived per
index (HKDF-SHA256 from the keyring's index key, info ``caseapp-bidx:<name>``),
truncated to a few bits so that unrelated values collide on purpose: a stolen
database then cannot tell which rows share a surname, only that they share an
index bucket with a handful of others. A search looks the bucket up, decrypts
the candidates and keeps those whose normalised value equals the query's
(`matches`).

Index only high-cardinality identifying fields. The approved indexes are
`surname`, `surname_sound`, `birth_date`, `phone` and `document`
(`INDEX_NORMALISERS`); a low-cardinality field (sex, nationality, a yes/no
flag) must never get one: its buckets would simply be its values.

The surname has two indexes: `surname` (the exact key, `normalise`) and
`surname_sound` (a consonant skeleton, `sounds_like`, for "similar names"
and the duplicate check across scripts). Together they share the surname's
bit budget (`SHARED_FIELDS`, `bits_for_index`), as CipherSweet's planning
requires for several indexes on one field.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Callable

import phonenumbers
from anyascii import anyascii
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

    Steps: invisible format characters removed (`strip_invisible`); NFKC;
    casefold; accents and other combining marks stripped (NFD, after noting
    Greek diaeresis), Arabic vowel marks (harakat) and hamza signs included;
    Arabic-script letter variants folded (`_ARABIC_FOLDS`); Greek
    transliterated to Latin (ELOT 743); every other script transliterated
    to ASCII with anyascii (Cyrillic, Arabic, Persian, Georgian, Ethiopic,
    Turkish dotless ı, ...); apostrophes and the ayn/hamza letters vanish;
    other punctuation and symbols become spaces; spelling folds; whitespace
    collapsed. So "Παπαδόπουλος", "PAPADOPOULOS" and "Papadópoulos" give the
    same key, as do "Γεωργίου"/"Georgiou", "Χατζής"/"Chatzis"/"Hatzis",
    "Ψαρρά"/"Psarra", "YILMAZ"/"Yılmaz"/"Yilmaz", "کریمی"/"كريمي",
    "Had\u200bdad"/"Haddad" and "Олена Шевченко"/"Olena Shevchenko".

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

    Limits: an Arabic-script spelling keeps only the letters written (short
    vowels are not written), so "يوسف" keys as "iwsf" and does not meet
    "Yusuf" here: `sounds_like` (the coarser key) is what brings them
    together. No phonetic matching beyond the folds ("Eustathios" does not
    meet "Efstathios"); word boundaries count ("Al Hassan" differs from
    "Alhassan", but `sounds_like` joins the words).
    """
    if value is None:
        return ""
    return _joined(_name_words(str(value)))


def transliterate(value: str) -> str:
    """Latin letters for `value`: Greek per ELOT 743, other scripts through anyascii.

    Accents stripped, case folded, invisible characters removed,
    Arabic-script letter variants folded; punctuation becomes spaces; no
    spelling folds.
    """
    text = unicodedata.normalize("NFKC", strip_invisible(value)).casefold()
    return _transliterate(_letters_with_diaeresis(_pre_decomposition(text)))


def _name_words(value: str) -> list[str]:
    """The folded Latin words of a name (what `normalise` joins with spaces)."""
    return [_fold(word) for word in transliterate(value).split()]


def _joined(words: list[str]) -> str:
    """The exact key: the words with single spaces (NFC, for letters anyascii leaves as they are)."""
    key = " ".join(words)
    return key if key.isascii() else unicodedata.normalize("NFC", key)


# --- Invisible characters ---------------------------------------------------------------

# Default-ignorable code points that are not of category Cf (Unicode's
# DerivedCoreProperties: Hangul fillers; the rest are combining marks, which
# normalisation drops anyway, or unassigned).
_IGNORABLE_NOT_CF = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _IGNORABLE_NOT_CF


def strip_invisible(value: str) -> str:
    """`value` without invisible format characters (Unicode category Cf and Hangul fillers).

    Zero-width space, joiner and non-joiner, soft hyphen, word joiner,
    byte-order mark, LRM/RLM/ALM, bidi embeddings, overrides and isolates,
    tags...: pasted from phones and PDFs, they vanish, never become word
    breaks ("Had\u200bdad" is "Haddad"). The Persian zero-width non-joiner
    only shapes letters, so dropping it loses nothing for matching.
    """
    if value.isascii():
        return value
    return "".join(char for char in value if not _invisible(char))


# --- Arabic script ---------------------------------------------------------------------------

# Letters that native writers of Arabic, Persian/Dari, Pashto, Urdu and Kurdish
# use interchangeably, folded to one letter before transliteration. Applied
# after NFD with combining marks removed, so the hamza forms (أ إ آ ؤ ئ ۓ)
# have already become their base letters, and harakat and shadda are gone.
_ARABIC_FOLDS = {
    # alef: wasla and wavy-hamza forms
    **dict.fromkeys("\u0671\u0672\u0673", "\u0627"),
    # yeh: Persian ی, alef maksura ى, Pashto ې ۍ, Kurdish ێ, Urdu ے, Kashmiri/Farsi variants
    **dict.fromkeys("\u06cc\u0649\u06d0\u06cd\u06ce\u06d2\u06d1\u0620\u063d\u063e\u063f", "\u064a"),
    # kaf: Persian ک, Sindhi ڪ, and the keheh forms
    **dict.fromkeys("\u06a9\u06aa\u063b\u063c", "\u0643"),
    # gaf: Pashto ګ and the other gaf forms
    **dict.fromkeys("\u06ab\u06b0\u06b3\u06b4", "\u06af"),
    # heh: Urdu ہ (goal) and ھ (doachashmee), teh marbuta ة ۃ, ۿ
    **dict.fromkeys("\u06c1\u06be\u0629\u06c3\u06ff", "\u0647"),
    # waw: Kurdish ۆ, Uyghur/Kazakh ۇ ۈ ۋ and the other waw forms
    **dict.fromkeys("\u06c5\u06c6\u06c7\u06c8\u06c9\u06ca\u06cb\u06cf", "\u0648"),
    # noon: Urdu ں (ghunna), Pashto ڼ
    **dict.fromkeys("\u06ba\u06bc", "\u0646"),
    # Urdu and Pashto retroflex letters, written with the plain letter by Persian and Arabic writers
    **dict.fromkeys("\u0679\u067c", "\u062a"),
    **dict.fromkeys("\u0688\u0689", "\u062f"),
    **dict.fromkeys("\u0691\u0693", "\u0631"),
    # elongation (tatweel) and the hamza letters carry no sound a Latin spelling shows
    **dict.fromkeys("\u0640\u0621\u0674", ""),
}
# Before decomposition: ۀ (heh with yeh above) decomposes to ە + hamza, but
# Persian writes it for ه + ezafe; Sorani's bare ە (a vowel, "e") stays itself.
_BEFORE_DECOMPOSITION = str.maketrans({"\u06c0": "\u0647", "\u06c2": "\u0647"})
# anyascii leaves alef out ("احمد" -> "hmd"); a long vowel it is ("a"). Zah
# and thal are "z" in Persian, Urdu, Turkish and Levantine speech (نظری is
# Nazari), and anyascii's "dh" would meet the Greek folds ("ndh" -> "nth").
_ASCII_OVERRIDES = {"\u0627": "a", "\u0638": "z", "\u0630": "z"}

# Apostrophes and modifier letters for glottal stops vanish ("O'Brien" is
# "OBrien", "Ka'bi" is "Kabi"); other punctuation separates words.
_VANISHING = frozenset("'`\u00b4\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u02c8\u2018\u2019\u201b\u2032\ua78b\ua78c")


def _pre_decomposition(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_BEFORE_DECOMPOSITION) if not text.isascii() else text


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
    """Latin for the Greek letter (or digraph) at `i`; other characters through `_latin`."""
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
    return _latin(char), 1


@lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """Lower-case ASCII letters and digits for one non-Greek character.

    Letters, digits and spacing marks of any script go through the Arabic
    folds and anyascii (a letter anyascii does not know stays itself, so a
    name in such a script still gets a key); apostrophes, tatweel and hamza
    vanish; anything else (punctuation, symbols, spaces) separates words.
    """
    if char.isascii():
        return char if char.isalnum() else ("" if char in _VANISHING else " ")
    if char in _VANISHING:
        return ""
    char = _ARABIC_FOLDS.get(char, char)
    if not char:
        return ""
    category = unicodedata.category(char)
    if category[0] not in "LN" and category != "Mc":
        return " "
    ascii_text = _ASCII_OVERRIDES.get(char) or anyascii(char)
    if not ascii_text:
        return char
    return "".join(c for c in ascii_text.lower() if c.isascii() and c.isalnum())


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


# --- Sounds-like key ------------------------------------------------------------------------

_SOUND_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"dzh|dj|zh|tz", "j"),  # Джамал Dzhamal / Djamal / Jamal; Жанна Zhanna; Greek τζ: Τζαμάλ / Jamal
        (r"kh", "h"),            # خالد khld / Khaled / Chaled (ch is already h) / Haled
        (r"gh", "g"),            # غ gh / g
        (r"sh", "s"),            # Şahin Sahin / Shahin
        (r"th", "t"),            # ث th / t
        (r"dh", "z"),            # ظ ذ dh / z: نظری Nazari
        (r"[cq]", "k"),          # Qasim / Kasim, Cemal / Kemal
        (r"mp", "b"),            # Greek μπ for b: Αμπντούλ Ampntoul / Abdul
        (r"nt", "t"),            # Greek ντ for d: Μοχάμαντ Mochamant / Mohammad
        (r"p", "b"),             # پ p / ب b (Arabic has no p)
        (r"d", "t"),             # Ahmad / Ahmet, Murad / Murat, Mohammad / Mehmet
        (r"h$", ""),             # Fatemeh / Fatima, Abdullah / Abdulla
        (r"g", "h"),             # Ганна Ganna / Hanna (Ukrainian г), Магомед Magomed / Mohamed
        (r"([a-z])\1+", r"\1"),  # letters doubled by the folds above
        (r"[aeiouywv]", ""),     # vowels, and v/w (Arabic-script و is w, v, u and o)
        (r"(?<=[a-z])h(?=[a-z])", ""),  # h inside the skeleton, which Greek leaves out: Ιμπραήμ / Ibrahim
        (r"([a-z])\1+", r"\1"),  # letters met once the vowels between them are gone: محمد mhmd / Mohammad
    )
)


def sounds_like(value: object) -> str:
    """Coarse "sounds-like" key for a name: its consonant skeleton after transliteration.

    Built on `normalise` (so equal exact keys always give equal skeletons):
    per word, the romanisation folds of `_SOUND_FOLDS` (dzh/dj/zh and Greek
    tz→j, kh→h, gh→g, sh→s, th→t, dh→z, c/q→k, mp→b and nt→t (how Greek
    writes b and d), p→b, d→t, final h dropped, g→h, doubled letters
    single) then vowels, y, v and w removed, an h left between two
    consonants dropped (Greek has no h and leaves it out there: "Ιμπραήμ" /
    "Ibrahim"; a first h stays, so "Ahmad" and "Mohammad" stay apart) and
    letters left side by side single; the words are joined
    without spaces ("Abdul Rahman" meets "Abdulrahman"). A name with no
    consonant at all keeps its exact key ("Aya").

    Arabic script does not write short vowels, so only a key without vowels
    can bring "يوسف" and "Yusuf", "Youssef", "Yousef" together ("sf"), or
    "محمد" and "Mohammad", "Muhammad", "Mohamed" ("mt"); the folds cover
    the usual romanisations of the served languages (English, French,
    German and Turkish spellings of Arabic and Persian names, Ukrainian and
    Russian transliterations) and the Greek letters caseworkers type them
    in ("Μοχάμαντ", "Γιουσέφ"). The price is coarseness: many different
    names share a skeleton ("Yusuf" and "Asaf"), so this key only ever
    proposes "similar" candidates, which a person then confirms; it is
    never treated as an exact match.

    Limits: ض/ث are d/t here while Persian says z/s ("Ramezan" does not
    meet "رمضان"); j/y/g of other romanisations (Jusuf, Gamal) stay apart;
    a leading article is kept ("Al Hassan" differs from "Hassan").

    Leakage, as stored (`family_name_sound_bidx`): HMAC-SHA256 under its own
    HKDF key (info ``caseapp-bidx:surname_sound``), truncated to
    ``bits_for_index("surname_sound", R)`` bits, its share of the surname's
    budget: 8 bits at the default R = 1,000,000 rows (5 at 10,000). A copy
    of the database shows which rows fall in the same one of 256 buckets,
    about R / 256 ≈ 3,900 rows each, by design mostly unrelated names.
    Together with the exact key (10 bits) the pair splits the rows into
    2**18 buckets, R / 2**18 ≈ 3.8 rows each, the coincidence CipherSweet's
    planning asks of one field, and what the exact key alone gave before
    this key existed: no bucket singles a person out, and equal values never
    prove equal names (every candidate is confirmed after decryption).
    """
    return name_keys(value)[1]


def name_keys(value: object) -> tuple[str, str]:
    """(`normalise(value)`, `sounds_like(value)`), transliterating once."""
    words = _name_words("" if value is None else str(value))
    skeleton = "".join(_skeleton(word) for word in words)
    return _joined(words), skeleton or _joined(words).replace(" ", "")


def _skeleton(word: str) -> str:
    for pattern, replacement in _SOUND_FOLDS:
        word = pattern.sub(replacement, word)
    return word


# --- Other index normalisers ----------------------------------------------------

PHONE_REGION = "GR"
"""Numbers written without a country code are Greek (libphonenumber's default region)."""
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


def phone_text(value: object) -> str:
    """`value` with invisible characters removed, NFKC, and every decimal digit in ASCII.

    Digits of any script count: Arabic-Indic "٦٩٤", Extended Arabic-Indic
    (Persian/Urdu) "۶۹۴", Devanagari "६९४", fullwidth "６９４" all become "694".
    """
    text = unicodedata.normalize("NFKC", strip_invisible(str(value)))
    return "".join(_ascii_digit(char) or char for char in text).strip()


def dialled(value: object) -> str:
    """The digits of a written number, in ASCII, "+" first if it was written before them.

    Everything else (spaces, dashes, dots, parentheses, "tel:", invisible
    characters) is dropped: "(+30) 694.123.45.67" is "+306941234567",
    "٦٩٤ ١٢٣ ٤٥٦٧" is "6941234567", "0030 694..." stays "0030694...".
    """
    if value is None:
        return ""
    text = phone_text(value)
    digits = "".join(char for char in text if char.isascii() and char.isdigit())
    return ("+" if digits and "+" in text.split(digits[0], 1)[0] else "") + digits


def parse_phone(value: object) -> phonenumbers.PhoneNumber | None:
    """The phone number in `value` (libphonenumber, default region Greece), or None.

    Parses what `dialled` keeps. None when libphonenumber cannot read a
    number at all (no digits, an unknown country code after + or 00, fewer
    than two or more than 17 digits). A number it reads may still be
    impossible or unassigned: check `phonenumbers.is_valid_number` before
    accepting one.
    """
    digits = dialled(value)
    if not digits:
        return None
    try:
        return phonenumbers.parse(digits, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None


def normalise_phone(value: object) -> str:
    """E.164 (``+306941234567``) for any way of writing the same number.

    Spaces, dashes, dots, parentheses, "tel:", a trunk "(0)", "00" or "+"
    before the country code, digits of any script: libphonenumber (the
    `phonenumbers` port) parses them with Greece as the default region, so
    "+30 694 123 4567", "0030 6941234567", "694-123-4567", "(+30)
    694.123.45.67" and "٦٩٤١٢٣٤٥٦٧" all give "+306941234567", while
    "+963 933 123 456" and "00963933123456" give "+963933123456" and
    "+380 (0)67 123 4567" gives "+380671234567".

    What libphonenumber cannot read at all (an unknown country code, a
    single digit) keeps its `dialled` digits, "00" written as "+": never
    empty while there is a digit, idempotent, and never equal to the key
    of a number it can read. Forms refuse such input before it is stored
    (`caseapp.beneficiaries.phones`), so this only keeps the function total.
    """
    number = parse_phone(value)
    if number is not None:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = dialled(value)
    return "+" + digits[2:] if digits.startswith("00") and len(digits) > 2 else digits


def normalise_document(value: object) -> str:
    """Upper-case letters and digits only: "ab 123-456" and "AB123456" meet.

    Greek and Cyrillic capitals that look like Latin ones are mapped to them
    ("ΑΒ123456" typed in Greek meets "AB123456"), since documents are copied by
    eye; other digits are mapped to ASCII; invisible characters (not
    alphanumeric) are dropped with the punctuation.
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
    text = unicodedata.normalize("NFKC", strip_invisible(str(value))).strip()
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
    "surname_sound": sounds_like,
    "birth_date": normalise_date,
    "phone": normalise_phone,
    "document": normalise_document,
}

SHARED_FIELDS: dict[str, tuple[str, ...]] = {
    "surname": ("surname", "surname_sound"),
}
"""Indexes over the same field, which share that field's bit budget (see `bits_for_index`)."""


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

    This is the budget of one *field*. Two indexes on the same field (our
    surname's exact and sounds-like keys) share it: see `bits_for_index`.
    Changing R later changes L, and existing index values must then be
    recomputed (`flask beneficiaries reindex`).
    """
    if expected_rows < 1:
        raise ValueError("expected_rows must be at least 1")
    if safety < 2:
        raise ValueError("safety below 2 would let one index value identify one row")
    upper = 0
    while 2 ** (upper + 1) * safety <= expected_rows:
        upper += 1
    return min(max(upper, _lower_bound(expected_rows), 1), max_bits)


def _lower_bound(expected_rows: int) -> int:
    """CipherSweet's least useful size: the smallest L with ``R / 2**L <= sqrt(R)``."""
    lower = 0
    while 4 ** lower < expected_rows:
        lower += 1
    return lower


def bits_for_index(index_name: str, expected_rows: int) -> int:
    """Bits of one index, its field's budget (`bits_for`) shared with the field's other indexes.

    CipherSweet plans several blind indexes on one field by the *sum* of
    their sizes: ``C = R / 2**(L1 + L2)`` must stay at least 2, otherwise
    the pair of index values singles out what neither does alone (here: two
    rows in one exact bucket whose skeletons differ are different names).
    So the indexes of a field in `SHARED_FIELDS` split `bits_for(R)`: the
    first (the exact key, which searches use alone) gets half, and at least
    CipherSweet's lower bound (``R / 2**L <= sqrt(R)``, so a lookup stays
    worth making), leaving at least one bit to each of the others, which
    share the rest evenly. For the surname: 1,000,000 rows give 18 bits,
    10 for `surname` (about 980 unrelated rows share each value city-wide,
    before a search is narrowed to the user's structures) and 8 for
    `surname_sound` (about 3,900); 10,000 rows give 12 bits, 7 and 5.
    Indexes alone on their field get the whole budget.

    Raises KeyError for an unknown index name.
    """
    normaliser_for(index_name)
    total = bits_for(expected_rows)
    group = next((names for names in SHARED_FIELDS.values() if index_name in names), (index_name,))
    if len(group) == 1 or total < len(group):
        return total  # a population too small to split: one bit each (a blind index has at least one)
    others = len(group) - 1
    first = min(max(-(-total // len(group)), _lower_bound(expected_rows)), total - others)
    if group[0] == index_name:
        return first
    rest, extra = divmod(total - first, others)
    return rest + (1 if group.index(index_name) <= extra else 0)
