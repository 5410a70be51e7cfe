"""Demo data for stays and households (`flask demo load`).

Loaded once, into a database with the demo users and people (caseapp/demo.py) and no stay
yet: the demo woman at SHELTER-W is admitted with her son (registered in the same step),
and SHELTER-ADD gets a few residents, one past stay and one person waiting for a bed.
Everyone here is fictional.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from caseapp.auth.models import User
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.stays import service
from caseapp.stays.models import Stay
from caseapp.structures.models import Structure

SHELTER_ADD_PEOPLE = [
    {"given_name": "Giorgos", "family_name": "Stavrou", "sex": "male", "birth_year": 1975, "nationality": "GR",
     "language_codes": ["el"], "legal_status": "greek_citizen", "vulnerability_codes": ["homeless", "substance_use"]},
    {"given_name": "Viktor", "family_name": "Petrenko", "sex": "male", "birth_year": 1983, "nationality": "UA",
     "language_codes": ["uk", "ru"], "legal_status": "humanitarian", "vulnerability_codes": ["homeless"]},
    {"given_name": "Sofia", "family_name": "Markou", "sex": "female", "birth_year": 1990, "nationality": "GR",
     "language_codes": ["el"], "legal_status": "greek_citizen", "vulnerability_codes": ["substance_use"]},
    {"given_name": "Ahmed", "family_name": "Benali", "sex": "male", "birth_year": 1988, "nationality": "MA",
     "language_codes": ["ar", "fr"], "legal_status": "asylum_seeker", "vulnerability_codes": ["homeless"]},
]


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _structure(code: str) -> Structure | None:
    return db.session.execute(select(Structure).where(Structure.code == code)).scalar_one_or_none()


def load_demo_stays() -> int:
    """Admit the demo people (see the module docstring). Returns the stays made (0 if there were some)."""
    if db.session.execute(select(Stay.id).limit(1)).first() is not None:
        return 0
    made = _shelter_w()
    made += _shelter_add()
    return made


def _shelter_w() -> int:
    staff, shelter = _user("shelter"), _structure("SHELTER-W")
    if staff is None or shelter is None or not shelter.capacity:
        return 0
    case_file = db.session.execute(
        select(CaseFile).where(CaseFile.structure_id == shelter.id).order_by(CaseFile.opened_at).limit(1)
    ).scalar_one_or_none()
    if case_file is None:
        return 0
    today = local_today()
    son = {"given_name": "Nikos", "family_name": None, "sex": "male",
           "birth_date": date(today.year - 7, 5, 2)}
    return len(service.admit(case_file, today - timedelta(days=12), actor=staff, children=[son]))


def _shelter_add() -> int:
    from caseapp.beneficiaries import service as beneficiary_service

    staff, shelter = _user("shelter-add"), _structure("SHELTER-ADD")
    if staff is None or shelter is None or not shelter.capacity:
        return 0
    files = []
    for values in SHELTER_ADD_PEOPLE:
        person = beneficiary_service.register_beneficiary(values, structure=shelter, actor=staff)
        files.append(next(cf for cf in person.case_files if cf.structure_id == shelter.id))
    today = local_today()
    made = 0
    for days_ago, case_file in zip((40, 21, 5), files):
        made += len(service.admit(case_file, today - timedelta(days=days_ago), actor=staff))
    # The first one left last week, after a stay that began before last month.
    first = db.session.execute(select(Stay).where(Stay.case_file_id == files[0].id)).scalar_one()
    service.discharge(first, today - timedelta(days=6), "own_housing", actor=staff)
    table = Stay.__table__
    db.session.execute(update(table).where(table.c.id == first.id).values(admitted_on=today - timedelta(days=75)))
    service.add_to_waiting_list(files[3], today - timedelta(days=2), 1, actor=staff)
    return made
