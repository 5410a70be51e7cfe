"""Deliveries screens: the desk, recording and correcting from the case file, the card,
group sessions and their register.

Thin: parse, call the service or a scoped query, commit, redirect. No personal data in URLs
(ids are UUIDs, the last delivery is named by its id), flash messages or audit events.
"""
from __future__ import annotations

import uuid

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from caseapp.beneficiaries.queries import get_visible_beneficiary
from caseapp.beneficiaries.references import normalise_reference, reference_problem
from caseapp.casefiles.lookups import case_file_or_404
from caseapp.dates import local_today
from caseapp.deliveries import codes, queries, service
from caseapp.deliveries.forms import ActionForm, AttendeeForm, DeliveryForm, DeskForm, SessionForm
from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.formtools import claim_submission, commit_or_show, refused_status, settle_submission, show_error
from caseapp.panels import register_panel
from caseapp.security.permissions import permission_required
from caseapp.templating import register_nav
from caseapp.viewtools import audited, int_arg, not_visible, user, uuid_arg, version_of

bp = Blueprint("deliveries", __name__, url_prefix="/deliveries")

CASE_PANEL_LIMIT = 10

register_nav("deliveries.index", _l("Services"), permission="deliveries.record", order=35)


@bp.app_context_processor
def helpers():
    return {"unit_label": codes.unit_label}


def _case_panel(case_file, viewer):
    if not viewer.has_permission("deliveries.record"):
        return None
    return {"deliveries": queries.case_file_deliveries(case_file, CASE_PANEL_LIMIT), "case_file": case_file,
            "can_record": case_file.is_open, "subjects": [case_file.beneficiary_id]}


def _profile_panel(beneficiary, viewer):
    if not viewer.has_permission("deliveries.record"):
        return None
    return {"beneficiary": beneficiary, "subjects": [beneficiary.id]}


register_panel("case_file", "deliveries", order=35, template="deliveries/_case_panel.html", context=_case_panel)
register_panel("profile", "deliveries", order=90, template="deliveries/_profile_panel.html",
               context=_profile_panel)


def _structure_or_404(structure_id: int):
    structure = queries.desk_structure(user(), structure_id)
    if structure is None:
        not_visible("structure", structure_id)
    return structure


@bp.route("/")
@permission_required("deliveries.record")
def index():
    viewer = user()
    structures = sorted(viewer.structures, key=lambda s: s.code)
    return render_template("deliveries/index.html", structures=structures)


# --- the desk ---------------------------------------------------------------------------------------


def _reference_error(text: str):
    problem = reference_problem(text)
    if problem == "check":
        return _("One character is mistyped: the check character does not match. Look at the card again.")
    if problem == "shape":
        return _("This is not a reference. A reference looks like B-26-7KQ4X-7.")
    return None


NOT_HERE = _l("No one with this reference has a case file at this structure. Register the person first.")


def _find_case_file(form, structure):
    """The case file at `structure` of the person whose reference `form.reference` holds, or
    None with the message on the field."""
    message = _reference_error(form.reference.data)
    if message:
        form.reference.errors = [message]
        return None
    case_file = queries.case_file_by_reference(user(), structure.id, normalise_reference(form.reference.data))
    if case_file is None:
        form.reference.errors = [str(NOT_HERE)]
    return case_file


