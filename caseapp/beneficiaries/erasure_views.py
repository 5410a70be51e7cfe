"""Administrators confirm or reject erasure requests: references and staff only, never names."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseapp.beneficiaries import codes, erasure, queries
from caseapp.beneficiaries.forms import ErasureConfirmForm
from caseapp.beneficiaries.models import ErasureRequest
from caseapp.beneficiaries.service import BeneficiaryError
from caseapp.formats import local_date_text
from caseapp.extensions import db
from caseapp.formtools import show_error
from caseapp.security.permissions import permission_required
from caseapp.viewtools import audited, user, uuid_arg

bp = Blueprint("erasure", __name__, url_prefix="/admin/erasure-requests")
STATUSES = tuple(codes.ERASURE_STATUS)


@bp.context_processor
def helpers():
    return {"codes": codes}


@bp.route("/")
@permission_required("erasure.confirm")
def index():
    status = request.args.get("status", "pending")
    if status not in STATUSES:
        abort(404)
    page = queries.erasure_requests_page(status, uuid_arg("before"), current_app.config["PAGE_SIZE"])
    html = render_template("beneficiaries/erasure_requests.html", requests=page.items,
                           next_cursor=page.next_cursor, status=status, statuses=STATUSES)
    return audited(html, "erasure.list", object_type="erasure_request_page",
                   subjects=[r.beneficiary_id for r in page.items])


@bp.route("/<uuid:request_id>", methods=["GET", "POST"])
@permission_required("erasure.confirm")
def confirm(request_id: uuid.UUID):
    erasure_request = db.get_or_404(ErasureRequest, request_id)
    form = ErasureConfirmForm()
    if erasure_request.is_pending and form.validate_on_submit():
        try:
            erasure.confirm_erasure(erasure_request, actor=user(), typed_reference=form.reference.data)
        except BeneficiaryError as error:
            db.session.rollback()
            erasure_request = db.get_or_404(ErasureRequest, request_id)
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Erased from the live database now. Backups made before now stop being readable once "
                    "root key(s) %(keys)s are retired: at the latest on %(date)s under the key schedule.",
                    **_backup_terms()), "success")
            return redirect(url_for(".index"))
    html = render_template("beneficiaries/erasure_confirm.html", erasure_request=erasure_request, form=form,
                           backups=_backup_terms() if erasure_request.is_pending else None)
    return audited(html, "erasure.view", object_type="erasure_request", object_id=erasure_request.id,
                   subjects=[erasure_request.beneficiary_id])


def _backup_terms() -> dict:
    """The root keys and the date (local) of `erasure.backup_horizon()`, for messages."""
    horizon = erasure.backup_horizon()
    return {"keys": ", ".join(horizon.root_key_ids), "date": local_date_text(horizon.unreadable_by)}


@bp.route("/<uuid:request_id>/reject", methods=["POST"])
@permission_required("erasure.confirm")
def reject(request_id: uuid.UUID):
    erasure_request = db.get_or_404(ErasureRequest, request_id)
    try:
        erasure.reject_erasure(erasure_request, actor=user())
    except BeneficiaryError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The erasure request has been rejected."), "success")
    return redirect(url_for(".index"))
