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
