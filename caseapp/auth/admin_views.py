"""Admin screens: create, edit, deactivate users and reset passwords.

Changes that would open a confidential structure wait for a supervisor's confirmation
(`caseapp.auth.four_eyes`); these screens say so, and show what is pending.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from caseapp.auth import four_eyes, service
from caseapp.auth.forms import UserForm
from caseapp.auth.models import User
from caseapp.auth.queries import users_page
from caseapp.extensions import db
from caseapp.formtools import show_error
from caseapp.viewtools import audited, text_arg, version_of
from caseapp.security.permissions import permission_required
from caseapp.structures.models import Structure

bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")


def _structure_choices():
    structures = db.session.execute(
        select(Structure).where(Structure.kind != "partner", Structure.active.is_(True)).order_by(Structure.code)
    ).scalars()
    return [SelectChoice(s.code, f"{s.code} — {s.name}") for s in structures]


def _flash_pending(result: service.AdminResult) -> None:
    flash(_("Waiting for the confirmation of a supervisor of %(codes)s: nothing changes until then.",
            codes=result.pending_codes), "info")


@bp.route("/")
@permission_required("users.manage")
def index():
    users, next_cursor = users_page(text_arg("after", 64), current_app.config["PAGE_SIZE"])
    html = render_template("admin/users.html", users=users, next_cursor=next_cursor,
                           kind_labels=four_eyes.KIND_LABELS)
    return audited(html, "users.list")


@bp.route("/new", methods=["GET", "POST"])
@permission_required("users.manage")
def create():
    form = UserForm()
    form.structures.choices = _structure_choices()
    if form.validate_on_submit():
        try:
            user = service.create_user(
                username=form.username.data, display_name=form.display_name.data, role=form.role.data,
                password=None, structure_codes=form.structures.data, actor=current_user)
        except service.UserError as error:
            show_error(form, error)
        else:
            db.session.commit()
            return render_template("admin/one_time_password.html", user=user,
                                   one_time_password=user.one_time_password,
                                   result=service.AdminResult(user, user.pending_requests))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required("users.manage")
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    del form.username
    form.structures.choices = _structure_choices()
    pending_codes = [r.structure.code for r in user.pending_access_requests if r.kind == four_eyes.GRANT]
    if pending_codes:
        form.structures.description = _("Waiting for a supervisor's confirmation: %(codes)s. Untick to withdraw.",
                                        codes=", ".join(pending_codes))
    if request.method == "GET":
        form.structures.data = [s.code for s in user.structures] + pending_codes
        form.version.data = str(user.version)
    if form.validate_on_submit():
        try:
            result = service.update_user(user, display_name=form.display_name.data, role=form.role.data,
                                         structure_codes=form.structures.data, actor=current_user,
                                         expected_version=version_of(form))
        except service.UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The user has been saved."), "success")
            if result.pending:
                _flash_pending(result)
            return redirect(url_for(".index"))
    html = render_template("admin/user_form.html", form=form, user=user, requests=four_eyes.recent_for_user(user),
                           kind_labels=four_eyes.KIND_LABELS, status_labels=four_eyes.STATUS_LABELS)
    return audited(html, "users.view", object_type="user", object_id=user.id,
                   outcome="edit_form" if request.method == "GET" else "invalid_edit")


@bp.route("/<int:user_id>/active", methods=["POST"])
@permission_required("users.manage")
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    activate = request.form.get("active") == "1"
    try:
        result = service.set_active(user, activate, actor=current_user)
    except service.UserError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if result.pending:
            _flash_pending(result)
        else:
            flash(_("The account is active.") if activate else
                  _("The account is deactivated and its sessions have ended."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@permission_required("users.manage")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        result = service.reset_password(user, actor=current_user)
    except service.UserError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    return render_template("admin/one_time_password.html", user=user, one_time_password=result.one_time_password,
                           result=result)


@bp.route("/<int:user_id>/reset-two-factor", methods=["POST"])
@permission_required("users.manage")
def reset_two_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        result = service.reset_second_factor(user, actor=current_user)
    except service.UserError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if result.pending:
            _flash_pending(result)
        else:
            flash(_("Two-step verification was reset; the user sets it up again at their next login."), "success")
    return redirect(url_for(".index"))
