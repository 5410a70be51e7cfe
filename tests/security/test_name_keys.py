"""Name keys for the people actually served: Turkish, Arabic-script variants, invisible
characters, other scripts, and the coarser sounds-like key (no app, no database)."""
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseapp.security.blind_index import (
    bits_for,
    bits_for_index,
    blind_index,
    matches,
    name_keys,
    normalise,
    normaliser_for,
    sounds_like,
    strip_invisible,
)
from tests.security.unicode_strategies import INVISIBLE, INVISIBLE_CHARS, insert

INDEX_KEY = b"\x09" * 32


def assert_same_key(index_name: str, *spellings: str) -> None:
    """All spellings have one key and one blind index, and each confirms every other."""
    key = normaliser_for(index_name)
    assert len({key(s) for s in spellings}) == 1, {s: key(s) for s in spellings}
    assert len({blind_index(INDEX_KEY, index_name, key(s), 12) for s in spellings}) == 1
    assert all(matches(index_name, one, other) for one in spellings for other in spellings)


def assert_same_exact_key(*spellings: str) -> None:
    assert_same_key("surname", *spellings)


def assert_same_sound_key(*spellings: str) -> None:
    assert_same_key("surname_sound", *spellings)


# --- Turkish and Azeri dotted and dotless i ----------------------------------------------------

TURKISH = [
    ("YILMAZ", "Yılmaz", "Yilmaz"),          # the example
    ("KILIÇ", "Kılıç", "Kilic"),
    ("IŞIK", "Işık", "Isik", "ışık"),
    ("İLHAN", "İlhan", "Ilhan", "ilhan"),
    ("ŞAHİN", "Şahin", "Sahin"),
    ("ÇELİK", "Çelik", "Celik"),
    ("Aydın", "AYDIN", "Aydin"),
]


@pytest.mark.parametrize("spellings", TURKISH)
def test_turkish_dotless_and_dotted_i_fold_like_i(spellings):
    assert_same_exact_key(*spellings)


# --- Arabic-script letter variants -----------------------------------------------------------------

ARABIC_VARIANTS = [
    ("کریمی", "كريمي"),                      # the example: Persian kaf and yeh / Arabic kaf and yeh
    ("علی", "علي"),                          # Persian / Arabic yeh
    ("موسى", "موسي", "موسی"),                # alef maksura / yeh
    ("فاطمه", "فاطمة", "فاطمۃ"),            # heh / teh marbuta / Urdu teh marbuta goal
    ("شاہ", "شاه", "شاھ"),                  # Urdu heh goal and heh doachashmee / heh
    ("گل", "ګل"),                            # Persian gaf / Pashto gaf
    ("أحمد", "احمد", "إحمد", "ٱحمد"),        # alef with hamza above, below, wasla / bare alef
    ("آدم", "ادم"),                          # alef with madda
    ("مؤمن", "مومن"),                       # waw with hamza
    ("مُحَمَّد", "محمد"),                      # harakat and shadda
    ("محــــمد", "محمد"),                    # tatweel (elongation)
    ("مصطفے", "مصطفی", "مصطفى"),            # Urdu yeh barree / Persian yeh / alef maksura
    ("زرمېنه", "زرمینه"),                    # Pashto e / Persian yeh
    ("ڈار", "دار"),                          # Urdu retroflex dal
    ("ﻛﺮﻳﻢ", "كريم"),                        # presentation forms from a PDF
    ("ۀ", "ه"),                              # heh with yeh above (Persian ezafe) / heh
]


@pytest.mark.parametrize("spellings", ARABIC_VARIANTS)
def test_arabic_script_letter_variants_meet(spellings):
    assert_same_exact_key(*spellings)


@pytest.mark.parametrize("one, other", [("كريم", "كريمي"), ("حسن", "حسين"), ("علي", "عمر"), ("يوسف", "يونس")])
def test_different_arabic_script_names_stay_apart(one, other):
    assert normalise(one) != normalise(other)
    assert not matches("surname", one, other)


# --- invisible format characters -----------------------------------------------------------------


