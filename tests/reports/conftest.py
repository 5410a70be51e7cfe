"""A fixed generated dataset for the report tests (the demo generator, small and seeded)."""
from __future__ import annotations

import random
from datetime import date

import pytest

from caseapp.extensions import db
from caseapp.reports.demo import demo_services, generate
from tests.factories import make_user, structure
from tests.interpretation.factories import make_interpreter

TODAY = date(2026, 4, 20)
CODES = ("KEM", "DIS-PROG", "SHELTER-W", "KYADA")


def make_dataset(count: int, seed: int = 7, codes=CODES):
    """`count` people over the sixteen months before `TODAY` at `codes`, with case files,
    two caseworkers per structure and interpretation requests."""
    structures = {code: structure(code) for code in codes}
    staff = {s.id: [make_user("caseworker", structures=(code,)) for _ in range(2)] for code, s in structures.items()}
    interpreter = make_interpreter(("ar", "fa"))
    totals = generate(count, structures=structures, staff=staff, rng=random.Random(seed), today=TODAY,
                      interpretation_rate=25, interpreters=[interpreter], expunge=False,
                      services=demo_services(structures)[0], partner_services=demo_services(structures)[1])
    db.session.flush()
    return totals, structures, staff


@pytest.fixture
def dataset(db_session):
    return make_dataset(70)
