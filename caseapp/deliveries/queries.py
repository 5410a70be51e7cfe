"""Scoped reads of deliveries and group sessions.

A user sees a delivery when they see its case file (`casefiles.queries.visible_case_files`,
the one scoping query), and a group session when it belongs to one of their structures.
The desk finds a person by reference among the case files of the desk's structure only:
someone known elsewhere (or nowhere) gets the same answer, so the desk reveals nothing
about other structures. Every read here runs a fixed number of queries, whatever the data size.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import false, or_, select
from sqlalchemy.orm import joinedload

from caseapp.beneficiaries.models import Beneficiary, FormerReference
from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import user_structure_ids, visible_case_files
from caseapp.deliveries.models import DELIVERY, GroupSession, ServiceDelivery
from caseapp.extensions import db
from caseapp.pagination import Page, keyset_after, keyset_page
from caseapp.structures.models import Service, Structure

D = ServiceDelivery


def desk_structure(user, structure_id: int) -> Structure | None:
    """One of the user's structures (None for another structure or an unknown id)."""
    if not user.has_permission("deliveries.record") or structure_id not in user.structure_ids:
        return None
    return db.session.get(Structure, structure_id)


def catalogue(structure_id: int, *, include_inactive: bool = False) -> list[Service]:
    """A structure's services, by code, in one query."""
    stmt = select(Service).where(Service.structure_id == structure_id)
    if not include_inactive:
        stmt = stmt.where(Service.active.is_(True))
    return list(db.session.execute(stmt.order_by(Service.code)).scalars())


def case_file_by_reference(user, structure_id: int, reference: str) -> CaseFile | None:
    """The case file at `structure_id` of the live person whose reference (or former
    reference) is `reference` (canonical form), with the person loaded; one query."""
    former = select(FormerReference.beneficiary_id).where(FormerReference.reference == reference)
    return db.session.execute(
        visible_case_files(user)
        .join(Beneficiary, Beneficiary.id == CaseFile.beneficiary_id)
        .where(CaseFile.structure_id == structure_id, Beneficiary.erased_at.is_(None),
               or_(Beneficiary.reference == reference, Beneficiary.id.in_(former)))
        .options(joinedload(CaseFile.beneficiary))
    ).unique().scalar_one_or_none()


def same_day_deliveries(beneficiary_id: uuid.UUID, service_id: int, on: date) -> list[ServiceDelivery]:
    """Deliveries in force of this service to this person on this day (the desk's duplicate check)."""
    return list(db.session.execute(
        select(D).where(D.beneficiary_id == beneficiary_id, D.service_id == service_id, D.delivered_on == on,
                        D.entry == DELIVERY, D.reversed_at.is_(None)).order_by(D.recorded_at)
    ).scalars())


def visible_deliveries(user):
    if not user.has_permission("deliveries.record"):
        return select(D).where(false())
    return select(D).where(D.case_file_id.in_(visible_case_files(user).with_only_columns(CaseFile.id)))


def get_visible_delivery(user, delivery_id: uuid.UUID) -> ServiceDelivery | None:
    return db.session.execute(
        visible_deliveries(user).join(Beneficiary, Beneficiary.id == D.beneficiary_id)
        .where(D.id == delivery_id, Beneficiary.erased_at.is_(None))
        .options(joinedload(D.service), joinedload(D.beneficiary), joinedload(D.case_file),
                 joinedload(D.recorded_by))
    ).unique().scalar_one_or_none()


def case_file_deliveries(case_file: CaseFile, limit: int) -> list[ServiceDelivery]:
    """The latest entries of a case file (its panel), corrections included, in one query."""
    rows = list(db.session.execute(
        select(D).where(D.case_file_id == case_file.id).options(joinedload(D.service))
        .order_by(D.recorded_at.desc(), D.id.desc()).limit(limit)
    ).unique().scalars())
    return rows


# --- group sessions ----------------------------------------------------------------------------


def visible_sessions(user):
    if not user.has_permission("deliveries.record"):
        return select(GroupSession).where(false())
    return select(GroupSession).where(GroupSession.structure_id.in_(user_structure_ids(user)))


def get_visible_session(user, session_id: uuid.UUID) -> GroupSession | None:
    return db.session.execute(
        visible_sessions(user).where(GroupSession.id == session_id)
        .options(joinedload(GroupSession.service), joinedload(GroupSession.structure))
    ).unique().scalar_one_or_none()


def sessions_page(user, structure_id: int, after: uuid.UUID | None, limit: int) -> Page:
    """A structure's group sessions, latest first (keyset on created_at)."""
    stmt = visible_sessions(user).where(GroupSession.structure_id == structure_id).options(
        joinedload(GroupSession.service))
    stmt = keyset_after(stmt, GroupSession, "created_at", after,
                        lambda anchor: anchor.structure_id == structure_id)
    return keyset_page(stmt, GroupSession, "created_at", limit)


def attendance(session: GroupSession) -> list[ServiceDelivery]:
    """The session register: attendees in force, in the order they were added, with the
    people loaded (one query, whatever the number of attendees)."""
    return list(db.session.execute(
        select(D).join(Beneficiary, Beneficiary.id == D.beneficiary_id)
        .where(D.session_id == session.id, D.entry == DELIVERY, D.reversed_at.is_(None),
               Beneficiary.erased_at.is_(None))
        .options(joinedload(D.beneficiary)).order_by(D.recorded_at, D.id)
    ).unique().scalars())
