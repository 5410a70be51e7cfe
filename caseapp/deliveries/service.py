"""Writes for deliveries and group sessions: validation, ledger entries, timeline, audit.

Views commit. Every change is audited with ids only (the person in `subjects`); a correction
leaves three entries (original, reversal, corrected delivery) and two audit events naming them.
"""
from __future__ import annotations

import uuid
from datetime import date

from flask_babel import lazy_gettext as _l

from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.deliveries import queries
from caseapp.deliveries.models import DELIVERY, REVERSAL, GroupSession, ServiceDelivery
from caseapp.domain import ConflictError, DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.formtools import EARLIEST_DATE
from caseapp.models_base import utcnow
from caseapp.security.audit import record
from caseapp.structures.models import Service, Structure

MAX_QUANTITY = 1000
MAX_NOTE_LENGTH = 2000
MAX_TITLE_LENGTH = 120

CONFLICT = _l("Someone else corrected this delivery at the same time. Nothing was saved; look at it again.")


class DeliveryError(DomainError):
    """A delivery that cannot be recorded or corrected."""


class SameDayDelivery(DeliveryError):
    """The person already received this service today: the desk asks before recording another.
    `existing` holds the deliveries in force that day."""

    def __init__(self, existing: list[ServiceDelivery]):
        super().__init__(_l("Already given today. Record it again?"))
        self.existing = existing


timeline.register_kind("delivery.recorded", _l("Service delivered"))
timeline.register_kind("delivery.corrected", _l("Service delivery corrected"))
timeline.register_kind("delivery.reversed", _l("Service delivery cancelled"))


def _audit(action: str, delivery: ServiceDelivery, actor) -> None:
    record(action, object_type="service_delivery", object_id=delivery.id, structure_id=delivery.structure_id,
           user=actor, subjects=[delivery.beneficiary_id])


def _check(case_file: CaseFile, service: Service | None, on: date | None, quantity, note: str | None) -> None:
    if not case_file.is_open:
        raise DeliveryError(_l("This person's case file here is closed: reopen it before recording a service."))
    if service is None or service.structure_id != case_file.structure_id or not service.active:
        raise DeliveryError(_l("Choose a service of this structure's catalogue."), "service")
    if on is None:
        raise DeliveryError(_l("Enter the date of the delivery."), "delivered_on")
    if on > local_today():
        raise DeliveryError(_l("The date cannot be in the future."), "delivered_on")
    if on < EARLIEST_DATE:
        raise DeliveryError(_l("The date cannot be before 1900."), "delivered_on")
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise DeliveryError(_l("Enter a quantity from 1 to %(n)d.", n=MAX_QUANTITY), "quantity")
    if note and len(note) > MAX_NOTE_LENGTH:
        raise DeliveryError(_l("A note is at most %(n)d characters.", n=MAX_NOTE_LENGTH), "note")


def _summary(service: Service, quantity: int) -> str:
    return f"{service.code} × {quantity}"[:timeline.MAX_TEXT]


def record_delivery(case_file: CaseFile, service: Service | None, *, on: date | None, quantity: int,
                    note: str | None = None, actor, confirm_same_day: bool = True,
                    session: GroupSession | None = None) -> ServiceDelivery:
    """Record that `service` was given to the person of `case_file` on local date `on`.

    `quantity` is in the service's unit (1..1000). With `confirm_same_day` False, a delivery
    in force of the same service to the same person on the same day raises `SameDayDelivery`
    (the desk asks first). Raises `DeliveryError` (field-bound) for a closed case file, a
    service outside the structure's active catalogue, a future date or a bad quantity.
    """
    note = (note or "").strip() or None
    _check(case_file, service, on, quantity, note)
    if not confirm_same_day:
        existing = queries.same_day_deliveries(case_file.beneficiary_id, service.id, on)
        if existing:
            raise SameDayDelivery(existing)
    delivery = ServiceDelivery(id=uuid.uuid4(), beneficiary_id=case_file.beneficiary_id, case_file=case_file,
                               structure_id=case_file.structure_id, service_id=service.id, delivered_on=on,
                               quantity=quantity, entry=DELIVERY, recorded_at=utcnow(), recorded_by_id=actor.id,
                               session_id=session.id if session else None)
    delivery.beneficiary = case_file.beneficiary
    delivery.service = service
    if note:
        delivery.note = note
    db.session.add(delivery)
    db.session.flush()
    timeline.add_event(case_file, "delivery.recorded", actor=actor, text=_summary(service, quantity),
                       link=f"#delivery-{delivery.id}")
    _audit("deliveries.record", delivery, actor)
    return delivery


