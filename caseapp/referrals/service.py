"""Writes for referrals: creation and the lifecycle, in one transition table. Views commit.

    draft --send--> sent --accept--> accepted --complete--> completed
                         --decline--> declined
    sent, accepted --withdraw--> withdrawn (a draft may be withdrawn too: abandoned)

Parties, per referral: "sender" (staff of the sending structure), "receiver" (staff of the
receiving structure) and, when the receiver is a partner organisation (no users), "proxy":
the sending structure's staff recording the partner's answer, with how they learned it and
the day the partner gave it.

Every transition records who and when (`ReferralEvent`), writes the timeline of the sending
case file and of the receiving one once it exists, and an audit event with ids only. Sending
needs the person's consent in force for sharing with municipal structures (or with partners,
for a partner), as the sending structure sees it; acceptance checks it again (a withdrawal
in between stops it) and opens, or reopens, the receiving structure's case file through
`casefiles.service`: that file is what gives the receiver access to the person.

Raises `DomainError` (a message for a field or above the form), `TransitionError` (the state
or the party does not allow it) or `ConflictError` (someone else changed the referral first).
"""
from __future__ import annotations

import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseapp.beneficiaries.service import SHARE_MUNICIPAL, SHARE_PARTNERS, consent_seen_from
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.domain import DomainError, check_version, flush_or_conflict
from caseapp.extensions import db
from caseapp.lifecycle import Lifecycle, Transition
from caseapp.models_base import utcnow
from caseapp.referrals import codes, workdays
from caseapp.referrals.codes import ACCEPTED, COMPLETED, DECLINED, DRAFT, SENT, WITHDRAWN
from caseapp.referrals.models import Referral, ReferralEvent
from caseapp.security.audit import record

MAX_TEXT = 4000


class ReferralError(DomainError):
    """A referral that cannot be made or moved."""


CONFLICT = _l("Someone else answered or changed this referral at the same time. Nothing of yours was saved: "
              "look at its current state below.")


# --- the lifecycle -------------------------------------------------------------------------------------


def parties(referral: Referral, user) -> set[str]:
    """The parts `user` plays for `referral`: "sender", "receiver", "proxy" (see the module docstring)."""
    found = set()
    mine = set(user.structure_ids)
    if referral.from_structure_id in mine:
        if user.has_permission("referrals.send"):
            found.add("sender")
        if user.has_permission("referrals.answer") and referral.to_structure.is_partner:
            found.add("proxy")
    if (referral.to_structure_id in mine and user.has_permission("referrals.answer")
            and not referral.to_structure.is_partner and referral.status != DRAFT):
        found.add("receiver")
    return found


ANSWERING = {"receiver", "proxy"}

LIFECYCLE = Lifecycle(
    name="referral",
    states=dict(codes.STATUSES),
    transitions=[
        Transition("send", {DRAFT}, SENT, parties={"sender"}),
        Transition("accept", {SENT}, ACCEPTED, parties=ANSWERING),
        Transition("decline", {SENT}, DECLINED, parties=ANSWERING),
        Transition("complete", {ACCEPTED}, COMPLETED, parties=ANSWERING),
        Transition("withdraw", {DRAFT, SENT, ACCEPTED}, WITHDRAWN, parties={"sender"}),
    ],
    parties=parties,
    action_labels={
        "send": _l("Send the referral"), "accept": _l("Accept"), "decline": _l("Decline"),
        "complete": _l("Mark as completed"), "withdraw": _l("Withdraw the referral"),
    },
)

TIMELINE_KINDS = {
    "create": ("referral.drafted", _l("Referral drafted")),
    "send": ("referral.sent", _l("Referral sent")),
    "accept": ("referral.accepted", _l("Referral accepted")),
    "decline": ("referral.declined", _l("Referral declined")),
    "complete": ("referral.completed", _l("Referral completed")),
    "withdraw": ("referral.withdrawn", _l("Referral withdrawn")),
}
for _kind, _label in TIMELINE_KINDS.values():
    timeline.register_kind(_kind, _label)


