"""Referral screens: refer a person, inbox and outbox, a referral with its history and the answers,
the due-date calendar's one-off changes (admins).

Thin: parse, call the service or a scoped query, commit or show the form again, render. No
personal data in URLs (ids are UUIDs), in flash messages or in audit events.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseapp.beneficiaries import codes as beneficiary_codes
from caseapp.beneficiaries import iso
from caseapp.beneficiaries.lookups import beneficiary_or_404
from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.queries import visible_case_files
from caseapp.dates import local_today
from caseapp.domain import ConflictError, DomainError
from caseapp.extensions import db
from caseapp.formtools import commit_or_show, refused_status, show_error
from caseapp.panels import register_panel
from caseapp.referrals import codes, queries, service, workdays
from caseapp.referrals.forms import ACTION_FORMS, DraftForm, OverrideForm, ReferralForm
from caseapp.referrals.models import WorkingDayOverride
from caseapp.security.audit import record_and_commit
from caseapp.security.permissions import permission_required
from caseapp.templating import register_nav
from caseapp.viewtools import audited, int_arg, not_visible, refuse, user, uuid_arg, version_of
from sqlalchemy import select

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

INBOX_LABELS = {
    "to_answer": _l("To answer"),
    "accepted": _l("Accepted"),
    "overdue": _l("Overdue"),
    "closed": _l("Completed or withdrawn"),
}
OUTBOX_LABELS = {
    "draft": _l("Drafts"),
    "sent": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "overdue": _l("Overdue"),
    "declined": _l("Declined"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
}
DONE_MESSAGES = {
    "send": _l("The referral has been sent."),
    "accept": _l("The referral has been accepted."),
    "decline": _l("The referral has been declined."),
    "complete": _l("The referral has been marked as completed."),
    "withdraw": _l("The referral has been withdrawn."),
}
PANEL_LIMIT = 10
HOME_LIMIT = 10

REF = SimpleNamespace(codes=codes, lifecycle=service.LIFECYCLE, iso=iso, beneficiary_codes=beneficiary_codes,
                      today=local_today)


@bp.app_context_processor
def helpers():
    """App-wide (the panels render on other domains' pages), under one name of its own."""
    return {"ref": REF}


def _waiting_badge(viewer):
    return queries.waiting_count(viewer) or None


register_nav("referrals.inbox", _l("Referrals"), permission="referrals.view", order=30, badge=_waiting_badge)
register_nav("referrals.calendar", _l("Working days"), permission="referrals.calendar", order=83, more=True)


# --- panels on the case file, the profile and home ----------------------------------------------------


def _case_panel(case_file, viewer):
    if not viewer.has_permission("referrals.view"):
        return None
    return {"referrals": queries.case_file_referrals(case_file, PANEL_LIMIT), "case_file": case_file,
            "can_refer": case_file.is_open and viewer.has_permission("referrals.send"),
            "subjects": [case_file.beneficiary_id]}


def _profile_panel(beneficiary, viewer):
    if not viewer.has_permission("referrals.send"):
        return None
    return {"beneficiary": beneficiary, "subjects": [beneficiary.id]}


def _home_panel(viewer):
    if not viewer.has_permission("referrals.view"):
        return None
    due = queries.due_to_answer(viewer, HOME_LIMIT) if viewer.has_permission("referrals.answer") else []
    overdue = queries.overdue_at_my_structures(viewer, HOME_LIMIT) if viewer.has_permission("cases.reassign") else None
    if not due and not overdue:
        return None
    return {"due": due, "overdue": overdue, "today": local_today(), "limit": HOME_LIMIT,
            "subjects": [referral.beneficiary_id for referral in [*due, *(overdue or ())]]}


register_panel("case_file", "referrals", order=30, template="referrals/_case_panel.html", context=_case_panel)
register_panel("profile", "referrals", order=30, template="referrals/_profile_panel.html", context=_profile_panel)
register_panel("home", "referrals", order=20, template="referrals/_home_panel.html", context=_home_panel)


# --- referring a person ----------------------------------------------------------------------------------


def _referring_structures(viewer, beneficiary) -> list:
    """The viewer's structures holding an open case file on the person (the one scoping query)."""
    held = db.session.execute(
        visible_case_files(viewer).where(CaseFile.beneficiary_id == beneficiary.id, CaseFile.status == "open")
    ).scalars().all()
    return sorted((cf.structure for cf in held), key=lambda s: s.code)


@bp.route("/new/<uuid:beneficiary_id>", methods=["GET", "POST"])
@permission_required("referrals.send")
def new(beneficiary_id: uuid.UUID):
    viewer = user()
    beneficiary = beneficiary_or_404(beneficiary_id)
    structures = _referring_structures(viewer, beneficiary)
    services = queries.target_services()
    form = ReferralForm(structures=structures, services=services)
    if request.method == "GET":
        wanted = request.args.get("service", "")
        if wanted.isdigit() and any(str(s.id) == wanted for s in services):
            form.service.data = int(wanted)
        plan_action = uuid_arg("plan_action")
        form.plan_action.data = str(plan_action) if plan_action else ""
        if len(structures) == 1:
            form.from_structure.data = structures[0].id
    elif form.validate_on_submit():
        by_id = {s.id: s for s in services}
        try:
            plan_action_id = uuid.UUID(form.plan_action.data) if form.plan_action.data else None
        except ValueError:
            plan_action_id = uuid.UUID(int=0)  # no action has it: refused like another plan's action
        values = {"from_structure": next((s for s in structures if s.id == form.from_structure.data), None),
                  "service": by_id.get(form.service.data), "urgency": form.urgency.data,
                  "reason": form.reason.data, "plan_action_id": plan_action_id}
        send = "draft" not in request.form
        done = commit_or_show(
            form, lambda: service.create_referral(beneficiary, values, actor=viewer, send=send),
            success=_("The referral has been sent.") if send else _("The referral has been saved as a draft."),
            next_url=lambda r: url_for(".show", referral_id=r.id))
        if done is not None:
            return done
        if getattr(form, "refused", None) is not None and form.refused.message is service.PLAN_ACTION_REFUSED:
            form.plan_action.data = ""   # refused link: sending again refers without it, as the message says
        beneficiary = beneficiary_or_404(beneficiary_id)
    html = render_template("referrals/new.html", form=form, beneficiary=beneficiary, has_structures=bool(structures),
                           due_days=current_app.config["REFERRAL_DUE_WORKING_DAYS"])
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "referrals.new_form", object_type="beneficiary", object_id=beneficiary.id,
                   subjects=[beneficiary.id]), status


