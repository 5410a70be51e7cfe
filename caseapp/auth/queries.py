"""Scoped reads for user administration."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseapp.auth.models import AccessRequest, User
from caseapp.extensions import db


def users_page(after: str | None, limit: int) -> tuple[list[User], str | None]:
    """One page of users ordered by username (keyset); returns the next cursor."""
    stmt = (select(User).options(selectinload(User.structures),
                                 selectinload(User.pending_access_requests).selectinload(AccessRequest.structure))
            .order_by(User.username).limit(limit + 1))
    if after:
        stmt = stmt.where(User.username > after)
    rows = db.session.execute(stmt).scalars().all()
    next_cursor = rows[limit - 1].username if len(rows) > limit else None
    return rows[:limit], next_cursor
