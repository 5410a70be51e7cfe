"""Scoped reads of beneficiaries: the list, search, the duplicate check, consent.

Every screen that shows a beneficiary starts from `visible_beneficiaries`,
built on the case-file rule of `caseapp.casefiles.queries` (a user sees a
beneficiary when one of their structures holds a case file for them). Users
without `beneficiaries.view` (admins, coordinators, interpreters) see nothing
here even if a route forgot its permission.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, exists, false, or_, select
from sqlalchemy.orm import selectinload

from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import user_structure_ids
from caseapp.beneficiaries.models import Beneficiary, ConsentRecord, ErasureRequest
from caseapp.extensions import db
from caseapp.pagination import Page, keyset_after, keyset_page
from caseapp.security import blind_index
from caseapp.security.encrypted import blind_index_for
from caseapp.structures.models import Structure

SEARCH_CANDIDATE_LIMIT = 500
SEARCH_RESULT_LIMIT = 50


def visible_beneficiaries(user) -> Select:
    """Beneficiaries (not erased) for whom one of the user's structures holds a case file."""
    stmt = select(Beneficiary)
    if not user.has_permission("beneficiaries.view"):
        return stmt.where(false())
    held_here = exists().where(CaseFile.beneficiary_id == Beneficiary.id,
                               CaseFile.structure_id.in_(user_structure_ids(user)))
    return stmt.where(Beneficiary.erased_at.is_(None), held_here)


def get_visible_beneficiary(user, beneficiary_id: uuid.UUID) -> Beneficiary | None:
    return db.session.execute(
        visible_beneficiaries(user).where(Beneficiary.id == beneficiary_id)
    ).scalar_one_or_none()


# --- list (keyset) ---------------------------------------------------------------


def beneficiaries_page(user, after: uuid.UUID | None, limit: int) -> Page:
    """Newest first, keyset on (created_at, id): the same cost on page 1 and page 1,000."""
    def visible_anchor(anchor):
        return exists().where(CaseFile.beneficiary_id == anchor.id,
                              CaseFile.structure_id.in_(user_structure_ids(user)))

    stmt = keyset_after(visible_beneficiaries(user), Beneficiary, "created_at", after, visible_anchor)
    return keyset_page(stmt, Beneficiary, "created_at", limit)


# --- search (blind indexes, confirmed after decryption) -----------------------------


@dataclass
class Criteria:
    reference: str | None = None
    surname: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    document_number: str | None = None

    INDEXED = (("surname", "family_name_bidx", "family_name"),
               ("birth_date", "birth_date_bidx", "birth_date"),
               ("phone", "phone_bidx", "phone"),
               ("document", "document_number_bidx", "document_number"))

    def indexed_values(self) -> dict[str, object]:
        values = {"surname": self.surname, "birth_date": self.birth_date, "phone": self.phone,
                  "document": self.document_number}
        return {name: value for name, value in values.items() if value}

    @property
    def empty(self) -> bool:
        return not (self.reference or self.indexed_values())


def _index_conditions(values: dict[str, object]):
    """`column == blind index` per searched field; None if a value normalises to nothing."""
    conditions = []
    for index_name, column, _attr in Criteria.INDEXED:
        if index_name in values:
            try:
                conditions.append(getattr(Beneficiary, column) == blind_index_for(index_name, values[index_name]))
            except ValueError:
                return None
    return conditions


def _normalised(values: dict[str, object]) -> dict[str, str]:
    """The searched values as their indexes normalise them, computed once per search."""
    return {name: blind_index.normaliser_for(name)(value) for name, value in values.items()}


def _confirmed(beneficiary: Beneficiary, wanted: dict[str, str]) -> bool:
    """Drop the index's deliberate false positives by comparing decrypted values.

    Same test as `blind_index.matches`, with the searched side normalised once
    (`_normalised`) instead of once per candidate: a surname search confirms up
    to 500 candidates, and normalising a name (NFKC, transliteration, folds) is
    the costly half of each comparison.
    """
    for index_name, _column, attr in Criteria.INDEXED:
        if index_name in wanted:
            key = wanted[index_name]
            if not key or blind_index.normaliser_for(index_name)(getattr(beneficiary, attr)) != key:
                return False
    return True


def search_beneficiaries(user, criteria: Criteria) -> list[Beneficiary]:
    """Visible beneficiaries matching every given criterion (at most `SEARCH_RESULT_LIMIT`)."""
    if criteria.empty:
        return []
    stmt = visible_beneficiaries(user)
    if criteria.reference:
        stmt = stmt.where(Beneficiary.reference == normalise_reference(criteria.reference))
    values = criteria.indexed_values()
    conditions = _index_conditions(values)
    if conditions is None:
        return []
    stmt = stmt.where(*conditions).order_by(Beneficiary.created_at.desc(), Beneficiary.id.desc())
    candidates = db.session.execute(stmt.limit(SEARCH_CANDIDATE_LIMIT)).scalars().all()
    wanted = _normalised(values)
    return [b for b in candidates if _confirmed(b, wanted)][:SEARCH_RESULT_LIMIT]


def normalise_reference(reference: str) -> str:
    return "".join(reference.split()).upper()


# --- duplicate check at registration ---------------------------------------------------


@dataclass
class DuplicateReport:
    """What registration may say about possible duplicates.

    `visible`: matches the user may open. `elsewhere`: at least one match is
    held only by structures the user does not belong to, one of them not
    confidential. Matches held only by confidential structures leave no trace.
    """

    visible: list[Beneficiary] = field(default_factory=list)
    elsewhere: bool = False

    @property
    def any(self) -> bool:
        return bool(self.visible) or self.elsewhere