# --- the boxes ----------------------------------------------------------------------------------------------


def _filters(viewer) -> queries.Filters:
    structure_id = int_arg("structure")
    if structure_id is not None and structure_id not in viewer.structure_ids:
        structure_id = None
    urgency = request.args.get("urgency") or None
    return queries.Filters(structure_id, urgency if urgency in codes.URGENCIES else None)


def _box(template: str, labels: dict, page_of, default: str, audit_action: str):
    viewer = user()
    shown = request.args.get("list", default)
    if shown not in labels:
        shown = default
    filters = _filters(viewer)
    page = page_of(viewer, shown, filters, uuid_arg("after"), current_app.config["PAGE_SIZE"])
    html = render_template(template, page=page, shown=shown, labels=labels, filters=filters,
                           structures=[s for s in viewer.structures if not s.is_partner], today=local_today())
    return audited(html, audit_action, object_type="referral_page", subjects=[r.beneficiary_id for r in page.items])


@bp.route("/")
@permission_required("referrals.view")
def inbox():
    return _box("referrals/inbox.html", INBOX_LABELS, queries.inbox_page, "to_answer", "referrals.inbox")


@bp.route("/sent")
@permission_required("referrals.view")
def outbox():
    return _box("referrals/outbox.html", OUTBOX_LABELS, queries.outbox_page, "sent", "referrals.outbox")


# --- one referral ---------------------------------------------------------------------------------------------


def _referral_or_404(referral_id: uuid.UUID):
    referral = queries.get_visible_referral(user(), referral_id)
    if referral is None:
        not_visible("referral", referral_id)
    return referral


def _forms_for(referral, failed_action=None, failed_form=None) -> dict:
    forms = {}
    for action in service.LIFECYCLE.available(referral, user()):
        if action == failed_action and failed_form is not None:
            forms[action] = failed_form
            continue
        form = ACTION_FORMS[action](formdata=None, version=referral.version)
        if hasattr(form, "setup_partner"):
            form.setup_partner(referral.to_structure.is_partner and "proxy" in service.parties(referral, user()))
        forms[action] = form
    return forms


def _render(referral, *, failed_action=None, failed_form=None, status=200, error=None):
    viewer = user()
    mine = set(viewer.structure_ids)
    sender_side = referral.from_structure_id in mine
    receiving = referral.receiving_case_file
    own_receiving = receiving if receiving is not None and receiving.structure_id in mine else None
    html = render_template(
        "referrals/show.html", referral=referral, sender_side=sender_side, own_receiving=own_receiving,
        minimum=queries.minimum_of(referral), forms=_forms_for(referral, failed_action, failed_form),
        today=local_today(), error=error)
    return audited(html, "referrals.view", object_type="referral", object_id=referral.id,
                   structure_id=referral.from_structure_id if sender_side else referral.to_structure_id,
                   subjects=[referral.beneficiary_id]), status


@bp.route("/<uuid:referral_id>")
@permission_required("referrals.view")
def show(referral_id: uuid.UUID):
    return _render(_referral_or_404(referral_id))


