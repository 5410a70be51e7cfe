"""Test data builders. Each returns a flushed object in the test's transaction."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from caseapp.auth import service as auth_service
from caseapp.auth.models import User
from caseapp.extensions import db
from caseapp.structures.models import Structure

DEFAULT_PASSWORD = "correct horse battery staple 42"
_counter = itertools.count(1)

DEFAULT_STRUCTURES = {
    "caseworker": ("KEM",),
    "supervisor": ("KEM",),
    "coordinator": ("ACCMR",),
    "admin": (),
    "interpreter": (),
}


def make_user(role: str = "caseworker", *, structures=None, username: str | None = None,
              password: str = DEFAULT_PASSWORD, **fields) -> User:
    username = username or f"{role}{next(_counter)}"
    codes = DEFAULT_STRUCTURES[role] if structures is None else structures
    user = auth_service.create_user(username=username, display_name=fields.pop("display_name", username.title()),
                                    role=role, password=password, structure_codes=codes)
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.flush()
    return user


def structure(code: str) -> Structure:
    return db.session.execute(select(Structure).where(Structure.code == code)).scalar_one()


# --- beneficiaries -------------------------------------------------------------------


def beneficiary_values(**values) -> dict:
    """Form-level values for a beneficiary; unique names so searches do not collide."""
    n = next(_counter)
    defaults = {"given_name": "Maria", "family_name": f"Testopoulou{n}", "sex": "female",
                "legal_status": "asylum_seeker", "nationality": "SY", "language_codes": ["ar"]}
    defaults.update(values)
    if defaults.get("birth_date") is not None and "birth_year" not in values:
        defaults["birth_year"] = defaults["birth_date"].year
    return defaults


def make_beneficiary(structure_code: str = "KEM", *, actor: User | None = None, **values):
    """A registered beneficiary with an open case file at `structure_code` (through the service)."""
    from caseapp.beneficiaries import service as beneficiary_service

    actor = actor or make_user("caseworker", structures=(structure_code,))
    return beneficiary_service.register_beneficiary(beneficiary_values(**values), structure=structure(structure_code),
                                                    actor=actor)


def case_file_of(beneficiary, structure_code: str = "KEM"):
    return next(cf for cf in beneficiary.case_files if cf.structure.code == structure_code)


def make_note(case_file, text: str = "Came with her two children; needs legal counselling.", *,
              confidential: bool = False, actor: User | None = None):
    from caseapp.casefiles import service as casefile_service

    actor = actor or make_user("caseworker", structures=(case_file.structure.code,))
    return casefile_service.add_note(case_file, text, confidential=confidential, actor=actor)


def valid_amka(first_ten: str = "1403851234") -> str:
    """An 11-digit AMKA whose last digit is the Luhn check digit of the first ten."""
    from caseapp.beneficiaries.forms import luhn_ok

    return next(first_ten + str(d) for d in range(10) if luhn_ok(first_ten + str(d)))