@bp.route("/desk/<int:structure_id>", methods=["GET", "POST"])
@permission_required("deliveries.record")
def desk(structure_id: int):
    """Reference (typed or scanned) + Enter records the chosen service for today; the service
    is remembered in the URL (`service`), the last delivery shown (`done`)."""
    structure = _structure_or_404(structure_id)
    services = queries.catalogue(structure.id)
    form = DeskForm().set_services(services)
    if request.method == "GET":
        remembered = int_arg("service")
        form.service.data = remembered if remembered in form._services else (services[0].id if services else None)
        form.quantity.data = 1
    status = 200
    if form.validate_on_submit():
        case_file = _find_case_file(form, structure)
        if case_file is not None:
            reference = case_file.beneficiary.reference
            again = claim_submission(form)
            if again is not None:
                return again
            try:
                delivery = service.record_delivery(
                    case_file, form.chosen_service(), on=local_today(), quantity=form.quantity.data, actor=user(),
                    confirm_same_day=form.confirm.data == reference)
            except service.SameDayDelivery as duplicate:
                db.session.rollback()
                case_file = queries.case_file_by_reference(user(), structure.id, reference)
                html = render_template("deliveries/desk_confirm.html", structure=structure, form=form,
                                       case_file=case_file, beneficiary=case_file.beneficiary,
                                       chosen=form.chosen_service(), existing=duplicate.existing,
                                       reference=reference)
                return audited(html, "deliveries.desk_same_day", object_type="case_file", object_id=case_file.id,
                               structure_id=structure.id, subjects=[case_file.beneficiary_id]), 409
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                url = settle_submission(form, url_for(".desk", structure_id=structure.id,
                                                      service=delivery.service_id, done=delivery.id))
                db.session.commit()
                return redirect(url)
        status = 400
    elif request.method == "POST":
        status = 400
    done = None
    done_id = uuid_arg("done")
    if done_id is not None and request.method == "GET":
        done = queries.get_visible_delivery(user(), done_id)
    if request.method == "POST":
        form.confirm.data = ""
    html = render_template("deliveries/desk.html", structure=structure, form=form, services=services, done=done)
    if done is not None:
        return audited(html, "deliveries.desk_view", object_type="service_delivery", object_id=done.id,
                       structure_id=structure.id, subjects=[done.beneficiary_id]), status
    return html, status


# --- from the case file -----------------------------------------------------------------------------


@bp.route("/cases/<uuid:case_file_id>/new", methods=["GET", "POST"])
@permission_required("deliveries.record")
def new(case_file_id: uuid.UUID):
    case_file = case_file_or_404(case_file_id)
    form = DeliveryForm().set_services(queries.catalogue(case_file.structure_id))
    if request.method == "GET":
        form.delivered_on.data = local_today()
        form.service.data = int_arg("service")
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.record_delivery(case_file, form.chosen_service(), on=form.delivered_on.data,
                                                  quantity=form.quantity.data, note=form.note.data, actor=user()),
            success=_("The service has been recorded."),
            next_url=lambda d: url_for("cases.show", case_file_id=case_file.id) + f"#delivery-{d.id}")
        if done is not None:
            return done
        case_file = case_file_or_404(case_file_id)
    html = render_template("deliveries/form.html", form=form, case_file=case_file, beneficiary=case_file.beneficiary,
                           original=None)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "deliveries.form", object_type="case_file", object_id=case_file.id,
                   structure_id=case_file.structure_id, subjects=[case_file.beneficiary_id]), status


def _delivery_or_404(delivery_id: uuid.UUID):
    delivery = queries.get_visible_delivery(user(), delivery_id)
    if delivery is None:
        not_visible("service_delivery", delivery_id)
    return delivery


@bp.route("/<uuid:delivery_id>/correct", methods=["GET", "POST"])
@permission_required("deliveries.record")
def correct(delivery_id: uuid.UUID):
    original = _delivery_or_404(delivery_id)
    form = DeliveryForm(obj=original if request.method == "GET" else None)
    form.set_services(queries.catalogue(original.structure_id))
    if request.method == "GET":
        form.service.data = original.service_id
        form.note.data = original.note
        form.version.data = original.version
    if not original.in_force:
        flash(_("This delivery has already been corrected or cancelled."), "error")
        return redirect(url_for("cases.show", case_file_id=original.case_file_id))
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.correct_delivery(original, form.chosen_service(), on=form.delivered_on.data,
                                                   quantity=form.quantity.data, note=form.note.data, actor=user(),
                                                   expected_version=version_of(form)),
            success=_("The delivery has been corrected; the original stays in the history."),
            next_url=lambda d: url_for("cases.show", case_file_id=d.case_file_id) + f"#delivery-{d.id}")
        if done is not None:
            return done
        original = _delivery_or_404(delivery_id)
    html = render_template("deliveries/form.html", form=form, case_file=original.case_file,
                           beneficiary=original.beneficiary, original=original)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "deliveries.view", object_type="service_delivery", object_id=original.id,
                   structure_id=original.structure_id, subjects=[original.beneficiary_id]), status


