"""Name keys across scripts, a sounds-like surname index, phones in E.164.

Schema: `beneficiaries.family_name_sound_bidx` (String(16), indexed), the
blind index of `blind_index.sounds_like` over the surname.

Data: the surname and phone normalisers changed (invisible characters,
Turkish ı, Arabic-script letter variants, other scripts transliterated;
phones through libphonenumber), and the surname's bit budget is now shared
by its two indexes, so every live beneficiary's surname and phone are
decrypted with the keyring and their blind indexes recomputed; a phone that
libphonenumber finds valid is re-encrypted in E.164, any other is kept as
typed (with ASCII digits) and counted in the log. Erased people (data key
destroyed) have nothing to recompute.

Downgrade recomputes the indexes with the previous normalisers (frozen
below, as they were) and drops the column; phones stay in E.164, which the
previous code reads and indexes like any typed number.

The keyring and BLIND_INDEX_EXPECTED_ROWS come from the app running the
migration (`flask db upgrade`); a database with beneficiaries cannot be
migrated without the keys. Logs carry counts only.

Revision ID: 0004_name_keys_phones
Revises: 0013_interpretation
"""
import logging
import re
import unicodedata

import phonenumbers
import sqlalchemy as sa
from alembic import op
from flask import current_app

from caseapp.beneficiaries.phones import stored_form
from caseapp.security import blind_index as bidx
from caseapp.security.crypto import aad_for, open_sealed, seal, unwrap_key
from caseapp.security.keyring import current_keyring

revision = '0004_name_keys_phones'
down_revision = '0013_interpretation'
branch_labels = None
depends_on = None

BATCH = 500
DEFAULT_EXPECTED_ROWS = 1_000_000
log = logging.getLogger("alembic.runtime.migration")

beneficiaries = sa.table(
    "beneficiaries",
    sa.column("id", sa.Uuid()), sa.column("data_key_id", sa.Uuid()),
    sa.column("family_name", sa.LargeBinary()), sa.column("family_name_bidx", sa.String()),
    sa.column("family_name_sound_bidx", sa.String()),
    sa.column("phone", sa.LargeBinary()), sa.column("phone_bidx", sa.String()),
)
data_keys = sa.table("data_keys", sa.column("id", sa.Uuid()), sa.column("wrapped", sa.LargeBinary()))


def upgrade():
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_name_sound_bidx', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_beneficiaries_family_name_sound_bidx'), ['family_name_sound_bidx'],
                              unique=False)
    _recompute(_current_keys)


def downgrade():
    _recompute(_previous_keys)
    # Not in batch mode: on SQLite that copies the table, which its foreign keys forbid once
    # people are in it; DROP COLUMN (SQLite 3.35 and later) leaves the table in place.
    op.drop_index(op.f('ix_beneficiaries_family_name_sound_bidx'), table_name='beneficiaries')
    op.drop_column('beneficiaries', 'family_name_sound_bidx')


# --- recomputing ------------------------------------------------------------------------------


def _recompute(keys_for) -> None:
    """Decrypt each live person's surname and phone, and write what `keys_for` makes of them."""
    connection = op.get_bind()
    live = (sa.select(beneficiaries.c.id, beneficiaries.c.data_key_id, data_keys.c.wrapped,
                      beneficiaries.c.family_name, beneficiaries.c.phone)
            .join(data_keys, data_keys.c.id == beneficiaries.c.data_key_id)
            .where(data_keys.c.wrapped.is_not(None),
                   sa.or_(beneficiaries.c.family_name.is_not(None), beneficiaries.c.phone.is_not(None)))
            .order_by(beneficiaries.c.id).limit(BATCH))
    after, counts = None, {"people": 0, "phones_e164": 0, "phones_kept": 0}
    keyring = None
    while True:
        rows = connection.execute(live if after is None else live.where(beneficiaries.c.id > after)).all()
        if not rows:
            break
        keyring = keyring or current_keyring()
        changes = [keys_for(keyring, row, counts) for row in rows]
        connection.execute(
            beneficiaries.update().where(beneficiaries.c.id == sa.bindparam("row_id")),
            [{"row_id": row.id, **change} for row, change in zip(rows, changes)])
        counts["people"] += len(rows)
        after = rows[-1].id
    log.info("blind indexes recomputed for %(people)d people; phones stored in E.164: %(phones_e164)d, "
             "kept as typed (not a valid number): %(phones_kept)d", counts)


