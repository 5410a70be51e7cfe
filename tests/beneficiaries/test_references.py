"""References are random, typo-proof and short; former sequential ones keep working."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from caseapp.beneficiaries import references, service
from caseapp.beneficiaries.models import Beneficiary, FormerReference
from caseapp.beneficiaries.queries import beneficiary_by_reference
from caseapp.beneficiaries.references import (
    ALPHABET, is_valid_reference, new_reference, normalise_reference, reference_problem,
)
from caseapp.extensions import db
from tests.beneficiaries.conftest import database_before_hardening
from tests.factories import make_beneficiary, make_user
from tests.test_migrations import empty_database  # noqa: F401  (fixture)

NEW_FORMAT = re.compile(r"^B-\d{2}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]$")


def test_a_new_reference_is_short_random_and_carries_a_check_symbol():
    drawn = {new_reference(2026) for _ in range(200)}
    assert len(drawn) == 200
    assert all(NEW_FORMAT.match(r) and r.startswith("B-26-") and is_valid_reference(r) for r in drawn)


def test_every_single_mistyped_symbol_and_neighbour_swap_is_caught():
    reference = "B-26-7KQ4X-" + references.check_symbol("267KQ4X")
    compact = reference.replace("-", "")[1:]
    for position in range(len(compact)):
        for symbol in ALPHABET:
            if symbol != compact[position]:
                typo = compact[:position] + symbol + compact[position + 1:]
                assert not is_valid_reference("B" + typo), typo
    for position in range(len(compact) - 1):
        a, b = compact[position], compact[position + 1]
        if a != b and {a, b} != {"0", "Z"}:  # the one swap Luhn mod N cannot see
            swapped = compact[:position] + b + a + compact[position + 2:]
            assert not is_valid_reference("B" + swapped), swapped


@pytest.mark.parametrize("typed", [" b-26-7kq4x-{c} ", "B 26 7KQ4X {c}", "267KQ4X{c}", "Β-26-7ΚQ4Χ-{c}",
                                   "b.26.7kq4x.{c}"])
def test_typed_and_scanned_references_are_normalised(typed):
    check = references.check_symbol("267KQ4X")
    assert normalise_reference(typed.format(c=check.lower())) == f"B-26-7KQ4X-{check}"


def test_crockford_confusions_are_read_as_digits():
    check = references.check_symbol("2610101")
    assert normalise_reference(f"B-26-1O1OI-{check}") == f"B-26-10101-{check}"
    assert normalise_reference(f"B-26-lolol-{check}") == f"B-26-10101-{check}"


def test_a_typo_is_told_apart_from_something_that_is_not_a_reference():
    good = new_reference(2026)
    wrong_check = good[:-1] + next(s for s in ALPHABET if s != good[-1])
    assert reference_problem(good) is None
    assert reference_problem(wrong_check) == "check"
    assert reference_problem("hello") == "shape" and normalise_reference("hello") is None
    assert normalise_reference("B-2026-004213") == "B-2026-004213"  # a former sequential one


def test_references_of_one_structure_reveal_nothing_about_registrations_elsewhere(db_session):
    kem = make_user("caseworker", structures=("KEM",))
    shelter = make_user("caseworker", structures=("SHELTER-W",))
    ours = []
    for _ in range(12):
        ours.append(make_beneficiary("KEM", actor=kem).reference)
        make_beneficiary("SHELTER-W", actor=shelter)
    assert all(NEW_FORMAT.match(r) for r in ours)
    assert sorted(ours) != ours  # no order to read gaps from


def test_a_reference_already_issued_is_drawn_again(db_session, monkeypatch):
    existing = make_beneficiary("KEM")
    fresh = new_reference(2026)
    draws = iter([existing.reference, fresh])
    monkeypatch.setattr(references, "new_reference", lambda year: next(draws))
    assert make_beneficiary("KEM").reference == fresh


def test_a_collision_caught_by_the_unique_index_is_drawn_again(db_session, monkeypatch):
    existing = make_beneficiary("KEM")
    fresh = new_reference(2026)
    draws = iter([existing.reference, fresh])
    monkeypatch.setattr(references, "new_reference", lambda year: next(draws))
    monkeypatch.setattr(service, "_reference_taken", lambda reference: False)  # a concurrent insert won
    person = make_beneficiary("KEM")
    assert person.reference == fresh
    assert db.session.get(Beneficiary, person.id) is person


# --- where a reference is typed ------------------------------------------------------------------


def test_search_finds_a_reference_typed_loosely_and_explains_a_typo(client, login_as, search):
    me = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=me)
    loose = person.reference.lower().replace("-", " ").replace("0", "o")
    found = search(reference=loose).get_data(as_text=True)
    assert person.reference in found and person.family_name in found
    typo = person.reference[:-1] + next(s for s in ALPHABET if s != person.reference[-1])
    answer = search(reference=typo)
    assert answer.status_code == 400
    assert "has a typo" in answer.get_data(as_text=True)
    assert typo in answer.get_data(as_text=True)  # what was typed stays in the field


def test_a_former_reference_still_finds_the_person(client, login_as, search):
    me = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=me)
    db.session.add(FormerReference(reference="B-2025-000042", beneficiary_id=person.id))
    db.session.flush()
    assert person.family_name in search(reference="b-2025-000042").get_data(as_text=True)
    assert beneficiary_by_reference("B-2025-000042") is person


# --- the migration re-issues references written before it ------------------------------------------


def test_upgrading_reissues_sequential_references_and_keeps_them_as_aliases(empty_database):  # noqa: F811
    with database_before_hardening(empty_database) as uid:
        before = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        kem_id = db.session.execute(text("SELECT id FROM structures WHERE code = 'KEM'")).scalar_one()
        people = {f"B-2026-{n:06d}": uuid.uuid4() for n in (1, 2, 7)}
        now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        for reference, person_id in people.items():
            key_id = uuid.uuid4()
            db.session.execute(text("INSERT INTO data_keys (id, root_key_id, created_at) VALUES (:id, 'r', :t)"),
                               {"id": uid(key_id), "t": now})
            db.session.execute(text(
                "INSERT INTO beneficiaries (id, reference, data_key_id, registered_structure_id, created_at, "
                "version, sex, languages, legal_status, vulnerabilities) "
                "VALUES (:id, :ref, :key, :s, :t, 1, 'female', '', 'unknown', '')"),
                {"id": uid(person_id), "ref": reference, "key": uid(key_id), "s": kem_id, "t": now})
        db.session.execute(text("INSERT INTO beneficiary_reference_counters VALUES (2026, 7)"))
        db.session.commit()

        upgrade()
        assert "beneficiary_reference_counters" not in inspect(db.engine).get_table_names()
        for former, person_id in people.items():
            person = beneficiary_by_reference(former)
            assert person is not None and person.id == person_id
            assert NEW_FORMAT.match(person.reference) and person.reference.startswith("B-26-")
            assert beneficiary_by_reference(person.reference) is person
        assert len({b.reference for b in db.session.execute(select(Beneficiary)).scalars()}) == 3
        db.session.rollback()

        downgrade(revision=before)
        restored = dict(db.session.execute(text("SELECT reference, id FROM beneficiaries")).all())
        assert set(restored) == set(people)
        assert db.session.execute(text("SELECT last_value FROM beneficiary_reference_counters "
                                       "WHERE year = 2026")).scalar_one() == 7
        db.session.commit()
