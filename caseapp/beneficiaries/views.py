"""Beneficiary screens: list and search, registration, profile, edit, consent, erasure request.

No personal data in URLs (ids are UUIDs, search is a POST), in flash
messages or in audit events (ids only).
"""
from __future__ import annotations

import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseapp.beneficiaries import codes, erasure, iso, phones, queries, service
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles.forms import OpenCaseFileForm
from caseapp.dates import local_today
from caseapp.beneficiaries.forms import ConsentForm, EditForm, ErasureRequestForm, RegistrationForm, SearchForm
from caseapp.beneficiaries.lookups import beneficiary_or_404
from caseapp.casefiles import queries as casefile_queries
from caseapp.viewtools import audited, user, uuid_arg, version_of
from caseapp.extensions import db
from caseapp.formtools import commit_or_show, show_error
from caseapp.security import key_schedule
from caseapp.security.audit import record_and_commit
from caseapp.security.permissions import permission_required
from wtforms import SelectChoice

bp = Blueprint("beneficiaries", __name__, url_prefix="/beneficiaries")


@bp.context_processor
def helpers():
    return {"codes": codes, "iso": iso, "phones": phones}


# --- list and search -----------------------------------------------------------------


def _render_list(form: SearchForm, beneficiaries, *, next_cursor=None, searched=False, similar=False,
                 incomplete=False) -> str:
    case_files = casefile_queries.my_case_files(user(), [b.id for b in beneficiaries], with_assignee=False)
    return render_template("beneficiaries/index.html", form=form, beneficiaries=beneficiaries,
                           case_files=case_files, next_cursor=next_cursor, searched=searched, similar=similar,
                           incomplete=incomplete)


@bp.route("/")
@permission_required("beneficiaries.view")
def index():
    page = queries.beneficiaries_page(user(), uuid_arg("after"), current_app.config["PAGE_SIZE"])
    html = _render_list(SearchForm(), page.items, next_cursor=page.next_cursor)
    return audited(html, "beneficiaries.list", object_type="beneficiary_page",
                   subjects=[b.id for b in page.items])


@bp.route("/search", methods=["POST"])
@permission_required("beneficiaries.view")
def search():
    form = SearchForm()
    if not form.validate_on_submit():
        return _render_list(form, []), 400
    criteria = queries.Criteria(reference=form.reference.data, surname=form.surname.data,
                                birth_date=form.birth_date.data, phone=form.phone.data,
                                document_number=form.document_number.data)
    found, similar = queries.search_beneficiaries(user(), criteria), False
    if not found:  # nobody by the exact keys: offer surnames that sound alike, marked as such
        found = queries.search_similar(user(), criteria)
        similar = bool(found)
    html = _render_list(form, found, searched=True, similar=similar, incomplete=found.incomplete)
    return audited(html, "beneficiaries.search", object_type="beneficiary_search",
                   outcome="similar_names" if similar else "ok", subjects=[b.id for b in found])


# --- registration ----------------------------------------------------------------------


def _check_duplicates(values):
    report = queries.find_possible_duplicates(
        user(), surname=values["family_name"], birth_date=values["birth_date"], birth_year=values["birth_year"],
        phone=values["phone"], document=values["document_number"])
    outcome = "visible_match" if report.visible else "match_elsewhere" if report.elsewhere else "no_match"
    record_and_commit("beneficiaries.duplicate_check", object_type="beneficiary_search", outcome=outcome,
                      subjects=[b.id for b in report.visible])
    return report


