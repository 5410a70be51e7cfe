"""Interpretation screens: requests (staff), the interpreter's own assignments, calendars, interpreters.

Thin: parse, call the service or a scoped query, flash, redirect. No personal data in URLs
(ids are UUIDs; weeks and days are dates), in flash messages or in audit events.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseapp.casefiles.lookups import case_file_or_404
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.formtools import commit_or_show, refused_status, show_error
from caseapp.interpretation import calendar, codes, languages, queries, service
from caseapp.interpretation.forms import (ActionForm, AssignForm, CancelForm, CompleteForm, InterpreterForm,
                                          RequestForm)
from caseapp.interpretation.models import ACTIVE_BOOKING, REQUESTED, Interpreter
from caseapp.panels import register_panel
from caseapp.security.permissions import permission_required
from caseapp.templating import register_nav
from caseapp.viewtools import audited, not_visible, refuse, user, uuid_arg, version_of

bp = Blueprint("interpretation", __name__, url_prefix="/interpretation")

STAFF_ACTIONS = ("confirm", "decline", "complete", "no_show", "cancel")
INTERPRETER_ACTIONS = ("confirm", "decline", "complete", "no_show")
LISTS = {
    "waiting": ((REQUESTED,), _l("Waiting for an interpreter")),
    "booked": (ACTIVE_BOOKING, _l("Booked")),
    "closed": (("completed", "no_show", "cancelled"), _l("Delivered, no-show or cancelled")),
}
OWN_UPCOMING_LIMIT = 50
CASE_PANEL_LIMIT = 10


INTERP = SimpleNamespace(codes=codes, languages=languages, lifecycle=service.LIFECYCLE, local=calendar.local)


@bp.app_context_processor
def helpers():
    """App-wide (the panels render on other domains' pages), under one name of its own."""
    return {"interp": INTERP}


def _waiting_badge(viewer):
    return queries.waiting_count(viewer) or None if viewer.has_permission("interpretation.assign") else None


register_nav("interpretation.mine", _l("My assignments"), permission="interpretation.own", order=5)
register_nav("interpretation.index", _l("Interpretation"), permission="interpretation.request", order=40,
             badge=_waiting_badge)
register_nav("interpretation.interpreters", _l("Interpreters"), permission="interpreters.manage", order=82, more=True)


def _case_panel(case_file, viewer):
    if not viewer.has_permission("interpretation.request"):
        return None
    return {"requests": queries.case_file_requests(case_file, CASE_PANEL_LIMIT), "case_file": case_file,
            "can_request": case_file.is_open, "subjects": [case_file.beneficiary_id]}


def _home_panel(viewer):
    if not viewer.has_permission("interpretation.own"):
        return None
    return {}


register_panel("case_file", "interpretation", order=40, template="interpretation/_case_panel.html",
               context=_case_panel)
register_panel("home", "interpretation", order=10, template="interpretation/_home_panel.html", context=_home_panel)


# --- requests (staff) ------------------------------------------------------------------------------


@bp.route("/")
@permission_required("interpretation.request")
def index():
    shown = request.args.get("list", "waiting")
    if shown not in LISTS:
        shown = "waiting"
    statuses, _label = LISTS[shown]
    page = queries.requests_page(user(), statuses, uuid_arg("after"), current_app.config["PAGE_SIZE"])
    html = render_template("interpretation/index.html", page=page, shown=shown, lists=LISTS)
    return audited(html, "interpretation.list", object_type="interpretation_request_page",
                   subjects=[r.beneficiary_id for r in page.items])


@bp.route("/cases/<uuid:case_file_id>/new", methods=["GET", "POST"])
@permission_required("interpretation.request")
def new(case_file_id: uuid.UUID):
    case_file = case_file_or_404(case_file_id)
    if not case_file.is_staff(user()):
        refuse("case_file", case_file.id)
    form = RequestForm()
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: service.create_request(case_file, form.values(), actor=user()),
                              success=_("The interpreter has been requested."),
                              next_url=lambda r: url_for(".show", booking_id=r.id))
        if done is not None:
            return done
        case_file = case_file_or_404(case_file_id)
    consent = service.interpretation_consent(case_file.beneficiary, case_file.structure_id)
    html = render_template("interpretation/new.html", form=form, case_file=case_file,
                           beneficiary=case_file.beneficiary, consent=consent)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "interpretation.request_form", object_type="case_file", object_id=case_file.id,
                   structure_id=case_file.structure_id), status


def _request_or_404(booking_id: uuid.UUID):
    booking = queries.get_visible_request(user(), booking_id)
    if booking is None:
        not_visible("interpretation_request", booking_id)
    return booking