@pytest.mark.parametrize("pasted, typed", [
    ("Had\u200bdad", "Haddad"),                          # the example: zero-width space
    ("Papa\u00addopoulos", "Papadopoulos"),              # soft hyphen from a PDF
    ("\ufeffKarimi", "Karimi"),                          # byte-order mark at the start of a paste
    ("\u200fکریمی\u200f", "کریمی"),                       # right-to-left marks around a Persian name
    ("محمد\u200cعلی", "محمدعلی"),                       # Persian zero-width non-joiner
    ("\u2068Olena\u2069 Shev\u2060chenko", "Olena Shevchenko"),  # bidi isolate, word joiner
    ("Yıl\u200dmaz\u202c", "Yilmaz"),                    # zero-width joiner, pop directional formatting
])
def test_invisible_characters_vanish_and_never_split_a_word(pasted, typed):
    assert normalise(pasted) == normalise(typed)
    assert " " not in normalise(pasted) or " " in normalise(typed)
    assert sounds_like(pasted) == sounds_like(typed)


def test_strip_invisible_removes_every_format_character():
    assert strip_invisible("".join(INVISIBLE_CHARS)) == ""
    assert strip_invisible("Ha\u200bd\u00addad") == "Haddad"
    assert strip_invisible("plain") == "plain"


@given(st.text(), st.lists(st.tuples(st.integers(0, 60), INVISIBLE), min_size=1, max_size=5))
def test_inserting_invisible_characters_anywhere_never_changes_a_name_key(name, insertions):
    pasted = insert(name, insertions)
    assert normalise(pasted) == normalise(name)
    assert sounds_like(pasted) == sounds_like(name)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzαβγδεζηθικλμνξοπρστυφχψωابتثجحخدذرزسشصضطظعغفقكلمنهويیکگ ",
               min_size=1, max_size=20),
       st.lists(st.tuples(st.integers(0, 20), INVISIBLE), min_size=1, max_size=5))
def test_inserting_invisible_characters_into_real_letters_never_changes_a_name_key(name, insertions):
    assert normalise(insert(name, insertions)) == normalise(name)


# --- other scripts: the exact key --------------------------------------------------------------


@pytest.mark.parametrize("spellings", [
    ("Олена Шевченко", "Olena Shevchenko", "OLENA SHEVCHENKO"),   # the example (Ukrainian)
    ("Андрій Коваленко", "Andrii Kovalenko", "Andriy Kovalenko"),  # Ukrainian
    ("Юлія", "Yuliia", "Yulia"),                                  # Ukrainian
    ("Дмитрий Иванов", "Dmitriy Ivanov"),                         # Russian
    ("გიორგი ბერიძე", "Giorgi Beridze"),                           # Georgian
    ("ተስፋዬ", "Tesfaye"),                                          # Amharic / Tigrinya
    ("Łukasz Wałęsa", "Lukasz Walesa"),                            # Latin letters without a decomposition
    ("O'Brien", "O’Brien", "OBrien"),                              # apostrophes vanish
])
def test_other_scripts_meet_their_usual_latin_spelling(spellings):
    assert_same_exact_key(*spellings)


def test_the_greek_elot_rules_still_hold():
    assert normalise("Παπαδόπουλος") == normalise("Papadopoulos") == "papadopulos"
    assert normalise("Μπακογιάννης") == normalise("Bakoyannis")
    assert normalise("Ευάγγελος") == normalise("Evangelos")


# --- sounds-like key ---------------------------------------------------------------------------------

