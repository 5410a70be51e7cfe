"""Shelter screens: beds and occupancy, the one-step admission, discharge, the waiting list.

Thin: parse, call the service or a scoped query, commit, redirect. Only the shelter's own
staff reach these pages; anyone else gets 404 (audited), like any case file of another
structure.
"""
from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from caseapp.casefiles.lookups import case_file_or_404
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.formtools import commit_or_flash, commit_or_show, refused_status
from caseapp.panels import register_panel
from caseapp.security.permissions import permission_required
from caseapp.stays import codes, queries, service, stats
from caseapp.stays.forms import AdmitForm, CorrectStayForm, DischargeForm, VersionForm, WaitForm
from caseapp.stays.models import Stay
from caseapp.templating import register_nav
from caseapp.viewtools import audited, not_visible, user, uuid_arg, version_of

bp = Blueprint("stays", __name__, url_prefix="/stays")

STAYS = SimpleNamespace(codes=codes)


@bp.app_context_processor
def helpers():
    """App-wide (the panel renders on the case-file page), under one name of its own."""
    return {"stays_help": STAYS}


register_nav("stays.index", _l("Shelter beds"), permission="stays.manage", order=35,
             visible=lambda viewer: bool(service.shelter_structures(viewer)))


def _case_panel(case_file, viewer):
    if not service.is_shelter(case_file.structure) or not viewer.has_permission("cases.view"):
        return None
    stays = queries.case_file_stays(case_file)
    current = next((s for s in stays if s.is_open), None)
    return {"case_file": case_file, "stays": stays, "current": current, "today": local_today(),
            "waiting": None if current else service.waiting_entry(case_file),
            "withdraw_form": VersionForm(formdata=None),
            "can_manage": viewer.has_permission("stays.manage") and case_file.is_open,
            "subjects": [case_file.beneficiary_id]}


register_panel("case_file", "stays", order=15, template="stays/_case_panel.html", context=_case_panel)


# --- beds and occupancy ------------------------------------------------------------------------------


@bp.route("/")
@permission_required("cases.view", "stays.manage")
def index():
    shelters = service.shelter_structures(user())
    summary = queries.bed_summary(s.id for s in shelters)
    html = render_template("stays/index.html", shelters=shelters, summary=summary)
    return audited(html, "stays.shelters", object_type="structure_list")


MONTH_ARG = re.compile(r"^(\d{4})-(\d{2})$")


def _month_arg() -> tuple[int, int]:
    value = request.args.get("month")
    today = local_today()
    if not value:
        return today.year, today.month
    found = MONTH_ARG.match(value)
    if not found or not (1 <= int(found[2]) <= 12) or not (2000 <= int(found[1]) <= today.year + 1):
        abort(404)
    return int(found[1]), int(found[2])


def _shelter_or_404(structure_id: int):
    shelter = queries.visible_shelter(user(), structure_id)
    if shelter is None:
        not_visible("structure", structure_id)
    return shelter


@bp.route("/structures/<int:structure_id>")
@permission_required("cases.view", "stays.manage")
def shelter(structure_id: int):
    structure = _shelter_or_404(structure_id)
    year, month = _month_arg()
    residents = queries.residents_page(structure, uuid_arg("after"), current_app.config["PAGE_SIZE"])
    waiting = queries.waiting_list(structure)
    occupied, waiting_count = queries.bed_summary([structure.id])[structure.id]
    month_counts = stats.monthly_counts(year, month, [structure.id]).get(structure.id)
    days = queries.daily_occupancy(structure.id, year, month)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    html = render_template(
        "stays/shelter.html", structure=structure, residents=residents, waiting=waiting, occupied=occupied,
        waiting_count=waiting_count, month=(year, month), month_counts=month_counts, days=days,
        today=local_today(), previous=f"{previous[0]:04d}-{previous[1]:02d}",
        following=f"{following[0]:04d}-{following[1]:02d}" if following <= (local_today().year, local_today().month)
        else None)
    shown = [s.beneficiary_id for s in residents.items] + [w.beneficiary_id for w in waiting]
    return audited(html, "stays.occupancy", object_type="structure", object_id=structure.id,
                   structure_id=structure.id, subjects=shown)


# --- admission ------------------------------------------------------------------------------------------


def _staff_case_file(case_file_id: uuid.UUID) -> CaseFile:
    """A case file of the user's own structure (visibility already means that), as a shelter's."""
    case_file = case_file_or_404(case_file_id)
    if not service.is_shelter(case_file.structure):
        not_visible("case_file", case_file_id)
    return case_file


def _companion_choices(form: AdmitForm, companions) -> None:
    form.companions.choices = [SelectChoice(str(cf.id), f"{cf.beneficiary.display_name} ({cf.beneficiary.reference})")
                               for cf in companions]


