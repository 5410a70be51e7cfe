"""Holders' reads of requests: scoped in SQL to the user's structures, fixed number of queries.

Only the structure a copy went to sees it (`InquiryTarget.structure_id` among the
user's structures), and only while the person is not erased. The requester has no
read here at all.
"""
from __future__ import annotations

import uuid

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import joinedload

from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles.queries import user_structure_ids
from caseapp.extensions import db
from caseapp.inquiries.models import OPEN, Inquiry, InquiryTarget
from caseapp.pagination import Page, keyset_after, keyset_page

T = InquiryTarget


def visible_targets(user) -> Select:
    """Copies of requests sent to one of the user's structures, about a person not erased."""
    stmt = select(T).join(Beneficiary, Beneficiary.id == T.beneficiary_id).where(Beneficiary.erased_at.is_(None))
    if not user.has_permission("inquiries.answer"):
        return stmt.where(false())
    return stmt.where(T.structure_id.in_(user_structure_ids(user)))


def _with_page_data(stmt: Select) -> Select:
    return stmt.options(joinedload(T.inquiry).joinedload(Inquiry.structure),
                        joinedload(T.inquiry).joinedload(Inquiry.requested_by),
                        joinedload(T.structure), joinedload(T.beneficiary), joinedload(T.answered_by))


def inbox_page(user, *, answered: bool, after: uuid.UUID | None, limit: int) -> Page:
    """Newest first: open requests, or (`answered`) the ones declined or referred."""
    stmt = visible_targets(user).where(T.status != OPEN if answered else T.status == OPEN)
    stmt = keyset_after(_with_page_data(stmt), T, "created_at", after,
                        anchor_filter=lambda anchor: anchor.structure_id.in_(user_structure_ids(user)))
    return keyset_page(stmt, T, "created_at", limit)


def open_count(user) -> int | None:
    """Open requests for the user's structures (the navigation badge): one query; None when none."""
    if not user.has_permission("inquiries.answer"):
        return None
    count = db.session.execute(
        visible_targets(user).where(T.status == OPEN).with_only_columns(func.count(T.id))
    ).scalar_one()
    return count or None


def get_visible_target(user, target_id: uuid.UUID) -> InquiryTarget | None:
    return db.session.execute(_with_page_data(visible_targets(user).where(T.id == target_id))).unique().scalar_one_or_none()
