"""Supervisors confirm or refuse what an administrator asked for at their confidential structure.

Only requests the supervisor may decide are reachable (`four_eyes.decidable_by`): another
structure's request, one they made or one about themselves answers 404, audited.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseapp.auth import four_eyes
from caseapp.domain import DomainError
from caseapp.auth.forms import ConfirmAccessForm, RefuseAccessForm
from caseapp.extensions import db
from caseapp.formtools import show_error
from caseapp.panels import register_panel
from caseapp.security.permissions import permission_required
from caseapp.templating import register_nav
from caseapp.viewtools import MAX_INT_ARG, audited, int_arg, not_visible, user

bp = Blueprint("access_requests", __name__, url_prefix="/access-requests")


def _waiting(viewer) -> int | None:
    """How many requests wait for `viewer` (one query); None when none or not a confirmer."""
    if not viewer.has_permission("access.confirm"):
        return None
    return four_eyes.decidable_count(viewer) or None


# Supervisors are notified on every page (a count beside "Confirmations") and on their home page.
register_nav("access_requests.index", _l("Confirmations"), permission="access.confirm", order=20, badge=_waiting)
register_panel("home", "confirmations", order=5, template="access/_home_panel.html",
               context=lambda viewer: {"waiting": waiting} if (waiting := _waiting(viewer)) else None)


@bp.context_processor
def labels():
    return {"kind_labels": four_eyes.KIND_LABELS}


@bp.route("/")
@permission_required("access.confirm")
def index():
    actor = user()
    requests, next_cursor = four_eyes.decidable_page(actor, int_arg("after"), current_app.config["PAGE_SIZE"])
    html = render_template("access/index.html", requests=requests, next_cursor=next_cursor)
    return audited(html, "access.list", object_type="user", object_id=actor.id)


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@permission_required("access.confirm")
def decide(request_id: int):
    actor = user()
    access_request = four_eyes.get_decidable(actor, request_id) if request_id <= MAX_INT_ARG else None
    if access_request is None:
        not_visible("access_request", request_id)
    confirm_form, refuse_form = ConfirmAccessForm(prefix="confirm"), RefuseAccessForm(prefix="refuse")
    decision = request.form.get("confirm-decision") or request.form.get("refuse-decision")
    form = confirm_form if decision == "confirm" else refuse_form
    if request.method == "POST" and form.validate_on_submit():
        try:
            if form is confirm_form:
                applied = four_eyes.confirm(access_request, actor=actor)
            else:
                four_eyes.refuse(access_request, actor=actor, reason=refuse_form.reason.data)
            db.session.commit()
        except DomainError as error:  # includes a conflict: another supervisor decided at the same moment
            db.session.rollback()
            access_request = four_eyes.get_decidable(actor, request_id)
            if access_request is None:
                flash(str(error.message), "error")
                return redirect(url_for(".index"))
            show_error(form, error)
        else:
            if form is refuse_form:
                flash(_("Refused. The administrator sees your reason."), "success")
            elif applied:
                flash(_("Confirmed: the change has taken effect."), "success")
            else:
                flash(_("Confirmed. It takes effect once the other structures concerned confirm too."), "success")
            return redirect(url_for(".index"))
    html = render_template("access/decide.html", access_request=access_request, confirm_form=confirm_form,
                           refuse_form=refuse_form)
    if request.method == "GET":
        return audited(html, "access.view", object_type="access_request", object_id=access_request.id,
                       structure_id=access_request.structure_id)
    return html