@bp.route("/cases/<uuid:case_file_id>/admit", methods=["GET", "POST"])
@permission_required("cases.view", "stays.manage")
def admit(case_file_id: uuid.UUID):
    case_file = _staff_case_file(case_file_id)
    viewer = user()
    companions = queries.companions_for(viewer, case_file)
    matches = []   # possible duplicates of children, named on the page: audited as shown
    form = AdmitForm()
    _companion_choices(form, companions)
    if form.validate_on_submit():
        chosen_ids = set(form.companions.data or ())
        chosen = [cf for cf in companions if str(cf.id) in chosen_ids]
        children = form.children()

        def work():
            return service.admit_retrying(lambda: service.admit(
                case_file, form.admitted_on.data, actor=viewer, children=children, companions=chosen),
                case_file.structure_id)

        count = 1 + len(children) + len(chosen)
        done = commit_or_show(form, work,
                              success=_("Admitted: %(n)d beds taken.", n=count) if count > 1 else _("Admitted."),
                              next_url=lambda _stays: url_for("cases.show", case_file_id=case_file_id))
        if done is not None:
            return done
        if isinstance(getattr(form, "refused", None), service.PossibleDuplicates):
            form.show_possible_duplicates(form.refused)
            matches = [b.id for _row, warning in form.refused.found for b in warning.report.visible]
        case_file = _staff_case_file(case_file_id)
    structure = case_file.structure
    occupied, _waiting = queries.bed_summary([structure.id])[structure.id]
    html = render_template("stays/admit.html", form=form, case_file=case_file, beneficiary=case_file.beneficiary,
                           structure=structure, occupied=occupied, current=service.open_stay(case_file))
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "stays.admit_form", object_type="case_file", object_id=case_file.id,
                   structure_id=case_file.structure_id, subjects=[case_file.beneficiary_id]
                   + [cf.beneficiary_id for cf in companions] + matches), status


# --- discharge --------------------------------------------------------------------------------------------


def _stay_or_404(stay_id: uuid.UUID) -> Stay:
    stay = queries.get_visible_stay(user(), stay_id)
    if stay is None:
        not_visible("stay", stay_id)
    return stay


@bp.route("/<uuid:stay_id>/discharge", methods=["GET", "POST"])
@permission_required("cases.view", "stays.manage")
def discharge(stay_id: uuid.UUID):
    stay = _stay_or_404(stay_id)
    form = DischargeForm()
    if request.method == "GET":
        form.version.data = stay.version
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.discharge(stay, form.discharged_on.data, form.reason.data, actor=user(),
                                            expected_version=version_of(form)),
            success=_("The discharge has been recorded; the bed is free."),
            next_url=lambda s: url_for("cases.show", case_file_id=s.case_file_id))
        if done is not None:
            return done
        stay = _stay_or_404(stay_id)
    html = render_template("stays/discharge.html", form=form, stay=stay, case_file=stay.case_file,
                           beneficiary=stay.beneficiary)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "stays.discharge_form", object_type="stay", object_id=stay.id,
                   structure_id=stay.structure_id, subjects=[stay.beneficiary_id]), status


@bp.route("/<uuid:stay_id>/correct", methods=["GET", "POST"])
@permission_required("cases.view", "stays.manage")
def correct(stay_id: uuid.UUID):
    stay = _stay_or_404(stay_id)
    form = CorrectStayForm(stay=stay)
    if request.method == "GET":
        form.fill_from(stay)
    if form.validate_on_submit():
        ended = "discharged_on" in form
        done = commit_or_show(
            form, lambda: service.correct_stay(
                stay, form.admitted_on.data, form.discharged_on.data if ended else None,
                form.reason.data if ended else None, form.note.data, actor=user(),
                expected_version=version_of(form)),
            success=lambda changed: _("The days of the stay have been corrected.") if changed
            else _("Nothing was changed."),
            next_url=lambda _changed: url_for("cases.show", case_file_id=stay.case_file_id))
        if done is not None:
            return done
        stay = _stay_or_404(stay_id)
    html = render_template("stays/correct.html", form=form, stay=stay, case_file=stay.case_file,
                           beneficiary=stay.beneficiary)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "stays.correct_form", object_type="stay", object_id=stay.id,
                   structure_id=stay.structure_id, subjects=[stay.beneficiary_id]), status


# --- waiting list --------------------------------------------------------------------------------------------


@bp.route("/cases/<uuid:case_file_id>/wait", methods=["GET", "POST"])
@permission_required("cases.view", "stays.manage")
def wait(case_file_id: uuid.UUID):
    case_file = _staff_case_file(case_file_id)
    form = WaitForm()
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.add_to_waiting_list(case_file, form.requested_on.data, form.beds.data, actor=user()),
            success=_("Added to the waiting list."),
            next_url=lambda _e: url_for("cases.show", case_file_id=case_file_id))
        if done is not None:
            return done
        case_file = _staff_case_file(case_file_id)
    html = render_template("stays/wait.html", form=form, case_file=case_file, beneficiary=case_file.beneficiary)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "stays.wait_form", object_type="case_file", object_id=case_file.id,
                   structure_id=case_file.structure_id, subjects=[case_file.beneficiary_id]), status


@bp.route("/waiting/<uuid:entry_id>/withdraw", methods=["POST"])
@permission_required("cases.view", "stays.manage")
def withdraw(entry_id: uuid.UUID):
    viewer = user()
    entry = queries.get_visible_waiting_entry(viewer, entry_id)
    if entry is None:
        not_visible("stay_waiting_entry", entry_id)
    form = VersionForm()
    back = url_for("cases.show", case_file_id=entry.case_file_id)
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    return commit_or_flash(lambda: service.withdraw(entry, actor=viewer, expected_version=version_of(form)),
                           success=_("Taken off the waiting list."), next_url=back)