@bp.route("/<uuid:delivery_id>/cancel", methods=["POST"])
@permission_required("deliveries.record")
def cancel(delivery_id: uuid.UUID):
    original = _delivery_or_404(delivery_id)
    form = ActionForm()
    back = url_for("cases.show", case_file_id=original.case_file_id) + "#deliveries-heading"
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        service.reverse_delivery(original, actor=user(), expected_version=version_of(form))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The delivery has been cancelled; it stays in the history with its cancellation."), "success")
    return redirect(back)


# --- the beneficiary card -----------------------------------------------------------------------------


@bp.route("/card/<uuid:beneficiary_id>")
@permission_required("deliveries.record")
def card(beneficiary_id: uuid.UUID):
    """A printable card: the reference in letters and as a QR code, nothing else about the person
    (no name, no structure: a card found in the street must not say where she is sheltered)."""
    beneficiary = get_visible_beneficiary(user(), beneficiary_id)
    if beneficiary is None:
        not_visible("beneficiary", beneficiary_id)
    qr = segno.make(beneficiary.reference, error="m")
    svg = Markup(qr.svg_inline(scale=6, border=2, title=beneficiary.reference))
    html = render_template("deliveries/card.html", beneficiary=beneficiary, qr_svg=svg)
    return audited(html, "deliveries.card", object_type="beneficiary", object_id=beneficiary.id,
                   subjects=[beneficiary.id])


# --- group sessions ------------------------------------------------------------------------------------


@bp.route("/sessions/<int:structure_id>", methods=["GET", "POST"])
@permission_required("deliveries.record")
def sessions(structure_id: int):
    structure = _structure_or_404(structure_id)
    form = SessionForm().set_services(queries.catalogue(structure.id))
    if request.method == "GET":
        form.held_on.data = local_today()
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.create_session(structure, form.chosen_service(), held_on=form.held_on.data,
                                                 title=form.title.data, actor=user()),
            success=_("The session has been created: add the people who attend."),
            next_url=lambda s: url_for(".session", session_id=s.id))
        if done is not None:
            return done
    page = queries.sessions_page(user(), structure.id, uuid_arg("after"), current_app.config["PAGE_SIZE"])
    status = refused_status(form) if request.method == "POST" else 200
    return render_template("deliveries/sessions.html", structure=structure, form=form, page=page), status


def _session_or_404(session_id: uuid.UUID):
    group = queries.get_visible_session(user(), session_id)
    if group is None:
        not_visible("group_session", session_id)
    return group


def _render_register(group, form=None, status=200):
    attendees = queries.attendance(group)
    html = render_template("deliveries/session.html", group=group, attendees=attendees,
                           form=form or AttendeeForm(formdata=None), action_form=ActionForm(formdata=None))
    return audited(html, "deliveries.session_view", object_type="group_session", object_id=group.id,
                   structure_id=group.structure_id, subjects=[d.beneficiary_id for d in attendees]), status


@bp.route("/session/<uuid:session_id>")
@permission_required("deliveries.record")
def session(session_id: uuid.UUID):
    return _render_register(_session_or_404(session_id))


@bp.route("/session/<uuid:session_id>/add", methods=["POST"])
@permission_required("deliveries.record")
def add_attendee(session_id: uuid.UUID):
    group = _session_or_404(session_id)
    form = AttendeeForm()
    if form.validate_on_submit():
        structure = group.structure
        case_file = _find_case_file(form, structure)
        if case_file is not None:
            done = commit_or_show(form, lambda: service.add_attendee(group, case_file, actor=user()),
                                  success=_("Added to the register."),
                                  next_url=lambda _d: url_for(".session", session_id=group.id))
            if done is not None:
                return done
        group = _session_or_404(session_id)
    return _render_register(group, form, 400)


@bp.route("/session/<uuid:session_id>/remove/<uuid:delivery_id>", methods=["POST"])
@permission_required("deliveries.record")
def remove_attendee(session_id: uuid.UUID, delivery_id: uuid.UUID):
    group = _session_or_404(session_id)
    delivery = _delivery_or_404(delivery_id)
    if delivery.session_id != group.id:
        not_visible("delivery", delivery_id)
    form = ActionForm()
    back = url_for(".session", session_id=group.id)
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        service.remove_attendee(delivery, actor=user(), expected_version=version_of(form))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Taken off the register."), "success")
    return redirect(back)
