"""The sounds-like surname key meets Greek spellings of Arabic and Persian names.

Data only: `blind_index.sounds_like` now folds Greek τζ (tz) to j, drops an h left between
two consonants of the skeleton (Greek has no h and leaves it out there: "Ιμπραήμ" /
"Ibrahim"; "Τζαμάλ" / "Jamal"), and makes letters single once the vowels between them are
gone ("محمد" / "Mohammad").
Every live beneficiary's surname is decrypted with the keyring and its
`family_name_sound_bidx` recomputed; the exact keys do not change. Erased people (data
key destroyed) have nothing to recompute. The downgrade recomputes the key with the
previous folds (frozen below). Logs carry counts only.

Revision ID: 0019_sound_keys
Revises: 0018_inquiry_repeats
"""
import logging
import re

import sqlalchemy as sa
from alembic import op
from flask import current_app

from caseapp.security import blind_index as bidx
from caseapp.security.crypto import aad_for, open_sealed, unwrap_key
from caseapp.security.keyring import current_keyring

revision = '0019_sound_keys'
down_revision = '0018_inquiry_repeats'
branch_labels = None
depends_on = None

BATCH = 500
DEFAULT_EXPECTED_ROWS = 1_000_000
log = logging.getLogger("alembic.runtime.migration")

beneficiaries = sa.table(
    "beneficiaries",
    sa.column("id", sa.Uuid()), sa.column("data_key_id", sa.Uuid()),
    sa.column("family_name", sa.LargeBinary()), sa.column("family_name_sound_bidx", sa.String()),
)
data_keys = sa.table("data_keys", sa.column("id", sa.Uuid()), sa.column("wrapped", sa.LargeBinary()))


def upgrade():
    _recompute(bidx.sounds_like)


def downgrade():
    _recompute(_previous_sounds_like)


def _recompute(sounds_like) -> None:
    """Decrypt each live person's surname and write `sounds_like(surname)`'s blind index."""
    connection = op.get_bind()
    live = (sa.select(beneficiaries.c.id, beneficiaries.c.data_key_id, data_keys.c.wrapped,
                      beneficiaries.c.family_name)
            .join(data_keys, data_keys.c.id == beneficiaries.c.data_key_id)
            .where(data_keys.c.wrapped.is_not(None), beneficiaries.c.family_name.is_not(None))
            .order_by(beneficiaries.c.id).limit(BATCH))
    bits = bidx.bits_for_index("surname_sound",
                               current_app.config.get("BLIND_INDEX_EXPECTED_ROWS") or DEFAULT_EXPECTED_ROWS)
    after, people, keyring = None, 0, None
    while True:
        rows = connection.execute(live if after is None else live.where(beneficiaries.c.id > after)).all()
        if not rows:
            break
        keyring = keyring or current_keyring()
        changes = []
        for row in rows:
            plain = unwrap_key(keyring, bytes(row.wrapped), row.data_key_id)
            surname = open_sealed(plain, bytes(row.family_name), aad_for("beneficiaries", "family_name", row.id))
            key = sounds_like(surname) if surname else ""
            changes.append({"row_id": row.id, "family_name_sound_bidx":
                            bidx.blind_index(keyring.index_key, "surname_sound", key, bits) if key else None})
        connection.execute(beneficiaries.update().where(beneficiaries.c.id == sa.bindparam("row_id")), changes)
        people += len(rows)
        after = rows[-1].id
    log.info("sounds-like surname keys recomputed for %d people", people)


# --- the folds as they were before this revision (for the downgrade) ---------------------------
# A frozen copy: later changes to caseapp.security.blind_index must not change what this restores.

_PREVIOUS_SOUND_FOLDS = tuple((re.compile(pattern), replacement) for pattern, replacement in (
    (r"dzh|dj|zh", "j"), (r"kh", "h"), (r"gh", "g"), (r"sh", "s"), (r"th", "t"), (r"dh", "z"), (r"[cq]", "k"),
    (r"mp", "b"), (r"nt", "t"), (r"p", "b"), (r"d", "t"), (r"h$", ""), (r"g", "h"), (r"([a-z])\1+", r"\1"),
    (r"[aeiouywv]", ""),
))


def _previous_sounds_like(value) -> str:
    words = bidx.normalise(value).split()
    skeleton = ""
    for word in words:
        for pattern, replacement in _PREVIOUS_SOUND_FOLDS:
            word = pattern.sub(replacement, word)
        skeleton += word
    return skeleton or "".join(words)
