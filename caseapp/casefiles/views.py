"""The case-file page: header, notes, timeline, and the actions on the file."""
from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseapp.beneficiaries import codes
from caseapp.casefiles import queries
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles import timeline
from caseapp.casefiles.forms import CloseForm, NoteForm, ReassignForm
from caseapp.casefiles.models import CaseFile
from caseapp.casefiles.lookups import case_file_or_404
from caseapp.viewtools import audited, int_arg, refuse, user, uuid_arg
from caseapp.extensions import db
from caseapp.formtools import commit_or_show
from caseapp.panels import register_panel
from caseapp.security.permissions import permission_required
from wtforms import SelectChoice

bp = Blueprint("cases", __name__, url_prefix="/cases")

TO_ASSIGN_LIMIT = 20


def _to_assign_panel(viewer):
    """Supervisors' home: the open files nobody holds (a caseworker left, or was deactivated).

    Two queries whatever the number of files. The people shown are named by the home
    page's audit event (`subjects`)."""
    if not viewer.has_permission("cases.reassign"):
        return None
    files, total = queries.files_to_assign(viewer, TO_ASSIGN_LIMIT)
    if not total:
        return None
    return {"files": files, "total": total, "subjects": [cf.beneficiary_id for cf in files]}


register_panel("home", "to_assign", order=3, template="casefiles/_to_assign_panel.html", context=_to_assign_panel)


@bp.context_processor
def helpers():
    return {"codes": codes, "timeline": timeline}


def _reassign_form(case_file: CaseFile, staff) -> ReassignForm:
    form = ReassignForm()
    form.assigned_to.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(u.id, u.display_name) for u in staff if u.id != case_file.assigned_to_id]
    return form


def _render(case_file: CaseFile, *, note_form: NoteForm | None = None, status: int = 200):
    viewer = user()
    notes = queries.notes_page(case_file, uuid_arg("notes_before"))
    events = queries.timeline_page(case_file, int_arg("events_before"))
    html = render_template(
        "casefiles/case_file.html", case_file=case_file, beneficiary=case_file.beneficiary,
        notes=notes, events=events, note_form=note_form or NoteForm(), close_form=CloseForm(),
        reassign_form=(_reassign_form(case_file, queries.structure_staff(case_file.structure_id))
                       if case_file.can_reassign(viewer) else None),
        can_write=case_file.can_write_note(viewer), can_close=case_file.can_close_or_reopen(viewer),
    )
    return audited(html, "cases.view", object_type="case_file", object_id=case_file.id,
                   structure_id=case_file.structure_id), status


@bp.route("/<uuid:case_file_id>")
@permission_required("cases.view")
def show(case_file_id: uuid.UUID):
    return _render(case_file_or_404(case_file_id))


@bp.route("/<uuid:case_file_id>/notes", methods=["POST"])
@permission_required("cases.view", "notes.write")
def add_note(case_file_id: uuid.UUID):
    case_file = case_file_or_404(case_file_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render(case_file, note_form=form, status=400)
    done = commit_or_show(
        form, lambda: casefile_service.add_note(case_file, form.text.data, confidential=form.confidential.data,
                                                actor=user()),
        success=_("The note has been added."),
        next_url=lambda note: url_for(".show", case_file_id=case_file_id, _anchor=f"note-{note.id}"))
    if done is not None:
        return done
    return _render(case_file_or_404(case_file_id), note_form=form, status=400)


def _transition(case_file_id: uuid.UUID, allowed, action, done_message: str):
    """Run a state change the user may make, or refuse; report the outcome on the case page."""
    case_file = case_file_or_404(case_file_id)
    if not allowed(case_file):
        refuse("case_file", case_file.id)
    try:
        action(case_file)
    except casefile_service.CaseFileError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for(".show", case_file_id=case_file_id))


@bp.route("/<uuid:case_file_id>/close", methods=["POST"])
@permission_required("cases.view", "cases.manage")
def close(case_file_id: uuid.UUID):
    form = CloseForm()
    reason = form.reason.data if form.validate_on_submit() else None
    return _transition(case_file_id, lambda cf: cf.can_close_or_reopen(user()),
                       lambda cf: casefile_service.close_case_file(cf, reason, actor=user()),
                       _("The case file has been closed."))


@bp.route("/<uuid:case_file_id>/reopen", methods=["POST"])
@permission_required("cases.view", "cases.manage")
def reopen(case_file_id: uuid.UUID):
    return _transition(case_file_id, lambda cf: cf.can_close_or_reopen(user()),
                       lambda cf: casefile_service.reopen_case_file(cf, actor=user()),
                       _("The case file has been reopened."))


@bp.route("/<uuid:case_file_id>/assign", methods=["POST"])
@permission_required("cases.view", "cases.reassign")
def assign(case_file_id: uuid.UUID):
    def reassign(case_file):
        staff = queries.structure_staff(case_file.structure_id)
        form = _reassign_form(case_file, staff)
        by_id = {u.id: u for u in staff}
        assignee = by_id.get(form.assigned_to.data) if form.validate_on_submit() else None
        casefile_service.reassign_case_file(case_file, assignee, actor=user())

    return _transition(case_file_id, lambda cf: cf.can_reassign(user()), reassign,
                       _("The case file has been assigned."))
