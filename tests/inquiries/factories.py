"""Builders for requests to the holders."""
from __future__ import annotations

import uuid
from datetime import date

from caseapp.extensions import db
from caseapp.inquiries import service
from caseapp.inquiries.models import OPEN, Inquiry, InquiryTarget
from caseapp.models_base import utcnow
from tests.factories import make_beneficiary, make_user, structure

BIRTH = date(1988, 5, 17)


def held_person(structure_code: str = "KEM", **values):
    """A person registered at `structure_code`, with a birth date (so a duplicate check finds them)."""
    return make_beneficiary(structure_code, birth_date=values.pop("birth_date", BIRTH), **values)


def registration_values(person) -> dict:
    """What a requester types when registering `person` again elsewhere."""
    return {"family_name": person.family_name, "given_name": person.given_name, "birth_date": person.birth_date,
            "birth_year": person.birth_year, "phone": None, "document_number": None}


def ask(person, requester_code: str = "DIS-PROG", *, actor=None) -> Inquiry:
    """A request sent through the service by a caseworker of `requester_code`."""
    actor = actor or make_user("caseworker", structures=(requester_code,))
    return service.send_inquiry(registration_values(person), structure=structure(requester_code), actor=actor)


def make_target(person, holder_code: str = "KEM", requester_code: str = "DIS-PROG", *, status: str = OPEN,
                actor=None) -> InquiryTarget:
    """A holder's copy written directly (for tests of the holders' side)."""
    actor = actor or make_user("caseworker", structures=(requester_code,))
    inquiry = Inquiry(id=uuid.uuid4(), structure_id=structure(requester_code).id, requested_by_id=actor.id,
                      created_at=utcnow())
    target = InquiryTarget(id=uuid.uuid4(), inquiry=inquiry, structure_id=structure(holder_code).id,
                           beneficiary_id=person.id, match="exact", status=status, created_at=utcnow())
    db.session.add_all([inquiry, target])
    db.session.flush()
    return target
