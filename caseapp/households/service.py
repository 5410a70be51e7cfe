"""Writes for household links: check, link, unlink, audit (ids only). Views commit."""
from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from caseapp.beneficiaries.erasure import on_erasure
from caseapp.beneficiaries.models import Beneficiary
from caseapp.beneficiaries.queries import get_visible_beneficiary
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseFile
from caseapp.domain import DomainError, add_or_refuse
from caseapp.extensions import db
from caseapp.households import codes
from caseapp.households.models import HouseholdLink
from caseapp.models_base import utcnow
from caseapp.security.audit import record


class HouseholdError(DomainError):
    """A link that cannot be made or removed."""


def _stored(beneficiary_id: uuid.UUID, other_id: uuid.UUID, as_seen: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    """(person_id, relative_id, relation) as stored: the parent first, else the smaller id first."""
    if as_seen == "child":
        return beneficiary_id, other_id, "parent_child"
    if as_seen == "parent":
        return other_id, beneficiary_id, "parent_child"
    first, second = sorted((beneficiary_id, other_id), key=str)
    return first, second, as_seen


def _my_case_files(actor, *people_ids) -> list[CaseFile]:
    return list(db.session.execute(
        select(CaseFile).where(CaseFile.beneficiary_id.in_(people_ids), CaseFile.structure_id.in_(actor.structure_ids))
    ).scalars())


def link(beneficiary: Beneficiary, other: Beneficiary | None, as_seen: str, *, structure_id: int,
         actor) -> HouseholdLink:
    """Record that `other` is `beneficiary`'s `as_seen` (a `codes.AS_SEEN` code), at `structure_id`.

    Both people must be visible to `actor`, who must belong to `structure_id`. Raises
    `HouseholdError` on the field "reference" (other person unknown, not visible, the same
    person, already linked by this structure) or "relation" (unknown code).
    """
    if as_seen not in codes.AS_SEEN:
        raise HouseholdError(_l("Choose a relation from the list."), "relation")
    if structure_id not in actor.structure_ids or not actor.has_permission("households.manage"):
        raise HouseholdError(_l("You can record households only at your own structures."))
    if other is None or get_visible_beneficiary(actor, other.id) is None:
        raise HouseholdError(_l("No one with this reference is followed by your structures."), "reference")
    if other.id == beneficiary.id:
        raise HouseholdError(_l("This is the same person."), "reference")
    pair = {beneficiary.id, other.id}
    already = HouseholdError(_l("These two people are already linked."), "reference")
    existing = db.session.execute(
        select(HouseholdLink.id).where(HouseholdLink.structure_id == structure_id,
                                       HouseholdLink.person_id.in_(pair), HouseholdLink.relative_id.in_(pair))
    ).first()
    if existing is not None:
        raise already
    person_id, relative_id, relation = _stored(beneficiary.id, other.id, as_seen)
    entry = HouseholdLink(id=uuid.uuid4(), person_id=person_id, relative_id=relative_id, relation=relation,
                          structure_id=structure_id, created_at=utcnow(), created_by_id=actor.id)
    add_or_refuse(entry, already)  # two people linking the same pair at once: the second is told
    record("households.link", object_type="household_link", object_id=entry.id, structure_id=structure_id,
           user=actor, subjects=[person_id, relative_id])
    for case_file in _my_case_files(actor, person_id, relative_id):
        if case_file.structure_id == structure_id:
            timeline.add_event(case_file, "household.linked", actor=actor, text=relation)
    return entry


def can_unlink(link_row: HouseholdLink, user) -> bool:
    """Only the structure that recorded a link may remove it."""
    return user.has_permission("households.manage") and link_row.structure_id in user.structure_ids


def unlink(link_row: HouseholdLink, *, actor) -> None:
    """Remove a link recorded in error (audited with its id and both people's ids)."""
    if not can_unlink(link_row, actor):
        raise HouseholdError(_l("Only the structure that recorded this link can remove it."))
    people = (link_row.person_id, link_row.relative_id)
    for case_file in _my_case_files(actor, *people):
        if case_file.structure_id == link_row.structure_id:
            timeline.add_event(case_file, "household.unlinked", actor=actor, text=link_row.relation)
    record("households.unlink", object_type="household_link", object_id=link_row.id,
           structure_id=link_row.structure_id, user=actor, subjects=people)
    db.session.delete(link_row)
    db.session.flush()


def linked_ids(beneficiary_id: uuid.UUID, structure_id: int) -> set[uuid.UUID]:
    """Ids of the people linked to `beneficiary_id` by links recorded at `structure_id`."""
    rows = db.session.execute(
        select(HouseholdLink.person_id, HouseholdLink.relative_id)
        .where(HouseholdLink.structure_id == structure_id,
               or_(HouseholdLink.person_id == beneficiary_id, HouseholdLink.relative_id == beneficiary_id))
    ).all()
    return {other for pair in rows for other in pair if other != beneficiary_id}


timeline.register_kind("household.linked", _l("Household member linked"),
                       lambda code: str(codes.RELATIONS.get(code, code)))
timeline.register_kind("household.unlinked", _l("Household link removed"),
                       lambda code: str(codes.RELATIONS.get(code, code)))


@on_erasure
def forget_household(beneficiary: Beneficiary) -> None:
    """At erasure: delete every household link of the person, whichever side, at every structure.

    A link is a fact about the living relative too ("her mother was here"), and no count needs it.
    """
    db.session.execute(delete(HouseholdLink)
                       .where(or_(HouseholdLink.person_id == beneficiary.id, HouseholdLink.relative_id == beneficiary.id))
                       .execution_options(synchronize_session=False))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, HouseholdLink) and obj in db.session:
            db.session.expunge(obj)
