"""Normalisation, blind indexes and the bit planner (no app, no database)."""
import hashlib
import hmac
import re
import unicodedata
from datetime import date, datetime
from fractions import Fraction

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from caseapp.security.blind_index import (
    bits_for,
    blind_index,
    coincidences,
    matches,
    normalise,
    normalise_date,
    normalise_document,
    normalise_phone,
    normaliser_for,
    register_index,
    transliterate,
)
from tests.security.unicode_strategies import INVISIBLE, insert

INDEX_KEY = b"\x07" * 32

SAME_NAME = [
    ("Παπαδόπουλος", "Papadopoulos"),
    ("Γεωργίου", "Georgiou"),
    ("Χατζής", "Chatzis"),
    ("Ψαρρά", "Psarra"),
    ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "papadopoulos"),
    ("Papadópoulos", "PAPADOPOULOS"),
    ("Χατζής", "Hatzis"),
    ("Ψαρρά", "Psara"),
    ("Μπακογιάννης", "Bakoyannis"),
    ("Μπακογιάννης", "Mpakogiannis"),
    ("Λαμπράκης", "Lambrakis"),
    ("Παντελής", "Pandelis"),
    ("Ντόρα", "Dora"),
    ("Αγγελόπουλος", "Aggelopoulos"),
    ("Αγγελόπουλος", "Angelopoulos"),
    ("Ευάγγελος", "Evangelos"),
    ("Ευστάθιος", "Efstathios"),
    ("Φίλιππος", "Philippos"),
    ("Αλέξανδρος", "Aleksandros"),
    ("Κυριακός", "Kiriakos"),
    ("Γιάννης", "Yannis"),
    ("Ραΐσα", "Raisa"),
    ("  Παπαδοπούλου   Γεωργίου ", "papadopoulou georgiou"),
    ("Παπαδοπούλου-Γεωργίου", "Papadopoulou Georgiou"),
    ("Müller", "MULLER"),
    ("Ｐａｐａｓ", "Papas"),
]

DIFFERENT_NAMES = [
    ("Παπαδόπουλος", "Papadakis"),
    ("Γεωργίου", "Georgiadis"),
    ("Χατζής", "Chatzi"),
    ("Αλ Χασάν", "Alchasan"),
]


@pytest.mark.parametrize("greek, latin", SAME_NAME)
def test_same_name_in_greek_and_latin_normalises_identically(greek, latin):
    assert normalise(greek) == normalise(latin)
    assert normalise(latin) == normalise(greek)


@pytest.mark.parametrize("greek, latin", SAME_NAME[:4])
def test_same_name_finds_same_index_both_ways(greek, latin):
    def index(value):
        return blind_index(INDEX_KEY, "surname", normalise(value), 18)
    assert index(greek) == index(latin)
    assert matches("surname", greek, latin) and matches("surname", latin, greek)


@pytest.mark.parametrize("one, other", DIFFERENT_NAMES)
def test_different_names_stay_apart(one, other):
    assert normalise(one) != normalise(other)
    assert not matches("surname", one, other)


@pytest.mark.parametrize("greek, elot", [
    ("Παπαδόπουλος", "papadopoulos"),
    ("Γεωργίου", "georgiou"),
    ("Χατζής", "chatzis"),
    ("Ψαρρά", "psarra"),
    ("Μπάμπης", "bampis"),
    ("Ευάγγελος", "evangelos"),
    ("Ευστάθιος", "efstathios"),
    ("Ναύπλιο", "nafplio"),
    ("Αϋπνία", "aypnia"),
])
def test_transliteration_follows_elot_743(greek, elot):
    assert transliterate(greek) == elot


def test_empty_values():
    assert normalise(None) == normalise("") == normalise("  \t ") == ""
    assert not matches("surname", "", "")


LETTERS = "abcdefghijklmnopqrstuvwxyzαβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩABCXYZ "
ACCENTS = ["\u0301", "\u0300", "\u0302", "\u0303", "\u0327", "\u030c"]


@given(st.text())
def test_normalise_is_idempotent(value):
    once = normalise(value)
    assert normalise(once) == once


