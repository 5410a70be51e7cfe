"""Synthetic dataset for benchmarks: reference data, users, and beneficiaries with case files."""
from __future__ import annotations

import base64
import json
import random
import re
from datetime import date, timedelta

from flask_migrate import upgrade
from sqlalchemy import select, text

from caseapp.auth import service as auth_service
from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.structures.models import Structure
from caseapp.structures.service import load_reference_data

PASSWORD = "benchmark passphrase long enough"
BENCH_KEYS = json.dumps({"active": "bench-1", "keys": {"bench-1": base64.b64encode(b"\x07" * 32).decode()},
                         "index_key": base64.b64encode(b"\x08" * 32).decode(),
                         "audit_key": base64.b64encode(b"\x09" * 32).decode()})
COMMIT_EVERY = 500

# Surnames as caseworkers type them (Latin letters). One person in SEARCHED_EVERY is a
# Papadopoulos, so the search target (which looks the name up in Greek letters) finds
# rows / 100 people: a full 50-row result page at --rows 5000.
SEARCHED_EVERY = 100
SURNAMES = ["Papadopoulos", "Georgiou", "Nikolaou", "Oikonomou", "Dimitriou", "Ioannou", "Konstantinou",
            "Vasileiou", "Athanasiou", "Christodoulou", "Hosseini", "Ahmadi", "Mohammadi", "Rahimi", "Karimi",
            "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Yilmaz", "Demir", "Kaya", "Ali", "Hussain",
            "Khan", "Okafor", "Diallo", "Traore", "Mensah"]
GIVEN_NAMES = ["Maria", "Eleni", "Fatima", "Amina", "Zahra", "Mariam", "Aisha", "Sara", "Nikos", "Giorgos",
               "Ahmad", "Mohammad", "Ali", "Yusuf", "Omar", "Hassan", "Ibrahim", "Mustafa", "Samir", "Kofi"]
SEARCHED_SURNAME = "Παπαδόπουλος"  # Greek spelling of SURNAMES[0]: the blind index must match it


def build_dataset(app, rows: int) -> None:
    with app.app_context():
        upgrade()
        load_reference_data()
        for role, structures in (("admin", ()), ("caseworker", ("KEM",))):
            auth_service.create_user(username=f"bench-{role}", display_name=role, role=role,
                                     password=PASSWORD, structure_codes=structures)
        for i in range(min(rows, 200)):
            auth_service.create_user(username=f"user{i:05d}", display_name=f"User {i}", role="caseworker",
                                     password=PASSWORD, structure_codes=("KEM", "CLINICS"))
        db.session.commit()
        build_beneficiaries(rows)
        if db.engine.dialect.name == "postgresql":
            # Autovacuum would get there in a while; until then the planner believes
            # the bulk-loaded tables are nearly empty and sorts all of them.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def person_values(rng: random.Random, i: int) -> dict:
    """Form-level values, as `RegistrationForm.values()` hands them to the service."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    surname = SURNAMES[0] if i % SEARCHED_EVERY == 0 else SURNAMES[1 + i % (len(SURNAMES) - 1)]
    return {"given_name": rng.choice(GIVEN_NAMES), "family_name": surname,
            "father_name": rng.choice(GIVEN_NAMES), "birth_date": born, "birth_year": born.year,
            "phone": f"+30 69{rng.randrange(10**8):08d}" if rng.random() < 0.7 else None,
            "sex": rng.choice(("female", "male")), "nationality": rng.choice(("SY", "AF", "IQ", "GR", "NG")),
            "language_codes": [rng.choice(("ar", "fa", "en", "el", "fr"))],
            "legal_status": rng.choice(("asylum_seeker", "refugee", "subsidiary_protection")),
            "vulnerability_codes": []}


def build_beneficiaries(rows: int, structure_code: str = "KEM", seed: int = 2026) -> None:
    """`rows` people registered at KEM by the bench caseworker, each with an open case file.

    Through `register_beneficiary`, so data keys, AES-GCM fields, blind indexes,
    references, case files, timeline and audit events are the real ones; one
    commit per `COMMIT_EVERY` registrations (about 7 ms per person on SQLite).
    """
    rng = random.Random(seed)
    for start in range(0, rows, COMMIT_EVERY):
        actor = db.session.execute(select(User).where(User.username == "bench-caseworker")).scalar_one()
        structure = db.session.execute(select(Structure).where(Structure.code == structure_code)).scalar_one()
        for i in range(start, min(rows, start + COMMIT_EVERY)):
            beneficiary_service.register_beneficiary(person_values(rng, i), structure=structure, actor=actor)
        db.session.commit()
        db.session.expunge_all()  # a small identity map keeps each flush cheap


def deep_cursor(app, depth: int) -> str | None:
    """The `after=` cursor the list's "Next page" link carries once `depth` rows have been shown
    (newest first): the id of the `depth`-th row in (created_at, id) descending order."""
    with app.app_context():
        cursor = db.session.execute(
            select(Beneficiary.id).order_by(Beneficiary.created_at.desc(), Beneficiary.id.desc())
            .offset(depth - 1).limit(1)
        ).scalar_one_or_none()
        db.session.remove()
    return str(cursor) if cursor else None


def login(app, role: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": f"bench-{role}", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client
