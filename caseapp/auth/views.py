"""Login, logout and the user's own password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseapp.auth import service
from caseapp.auth.forms import ChangePasswordForm, LoginForm
from caseapp.extensions import db, limiter
from caseapp.security.permissions import authenticated, public

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a same-site path may follow login; anything else goes home."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    if "\\" in target or any(ord(c) < 32 for c in target):
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("main.home")
    return target


def _username_key() -> str:
    return "login-user:" + service.normalise_username(request.form.get("username", ""))[:64]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_USERNAME"], methods=["POST"],
               key_func=_username_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = service.attempt_login(form.username.data, form.password.data)
        db.session.commit()
        if result.outcome == service.LoginOutcome.OK:
            if result.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
        if result.outcome == service.LoginOutcome.LOCKED:
            flash(_("Too many failed attempts: this account is locked for a while. "
                    "Try again later or ask an administrator."), "error")
        else:
            flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    service.logout(current_user._get_current_object())
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        try:
            service.change_password(user, form.current_password.data, form.new_password.data)
        except service.UserError as error:
            field = form._fields.get(error.field, form.new_password)
            field.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your password has been changed. Other sessions were logged out."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