@bp.route("/new", methods=["GET", "POST"])
@permission_required("beneficiaries.register")
def register():
    structures = service.registration_structures(user())
    form = RegistrationForm()
    form.structure.choices = [SelectChoice(s.id, f"{s.code} — {s.name}") for s in structures]
    duplicates = None
    if structures and form.validate_on_submit():
        values = form.values()
        confirmed = bool(form.register_anyway.data) and service.warning_acknowledged(
            values, form.duplicate_check.data)
        if not confirmed:
            duplicates = _check_duplicates(values)
        if confirmed or not duplicates.any:
            structure = next(s for s in structures if s.id == form.structure.data)
            done = commit_or_show(
                form, lambda: service.register_beneficiary(values, structure=structure, actor=user(),
                                                           after_warning=confirmed),
                success=lambda b: _("Registered with reference %(ref)s.", ref=b.reference),
                next_url=lambda b: url_for(".show", beneficiary_id=b.id))
            if done is not None:
                return done
        form.duplicate_check.data = service.duplicate_fingerprint(values)
        form.register_anyway.data = False
    if not (duplicates and duplicates.any):
        del form.register_anyway  # offered only right after a warning
    return render_template("beneficiaries/register.html", form=form, duplicates=duplicates,
                           has_structures=bool(structures)), (400 if form.errors or form.form_errors else 200)


# --- profile -------------------------------------------------------------------------------


def _structures_without_file(beneficiary, case_files):
    held = {cf.structure_id for cf in case_files}
    return [s for s in service.registration_structures(user()) if s.id not in held]


@bp.route("/<uuid:beneficiary_id>")
@permission_required("beneficiaries.view")
def show(beneficiary_id: uuid.UUID):
    beneficiary = beneficiary_or_404(beneficiary_id)
    case_files = casefile_queries.my_case_files(user(), [beneficiary.id])[beneficiary.id]
    consents = queries.current_consents(beneficiary, structure_ids=user().structure_ids)
    open_form = OpenCaseFileForm()
    open_form.structure.choices = [SelectChoice(s.id, f"{s.code} — {s.name}")
                                   for s in _structures_without_file(beneficiary, case_files)]
    html = render_template("beneficiaries/show.html", beneficiary=beneficiary, case_files=case_files,
                           consents=consents, open_form=open_form,
                           pending_erasure=queries.pending_erasure_request(beneficiary))
    return audited(html, "beneficiaries.view", object_type="beneficiary", object_id=beneficiary.id)


# --- edit -------------------------------------------------------------------------------------

