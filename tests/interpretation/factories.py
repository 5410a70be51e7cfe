"""Builders for interpretation tests; each returns a flushed object in the test's transaction."""
from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta, timezone

from caseapp.beneficiaries import service as beneficiary_service
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.interpretation import service
from caseapp.interpretation.calendar import to_utc
from tests.factories import case_file_of, make_beneficiary, make_user

_counter = itertools.count(1)


def give_consent(beneficiary, actor, given: bool = True):
    return beneficiary_service.record_consent(beneficiary, purpose="interpretation", given=given,
                                              decided_on=local_today(), actor=actor)


def make_interpreter(languages=("ar",), *, name=None, gender="male", login=None, phone="+30 210 555 0101",
                     active=True, actor=None):
    actor = actor or make_user("admin")
    return service.save_interpreter(None, {"name": name or f"Interpreter {next(_counter)}", "gender": gender,
                                           "phone": phone, "language_codes": list(languages), "active": active,
                                           "user": login}, actor=actor)


def in_days(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A local (Athens) wall-clock time `days` from today, as a UTC instant."""
    return to_utc(local_today() + timedelta(days=days), time(hour, minute))


def request_values(**values) -> dict:
    defaults = {"language": "ar", "mode": "in_person", "purpose": "disability_certification", "escort": True,
                "preferred_gender": "", "starts_at": in_days(3), "duration_minutes": 60,
                "place": "KEPA office, 2nd floor", "notes": None, "contact_phone": None}
    defaults.update(values)
    return defaults


def make_request(case_file=None, *, actor=None, structure_code="DIS-PROG", consent=True, **values):
    """A request on `case_file` (a new person at `structure_code` by default) with consent given."""
    if case_file is None:
        actor = actor or make_user("caseworker", structures=(structure_code,))
        person = make_beneficiary(structure_code, actor=actor)
        case_file = case_file_of(person, structure_code)
    actor = actor or make_user("caseworker", structures=(case_file.structure.code,))
    if consent:
        give_consent(case_file.beneficiary, actor)
    return service.create_request(case_file, request_values(**values), actor=actor)


def supervisor_of(structure_code="DIS-PROG"):
    return make_user("supervisor", structures=(structure_code,))


def move_into_past(request, hours: float = 2) -> None:
    """The appointment took place: shift it (and its busy range) `hours` back from now."""
    shift = datetime.now(timezone.utc) - timedelta(hours=hours) - request.starts_at
    request.starts_at += shift
    request.busy_from += shift
    request.busy_until += shift
    db.session.flush()
