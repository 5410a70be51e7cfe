"""Builders for stays and households tests; each returns flushed objects in the test's transaction."""
from __future__ import annotations

from datetime import date, timedelta

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.stays import service
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def set_capacity(code: str, beds: int):
    shelter = structure(code)
    shelter.capacity = beds
    db.session.flush()
    return shelter


def shelter_staff(code: str = "SHELTER-W", role: str = "caseworker", *also):
    return make_user(role, structures=(code, *also))


def resident(code: str = "SHELTER-W", *, actor=None, **values):
    """A person registered at the shelter (an open case file there), not yet admitted."""
    actor = actor or shelter_staff(code)
    person = make_beneficiary(code, actor=actor, **values)
    return case_file_of(person, code)


def child(given_name: str = "Lina", age: int = 6, **values) -> dict:
    today = local_today()
    born = date(today.year - age, 1, 15) if (today.month, today.day) >= (1, 15) else date(today.year - age - 1, 1, 15)
    return {"given_name": given_name, "family_name": values.get("family_name"), "sex": values.get("sex", "female"),
            "birth_date": values.get("birth_date", born)}


def admit(case_file, *, days_ago: int = 0, actor=None, children=(), companions=()):
    actor = actor or shelter_staff(case_file.structure.code)
    return service.admit(case_file, local_today() - timedelta(days=days_ago), actor=actor, children=children,
                         companions=companions)


def stays_world() -> dict:
    """For the malformed-input walker: a resident admitted to SHELTER-W with a child (a stay, a
    household link) and a newcomer on the waiting list."""
    staff = shelter_staff("SHELTER-W")
    set_capacity("SHELTER-W", 20)
    resident_file = resident("SHELTER-W", actor=staff)
    stays = admit(resident_file, days_ago=3, actor=staff, children=[child()])
    newcomer_file = resident("SHELTER-W", actor=staff)
    entry = service.add_to_waiting_list(newcomer_file, local_today(), 2, actor=staff)
    from caseapp.households.models import HouseholdLink
    from sqlalchemy import select

    link = db.session.execute(select(HouseholdLink).where(
        HouseholdLink.person_id == resident_file.beneficiary_id)).scalar_one()
    return {"stay": stays[0], "waiting_entry": entry, "household_link": link, "resident_file": resident_file,
            "newcomer_file": newcomer_file}


def english(message) -> str:
    """A service's (lazy) message in English, whatever locale the test run left selected."""
    from flask_babel import force_locale

    with force_locale("en"):
        return str(message)
