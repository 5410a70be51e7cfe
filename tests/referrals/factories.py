"""Builders for referral tests: a person followed at KEM with consent to sharing, and referrals of them."""
from __future__ import annotations

from caseapp.beneficiaries import service as beneficiary_service
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.referrals import service
from caseapp.structures.models import Service
from sqlalchemy import select
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def service_of(code: str, service_code: str | None = None) -> Service:
    target = structure(code)
    stmt = select(Service).where(Service.structure_id == target.id)
    if service_code:
        stmt = stmt.where(Service.code == service_code)
    return db.session.execute(stmt.order_by(Service.code).limit(1)).scalar_one()


def give_consent(person, actor, *purposes, given: bool = True):
    for purpose in purposes or ("share_municipal", "share_partners"):
        beneficiary_service.record_consent(person, purpose=purpose, given=given, decided_on=local_today(),
                                           actor=actor)


def person_at(code: str = "KEM", *, actor=None, consent: bool = True, **values):
    actor = actor or make_user("caseworker", structures=(code,))
    person = make_beneficiary(code, actor=actor, **values)
    if consent:
        give_consent(person, actor)
    return person


def make_referral(person=None, *, actor=None, from_code: str = "KEM", to_code: str = "DIS-PROG",
                  service_code: str | None = None, urgency: str = "routine", send: bool = True,
                  reason: str = "Needs support with the disability certification."):
    actor = actor or make_user("caseworker", structures=(from_code,))
    if person is None:
        person = person_at(from_code, actor=actor)
    values = {"from_structure": structure(from_code), "service": service_of(to_code, service_code),
              "urgency": urgency, "reason": reason, "plan_action_id": None}
    referral = service.create_referral(person, values, actor=actor, send=send)
    db.session.flush()
    return referral


__all__ = ["case_file_of", "give_consent", "make_referral", "person_at", "service_of"]
