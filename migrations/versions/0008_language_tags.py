"""Languages as BCP 47 tags with dialects: stored values in their canonical form.

Revision ID: 0008_language_tags
Revises: 0016_stays

Reviewed by hand.

The language list grew from the ISO 639-1 codes to BCP 47 tags with the dialects
of the people served (`caseapp.beneficiaries.language_tags`). Every stored
language value (a beneficiary's languages, an interpreter's languages, an
interpretation request's language) is rewritten in its canonical form:

- letter case and separator (``AR`` → ``ar``, ``fa_AF`` → ``prs``);
- other spellings of a listed tag (``fa-AF`` → ``prs`` Dari, ``ajp`` → ``apc``);
- codes BCP 47 / CLDR replaced: ``tl`` → ``fil`` (Tagalog/Filipino), ``iw`` → ``he``,
  ``in`` → ``id``, ``ji`` → ``yi``, ``jw`` → ``jv``, ``mo`` → ``ro``;
- a beneficiary's list without repeats, sorted (as the model writes it). An
  interpreter who ends up with the same tag twice keeps one row.

A value the mapping does not know is kept as it is (never dropped). The mapping is
frozen here: later changes to the application's list do not change what this
migration did.

Downgrade: the tags the previous list did not have become the language they are a
variety of (``apc`` → ``ar``, ``prs`` → ``fa``, ``kmr`` → ``ku``), or its previous
code (``fil`` → ``tl``); tags without a previous equivalent are kept.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0008_language_tags'
down_revision = '0016_stays'
branch_labels = None
depends_on = None

SEPARATOR = ","
ALIASES = {
    "fa-af": "prs", "ajp": "apc", "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
    "tl": "fil", "ku-latn": "kmr", "ku-arab": "ckb", "pa-arab": "pnb", "pa-pk": "pnb",
}
# Tags new in this revision -> what the previous list (ISO 639-1) called them.
PREVIOUS = {
    "prs": "fa", "haz": "fa", "kmr": "ku", "ckb": "ku", "sdh": "ku", "apc": "ar", "acm": "ar", "arz": "ar",
    "apd": "ar", "afb": "ar", "ayl": "ar", "aeb": "ar", "arq": "ar", "ary": "ar", "pnb": "pa", "fil": "tl",
}
_SHAPE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def canonical(code: str) -> str:
    key = code.strip().replace("_", "-").lower()
    if not _SHAPE.match(key):
        return code
    return ALIASES.get(key, key)


def previous(code: str) -> str:
    return PREVIOUS.get(code, code)


def _join(codes) -> str:
    return SEPARATOR.join(sorted({code for code in codes if code}))


beneficiaries = sa.table("beneficiaries", sa.column("id", sa.Uuid()), sa.column("languages", sa.String()))
interpreter_languages = sa.table("interpreter_languages", sa.column("interpreter_id", sa.Uuid()),
                                 sa.column("code", sa.String()))
requests = sa.table("interpretation_requests", sa.column("id", sa.Uuid()), sa.column("language", sa.String()))


def _rewrite(mapping) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(beneficiaries.c.id, beneficiaries.c.languages)
                              .where(beneficiaries.c.languages != "")).all()
    for row_id, stored in rows:
        rewritten = _join(mapping(code) for code in stored.split(SEPARATOR))
        if rewritten != stored:
            connection.execute(beneficiaries.update().where(beneficiaries.c.id == row_id)
                               .values(languages=rewritten))

    have: dict = {}
    for interpreter_id, code in connection.execute(sa.select(interpreter_languages)).all():
        have.setdefault(interpreter_id, set()).add(code)
    for interpreter_id, codes in have.items():
        for code in sorted(codes):
            new = mapping(code)
            if new == code:
                continue
            connection.execute(interpreter_languages.delete().where(
                interpreter_languages.c.interpreter_id == interpreter_id, interpreter_languages.c.code == code))
            if new not in codes:
                connection.execute(interpreter_languages.insert().values(interpreter_id=interpreter_id, code=new))
                codes.add(new)

    for row_id, code in connection.execute(sa.select(requests.c.id, requests.c.language)).all():
        new = mapping(code)
        if new != code:
            connection.execute(requests.update().where(requests.c.id == row_id).values(language=new))


def upgrade():
    _rewrite(canonical)


def downgrade():
    _rewrite(previous)