def _party_of(referral: Referral, action: str, actor) -> str:
    transition = LIFECYCLE.find(referral.status, action)
    mine = parties(referral, actor) & (transition.parties if transition else set())
    return sorted(mine)[0] if mine else ""


# --- helpers ---------------------------------------------------------------------------------------------


def consent_purpose(referral_or_structure) -> str:
    structure = getattr(referral_or_structure, "to_structure", referral_or_structure)
    return SHARE_PARTNERS if structure.is_partner else SHARE_MUNICIPAL


def has_sharing_consent(beneficiary, to_structure, from_structure_id: int) -> bool:
    """Consent in force to share the person with `to_structure`'s kind, as the sender sees it."""
    return consent_seen_from(beneficiary, consent_purpose(to_structure), from_structure_id)


def _no_consent_message(to_structure):
    if to_structure.is_partner:
        return _l("The person has not consented to sharing with partner organisations, or has withdrawn that "
                  "consent: the referral cannot be sent. Record their consent first.")
    return _l("The person has not consented to sharing with municipal structures, or has withdrawn that "
              "consent: the referral cannot be sent. Record their consent first.")


def _text(value, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ReferralError(message, field)
    if len(value) > MAX_TEXT:
        raise ReferralError(_l("At most %(n)d characters.", n=MAX_TEXT), field)
    return value


def _flush() -> None:
    flush_or_conflict(CONFLICT)


def _link(referral: Referral) -> str:
    return f"/referrals/{referral.id}"


def _history(referral: Referral, action: str, from_status: str | None, actor, party: str, *,
             channel: str | None = None, answered_on: date | None = None) -> None:
    referral.history.append(ReferralEvent(action=action, from_status=from_status, to_status=referral.status,
                                          actor_id=actor.id, party=party or None, channel=channel,
                                          answered_on=answered_on, occurred_at=utcnow()))


def _timeline(referral: Referral, action: str, actor) -> None:
    """The sending file always; the receiving structure's file once acceptance opened or linked it, or
    the one it already held on the person (then without a link once the referral is out of its sight)."""
    kind = TIMELINE_KINDS[action][0]
    timeline.add_event(referral.case_file, kind, actor=actor, text=referral.to_structure.code, link=_link(referral))
    if action == "create" or referral.to_structure.is_partner:
        return
    receiving = referral.receiving_case_file or sending_case_file(referral.beneficiary, referral.to_structure_id)
    if receiving is not None:
        visible = referral.status in (SENT, ACCEPTED, COMPLETED) or referral.answered_at is not None
        if referral.status == DECLINED:
            visible = False
        timeline.add_event(receiving, kind, actor=actor, text=referral.from_structure.code,
                           link=_link(referral) if visible else None)


def _audit(referral: Referral, action: str, actor, party: str = "") -> None:
    record(f"referrals.{action}", object_type="referral", object_id=referral.id,
           structure_id=referral.to_structure_id if party == "receiver" else referral.from_structure_id,
           user=actor)


def _begin(referral: Referral, action: str, actor, expected_version: int | None) -> tuple[str, str]:
    # The version first: someone who answered from a page loaded before another's answer
    # is told of the conflict, not that the new state forbids what they meant to do.
    check_version(referral, expected_version, CONFLICT)
    LIFECYCLE.check(referral, action, actor)
    return _party_of(referral, action, actor), referral.status


# --- creating -------------------------------------------------------------------------------------------


def sending_case_file(beneficiary, structure_id: int) -> CaseFile | None:
    return db.session.execute(
        select(CaseFile).where(CaseFile.beneficiary_id == beneficiary.id, CaseFile.structure_id == structure_id)
    ).scalar_one_or_none()


PLAN_ACTION_REFUSED = _l("The plan action given is not one of this person's plan at your structure. "
                         "Send the form again to refer without linking it to an action.")


def _is_plan_action_of(actor, action_key: uuid.UUID, case_file: CaseFile) -> bool:
    from caseapp.plans.queries import is_action_of_case_file  # plans import referrals (referral_link)

    return is_action_of_case_file(actor, action_key, case_file.id)


def create_referral(beneficiary, values: dict, *, actor, send: bool = False) -> Referral:
    """A new referral of `beneficiary`, saved as a draft, and sent at once when `send`.

    `values`: from_structure (a Structure of the actor's holding an open case file on the person),
    service (an active Service of another, active structure: its structure is the receiver),
    urgency (codes.URGENCIES), reason (text, required, sealed under the person's key),
    plan_action_id (UUID or None: the key of an action of the plan of the sending case file).
    """
    source = values.get("from_structure")
    if source is None or source.id not in actor.structure_ids or not actor.has_permission("referrals.send"):
        raise ReferralError(_l("Choose one of your structures."), "from_structure")
    case_file = sending_case_file(beneficiary, source.id)
    if case_file is None or not case_file.is_open:
        raise ReferralError(_l("Your structure needs an open case file for the person to refer them."),
                            "from_structure")
    service = values.get("service")
    if service is None or not service.active or not service.structure.active:
        raise ReferralError(_l("Choose the service from the list."), "service")
    if service.structure_id == source.id:
        raise ReferralError(_l("Choose a service of another structure: this one is your own."), "service")
    if values.get("urgency") not in codes.URGENCIES:
        raise ReferralError(_l("Choose the urgency."), "urgency")
    reason = _text(values.get("reason"), "reason", _l("Write why the person is referred."))
    plan_action_id = values.get("plan_action_id")
    if plan_action_id is not None and not _is_plan_action_of(actor, plan_action_id, case_file):
        raise ReferralError(PLAN_ACTION_REFUSED, None)
    referral = Referral(id=uuid.uuid4(), beneficiary=beneficiary, case_file=case_file,
                        from_structure_id=source.id, from_structure=source, to_structure_id=service.structure_id,
                        to_structure=service.structure, service=service, status=DRAFT,
                        urgency=values["urgency"], plan_action_id=values.get("plan_action_id"),
                        created_at=utcnow(), created_by_id=actor.id)
    referral.reason = reason
    db.session.add(referral)
    _history(referral, "create", None, actor, "sender")
    _flush()
    _timeline(referral, "create", actor)
    _audit(referral, "create", actor)
    if send:
        send_referral(referral, actor=actor)
    return referral


def update_draft(referral: Referral, values: dict, *, actor, expected_version: int | None = None) -> Referral:
    """Change a draft before it is sent (the sender only): service, urgency, reason (as `create_referral`).
    The referring structure and the person stay. Raises like `create_referral`, or `ConflictError`."""
    check_version(referral, expected_version, CONFLICT)
    if referral.status != DRAFT or "sender" not in parties(referral, actor):
        raise ReferralError(_l("Only a draft can be changed, by its structure."))
    service = values.get("service")
    if service is None or not service.active or not service.structure.active:
        raise ReferralError(_l("Choose the service from the list."), "service")
    if service.structure_id == referral.from_structure_id:
        raise ReferralError(_l("Choose a service of another structure: this one is your own."), "service")
    if values.get("urgency") not in codes.URGENCIES:
        raise ReferralError(_l("Choose the urgency."), "urgency")
    reason = _text(values.get("reason"), "reason", _l("Write why the person is referred."))
    referral.service, referral.to_structure_id, referral.to_structure = service, service.structure_id, service.structure
    referral.urgency = values["urgency"]
    referral.reason = reason
    _flush()
    record("referrals.update", object_type="referral", object_id=referral.id,
           structure_id=referral.from_structure_id, user=actor)
    return referral


# --- the transitions ------------------------------------------------------------------------------------


def send_referral(referral: Referral, *, actor, expected_version: int | None = None) -> Referral:
    """Send a draft: consent checked, due date set in working days from today (Europe/Athens)."""
    party, from_status = _begin(referral, "send", actor, expected_version)
    if not has_sharing_consent(referral.beneficiary, referral.to_structure, referral.from_structure_id):
        raise ReferralError(_no_consent_message(referral.to_structure))
    if not referral.case_file.is_open:
        raise ReferralError(_l("The case file is closed: reopen it to send the referral."))
    LIFECYCLE.apply(referral, "send", actor)
    today = local_today()
    referral.sent_at, referral.sent_by_id, referral.sent_on = utcnow(), actor.id, today
    referral.due_on = workdays.due_date(today, referral.urgency)
    _history(referral, "send", from_status, actor, party)
    _flush()
    _timeline(referral, "send", actor)
    _audit(referral, "send", actor, party)
    return referral


def _answer_details(referral: Referral, party: str, channel: str | None, answered_on: date | None):
    """For a partner's answer recorded by the sender: how and when the partner answered."""
    if party != "proxy":
        return None, local_today()
    if channel not in codes.CHANNELS:
        raise ReferralError(_l("Say how the partner organisation gave its answer."), "channel")
    if answered_on is None:
        raise ReferralError(_l("Enter the day the partner organisation answered."), "answered_on")
    if answered_on > local_today():
        raise ReferralError(_l("The date cannot be in the future."), "answered_on")
    if referral.sent_on and answered_on < referral.sent_on:
        raise ReferralError(_l("The answer cannot come before the referral was sent."), "answered_on")
    return channel, answered_on


def _receiving_case_file(referral: Referral, actor) -> CaseFile:
    """The receiving structure's file on the person: opened, reopened, or the open one it has."""
    existing = sending_case_file(referral.beneficiary, referral.to_structure_id)
    if existing is not None and existing.is_open:
        return existing
    return casefile_service.open_case_file(referral.beneficiary, referral.to_structure, actor=actor)


def accept(referral: Referral, *, actor, expected_version: int | None = None, channel: str | None = None,
           answered_on: date | None = None) -> Referral:
    """The receiver (or the sender for a partner) accepts: a municipal receiver gets a case file."""
    party, from_status = _begin(referral, "accept", actor, expected_version)
    channel, answered_on = _answer_details(referral, party, channel, answered_on)
    if not has_sharing_consent(referral.beneficiary, referral.to_structure, referral.from_structure_id):
        raise ReferralError(_l("The person withdrew their consent to this sharing after the referral was sent: "
                               "it cannot be accepted. Decline it, or ask the sending structure."))
    LIFECYCLE.apply(referral, "accept", actor)
    _answered(referral, actor, party, answered_on, channel)
    _flush()
    if not referral.to_structure.is_partner:
        referral.receiving_case_file = _receiving_case_file(referral, actor)
        _flush()
    _history(referral, "accept", from_status, actor, party, channel=channel,
             answered_on=answered_on if party == "proxy" else None)
    _flush()
    _timeline(referral, "accept", actor)
    _audit(referral, "accept", actor, party)
    return referral


def _answered(referral: Referral, actor, party: str, answered_on: date, channel: str | None) -> None:
    referral.answered_at, referral.answered_by_id, referral.answered_on = utcnow(), actor.id, answered_on
    referral.answered_for_partner = party == "proxy"
    referral.answer_channel = channel
    if referral.sent_on is not None:
        referral.days_to_answer = max((answered_on - referral.sent_on).days, 0)


def decline(referral: Referral, reason: str | None, *, actor, expected_version: int | None = None,
            channel: str | None = None, answered_on: date | None = None) -> Referral:
    """Declined, with the reason (required, sealed). The receiver sees nothing of the person afterwards."""
    party, from_status = _begin(referral, "decline", actor, expected_version)
    text = _text(reason, "reason", _l("Write why the referral is declined."))
    channel, answered_on = _answer_details(referral, party, channel, answered_on)
    LIFECYCLE.apply(referral, "decline", actor)
    referral.decline_reason = text
    _answered(referral, actor, party, answered_on, channel)
    referral.closed_at, referral.closed_by_id = utcnow(), actor.id
    _history(referral, "decline", from_status, actor, party, channel=channel,
             answered_on=answered_on if party == "proxy" else None)
    _flush()
    _timeline(referral, "decline", actor)
    _audit(referral, "decline", actor, party)
    return referral


def complete(referral: Referral, outcome: str | None, *, actor, expected_version: int | None = None) -> Referral:
    """The service was given: the outcome is required (sealed)."""
    party, from_status = _begin(referral, "complete", actor, expected_version)
    text = _text(outcome, "outcome", _l("Write the outcome."))
    LIFECYCLE.apply(referral, "complete", actor)
    referral.outcome = text
    referral.closed_at, referral.closed_by_id = utcnow(), actor.id
    _history(referral, "complete", from_status, actor, party)
    _flush()
    _timeline(referral, "complete", actor)
    _audit(referral, "complete", actor, party)
    return referral


def withdraw(referral: Referral, reason: str | None, *, actor, expected_version: int | None = None) -> Referral:
    """The sender withdraws (reason required, sealed). Before acceptance the receiver loses sight of it."""
    party, from_status = _begin(referral, "withdraw", actor, expected_version)
    text = _text(reason, "reason", _l("Write why the referral is withdrawn."))
    LIFECYCLE.apply(referral, "withdraw", actor)
    referral.withdraw_reason = text
    referral.closed_at, referral.closed_by_id = utcnow(), actor.id
    _history(referral, "withdraw", from_status, actor, party)
    _flush()
    _timeline(referral, "withdraw", actor)
    _audit(referral, "withdraw", actor, party)
    return referral


def apply_action(referral: Referral, action: str, *, actor, expected_version: int | None = None,
                 **arguments) -> Referral:
    """One entry for the action forms. `arguments`: reason (decline, withdraw), outcome (complete),
    channel and answered_on (a partner's answer)."""
    if action == "send":
        return send_referral(referral, actor=actor, expected_version=expected_version)
    if action == "accept":
        return accept(referral, actor=actor, expected_version=expected_version,
                      channel=arguments.get("channel"), answered_on=arguments.get("answered_on"))
    if action == "decline":
        return decline(referral, arguments.get("reason"), actor=actor, expected_version=expected_version,
                       channel=arguments.get("channel"), answered_on=arguments.get("answered_on"))
    if action == "complete":
        return complete(referral, arguments.get("outcome"), actor=actor, expected_version=expected_version)
    if action == "withdraw":
        return withdraw(referral, arguments.get("reason"), actor=actor, expected_version=expected_version)
    raise ReferralError(_l("This cannot be done now."))


# --- the due-date calendar ----------------------------------------------------------------------------------


def add_override(day: date, working: bool, note: str, *, actor):
    """A one-off working-day change (admins). Refused for a day that already has one; audited."""
    from sqlalchemy.exc import IntegrityError

    from caseapp.referrals.models import WorkingDayOverride

    note = (note or "").strip()
    if not note:
        raise ReferralError(_l("Say why the calendar changes."), "note")
    if db.session.execute(select(WorkingDayOverride.id).where(WorkingDayOverride.day == day)).first():
        raise ReferralError(_l("This day already has a change: remove it first."), "day")
    override = WorkingDayOverride(day=day, working=working, note=note[:200], created_at=utcnow(),
                                  created_by_id=actor.id)
    db.session.add(override)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ReferralError(_l("This day already has a change: remove it first."), "day") from None
    record("referrals.calendar_add", object_type="working_day_override", object_id=override.id, user=actor)
    return override


def remove_override(override, *, actor) -> None:
    """Undo a one-off change (due dates already set keep their day); audited."""
    record("referrals.calendar_remove", object_type="working_day_override", object_id=override.id, user=actor)
    db.session.delete(override)
    db.session.flush()
