"""Demo data for interpretation (`flask demo load`): interpreters, consent and one booking.

Loaded once, into a database that has the demo users and people (caseapp/demo.py) and no
interpreter yet. Codes the shared language list does not offer (yet) are left out.
"""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.interpretation import languages, service
from caseapp.interpretation.calendar import to_utc
from caseapp.interpretation.models import Interpreter

# (login or None, name, gender, phone, language codes)
DEMO_INTERPRETERS = [
    ("interpreter", "Amir Haddad", "male", "+30 690 000 0101", ["ar", "apc", "fr"]),
    (None, "Farida Ahmadi", "female", "+30 690 000 0102", ["fa", "prs", "ps"]),
    (None, "Nadia Karim", "female", "+30 690 000 0103", ["ar", "apc", "en"]),
]


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def load_demo_interpretation() -> int:
    """Create the demo interpreters and, for the demo person at DIS-PROG, consent to interpretation
    and a booked request three days ahead. Returns how many interpreters were created (0 if
    there already were some)."""
    if db.session.execute(select(Interpreter.id).limit(1)).first() is not None:
        return 0
    admin = _user("admin")
    created = []
    for username, name, gender, phone, codes in DEMO_INTERPRETERS:
        login = _user(username) if username else None
        created.append(service.save_interpreter(None, {
            "name": name, "gender": gender, "phone": phone, "active": True, "user": login,
            "language_codes": [code for code in codes if languages.is_language(code)]}, actor=admin))
    _demo_booking(created[0])
    return len(created)


def _demo_booking(interpreter: Interpreter) -> None:
    from caseapp.beneficiaries import service as beneficiary_service
    from caseapp.casefiles.models import CaseFile
    from caseapp.structures.models import Structure

    supervisor = _user("supervisor")
    case_file = db.session.execute(
        select(CaseFile).join(Structure, Structure.id == CaseFile.structure_id).where(Structure.code == "DIS-PROG")
        .order_by(CaseFile.opened_at).limit(1)).scalar_one_or_none()
    if supervisor is None or case_file is None:
        return
    beneficiary_service.record_consent(case_file.beneficiary, purpose="interpretation", given=True,
                                       decided_on=local_today(), actor=supervisor)
    booking = service.create_request(case_file, {
        "language": "fr", "mode": "in_person", "purpose": "disability_certification", "escort": True,
        "preferred_gender": "", "starts_at": to_utc(local_today() + timedelta(days=3), time(10, 30)),
        "duration_minutes": 90, "place": "KEPA, 2nd floor (disability certification)", "notes": None,
        "contact_phone": None}, actor=supervisor)
    service.assign(booking, interpreter, actor=supervisor)
