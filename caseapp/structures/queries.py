"""Reads of the partner directory: a keyset page in name order, searchable by service and language.

Partners are organisations, not people: the directory is not scoped by structure.
Every page loads what it shows in a fixed number of queries (the page, its services,
its languages), whatever the number of partners.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from sqlalchemy import exists, literal, or_, select, tuple_
from sqlalchemy.orm import aliased, contains_eager, selectinload

from caseapp.beneficiaries import language_tags
from caseapp.database import fold_text, folded
from caseapp.extensions import db
from caseapp.pagination import Page
from caseapp.structures.models import PartnerLanguage, PartnerProfile, Service, Structure, StructureKind

_Anchor = aliased(Structure, name="structures_anchor")


@dataclass(frozen=True)
class PartnerFilter:
    """What the directory is searched by; None or empty means any."""

    text: str | None = None          # part of the code or of either name, any case, with or without accents
    service: str | None = None       # a code of `catalogue.PARTNER_SERVICES`, offered and active
    language: str | None = None      # a shared language code: any variety of its language matches
    include_inactive: bool = False   # coordinators see deactivated partners too


def _name_columns():
    english = (locale := get_locale()) is not None and locale.language == "en"
    return (Structure.name_en, _Anchor.name_en) if english else (Structure.name_el, _Anchor.name_el)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def partners_page(wanted: PartnerFilter, after: int | None, limit: int) -> Page:
    """Partners matching `wanted`, by name in the current language, `limit` per page.

    `after`: the id of the last partner of the previous page (keyset on (name, id));
    returns `Page(items=[Structure with .partner and .services loaded], next_cursor=str id or None)`.
    """
    name, anchor_name = _name_columns()
    stmt = (select(Structure).outerjoin(Structure.partner).options(contains_eager(Structure.partner),
                                                                   selectinload(Structure.services))
            .where(Structure.kind == StructureKind.PARTNER))
    if not wanted.include_inactive:
        stmt = stmt.where(Structure.active.is_(True))
    if wanted.text:
        # Case and accents folded in SQL the same way on both databases ("αθηνα" finds "Αθήνα").
        pattern = f"%{_escape_like(fold_text(wanted.text))}%"
        stmt = stmt.where(or_(*(folded(column).like(pattern, escape="\\")
                                for column in (Structure.code, Structure.name_el, Structure.name_en))))
    if wanted.service:
        stmt = stmt.where(exists().where(Service.structure_id == Structure.id, Service.code == wanted.service,
                                         Service.active.is_(True)))
    if wanted.language:
        stmt = stmt.where(exists().where(PartnerLanguage.profile_id == PartnerProfile.id,
                                         PartnerLanguage.code.in_(language_varieties(wanted.language))))
    if after is not None:
        anchor = select(anchor_name).where(_Anchor.id == after).scalar_subquery()
        stmt = stmt.where(tuple_(name, Structure.id) > tuple_(anchor, literal(after)))
    rows = db.session.execute(stmt.order_by(name, Structure.id).limit(limit + 1)).unique().scalars().all()
    return Page(rows[:limit], str(rows[limit - 1].id) if len(rows) > limit else None)


def language_varieties(code: str) -> list[str]:
    """`code`, its language and every variety of it: "ar" → ar, apc, arz, acm, ...; "apc" → the same."""
    family = language_tags.family_of(code)
    return sorted({code, family, *language_tags.members(family)})


def get_partner(structure_id: int, *, include_inactive: bool = True) -> Structure | None:
    """A partner organisation with its entry, services and languages; None if no such partner
    (or, unless `include_inactive`, if it is deactivated)."""
    stmt = (select(Structure).where(Structure.id == structure_id, Structure.kind == StructureKind.PARTNER)
            .options(selectinload(Structure.partner), selectinload(Structure.services)))
    if not include_inactive:
        stmt = stmt.where(Structure.active.is_(True))
    return db.session.execute(stmt).scalar_one_or_none()


def offered_service_codes(structure: Structure) -> list[str]:
    return [s.code for s in structure.services if s.active]