def _reverse(original: ServiceDelivery, *, actor, expected_version: int | None) -> ServiceDelivery:
    check_version(original, expected_version, CONFLICT)
    if not original.in_force:
        raise ConflictError(_l("This delivery has already been corrected or cancelled."))
    original.reversed_at = utcnow()
    flush_or_conflict(CONFLICT)
    reversal = ServiceDelivery(id=uuid.uuid4(), beneficiary_id=original.beneficiary_id,
                               case_file_id=original.case_file_id, structure_id=original.structure_id,
                               service_id=original.service_id, delivered_on=original.delivered_on,
                               quantity=-original.quantity, entry=REVERSAL, corrects_id=original.id,
                               session_id=original.session_id, recorded_at=utcnow(), recorded_by_id=actor.id)
    reversal.beneficiary = original.beneficiary
    db.session.add(reversal)
    db.session.flush()
    _audit("deliveries.reverse", reversal, actor)
    return reversal


def reverse_delivery(original: ServiceDelivery, *, actor, expected_version: int | None = None) -> ServiceDelivery:
    """Cancel a delivery recorded by mistake: a reversing entry; the original stays, marked
    reversed. Returns the reversal. Raises `ConflictError` if it was already corrected or
    cancelled, or changed since `expected_version`."""
    reversal = _reverse(original, actor=actor, expected_version=expected_version)
    timeline.add_event(original.case_file, "delivery.reversed", actor=actor,
                       text=_summary(original.service, original.quantity), link=f"#delivery-{original.id}")
    return reversal


def correct_delivery(original: ServiceDelivery, service: Service | None, *, on: date | None, quantity: int,
                     note: str | None, actor, expected_version: int | None = None) -> ServiceDelivery:
    """Replace a delivery by a corrected one: reverse the original, record the corrected entry
    (`corrects_id` = the original). Returns the corrected entry. Raises `DeliveryError` for
    invalid values (nothing changes) and `ConflictError` as `reverse_delivery`."""
    note = (note or "").strip() or None
    case_file = original.case_file
    _check(case_file, service, on, quantity, note)
    _reverse(original, actor=actor, expected_version=expected_version)
    corrected = ServiceDelivery(id=uuid.uuid4(), beneficiary_id=original.beneficiary_id, case_file=case_file,
                                structure_id=original.structure_id, service_id=service.id, delivered_on=on,
                                quantity=quantity, entry=DELIVERY, corrects_id=original.id,
                                session_id=original.session_id, recorded_at=utcnow(), recorded_by_id=actor.id)
    corrected.beneficiary = original.beneficiary
    if note:
        corrected.note = note
    db.session.add(corrected)
    db.session.flush()
    timeline.add_event(case_file, "delivery.corrected", actor=actor, text=_summary(service, quantity),
                       link=f"#delivery-{corrected.id}")
    _audit("deliveries.correct", corrected, actor)
    return corrected


# --- group sessions ------------------------------------------------------------------------------


def create_session(structure: Structure, service: Service | None, *, held_on: date | None, title: str | None,
                   actor) -> GroupSession:
    """A group session of `service` at `structure` on `held_on`. Raises `DeliveryError`."""
    title = (title or "").strip() or None
    if service is None or service.structure_id != structure.id or not service.active:
        raise DeliveryError(_l("Choose a service of this structure's catalogue."), "service")
    if held_on is None:
        raise DeliveryError(_l("Enter the date of the session."), "held_on")
    if held_on > local_today():
        raise DeliveryError(_l("The date cannot be in the future."), "held_on")
    if held_on < EARLIEST_DATE:
        raise DeliveryError(_l("The date cannot be before 1900."), "held_on")
    if title and len(title) > MAX_TITLE_LENGTH:
        raise DeliveryError(_l("A title is at most %(n)d characters.", n=MAX_TITLE_LENGTH), "title")
    session = GroupSession(id=uuid.uuid4(), structure_id=structure.id, service_id=service.id, held_on=held_on,
                           title=title, created_by_id=actor.id, created_at=utcnow())
    session.service = service
    db.session.add(session)
    db.session.flush()
    record("deliveries.session_create", object_type="group_session", object_id=session.id,
           structure_id=structure.id, user=actor)
    return session


def add_attendee(session: GroupSession, case_file: CaseFile, *, actor) -> ServiceDelivery:
    """Put the person of `case_file` on the session's register (a delivery of one unit on the
    session's date). Raises `DeliveryError` if they are already on it."""
    if case_file.structure_id != session.structure_id:
        raise DeliveryError(_l("No one with this reference has a case file at this structure."), "reference")
    already = [d for d in queries.same_day_deliveries(case_file.beneficiary_id, session.service_id, session.held_on)
               if d.session_id == session.id]
    if already:
        raise DeliveryError(_l("This person is already on the register."), "reference")
    return record_delivery(case_file, session.service, on=session.held_on, quantity=1, actor=actor,
                           session=session)


def remove_attendee(delivery: ServiceDelivery, *, actor, expected_version: int | None = None) -> ServiceDelivery:
    """Take someone off a session's register (a reversal; the register keeps the history)."""
    if delivery.session_id is None:
        raise DeliveryError(_l("This delivery is not part of a group session."))
    return reverse_delivery(delivery, actor=actor, expected_version=expected_version)