@bp.route("/<uuid:referral_id>/edit", methods=["GET", "POST"])
@permission_required("referrals.send")
def edit(referral_id: uuid.UUID):
    viewer = user()
    referral = _referral_or_404(referral_id)
    if referral.status != "draft" or "sender" not in service.parties(referral, viewer):
        refuse("referral", referral.id)
    services = queries.target_services()
    form = DraftForm(structures=(), services=services)
    if request.method == "GET":
        form.service.data, form.urgency.data = referral.service_id, referral.urgency
        form.reason.data, form.version.data = referral.reason, str(referral.version)
    elif form.validate_on_submit():
        by_id = {s.id: s for s in services}
        values = {"service": by_id.get(form.service.data), "urgency": form.urgency.data, "reason": form.reason.data}
        done = commit_or_show(
            form, lambda: service.update_draft(referral, values, actor=viewer, expected_version=version_of(form)),
            success=_("The draft has been saved."), next_url=lambda r: url_for(".show", referral_id=r.id))
        if done is not None:
            return done
        referral = _referral_or_404(referral_id)
    html = render_template("referrals/edit.html", form=form, referral=referral)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "referrals.view", object_type="referral", object_id=referral.id,
                   structure_id=referral.from_structure_id, outcome="edit_form",
                   subjects=[referral.beneficiary_id]), status


@bp.route("/<uuid:referral_id>/<action>", methods=["POST"])
@permission_required("referrals.view")
def act(referral_id: uuid.UUID, action: str):
    if action not in ACTION_FORMS:
        abort(404)
    referral = _referral_or_404(referral_id)
    viewer = user()
    transition = service.LIFECYCLE.find(referral.status, action)
    if transition is not None and not transition.parties & service.parties(referral, viewer):
        refuse("referral", referral.id)
    form = ACTION_FORMS[action]()
    if hasattr(form, "setup_partner"):
        form.setup_partner(referral.to_structure.is_partner and "proxy" in service.parties(referral, viewer))
    if not form.validate_on_submit():
        return _render(referral, failed_action=action, failed_form=form, status=400)
    arguments = {}
    if hasattr(form, "partner_values"):
        arguments.update(form.partner_values())
    if "reason" in form:
        arguments["reason"] = form.reason.data
    if "outcome" in form:
        arguments["outcome"] = form.outcome.data
    try:
        service.apply_action(referral, action, actor=viewer, expected_version=version_of(form), **arguments)
    except DomainError as error:
        db.session.rollback()
        record_and_commit(f"referrals.{action}", object_type="referral", object_id=referral_id,
                          outcome="conflict" if isinstance(error, ConflictError) else "refused")
        fresh = _referral_or_404(referral_id)
        if error.field and error.field in form:
            show_error(form, error)
            return _render(fresh, failed_action=action, failed_form=form, status=refused_status_of(error))
        return _render(fresh, status=refused_status_of(error), error=error.message)
    db.session.commit()
    flash(str(DONE_MESSAGES[action]), "success")
    if queries.get_visible_referral(viewer, referral_id) is None:
        # Declined: the receiver no longer sees the referral nor the person.
        return redirect(url_for(".inbox"))
    return redirect(url_for(".show", referral_id=referral_id))


def refused_status_of(error) -> int:
    return 409 if isinstance(error, ConflictError) else 400


# --- the due-date calendar (admins) ---------------------------------------------------------------------------


def _overrides():
    return list(db.session.execute(
        select(WorkingDayOverride).where(WorkingDayOverride.day >= local_today().replace(month=1, day=1))
        .order_by(WorkingDayOverride.day).limit(200)).scalars())


@bp.route("/calendar", methods=["GET", "POST"])
@permission_required("referrals.calendar")
def calendar():
    form = OverrideForm()
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.add_override(form.day.data, form.working.data == "working", form.note.data,
                                               actor=user()),
            success=_("The calendar has been changed."), next_url=lambda _o: url_for(".calendar"))
        if done is not None:
            return done
    today = local_today()
    html = render_template("referrals/calendar.html", form=form, overrides=_overrides(),
                           due_days=current_app.config["REFERRAL_DUE_WORKING_DAYS"],
                           examples={u: workdays.due_date(today, u) for u in codes.URGENCIES}, today=today)
    status = refused_status(form) if request.method == "POST" else 200
    return html, status


@bp.route("/calendar/<int:override_id>/remove", methods=["POST"])
@permission_required("referrals.calendar")
def remove_override(override_id: int):
    override = db.session.get(WorkingDayOverride, override_id)
    if override is None:
        not_visible("working_day_override", override_id)
    from caseapp.referrals.forms import VersionForm

    if not VersionForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".calendar"))
    service.remove_override(override, actor=user())
    db.session.commit()
    flash(_("The change has been removed."), "success")
    return redirect(url_for(".calendar"))
