"""Keyset pagination: every page costs what the first one does (no OFFSET, no COUNT(*))."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, literal, select, tuple_
from sqlalchemy.orm import aliased

from caseapp.extensions import db


@dataclass
class Page:
    items: list
    next_cursor: str | None


def keyset_after(stmt: Select, model, time_attr: str, cursor: uuid.UUID | None, anchor_filter=None) -> Select:
    """Rows after `cursor` in (time, id) descending order; the cursor row is found in the same query.

    The anchor is an alias, so it is not correlated with the outer query;
    `anchor_filter(alias)` limits the anchor to rows the caller may see.

    The condition is a row-value comparison, `(time, id) < (anchor time, cursor)`:
    SQLite and PostgreSQL both turn it into a range on the (time, id) index, so a
    deep page costs what the first one does. (The equivalent `time < t OR (time = t
    AND id < c)` is not used as a range: the database walks the index from the
    newest row and filters, like OFFSET.)
    """
    if cursor is None:
        return stmt
    anchor = _anchor_alias(model)
    conditions = [anchor.id == cursor]
    if anchor_filter is not None:
        conditions.append(anchor_filter(anchor))
    anchor_time = select(getattr(anchor, time_attr)).where(*conditions).scalar_subquery()
    cursor_id = literal(cursor, type_=model.id.type)
    return stmt.where(tuple_(getattr(model, time_attr), model.id) < tuple_(anchor_time, cursor_id))


_anchors: dict[type, object] = {}


def _anchor_alias(model):
    """One alias per model, made once: `aliased()` copies every column of the model on
    each call (it made the deep list page about 2 ms slower), and an alias can appear in
    any number of statements."""
    anchor = _anchors.get(model)
    if anchor is None:
        anchor = _anchors[model] = aliased(model, name=f"{model.__tablename__}_anchor")
    return anchor


def keyset_page(stmt: Select, model, time_attr: str, limit: int) -> Page:
    rows = db.session.execute(
        stmt.order_by(getattr(model, time_attr).desc(), model.id.desc()).limit(limit + 1)
    ).scalars().all()
    return Page(rows[:limit], str(rows[limit - 1].id) if len(rows) > limit else None)