def _render_request(booking, *, complete_form=None, cancel_form=None, status=200):
    viewer = user()
    available = service.LIFECYCLE.available(booking, viewer)
    can_assign = "assign" in available or "reassign" in available
    html = render_template(
        "interpretation/show.html", booking=booking, available=available,
        suggestions=queries.suggestions(booking) if can_assign else None,
        action_form=ActionForm(formdata=None, version=booking.version),
        complete_form=complete_form or CompleteForm(formdata=None, version=booking.version),
        cancel_form=cancel_form or CancelForm(formdata=None, version=booking.version))
    return audited(html, "interpretation.view", object_type="interpretation_request", object_id=booking.id,
                   structure_id=booking.structure_id, subjects=[booking.beneficiary_id]), status


@bp.route("/requests/<uuid:booking_id>")
@permission_required("interpretation.request")
def show(booking_id: uuid.UUID):
    return _render_request(_request_or_404(booking_id))


def _refuse_unless_party(booking, action: str) -> None:
    """403 (audited) when the action exists in this state but is not the user's to take;
    a state that has moved on is answered by the service's message instead."""
    transition = service.LIFECYCLE.find(booking.status, action)
    if transition is not None and not transition.parties & service.parties(booking, user()):
        refuse("interpretation_request", booking.id)


@bp.route("/requests/<uuid:booking_id>/assign", methods=["POST"])
@permission_required("interpretation.request", "interpretation.assign")
def assign(booking_id: uuid.UUID):
    booking = _request_or_404(booking_id)
    _refuse_unless_party(booking, "reassign" if booking.status == "assigned" else "assign")
    form = AssignForm()
    valid = form.validate_on_submit()
    chosen = None
    if valid:
        try:
            chosen = db.session.get(Interpreter, uuid.UUID(form.interpreter.data or ""))
        except ValueError:
            chosen = None
    return _button(booking, lambda: service.assign(booking, chosen, actor=user(),
                                                   expected_version=version_of(form)),
                   _("The interpreter has been booked."), valid=valid)


def _button(booking, action, success, *, valid: bool, back=None):
    back = back or url_for(".show", booking_id=booking.id)
    if not valid:
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        action()
    except service.DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(back)


DONE_MESSAGES = {
    "confirm": _l("The booking is confirmed."),
    "decline": _l("The assignment has been declined; the request waits for another interpreter."),
    "complete": _l("Recorded as delivered."),
    "no_show": _l("The no-show has been recorded."),
    "cancel": _l("The request has been cancelled."),
}


def _act(booking, action: str, *, on_invalid, back: str):
    """Run a lifecycle button; `on_invalid(form)` renders the page again for a form with errors."""
    _refuse_unless_party(booking, action)
    form = {"complete": CompleteForm, "cancel": CancelForm}.get(action, ActionForm)()
    if not form.validate_on_submit():
        if action in ("complete", "cancel"):
            return on_invalid(form)
        return _button(booking, lambda: None, None, valid=False, back=back)
    arguments = {}
    if action == "complete":
        arguments["delivered_minutes"] = form.delivered_minutes()
    if action == "cancel":
        arguments["reason"] = form.reason.data
    try:
        service.apply_action(booking, action, actor=user(), expected_version=version_of(form), **arguments)
    except service.DomainError as error:
        db.session.rollback()
        if action in ("complete", "cancel") and error.field:
            show_error(form, error)
            return on_invalid(form)
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(str(DONE_MESSAGES[action]), "success")
    return redirect(back)


@bp.route("/requests/<uuid:booking_id>/<action>", methods=["POST"])
@permission_required("interpretation.request")
def act(booking_id: uuid.UUID, action: str):
    if action not in STAFF_ACTIONS:
        abort(404)
    booking = _request_or_404(booking_id)

    def again(form):
        db.session.rollback()
        fresh = _request_or_404(booking_id)
        forms = {"complete_form": form} if action == "complete" else {"cancel_form": form}
        return _render_request(fresh, status=400, **forms)

    return _act(booking, action, on_invalid=again, back=url_for(".show", booking_id=booking.id))


# --- the interpreter's own assignments ---------------------------------------------------------------


def _render_mine(*, failed=None, failed_form=None, status=200):
    viewer = user()
    upcoming = queries.own_upcoming(viewer, OWN_UPCOMING_LIMIT)
    past = queries.own_past_page(viewer, uuid_arg("after"), current_app.config["PAGE_SIZE"])
    html = render_template("interpretation/mine.html", interpreter=queries.own_interpreter(viewer),
                           upcoming=upcoming, past=past, failed=failed, failed_form=failed_form,
                           limit=OWN_UPCOMING_LIMIT)
    shown = [r.id for r in upcoming] + [r.id for r in past.items]
    return audited(html, "interpretation.own_list", object_type="user", object_id=viewer.id,
                   outcome="ok" if shown else "empty",
                   subjects=[r.beneficiary_id for r in [*upcoming, *past.items]]), status


@bp.route("/mine")
@permission_required("interpretation.own")
def mine():
    return _render_mine()


@bp.route("/mine/<uuid:booking_id>/<action>", methods=["POST"])
@permission_required("interpretation.own")
def mine_act(booking_id: uuid.UUID, action: str):
    if action not in INTERPRETER_ACTIONS:
        abort(404)
    booking = queries.get_own_request(user(), booking_id)
    if booking is None:
        not_visible("interpretation_request", booking_id)

    def again(form):
        db.session.rollback()
        return _render_mine(failed=booking_id, failed_form=form, status=400)

    return _act(booking, action, on_invalid=again, back=url_for(".mine", _anchor=f"booking-{booking_id}"))


