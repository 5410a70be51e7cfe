"""Demo data for deliveries (`flask demo load`): people known at the food centre with a few
meals served, and a Greek class at KEM with its register.

Loaded once, into a database that has the demo users and people (caseapp/demo.py) and no
delivery yet.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.deliveries import service
from caseapp.deliveries.models import ServiceDelivery
from caseapp.extensions import db
from caseapp.structures.models import Service, Structure

# Fictional people who eat at the food centre: (given name, family name, sex, birth year, nationality).
FOOD_CENTRE_PEOPLE = [
    ("Giorgos", "Lamprou", "male", 1961, "GR"),
    ("Samira", "Benali", "female", 1984, "MA"),
    ("Ahmad", "Sharifi", "male", 1990, "AF"),
    ("Olena", "Kovalenko", "female", 1975, "UA"),
    ("Kostas", "Vlachos", "male", 1958, "GR"),
    ("Fatima", "Diallo", "female", 1993, "GN"),
]


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _service(structure_code: str, code: str) -> Service:
    return db.session.execute(
        select(Service).join(Structure).where(Structure.code == structure_code, Service.code == code)).scalar_one()


def load_demo_deliveries() -> int:
    """Register the food-centre people with the `food` demo user, serve them meals on the last
    three days, and hold a Greek class at KEM with the KEM demo people. Returns how many
    deliveries were recorded (0 if there already were some, or the demo users are missing)."""
    from caseapp.beneficiaries import service as beneficiary_service

    if db.session.execute(select(ServiceDelivery.id).limit(1)).first() is not None:
        return 0
    desk, kem = _user("food"), _user("caseworker")
    if desk is None or kem is None:
        return 0
    food_centre = next(s for s in desk.structures if s.code == "KYADA-FOOD")
    meals = _service("KYADA-FOOD", "MEALS")
    today = local_today()
    recorded = 0
    for given, family, sex, year, nationality in FOOD_CENTRE_PEOPLE:
        person = beneficiary_service.register_beneficiary(
            {"given_name": given, "family_name": family, "sex": sex, "birth_year": year,
             "nationality": nationality, "legal_status": "unknown", "language_codes": []},
            structure=food_centre, actor=desk)
        case_file = next(cf for cf in person.case_files if cf.structure_id == food_centre.id)
        for days_ago in (2, 1, 0):
            service.record_delivery(case_file, meals, on=today - timedelta(days=days_ago), quantity=1, actor=desk)
            recorded += 1
    recorded += _demo_class(kem, today)
    return recorded


def _demo_class(kem: User, today: date) -> int:
    structure = next(s for s in kem.structures if s.code == "KEM")
    greek = _service("KEM", "COURSE_GREEK")
    group = service.create_session(structure, greek, held_on=today, title="Greek A1, morning group", actor=kem)
    case_files = db.session.execute(
        select(CaseFile).where(CaseFile.structure_id == structure.id).order_by(CaseFile.opened_at)).scalars().all()
    for case_file in case_files:
        service.add_attendee(group, case_file, actor=kem)
    return len(case_files)
