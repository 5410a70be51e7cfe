"""The duplicate check does the same work whoever holds a match (issue: response time revealed the shelter).

Compared, for the same kind of input: no match, a match held only by a confidential structure,
a match held by another structure, a match the user may see. Each must issue the same SQL
statements (same text, same number) and the same number of key unwraps and AES-GCM openings;
a registration that matches a person held only by the shelter must cost exactly what a
registration that matches nobody costs.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from caseapp.auth.models import User
from caseapp.beneficiaries import queries
from caseapp.extensions import db
from caseapp.security import crypto, encrypted
from tests.beneficiaries.conftest import form_data, registered_id
from tests.factories import make_beneficiary, make_user, structure

# One person per scenario, with their own details; what is typed matches exactly one of them.
PEOPLE = {
    "confidential": ("SHELTER-W", {"family_name": "Rahimi", "birth_date": date(1995, 1, 9)}),
    "elsewhere": ("KYADA", {"family_name": "Haidari", "birth_date": date(1989, 7, 7), "phone": "+30 697 000 1111",
                            "document_type": "passport", "document_number": "P9876543"}),
    "visible": ("KEM", {"family_name": "Sultani", "birth_date": date(2001, 12, 24), "phone": "+30 698 111 2222"}),
}
TYPED = {
    "no match": {"surname": "Nobodyknown", "birth_date": date(1970, 3, 3)},
    "confidential": {"surname": "رحیمی", "birth_date": date(1995, 1, 9)},   # across scripts, too
    "elsewhere": {"surname": "Haidari", "birth_date": date(1989, 7, 7)},
    "visible": {"surname": "Sultani", "birth_date": date(2001, 12, 24)},
}
COMMON = {"phone": None, "document": None, "birth_year": None}


@contextmanager
def recorded():
    """SQL statements sent, and key unwraps and AES-GCM openings made, inside the block."""
    engine = db.session.get_bind().engine
    work = {"statements": [], "unwraps": 0, "openings": 0}

    def on_statement(_conn, _cursor, statement, _params, _context, _many):
        # the tests' rolled-back transaction numbers its savepoints; the application does not choose them
        work["statements"].append(re.sub(r"sa_savepoint_\d+", "sa_savepoint", statement))

    def counting(name, function):
        def counted(*args, **kwargs):
            work[name] += 1
            return function(*args, **kwargs)
        return counted

    patches = [(crypto, "unwrap_key", "unwraps"), (encrypted, "unwrap_key", "unwraps"),
               (encrypted, "open_sealed", "openings")]
    originals = [(module, attr, getattr(module, attr)) for module, attr, _ in patches]
    for module, attr, name in patches:
        setattr(module, attr, counting(name, getattr(module, attr)))
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield work
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        for module, attr, original in originals:
            setattr(module, attr, original)


def test_the_duplicate_check_makes_the_same_queries_and_decryptions_whoever_holds_the_match(db_session):
    people = {name: make_beneficiary(code, **values).id for name, (code, values) in PEOPLE.items()}
    user = make_user("caseworker", structures=("KEM",))
    work, reports = {}, {}
    for scenario, typed in TYPED.items():
        user = fresh(user)
        with recorded() as spent:
            reports[scenario] = queries.find_possible_duplicates(user, **{**COMMON, **typed})
        work[scenario] = spent

    assert not reports["no match"].any and not reports["confidential"].any
    assert reports["elsewhere"].elsewhere and not reports["elsewhere"].visible
    assert [b.id for b in reports["visible"].visible] == [people["visible"]]

    baseline = work["no match"]
    assert len(baseline["statements"]) == 1
    assert baseline["unwraps"] == queries.DUPLICATE_CHECK_READS
    assert baseline["openings"] == queries.DUPLICATE_CHECK_READS * 4
    for scenario, spent in work.items():
        assert spent == baseline, scenario


@pytest.mark.parametrize("matching, not_matching", [
    ({"phone": "+30 697 000 1111"}, {"phone": "+30 690 000 0000"}),
    ({"document": "p 987-6543"}, {"document": "Q0000000"}),
    ({"surname": "حیدری", "birth_year": 1989}, {"surname": "Haidari", "birth_year": 1950}),
])
def test_other_kinds_of_match_with_the_shelter_cost_what_no_match_costs(db_session, matching, not_matching):
    make_beneficiary("SHELTER-W", family_name="Haidari", birth_year=1989, phone="+30 697 000 1111",
                     document_type="passport", document_number="P9876543")
    user = make_user("caseworker", structures=("KEM",))
    db.session.commit()
    spent = {}
    for scenario, typed in (("match", matching), ("no match", not_matching)):
        user = fresh(user)
        with recorded() as spent[scenario]:
            report = queries.find_possible_duplicates(user, **{**COMMON, "surname": None, "birth_date": None,
                                                             **typed})
        assert not report.any
    assert spent["match"] == spent["no match"]


def test_registering_a_person_the_shelter_holds_costs_what_registering_a_new_person_costs(client, login_as):
    make_beneficiary("SHELTER-W", family_name="Rahimi", given_name="Zahra", birth_date=date(1995, 1, 9),
                     phone="+30 698 765 4321")
    make_beneficiary("KEM", family_name="Someone", birth_date=date(1960, 1, 1))  # the year's reference counter exists
    login_as("caseworker", structures=("KEM",))
    spent = {}
    for scenario, details in (("shelter", {"family_name": "Rahimi", "given_name": "Zahra",
                                           "birth_date": "1995-01-09", "phone": "6987654321"}),
                              ("nobody", {"family_name": "Newperson", "given_name": "Nadia",
                                          "birth_date": "1994-02-10", "phone": "6987654000"})):
        data = form_data(client, "/beneficiaries/new", structure=str(structure("KEM").id), sex="female",
                         legal_status="refugee", **details)
        db.session.commit()
        db.session.expunge_all()  # a new request: nothing loaded, nothing decrypted yet
        with recorded() as spent[scenario]:
            registered_id(client.post("/beneficiaries/new", data=data))
    assert len(spent["shelter"]["statements"]) > 5
    assert spent["shelter"] == spent["nobody"]


def fresh(user):
    """The user as a new request loads it, with nothing else in the session."""
    user_id = user.id
    db.session.commit()
    db.session.expunge_all()
    return db.session.get(User, user_id)