@given(st.text())
def test_normalise_ignores_unicode_normal_form(value):
    expected = normalise(value)
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        assert normalise(unicodedata.normalize(form, value)) == expected


@given(st.lists(st.tuples(st.sampled_from(LETTERS), st.lists(st.sampled_from(ACCENTS), max_size=2))))
def test_normalise_ignores_accents_and_case(pieces):
    plain = "".join(letter for letter, _ in pieces)
    accented = "".join(letter + "".join(marks) for letter, marks in pieces)
    assert normalise(accented) == normalise(plain)
    assert normalise(plain.upper()) == normalise(plain.lower()) == normalise(plain)


@given(st.text(alphabet=LETTERS, max_size=30), st.text(alphabet=" \t\n\u00a0\u2003", min_size=1, max_size=4))
def test_normalise_collapses_whitespace(word, spaces):
    assert normalise(spaces + word.replace(" ", spaces) + spaces) == normalise(word)


GREEK_MOBILE = [
    "+30 694 123 4567", "0030 6941234567", "306941234567", "6941234567", "694-123-4567",
    "(+30) 694.123.45.67", "tel: +30 6941234567", "+30 (694) 123 4567", "00 30 694 123 4567", "694/123 45 67",
    "٦٩٤١٢٣٤٥٦٧",            # Arabic-Indic digits
    "۶۹۴۱۲۳۴۵۶۷",            # Extended Arabic-Indic (Persian, Urdu) digits
    "+٣٠ ٦٩٤ ١٢٣ ٤٥٦٧",      # the same with the country code
    "६९४१२३४५६७",            # Devanagari digits
    "６９４１２３４５６７",      # fullwidth digits
    "\u200e+30 694 123 4567\u200f",  # direction marks pasted from a phone
    "694\u200b123\u00ad4567",          # zero-width space, soft hyphen
]


@pytest.mark.parametrize("value", GREEK_MOBILE)
def test_every_way_of_writing_a_greek_number_gives_one_e164_key(value):
    assert normalise_phone(value) == "+306941234567"


@pytest.mark.parametrize("values, e164", [
    (["210 123 4567", "+30 210-1234567", "0030 (210) 1234567"], "+302101234567"),
    (["+963 933 123 456", "00963933123456", "+963-933-123-456"], "+963933123456"),
    (["+380 67 123 4567", "+380 (0)67 123 4567", "00380671234567"], "+380671234567"),
    (["+93 70 123 4567", "0093 70 123 4567", "+۹۳ ۷۰ ۱۲۳ ۴۵۶۷"], "+93701234567"),
    (["+964 770 123 4567", "00964 7701234567"], "+9647701234567"),
    (["+92 300 1234567", "+92 (300) 123-4567"], "+923001234567"),
])
def test_foreign_and_landline_numbers_meet_in_e164(values, e164):
    assert {normalise_phone(value) for value in values} == {e164}


def test_phone_keys_of_what_libphonenumber_cannot_read_stay_apart_from_real_numbers():
    assert normalise_phone(None) == normalise_phone("") == normalise_phone("call me") == ""
    assert normalise_phone("+999 123456") == normalise_phone("00999123456") == "+999123456"
    assert normalise_phone("1") == "1"


@given(st.text())
def test_phone_key_is_e164_like_and_idempotent(value):
    phone = normalise_phone(value)
    assert phone == "" or re.fullmatch(r"\+?[0-9]+", phone)
    assert normalise_phone(phone) == phone


@given(st.text(alphabet="0123456789 +-.()", max_size=24), st.lists(st.tuples(st.integers(0, 30), INVISIBLE)))
def test_invisible_characters_never_change_a_phone_key(value, insertions):
    assert normalise_phone(insert(value, insertions)) == normalise_phone(value)


@pytest.mark.parametrize("value", ["AB 123456", "ab-123-456", "ΑΒ123456", "АВ 123456", " a.b.123456 "])
def test_document_numbers_meet(value):
    assert normalise_document(value) == "AB123456"


