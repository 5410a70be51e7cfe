"""Erasure (GDPR art. 17): four eyes on screen, or `flask beneficiaries erase REF`.

What is true when:

- at once, in the live database: the person's wrapped data key is destroyed,
  so nothing encrypted under it (names, contacts, documents, notes,
  confidential notes) can be decrypted again, and the rows below are removed
  or anonymised;
- in backups made before the erasure: the data key is still there, wrapped
  under the root keys of the time, and decrypts with the key file until those
  root keys are retired. `backup_horizon()` names them and the date by which
  that happens at the latest if the key schedule is kept (a rotation at least
  every ROOT_KEY_ROTATION_DAYS, retirement BACKUP_RETENTION_DAYS after it, see
  `caseapp.security.key_schedule`); rotating right after an erasure brings it
  forward to BACKUP_RETENTION_DAYS (+1 day). Their clear coded fields
  (sex, birth year, nationality, legal status, languages, vulnerabilities),
  consent dates and truncated blind indexes stay in those backups until the
  backups themselves are deleted, BACKUP_RETENTION_DAYS after they were made.

Rows are removed or anonymised, keeping only what monthly statistics count:

- kept: the beneficiary row's creation time and registering structure; its
  case files (structure, status, assigned caseworker) and their open periods;
  the reference (random, non-identifying) so the erasure can be confirmed
  later; audit events;
- counted, not kept: sex and age band, frozen as counts per structure and
  month in `erased_monthly_counts` (`stats.freeze_erased_person`), so the
  monthly statistics of past months do not change;
- cleared: every encrypted column and blind index, and every demographic
  attribute (sex and legal status become "unknown"; birth year, nationality,
  languages and vulnerabilities are emptied), so no kept row can single out a
  person among the erased of a small structure;
- deleted: notes, timeline events, consent history;
- open case files are closed (reason "erased") so the person stops counting
  from the month after.
"""
from __future__ import annotations

from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from caseapp.beneficiaries import codes, stats
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseNote, TimelineEvent
from caseapp.beneficiaries.models import Beneficiary, ConsentRecord, ErasureRequest
from caseapp.beneficiaries.queries import pending_erasure_request
from caseapp.beneficiaries.references import normalise_reference
from caseapp.beneficiaries.service import BeneficiaryError, acting_structure
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security import encrypted, key_schedule
from caseapp.security.audit import record
from caseapp.security.keyring import current_keyring


def backup_horizon() -> key_schedule.BackupHorizon:
    """For an erasure done now: the root keys to retire and the latest date backups made before stop decrypting."""
    return key_schedule.backup_horizon(current_keyring())


def request_erasure(beneficiary: Beneficiary, reason: str, *, actor) -> ErasureRequest:
    if reason not in codes.ERASURE_REASONS:
        raise BeneficiaryError("reason", _l("Choose a reason from the list."))
    if pending_erasure_request(beneficiary) is not None:
        raise BeneficiaryError(None, _l("An erasure request for this person is already waiting for confirmation."))
    structure = acting_structure(actor, beneficiary)
    if structure is None:
        raise BeneficiaryError(None, _l("You can request erasure only for people your structure follows."))
    request = ErasureRequest(beneficiary_id=beneficiary.id, structure_id=structure.id, reason=reason,
                             status="pending", requested_by_id=actor.id, requested_at=utcnow())
    db.session.add(request)
    db.session.flush()
    record("erasure.request", object_type="beneficiary", object_id=beneficiary.id, structure_id=structure.id,
           user=actor)
    for case_file in beneficiary.case_files:
        if case_file.structure_id == structure.id:
            timeline.add_event(case_file, "erasure.requested", actor=actor)
    return request


def _check_decidable(request: ErasureRequest, actor) -> None:
    if not request.is_pending:
        raise BeneficiaryError(None, _l("This request has already been decided."))
    if request.requested_by_id == actor.id:
        raise BeneficiaryError(None, _l("Someone other than the requester must decide on an erasure."))


