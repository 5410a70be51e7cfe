"""Scoped reads of household links.

A user sees a link only when they see both people (one of their structures holds a case
file for each, `visible_beneficiaries`' rule) and, for a link recorded at a confidential
structure, only when they belong to that structure: the women's shelter's households are
as confidential as the shelter.
"""
from __future__ import annotations

import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from caseapp.beneficiaries.models import Beneficiary
from caseapp.beneficiaries.queries import visible_beneficiary_ids
from caseapp.casefiles.queries import user_structure_ids
from caseapp.extensions import db
from caseapp.households.models import HouseholdLink
from caseapp.structures.models import Structure

# A household larger than this is shown in part (a fixed cost per page).
HOUSEHOLD_LIMIT = 30


def _visible_person(user, beneficiary_column):
    """The person is one the user sees: the one scoping query (`visible_beneficiaries`)."""
    return beneficiary_column.in_(visible_beneficiary_ids(user))


def _link_visible(user):
    confidential = select(Structure.confidential).where(Structure.id == HouseholdLink.structure_id) \
        .scalar_subquery()
    return or_(confidential.is_(False), HouseholdLink.structure_id.in_(user_structure_ids(user)))


def household_of(user, beneficiary_id: uuid.UUID, limit: int = HOUSEHOLD_LIMIT) -> list[tuple[HouseholdLink, Beneficiary]]:
    """The links of the person the user may see, each with the other person, in one query.

    The caller has already checked that the user sees `beneficiary_id` itself. One row per
    other person (when two structures recorded the same pair, the user's own or the oldest
    record is shown), ordered by relation then registration. Empty without `beneficiaries.view`.
    """
    if not user.has_permission("beneficiaries.view"):
        return []
    other = aliased(Beneficiary, name="relative_person")
    rows = db.session.execute(
        select(HouseholdLink, other)
        .join(other, or_(and_(HouseholdLink.person_id == beneficiary_id, other.id == HouseholdLink.relative_id),
                         and_(HouseholdLink.relative_id == beneficiary_id, other.id == HouseholdLink.person_id)))
        .where(_visible_person(user, other.id), _link_visible(user))
        .order_by(HouseholdLink.relation, other.created_at, HouseholdLink.created_at, HouseholdLink.id)
        .limit(limit * 2)
    ).all()
    mine = set(user.structure_ids)
    chosen: dict[uuid.UUID, tuple[HouseholdLink, Beneficiary]] = {}
    for link, person in rows:
        kept = chosen.get(person.id)
        if kept is None or (kept[0].structure_id not in mine and link.structure_id in mine):
            chosen[person.id] = (link, person)
    return list(chosen.values())[:limit]


def get_visible_link(user, link_id: uuid.UUID) -> HouseholdLink | None:
    """A link the user may see (both people visible, confidential rule applied), or None."""
    if not user.has_permission("beneficiaries.view"):
        return None
    return db.session.execute(
        select(HouseholdLink)
        .where(HouseholdLink.id == link_id, _link_visible(user),
               _visible_person(user, HouseholdLink.person_id), _visible_person(user, HouseholdLink.relative_id))
    ).scalar_one_or_none()
