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

from sqlalchemy import Boolean, Integer, Select, String, and_, bindparam, exists, false, or_, select, true
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.orm import selectinload

from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import user_structure_ids
from caseapp.beneficiaries.models import Beneficiary, ConsentRecord, ErasureRequest, FormerReference
from caseapp.beneficiaries.references import normalise_reference
from caseapp.extensions import db
from caseapp.pagination import Page, keyset_after, keyset_page
from caseapp.security import blind_index
from caseapp.security.encrypted import EvenRead, blind_index_for, decrypt_evenly
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


def visible_beneficiary_ids(user) -> Select:
    """The ids of `visible_beneficiaries`, as an uncorrelated subquery for `column.in_(...)`
    (other domains filter the people they show with it, never with a rule of their own)."""
    return visible_beneficiaries(user).with_only_columns(Beneficiary.id).correlate(None)


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

    # (index, column, attribute): `surname_sound` is searched only by `search_similar`.
    INDEXED = (("surname", "family_name_bidx", "family_name"),
               ("surname_sound", "family_name_sound_bidx", "family_name"),
               ("birth_date", "birth_date_bidx", "birth_date"),
               ("phone", "phone_bidx", "phone"),
               ("document", "document_number_bidx", "document_number"))

    def indexed_values(self, *, similar: bool = False) -> dict[str, object]:
        """Searched values by index name; `similar` looks the surname up by its sounds-like key."""
        values = {"surname_sound" if similar else "surname": self.surname, "birth_date": self.birth_date,
                  "phone": self.phone, "document": self.document_number}
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


class Found(list):
    """Search results (a list of beneficiaries) that also say whether more may match.

    `incomplete` is True when the blind-index bucket held more candidates than a
    search decrypts (`SEARCH_CANDIDATE_LIMIT`) or more people matched than a page
    shows (`SEARCH_RESULT_LIMIT`): the page then asks for another detail instead of
    letting an older match drop out of sight unannounced.
    """

    def __init__(self, items=(), incomplete: bool = False):
        super().__init__(items)
        self.incomplete = incomplete


def _search(user, criteria: Criteria, values: dict[str, object]) -> Found:
    stmt = visible_beneficiaries(user)
    if criteria.reference:
        stmt = stmt.where(_has_reference(normalise_reference(criteria.reference) or ""))
    conditions = _index_conditions(values)
    if conditions is None:
        return Found()
    stmt = stmt.where(*conditions).order_by(Beneficiary.created_at.desc(), Beneficiary.id.desc())
    candidates = db.session.execute(stmt.limit(SEARCH_CANDIDATE_LIMIT + 1)).scalars().all()
    wanted = _normalised(values)
    confirmed = [b for b in candidates[:SEARCH_CANDIDATE_LIMIT] if _confirmed(b, wanted)]
    incomplete = len(candidates) > SEARCH_CANDIDATE_LIMIT or len(confirmed) > SEARCH_RESULT_LIMIT
    return Found(confirmed[:SEARCH_RESULT_LIMIT], incomplete)


def search_beneficiaries(user, criteria: Criteria) -> Found:
    """Visible beneficiaries matching every given criterion (at most `SEARCH_RESULT_LIMIT`;
    `.incomplete` says when more may match)."""
    if criteria.empty:
        return Found()
    return _search(user, criteria, criteria.indexed_values())


def search_similar(user, criteria: Criteria) -> Found:
    """Visible beneficiaries whose surname *sounds like* the searched one, the other criteria exact.

    For when `search_beneficiaries` finds nobody: the surname is looked up
    by its sounds-like key (`blind_index.sounds_like`), so "Yusuf" finds
    "يوسف" and "Youssef", "Olena Shevchenko" finds "Олена Шевченко".
    Candidates are confirmed after decryption like any search. Empty
    without a surname, or with a reference (a reference is exact or wrong).
    """
    if not criteria.surname or criteria.reference:
        return Found()
    return _search(user, criteria, criteria.indexed_values(similar=True))


def _has_reference(reference: str):
    """The person's reference, or a former (sequential) one printed before references were random."""
    former = select(FormerReference.beneficiary_id).where(FormerReference.reference == reference)
    return or_(Beneficiary.reference == reference, Beneficiary.id.in_(former))


# --- duplicate check at registration ---------------------------------------------------

DUPLICATE_CHECK_READS = 16
"""The duplicate check decrypts at least this many candidates' worth (padding with stand-ins)."""

_DUPLICATE_FIELDS = {"family_name": "Standin", "birth_date": date(1970, 1, 1), "phone": "+306900000000",
                     "document_number": "X0000000"}