@bp.route("/<uuid:beneficiary_id>/edit", methods=["GET", "POST"])
@permission_required("beneficiaries.edit")
def edit(beneficiary_id: uuid.UUID):
    beneficiary = beneficiary_or_404(beneficiary_id)
    form = EditForm()
    if request.method == "GET":
        form.fill_from(beneficiary)
        form.version.data = str(beneficiary.version)
        html = render_template("beneficiaries/edit.html", form=form, beneficiary=beneficiary, saved_meanwhile=None)
        return audited(html, "beneficiaries.view", object_type="beneficiary", object_id=beneficiary.id,
                       outcome="edit_form")
    if form.validate_on_submit():
        try:
            changed = service.update_beneficiary(beneficiary, form.values(), actor=user(),
                                                 expected_version=version_of(form))
        except service.ConflictError as error:
            db.session.rollback()
            beneficiary = beneficiary_or_404(beneficiary_id)
            form.version.data = str(beneficiary.version)
            html = render_template("beneficiaries/edit.html", form=form, beneficiary=beneficiary,
                                   saved_meanwhile=form.saved_meanwhile(beneficiary), conflict=error.message)
            return audited(html, "beneficiaries.update", object_type="beneficiary", object_id=beneficiary.id,
                           outcome="conflict"), 409
        db.session.commit()
        flash(_("The changes have been saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for(".show", beneficiary_id=beneficiary.id))
    html = render_template("beneficiaries/edit.html", form=form, beneficiary=beneficiary, saved_meanwhile=None)
    return audited(html, "beneficiaries.view", object_type="beneficiary", object_id=beneficiary.id,
                   outcome="invalid_edit"), 400


# --- consent -------------------------------------------------------------------------------------


def _history_rows(history):
    """Who recorded each decision, named only for the viewer's own structures.

    Decisions of ordinary structures apply to the person everywhere (a withdrawal
    must stop every structure at once), but naming another structure or its staff
    would tell the viewer where else the person is known. Decisions of a
    confidential structure are not in `history` at all outside it
    (`queries.consent_history`).
    """
    mine = set(user().structure_ids)
    return [(entry, entry.structure_id in mine) for entry in history]


@bp.route("/<uuid:beneficiary_id>/consent", methods=["GET", "POST"])
@permission_required("consent.record")
def consent(beneficiary_id: uuid.UUID):
    beneficiary = beneficiary_or_404(beneficiary_id)
    form = ConsentForm()
    if request.method == "GET":
        form.decided_on.data = local_today()
    elif form.validate_on_submit():
        try:
            service.record_consent(beneficiary, purpose=form.purpose.data, given=form.decision.data == "given",
                                   decided_on=form.decided_on.data, actor=user())
        except service.BeneficiaryError as error:
            db.session.rollback()
            beneficiary = beneficiary_or_404(beneficiary_id)
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The consent decision has been recorded."), "success")
            return redirect(url_for(".consent", beneficiary_id=beneficiary.id))
    history = queries.consent_history(beneficiary, user().structure_ids)
    html = render_template("beneficiaries/consent.html", beneficiary=beneficiary, form=form,
                           confidential_here=any(s.confidential for s in user().structures),
                           current=queries.current_consents(beneficiary, history), history=_history_rows(history))
    return audited(html, "consent.view", object_type="beneficiary", object_id=beneficiary.id)


# --- opening a file at another of the user's structures ------------------------------------------------


@bp.route("/<uuid:beneficiary_id>/case-files", methods=["POST"])
@permission_required("cases.manage")
def open_case_file(beneficiary_id: uuid.UUID):
    beneficiary = beneficiary_or_404(beneficiary_id)
    case_files = casefile_queries.my_case_files(user(), [beneficiary.id])[beneficiary.id]
    structures = _structures_without_file(beneficiary, case_files)
    form = OpenCaseFileForm()
    form.structure.choices = [SelectChoice(s.id, s.code) for s in structures]
    if not form.validate_on_submit():
        flash(_("Choose one of your structures."), "error")
        return redirect(url_for(".show", beneficiary_id=beneficiary.id))
    structure = next(s for s in structures if s.id == form.structure.data)
    try:
        case_file = service.open_case_file_elsewhere(beneficiary, structure, actor=user())
    except (service.BeneficiaryError, casefile_service.CaseFileError) as error:
        db.session.rollback()
        if isinstance(error, service.BeneficiaryError) and error.field == "structure":
            record_and_commit("cases.open", object_type="beneficiary", object_id=beneficiary_id,
                              structure_id=structure.id, outcome="no_consent")
        flash(str(error.message), "error")
        return redirect(url_for(".show", beneficiary_id=beneficiary_id))
    db.session.commit()
    flash(_("The case file has been opened."), "success")
    return redirect(url_for("cases.show", case_file_id=case_file.id))


# --- erasure request (supervisors) ---------------------------------------------------------------------


@bp.route("/<uuid:beneficiary_id>/erasure", methods=["GET", "POST"])
@permission_required("erasure.request")
def request_erasure(beneficiary_id: uuid.UUID):
    beneficiary = beneficiary_or_404(beneficiary_id)
    form = ErasureRequestForm()
    pending = queries.pending_erasure_request(beneficiary)
    if pending is None and form.validate_on_submit():
        try:
            erasure.request_erasure(beneficiary, form.reason.data, actor=user())
        except service.BeneficiaryError as error:
            db.session.rollback()
            beneficiary = beneficiary_or_404(beneficiary_id)
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Erasure requested. An administrator must confirm it before anything is erased."), "success")
            return redirect(url_for(".show", beneficiary_id=beneficiary.id))
    html = render_template("beneficiaries/erasure_request.html", beneficiary=beneficiary, form=form,
                           pending=pending, backup_days=key_schedule.Schedule.from_config().worst_case.days)
    return audited(html, "beneficiaries.view", object_type="beneficiary", object_id=beneficiary.id,
                   outcome="erasure_form")