def _decide(request: ErasureRequest, status: str, actor) -> None:
    request.status = status
    request.decided_by_id = actor.id if actor is not None else None
    request.decided_at = utcnow()
    db.session.flush()


def confirm_erasure(request: ErasureRequest, *, actor, typed_reference: str) -> ErasureRequest:
    """The second pair of eyes: an administrator retypes the reference to confirm."""
    _check_decidable(request, actor)
    if normalise_reference(typed_reference) != request.beneficiary.reference:
        raise BeneficiaryError("reference", _l("The reference you typed does not match this request."))
    _decide(request, "confirmed", actor)
    record("erasure.confirm", object_type="erasure_request", object_id=request.id, user=actor)
    erase_beneficiary(request.beneficiary, actor=actor)
    return request


def reject_erasure(request: ErasureRequest, *, actor) -> ErasureRequest:
    _check_decidable(request, actor)
    _decide(request, "rejected", actor)
    record("erasure.reject", object_type="erasure_request", object_id=request.id, user=actor)
    return request


# Other domains' rows that relate the person to someone else and that no count needs (a household
# link, say) are deleted at erasure by a step the domain registers here, so that this module
# never imports them. A step takes the person (the row is still complete) and flushes nothing.
ERASURE_STEPS: list[Callable[[Beneficiary], None]] = []


def on_erasure(step: Callable[[Beneficiary], None]) -> Callable[[Beneficiary], None]:
    """Register `step(beneficiary)` to run inside `erase_beneficiary`, before the key is destroyed.

    Returns `step` unchanged, so it can be used as a decorator. Steps run in registration
    order in the erasure's transaction; an exception aborts the whole erasure.
    """
    if step not in ERASURE_STEPS:
        ERASURE_STEPS.append(step)
    return step


def erase_beneficiary(beneficiary: Beneficiary, *, actor=None) -> Beneficiary:
    """Destroy the data key and strip the person from every table; statistics keep their counts.

    Erased from the live database when the transaction commits; backups made
    before stay readable until the root keys in `backup_horizon()` are retired.
    Raises BeneficiaryError if the person was already erased.
    """
    if beneficiary.is_erased:
        raise BeneficiaryError(None, _l("This person's data has already been erased."))
    case_file_ids = [cf.id for cf in beneficiary.case_files]
    for case_file in beneficiary.case_files:
        if case_file.is_open:
            casefile_service.close_case_file(case_file, "erased", actor=actor, system=True)
    _delete_dependants(beneficiary, case_file_ids)
    for step in ERASURE_STEPS:
        step(beneficiary)
    if (pending := pending_erasure_request(beneficiary)) is not None:
        _decide(pending, "confirmed", actor)  # erased from the command line meanwhile
    encrypted.erase(beneficiary)
    stats.freeze_erased_person(beneficiary)
    _clear_demographics(beneficiary)
    beneficiary.erased_at = utcnow()
    db.session.flush()
    record("beneficiaries.erase", object_type="beneficiary", object_id=beneficiary.id, user=actor)
    return beneficiary


def _clear_demographics(beneficiary: Beneficiary) -> None:
    """Nothing that could single the person out stays on the row (the counts are frozen)."""
    beneficiary.sex = "unknown"
    beneficiary.birth_year = None
    beneficiary.nationality = None
    beneficiary.legal_status = "unknown"
    beneficiary.language_codes = []
    beneficiary.vulnerability_codes = []


def _delete_dependants(beneficiary: Beneficiary, case_file_ids) -> None:
    if case_file_ids:
        db.session.execute(delete(CaseNote).where(CaseNote.case_file_id.in_(case_file_ids))
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(TimelineEvent).where(TimelineEvent.case_file_id.in_(case_file_ids))
                           .execution_options(synchronize_session=False))
    db.session.execute(delete(ConsentRecord).where(ConsentRecord.beneficiary_id == beneficiary.id)
                       .execution_options(synchronize_session=False))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, (CaseNote, TimelineEvent, ConsentRecord)) and obj in db.session:
            db.session.expunge(obj)