SOUNDS_ALIKE = [
    ("يوسف", "Yusuf", "Youssef", "Yousef"),                          # the examples
    ("Олена Шевченко", "Olena Shevchenko"),
    ("Mohammad", "Muhammad", "Mohamed", "محمد", "مُحَمَّد", "Mehmet", "Магомед"),
    ("Ahmad", "أحمد", "Ahmed", "Achmed", "Ahmet", "Ehmed", "ئەحمەد"),
    ("Fatima", "فاطمة", "فاطمه", "Fatemeh"),
    ("Hussein", "حسين", "Hossein", "Husayn", "Гусейн", "Hüseyin"),
    ("Karimi", "کریمی", "كريمي", "Kerimi"),
    ("Abdullah", "عبدالله", "Abdallah", "Abdollah"),
    ("Abdul Rahman", "Abdulrahman", "عبد الرحمن", "Abdelrahman"),
    ("Nazari", "نظری", "Назарі", "Nazary"),
    ("Khaled", "خالد", "Khalid", "Chaled", "Haled"),
    ("Qasim", "قاسم", "Kasim", "Kassem"),
    ("Omar", "عمر", "Umar"),
    ("Mustafa", "مصطفى", "Moustafa", "Mostafa"),
    ("Ibrahim", "إبراهيم", "Ebrahim", "Ibraheem"),
    ("Şahin", "Shahin", "شاهین", "Sahin"),
    ("Hanna", "Ганна", "Ganna"),
    # as Greek caseworkers type them (μπ for b, ντ for d, no h)
    ("Mohammad", "Μοχάμαντ", "Μοχάμεντ"), ("Yusuf", "Γιουσέφ", "Γιούσουφ"), ("Ahmad", "Αχμάντ", "Αχμέτ"),
    ("Abdullah", "Αμπντουλάχ", "Αμπντουλά"), ("Hussein", "Χουσεΐν"), ("Karimi", "Καρίμι"),
]


@pytest.mark.parametrize("spellings", SOUNDS_ALIKE)
def test_spellings_across_scripts_share_the_sounds_like_key(spellings):
    assert_same_sound_key(*spellings)


@pytest.mark.parametrize("one, other", [("Yusuf", "Karimi"), ("Mohammad", "Ahmad"), ("Olena Shevchenko", "Olena Kovalenko"),
                                        ("Hussein", "Hassan Ali"), ("Papadopoulos", "Papadakis")])
def test_different_names_have_different_sounds_like_keys(one, other):
    assert sounds_like(one) != sounds_like(other)
    assert not matches("surname_sound", one, other)


def test_a_name_without_consonants_keeps_a_key():
    assert sounds_like("Aya") == sounds_like("AYA") != ""
    assert sounds_like("Aya") != sounds_like("Eva")
    assert sounds_like(None) == sounds_like("") == sounds_like(" - ") == ""


@given(st.text())
def test_equal_exact_keys_always_have_equal_sounds_like_keys(value):
    assert sounds_like(normalise(value)) == sounds_like(value)
    assert name_keys(value) == (normalise(value), sounds_like(value))


@given(st.text())
def test_sounds_like_ignores_unicode_normal_form(value):
    expected = sounds_like(value)
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        assert sounds_like(unicodedata.normalize(form, value)) == expected


def test_sounds_like_key_has_its_own_hkdf_key():
    assert normaliser_for("surname_sound") is sounds_like
    assert blind_index(INDEX_KEY, "surname_sound", "krm", 64) != blind_index(INDEX_KEY, "surname", "krm", 64)


# --- the surname's two indexes share one bit budget -----------------------------------------------


@pytest.mark.parametrize("rows, exact, sound", [(10_000, 7, 5), (50_000, 8, 6), (1_000_000, 10, 8),
                                                (10_000_000, 12, 10)])
def test_the_surname_indexes_split_the_fields_budget(rows, exact, sound):
    assert (bits_for_index("surname", rows), bits_for_index("surname_sound", rows)) == (exact, sound)
    assert exact + sound == bits_for(rows)
    assert rows / 2 ** (exact + sound) >= 2        # together they still never single a row out
    assert rows / 2 ** exact <= rows ** 0.5         # and the exact key alone is still worth a lookup


@given(st.integers(8, 2 ** 62))
def test_split_budget_never_exceeds_the_field_budget(rows):
    exact, sound = bits_for_index("surname", rows), bits_for_index("surname_sound", rows)
    assert exact >= 1 and sound >= 1 and exact + sound == bits_for(rows)
    assert exact >= sound


def test_indexes_alone_on_their_field_get_the_whole_budget():
    for name in ("birth_date", "phone", "document"):
        assert bits_for_index(name, 1_000_000) == bits_for(1_000_000) == 18
    with pytest.raises(KeyError):
        bits_for_index("sex", 1000)
