"""Migration 0019 on a database holding people whose sounds-like keys the previous folds wrote, on
both backends: after the upgrade the Greek spellings of Arabic names meet their Latin ones as
"similar names"; the downgrade puts the previous keys back; the exact keys never change."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from caseapp.beneficiaries import queries
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.security.blind_index import bits_for_index, blind_index
from caseapp.security.encrypted import blind_index_for
from caseapp.security.keyring import current_keyring
from caseapp.structures.service import load_reference_data
from tests.conftest import make_app
from tests.factories import beneficiary_values, make_user, structure
from tests.test_migrations import empty_database  # noqa: F401  (fixture: a new database per backend)

_PATH = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0019_sound_keys.py"
_spec = importlib.util.spec_from_file_location("migration_0019", _PATH)
MIGRATION = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(MIGRATION)

# Greek spellings of Arabic names, as caseworkers type them, and the Latin spellings they must meet;
# the first two did not meet under the previous folds, the others did and still must.
PAIRS = [("Ιμπραήμ", "Ibrahim"), ("Τζαμάλ", "Jamal"), ("Χασάν", "Hassan"), ("Αχμάντ", "Ahmed")]
NAMES = [name for pair in PAIRS for name in pair]
# (stored, searched) that the keys stored by the previous folds could not bring together.
NEWLY_MET = [("Ibrahim", "Ιμπραήμ"), ("Τζαμάλ", "Jamal")]


def _old_sound_key(app, surname: str) -> str:
    bits = bits_for_index("surname_sound", app.config["BLIND_INDEX_EXPECTED_ROWS"])
    return blind_index(current_keyring().index_key, "surname_sound", MIGRATION._previous_sounds_like(surname), bits)


def _keys(person_id):
    table = Beneficiary.__table__
    return db.session.execute(sa.select(table.c.family_name_bidx, table.c.family_name_sound_bidx)
                              .where(table.c.id == person_id)).one()


def test_greek_spellings_meet_their_latin_ones_after_the_upgrade_and_the_downgrade_restores(empty_database):  # noqa: F811
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=MIGRATION.down_revision)
        load_reference_data()
        caseworker = make_user("caseworker", structures=("KEM",))
        people = {}
        for name in NAMES:
            person = beneficiary_service.register_beneficiary(beneficiary_values(family_name=name),
                                                              structure=structure("KEM"), actor=caseworker)
            people[name] = person.id
        db.session.flush()
        table = Beneficiary.__table__
        for name, person_id in people.items():   # as the previous release wrote them
            db.session.execute(table.update().where(table.c.id == person_id)
                               .values(family_name_sound_bidx=_old_sound_key(app, name)))
        db.session.commit()
        exact_before = {person_id: _keys(person_id)[0] for person_id in people.values()}
        for stored, searched in NEWLY_MET:
            found = queries.search_similar(caseworker, queries.Criteria(surname=searched))
            assert people[stored] not in {p.id for p in found}, (stored, searched)
        db.session.remove()

        upgrade()

        caseworker = db.session.merge(caseworker)
        for greek, latin in PAIRS:
            for stored, searched in ((greek, latin), (latin, greek)):
                found = queries.search_similar(caseworker, queries.Criteria(surname=searched))
                assert people[stored] in {p.id for p in found}, (stored, searched)
        for name, person_id in people.items():
            exact, sound = _keys(person_id)
            assert sound == blind_index_for("surname_sound", name) and exact == exact_before[person_id]
        db.session.remove()

        downgrade(revision=MIGRATION.down_revision)

        for name, person_id in people.items():
            assert _keys(person_id) == (exact_before[person_id], _old_sound_key(app, name))
        db.session.remove()