@dataclass
class DuplicateReport:
    """What registration may say about possible duplicates.

    `visible`: matches the user may open; `similar`: the ids among them found
    only by a similar surname (another spelling or script), with the same
    birth date or year. `elsewhere`: at least one match is held only by
    structures the user does not belong to, one of them not confidential.
    Matches held only by confidential structures leave no trace.
    `elsewhere_matches`: {id: "exact" | "similar"} of those matches, for the server
    only (caseapp/inquiries asks their holders); never shown to the user.
    """

    visible: list[Beneficiary] = field(default_factory=list)
    similar: set = field(default_factory=set)
    elsewhere: bool = False
    elsewhere_matches: dict = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.visible) or self.elsewhere


@dataclass(frozen=True)
class _Wanted:
    """The registration's values, normalised once."""

    typed: dict
    exact: str
    sound: str
    birth: str
    year: int | None
    phone: str
    document: str

    @classmethod
    def of(cls, surname, birth_date, birth_year, phone, document) -> _Wanted:
        year = birth_date.year if birth_date else birth_year
        typed = {"surname_sound": surname, "birth_date": birth_date, "phone": phone, "document": document}
        exact, sound = blind_index.name_keys(surname)
        return cls(typed, exact, sound, blind_index.normalise_date(birth_date), year,
                   blind_index.normalise_phone(phone), blind_index.normalise_document(document))

    def index(self, index_name: str) -> BindParameter:
        """The typed value's blind index as a bound parameter; NULL (matching nothing) when empty.

        Always a parameter, never a literal NULL: the statement's text is the
        same whatever was typed.
        """
        try:
            value = blind_index_for(index_name, self.typed[index_name]) if self.typed[index_name] else None
        except ValueError:
            value = None
        return bindparam(f"dup_{index_name}", value, type_=String)


def _duplicate_statement(user, wanted: _Wanted) -> Select:
    """One statement for every duplicate check: candidates and, per candidate, who holds them.

    Same sounds-like surname (which every exact match shares) and either
    the same date of birth, or the same birth year when either side lacks a
    full date; or the same document number; or the same phone. Missing
    values are NULL parameters (they match nothing), so the SQL is identical
    whatever was typed and whatever is found.
    """
    held_by_mine = exists().where(CaseFile.beneficiary_id == Beneficiary.id,
                                  CaseFile.structure_id.in_(user_structure_ids(user)))
    held_openly = exists().where(CaseFile.beneficiary_id == Beneficiary.id, CaseFile.structure_id == Structure.id,
                                 Structure.confidential.is_(False))
    lacks_date = bindparam("dup_lacks_date", not wanted.birth, type_=Boolean)
    same_year = and_(Beneficiary.birth_year == bindparam("dup_year", wanted.year, type_=Integer),
                     or_(Beneficiary.birth_date_bidx.is_(None), lacks_date))
    same_name = and_(Beneficiary.family_name_sound_bidx == wanted.index("surname_sound"),
                     or_(Beneficiary.birth_date_bidx == wanted.index("birth_date"), same_year))
    return (select(Beneficiary, held_by_mine.label("visible"), held_openly.label("held_openly"))
            .where(Beneficiary.erased_at.is_(None),
                   or_(same_name,
                       Beneficiary.document_number_bidx == wanted.index("document"),
                       Beneficiary.phone_bidx == wanted.index("phone")))
            .limit(SEARCH_CANDIDATE_LIMIT))


def _duplicate_kind(read: EvenRead, wanted: _Wanted) -> str | None:
    """"exact", "similar" (surname only sounds alike) or None, with the same work for every read.

    Every comparison is computed, on the stand-in values of a padding read
    too, before any is looked at.
    """
    values, present = read.values, read.present
    exact, sound = blind_index.name_keys(values["family_name"])
    birth = blind_index.normalise_date(values["birth_date"])
    phone = blind_index.normalise_phone(values["phone"])
    document = blind_index.normalise_document(values["document_number"])
    stored_year = read.record.birth_year if read.record is not None else None
    has_name, has_date = "family_name" in present, "birth_date" in present
    same_birth = bool(wanted.birth) and has_date and birth == wanted.birth
    same_year = (wanted.year is not None and stored_year == wanted.year
                 and (not wanted.birth or not has_date))
    same_name = bool(wanted.sound) and has_name and sound == wanted.sound
    by_name = same_name & (same_birth | same_year)
    by_document = bool(wanted.document) and "document_number" in present and document == wanted.document
    by_phone = bool(wanted.phone) and "phone" in present and phone == wanted.phone
    similar = by_name & (exact != wanted.exact) & (not by_document) & (not by_phone)
    if not (by_name | by_document | by_phone):
        return None
    return "similar" if similar else "exact"