# --- calendars -----------------------------------------------------------------------------------------


def _chosen_structure(viewer):
    structures = [s for s in viewer.structures if not s.is_partner]
    wanted = request.args.get("structure", "")
    chosen = next((s for s in structures if str(s.id) == wanted), structures[0] if structures else None)
    return structures, chosen


def _week():
    day = calendar.parse_day(request.args.get("week")) or local_today()
    return calendar.week_start(day)


@bp.route("/calendar")
@permission_required("interpretation.request")
def week():
    viewer = user()
    structures, chosen = _chosen_structure(viewer)
    monday = _week()
    days = calendar.week_days(monday)
    requests_by_day = {day: [] for day in days}
    if chosen is not None:
        start, end = calendar.week_utc_bounds(monday)
        requests_by_day = calendar.by_local_day(queries.structure_week(viewer, chosen.id, start, end), days)
    html = render_template("interpretation/week.html", structures=structures, chosen=chosen, monday=monday,
                           days=days, requests_by_day=requests_by_day, timedelta=calendar.timedelta)
    return audited(html, "interpretation.calendar", object_type="structure",
                   object_id=chosen.id if chosen else None, structure_id=chosen.id if chosen else None,
                   subjects=[r.beneficiary_id for day in days for r in requests_by_day[day]])


@bp.route("/calendar/interpreters/<uuid:interpreter_id>")
@permission_required("interpretation.assign")
def interpreter_week(interpreter_id: uuid.UUID):
    viewer = user()
    interpreter = db.session.get(Interpreter, interpreter_id)
    if interpreter is None:
        not_visible("interpreter", interpreter_id)
    monday = _week()
    days = calendar.week_days(monday)
    start, end = calendar.week_utc_bounds(monday)
    bookings = calendar.by_local_day(queries.interpreter_week(viewer, interpreter, start, end), days)
    html = render_template("interpretation/interpreter_week.html", interpreter=interpreter, monday=monday,
                           days=days, bookings_by_day=bookings, timedelta=calendar.timedelta)
    return audited(html, "interpretation.interpreter_calendar", object_type="interpreter", object_id=interpreter.id,
                   subjects=[b.request.beneficiary_id for day in days for b in bookings[day] if b.request])


@bp.route("/day")
@permission_required("interpretation.request")
def day_sheet():
    viewer = user()
    structures, chosen = _chosen_structure(viewer)
    day = calendar.parse_day(request.args.get("day")) or local_today()
    requests_of_day = []
    if chosen is not None:
        start, end = calendar.day_utc_bounds(day)
        requests_of_day = queries.structure_week(viewer, chosen.id, start, end)
    html = render_template("interpretation/day.html", structures=structures, chosen=chosen, day=day,
                           requests=requests_of_day, timedelta=calendar.timedelta)
    return audited(html, "interpretation.day_sheet", object_type="structure",
                   object_id=chosen.id if chosen else None, structure_id=chosen.id if chosen else None,
                   subjects=[r.beneficiary_id for r in requests_of_day])


# --- interpreters ---------------------------------------------------------------------------------------


@bp.route("/interpreters/")
@permission_required("interpreters.manage")
def interpreters():
    page = queries.interpreters_page(uuid_arg("after"), current_app.config["PAGE_SIZE"])
    html = render_template("interpretation/interpreters.html", page=page)
    return audited(html, "interpreters.list", object_type="interpreter_page")


@bp.route("/interpreters/new", methods=["GET", "POST"])
@permission_required("interpreters.manage")
def new_interpreter():
    return _interpreter_form(None)


@bp.route("/interpreters/<uuid:interpreter_id>/edit", methods=["GET", "POST"])
@permission_required("interpreters.manage")
def edit_interpreter(interpreter_id: uuid.UUID):
    interpreter = db.session.get(Interpreter, interpreter_id)
    if interpreter is None:
        not_visible("interpreter", interpreter_id)
    return _interpreter_form(interpreter)


def _interpreter_form(interpreter: Interpreter | None):
    logins = queries.linkable_logins(interpreter)
    form = InterpreterForm(logins=logins)
    if request.method == "GET" and interpreter is not None:
        form.fill_from(interpreter)
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.save_interpreter(interpreter, form.values(logins), actor=user(),
                                                   expected_version=version_of(form) if interpreter else None),
            success=_("The interpreter has been saved."), next_url=lambda _i: url_for(".interpreters"))
        if done is not None:
            return done
    html = render_template("interpretation/interpreter_form.html", form=form, interpreter=interpreter)
    status = refused_status(form) if request.method == "POST" else 200
    if interpreter is None:
        return html, status
    return audited(html, "interpreters.view", object_type="interpreter", object_id=interpreter.id), status