def _expected_rows() -> int:
    return current_app.config.get("BLIND_INDEX_EXPECTED_ROWS") or DEFAULT_EXPECTED_ROWS


def _opened(keyring, row) -> tuple[bytes, str | None, str | None]:
    plain = unwrap_key(keyring, bytes(row.wrapped), row.data_key_id)

    def read(column: str, blob):
        return None if blob is None else open_sealed(plain, bytes(blob), aad_for("beneficiaries", column, row.id))

    return plain, read("family_name", row.family_name), read("phone", row.phone)


def _index(keyring, name: str, normalised: str, bits: int) -> str | None:
    return bidx.blind_index(keyring.index_key, name, normalised, bits) if normalised else None


def _current_keys(keyring, row, counts) -> dict:
    plain, surname, phone = _opened(keyring, row)
    rows = _expected_rows()
    change = {
        "family_name_bidx": _index(keyring, "surname", bidx.normalise(surname), bidx.bits_for_index("surname", rows)),
        "family_name_sound_bidx": _index(keyring, "surname_sound", bidx.sounds_like(surname) if surname else "",
                                         bidx.bits_for_index("surname_sound", rows)),
        "phone": row.phone,
        "phone_bidx": None,
    }
    if phone is not None:
        stored = stored_form(phone) or phone
        if stored != phone:
            change["phone"] = seal(plain, row.data_key_id, stored, aad_for("beneficiaries", "phone", row.id))
        number = bidx.parse_phone(stored)
        counts["phones_e164" if number is not None and phonenumbers.is_valid_number(number) else "phones_kept"] += 1
        change["phone_bidx"] = _index(keyring, "phone", bidx.normalise_phone(stored),
                                      bidx.bits_for_index("phone", rows))
    return change


def _previous_keys(keyring, row, counts) -> dict:
    _plain, surname, phone = _opened(keyring, row)
    bits = bidx.bits_for(_expected_rows())
    return {
        "family_name_bidx": _index(keyring, "surname", _previous_normalise(surname), bits),
        "family_name_sound_bidx": None,
        "phone": row.phone,
        "phone_bidx": _index(keyring, "phone", _previous_normalise_phone(phone), bits),
    }


# --- the normalisers as they were before this revision (for the downgrade) ---------------------
# Frozen copies: later changes to caseapp.security.blind_index must not change what this
# revision restores.

_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "ϲ": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch",
    "ψ": "ps", "ω": "o", "ϳ": "j",
}
_GREEK_PAIRS = {"ου": "ou", "γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch", "ντ": "nt"}
_VOWEL_U_DIGRAPHS = {"α": "a", "ε": "e", "η": "i"}
_VOICED_OR_VOWEL = set("αεηιοωυβγδζλμνρ")
_FOLDS = tuple((re.compile(pattern), replacement) for pattern, replacement in (
    (r"ph", "f"), (r"ch", "h"), (r"ks", "x"), (r"mb", "mp"), (r"nd", "nt"), (r"gg", "ng"), (r"^mp", "b"),
    (r"^nt", "d"), (r"^gk", "g"), (r"gk", "ng"), (r"y", "i"), (r"gi(?=[aeiou])", "i"), (r"ou", "u"),
    (r"([a-z])\1+", r"\1"),
))


def _previous_normalise(value) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(value)).casefold())
    chars = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.category(char) == "Mn":
            if char == "\u0308" and chars:
                chars[-1] = (chars[-1][0], True)
            continue
        chars.append((char, False))
    out, i = [], 0
    while i < len(chars):
        latin, consumed = _previous_greek_at(chars, i)
        out.append(latin)
        i += consumed
    return unicodedata.normalize("NFC", " ".join(_previous_fold(word) for word in "".join(out).split()))


def _previous_greek_at(chars, i):
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


def _previous_fold(word: str) -> str:
    while True:
        folded = word
        for pattern, replacement in _FOLDS:
            folded = pattern.sub(replacement, folded)
        if folded == word:
            return word
        word = folded


def _previous_normalise_phone(value) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    digits = "".join(str(d) for d in (unicodedata.decimal(c, None) for c in text) if d is not None)
    international = bool(re.match(r"^\D*\+", text)) or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("30") and (international or len(digits) == 12):
        digits = digits[2:]
    return digits