def find_possible_duplicates(user, *, surname=None, birth_date=None, birth_year=None, phone=None,
                             document=None) -> DuplicateReport:
    """Possible duplicates across the city; what the user may be told about them.

    A match: same surname, or one that sounds alike across spellings and
    scripts (`blind_index.sounds_like`: "Yusuf" and "يوسف"), with the same
    date of birth, or the same birth year when either side has only the
    year; or the same document number; or the same phone.

    Every call does the same work whatever the data holds, so that response
    time cannot tell a match held only by a confidential structure from no
    match: one SQL statement of the same text (candidates with two flags,
    held by the user's structures / held by a non-confidential structure),
    and the same decryption and comparison for each of at least
    `DUPLICATE_CHECK_READS` candidates (`encrypted.decrypt_evenly` pads with
    stand-ins). Candidates of every structure are decrypted here, in the
    server, only to decide what may be said; nothing of a match outside the
    user's structures reaches the page.
    """
    wanted = _Wanted.of(surname, birth_date, birth_year, phone, document)
    rows = db.session.execute(_duplicate_statement(user, wanted)).unique().all()
    reads = decrypt_evenly([row[0] for row in rows], _DUPLICATE_FIELDS, at_least=DUPLICATE_CHECK_READS)
    report = DuplicateReport()
    for index, read in enumerate(reads):
        kind = _duplicate_kind(read, wanted)
        if kind is None or index >= len(rows):
            continue
        beneficiary, visible, held_openly = rows[index]
        if visible:
            report.visible.append(beneficiary)
            if kind == "similar":
                report.similar.add(beneficiary.id)
        elif held_openly:
            report.elsewhere = True
            report.elsewhere_matches[beneficiary.id] = kind
    return report


# --- consent ---------------------------------------------------------------------------------


def _visible_decisions(structure_ids):
    """SQL condition: the decisions that count for viewers at `structure_ids` (an iterable of
    structure ids, or None for every decision).

    A decision recorded by a confidential structure (the women's shelter) stays inside it:
    elsewhere it is neither shown nor counted, so it cannot tell another structure that the
    person is known there. Decisions of other structures count everywhere.
    """
    if structure_ids is None:
        return true()
    confidential = select(Structure.id).where(Structure.confidential.is_(True)).scalar_subquery()
    return or_(ConsentRecord.structure_id.not_in(confidential),
               ConsentRecord.structure_id.in_(list(structure_ids)))


# Consent in force is the latest decision by its date; two decisions of the same day: the one
# entered last. The history lists in the same order (newest decision first).
_CONSENT_ORDER = (ConsentRecord.decided_on.desc(), ConsentRecord.id.desc())


def consent_history(beneficiary: Beneficiary, structure_ids=None) -> list[ConsentRecord]:
    """The decisions about `beneficiary` that count at `structure_ids` (the viewer's structures;
    None: all of them), newest decision date first. One query (two more for who recorded them)."""
    return list(db.session.execute(
        select(ConsentRecord).where(ConsentRecord.beneficiary_id == beneficiary.id,
                                    _visible_decisions(structure_ids))
        .options(selectinload(ConsentRecord.recorded_by), selectinload(ConsentRecord.structure))
        .order_by(*_CONSENT_ORDER)
    ).scalars())


def current_consents(beneficiary: Beneficiary, history: list[ConsentRecord] | None = None, *,
                     structure_ids=None) -> dict[str, ConsentRecord]:
    """The decision in force per purpose ({purpose code: ConsentRecord}): the latest by decision
    date among `history` (as `consent_history` orders it), or among the decisions that count at
    `structure_ids` when `history` is not given."""
    current: dict[str, ConsentRecord] = {}
    for entry in history if history is not None else consent_history(beneficiary, structure_ids):
        current.setdefault(entry.purpose, entry)
    return current


def has_consent(beneficiary: Beneficiary, purpose: str, *, structure_id: int | None = None) -> bool:
    """True when the decision in force for `purpose` is "given"; False when it is "withdrawn"
    or none was recorded.

    In force = the latest by decision date (then by entry). With `structure_id`, only the
    decisions visible at that structure count: its own, and those of non-confidential
    structures (a confidential structure's decisions stay inside it). One query.
    """
    latest = db.session.execute(
        select(ConsentRecord.given).where(ConsentRecord.beneficiary_id == beneficiary.id,
                                          ConsentRecord.purpose == purpose,
                                          _visible_decisions(None if structure_id is None else [structure_id]))
        .order_by(*_CONSENT_ORDER).limit(1)
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
    """Unscoped: for the command line only. None if `reference` is not one (or names nobody)."""
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    return db.session.execute(select(Beneficiary).where(_has_reference(canonical))).scalar_one_or_none()