def _duplicate_conditions(values: dict[str, object]):
    def index(name, value):
        try:
            return blind_index_for(name, value) if value else None
        except ValueError:
            return None

    surname, birth = index("surname", values.get("surname")), index("birth_date", values.get("birth_date"))
    document, phone = index("document", values.get("document")), index("phone", values.get("phone"))
    conditions = []
    if surname and birth:
        conditions.append(and_(Beneficiary.family_name_bidx == surname, Beneficiary.birth_date_bidx == birth))
    if document:
        conditions.append(Beneficiary.document_number_bidx == document)
    if phone:
        conditions.append(Beneficiary.phone_bidx == phone)
    return conditions


def _is_duplicate(candidate: Beneficiary, values: dict[str, object]) -> bool:
    def same(index_name, attr):
        wanted = values.get(index_name)
        return bool(wanted) and blind_index.matches(index_name, getattr(candidate, attr), wanted)

    return ((same("surname", "family_name") and same("birth_date", "birth_date"))
            or same("document", "document_number") or same("phone", "phone"))


def find_possible_duplicates(user, *, surname=None, birth_date=None, phone=None, document=None) -> DuplicateReport:
    """Same surname and date of birth, or same document number, or same phone: across the city.

    Candidates of every structure are decrypted here, in the server, only
    to decide what may be said; nothing of a match outside the user's
    structures reaches the page.
    """
    values = {"surname": surname, "birth_date": birth_date, "phone": phone, "document": document}
    conditions = _duplicate_conditions(values)
    if not conditions:
        return DuplicateReport()
    candidates = db.session.execute(
        select(Beneficiary).where(Beneficiary.erased_at.is_(None), or_(*conditions))
        .limit(SEARCH_CANDIDATE_LIMIT)
    ).scalars().all()
    matches = [b for b in candidates if _is_duplicate(b, values)]
    if not matches:
        return DuplicateReport()
    holders = _holders([b.id for b in matches])
    mine = set(db.session.execute(user_structure_ids(user)).scalars())
    report = DuplicateReport()
    for beneficiary in matches:
        structures = holders.get(beneficiary.id, [])
        if any(structure_id in mine for structure_id, _confidential in structures):
            report.visible.append(beneficiary)
        elif any(not confidential for _structure_id, confidential in structures):
            report.elsewhere = True
    return report


def _holders(beneficiary_ids) -> dict[uuid.UUID, list[tuple[int, bool]]]:
    rows = db.session.execute(
        select(CaseFile.beneficiary_id, Structure.id, Structure.confidential)
        .join(Structure, Structure.id == CaseFile.structure_id)
        .where(CaseFile.beneficiary_id.in_(beneficiary_ids))
    ).all()
    holders: dict[uuid.UUID, list[tuple[int, bool]]] = {}
    for beneficiary_id, structure_id, confidential in rows:
        holders.setdefault(beneficiary_id, []).append((structure_id, confidential))
    return holders


# --- consent ---------------------------------------------------------------------------------


def consent_history(beneficiary: Beneficiary) -> list[ConsentRecord]:
    return list(db.session.execute(
        select(ConsentRecord).where(ConsentRecord.beneficiary_id == beneficiary.id)
        .options(selectinload(ConsentRecord.recorded_by), selectinload(ConsentRecord.structure))
        .order_by(ConsentRecord.id.desc())
    ).scalars())


def current_consents(beneficiary: Beneficiary, history: list[ConsentRecord] | None = None
                     ) -> dict[str, ConsentRecord]:
    """The decision in force per purpose: the latest recorded one."""
    current: dict[str, ConsentRecord] = {}
    for entry in history if history is not None else consent_history(beneficiary):
        current.setdefault(entry.purpose, entry)
    return current


def has_consent(beneficiary: Beneficiary, purpose: str) -> bool:
    """True when the latest decision for `purpose` is "given" (referrals check this)."""
    latest = db.session.execute(
        select(ConsentRecord.given).where(ConsentRecord.beneficiary_id == beneficiary.id,
                                          ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.id.desc()).limit(1)
    ).scalar_one_or_none()
    return bool(latest)


# --- erasure ------------------------------------------------------------------------------------


def pending_erasure_request(beneficiary: Beneficiary) -> ErasureRequest | None:
    return db.session.execute(
        select(ErasureRequest).where(ErasureRequest.beneficiary_id == beneficiary.id,
                                     ErasureRequest.status == "pending")
    ).scalar_one_or_none()


def erasure_requests_page(status: str, before: uuid.UUID | None, limit: int) -> Page:
    """For administrators: references and staff only; templates never read encrypted fields."""
    stmt = (select(ErasureRequest).where(ErasureRequest.status == status)
            .options(selectinload(ErasureRequest.requested_by), selectinload(ErasureRequest.structure),
                     selectinload(ErasureRequest.decided_by), selectinload(ErasureRequest.beneficiary)))
    stmt = keyset_after(stmt, ErasureRequest, "requested_at", before)
    return keyset_page(stmt, ErasureRequest, "requested_at", limit)


def beneficiary_by_reference(reference: str) -> Beneficiary | None:
    """Unscoped: for the command line only."""
    return db.session.execute(
        select(Beneficiary).where(Beneficiary.reference == normalise_reference(reference))
    ).scalar_one_or_none()