@given(st.text())
def test_document_is_uppercase_alphanumeric_and_idempotent(value):
    document = normalise_document(value)
    assert all(char.isalnum() for char in document)
    assert document == document.upper()
    assert normalise_document(document) == document


@pytest.mark.parametrize("value", [date(1990, 3, 5), datetime(1990, 3, 5, 12, 0), "1990-03-05", "1990-3-5",
                                   "05/03/1990", "5.3.1990", "05-03-1990", " 1990-03-05 "])
def test_dates_become_iso(value):
    assert normalise_date(value) == "1990-03-05"


@pytest.mark.parametrize("value", ["1990-02-30", "03/05/90", "yesterday", "1990/03/05"])
def test_bad_dates_are_refused(value):
    with pytest.raises(ValueError):
        normalise_date(value)


@given(st.dates())
def test_date_round_trip(value):
    assert date.fromisoformat(normalise_date(value)) == value


# --- blind index ------------------------------------------------------------------


def test_blind_index_is_hkdf_then_truncated_hmac():
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"caseapp-bidx:surname")
    subkey = hkdf.derive(INDEX_KEY)
    digest = hmac.new(subkey, b"papadopulos", hashlib.sha256).hexdigest()
    assert blind_index(INDEX_KEY, "surname", "papadopulos", 64) == digest[:16]
    assert blind_index(INDEX_KEY, "surname", "papadopulos", 16) == digest[:4]


@given(st.text(), st.integers(1, 64))
def test_blind_index_is_deterministic_and_has_the_requested_size(value, bits):
    index = blind_index(INDEX_KEY, "surname", value, bits)
    assert index == blind_index(INDEX_KEY, "surname", value, bits)
    assert len(index) == (bits + 3) // 4
    assert int(index, 16) < 2 ** bits


def test_blind_index_differs_per_index_name_and_key():
    values = {
        blind_index(INDEX_KEY, "surname", "6941234567", 64),
        blind_index(INDEX_KEY, "phone", "6941234567", 64),
        blind_index(INDEX_KEY, "document", "6941234567", 64),
        blind_index(b"\x08" * 32, "phone", "6941234567", 64),
    }
    assert len(values) == 4


def test_blind_index_bits_are_validated():
    for bits in (0, 257):
        with pytest.raises(ValueError):
            blind_index(INDEX_KEY, "surname", "x", bits)


def test_truncated_index_collides_and_matches_filters_the_false_positives():
    names = [f"name{i}" for i in range(200)]
    buckets = {}
    for name in names:
        buckets.setdefault(blind_index(INDEX_KEY, "surname", normalise(name), 6), []).append(name)
    candidates = max(buckets.values(), key=len)
    assert len(candidates) > 1
    assert [c for c in candidates if matches("surname", c, candidates[0].upper())] == [candidates[0]]


# --- planner ------------------------------------------------------------------------


@pytest.mark.parametrize("rows, bits", [(10_000, 12), (50_000, 14), (1_000_000, 18), (10_000_000, 22)])
def test_planner_values(rows, bits):
    assert bits_for(rows) == bits
    assert 2 <= coincidences(rows, bits) < 4


@given(st.integers(8, 2 ** 60))
def test_planner_keeps_at_least_two_coincidences_and_stays_useful(rows):
    bits = bits_for(rows)
    assert 2 <= Fraction(rows, 2 ** bits) < 4
    assert Fraction(rows, 2 ** bits) ** 2 <= rows


def test_planner_limits():
    assert bits_for(1) == bits_for(2) == 1
    assert bits_for(2 ** 80) == 64
    assert bits_for(1_000_000, safety=8) == 16
    with pytest.raises(ValueError):
        bits_for(0)
    with pytest.raises(ValueError):
        bits_for(1000, safety=1)


def test_index_registry():
    assert normaliser_for("surname") is normalise
    assert normaliser_for("birth_date") is normalise_date
    assert normaliser_for("phone") is normalise_phone
    assert normaliser_for("document") is normalise_document
    with pytest.raises(KeyError, match="no blind index named 'sex'"):
        normaliser_for("sex")
    with pytest.raises(ValueError):
        register_index("surname", normalise_phone)
    register_index("surname", normalise)
