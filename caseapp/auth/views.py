"""Login, logout and the user's own password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from caseapp.auth import service, sessions, throttle, totp
from caseapp.auth.forms import ChangePasswordForm, CodeForm, LoginForm, StartEnrolmentForm
from caseapp.extensions import db, limiter
from caseapp.formtools import show_error
from caseapp.security.audit import record, record_and_commit
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


def _from_usual_address() -> bool:
    """The per-username limit does not apply where the account logged in successfully before:
    an attacker elsewhere who spends a name's allowance cannot shut its owner out of their
    usual desk (and that address is throttled per (account, address) like any other)."""
    return throttle.is_usual_address(request.form.get("username", "")[:64])


# One answer for an unknown name, a wrong password, an inactive account and a throttled pair.
LOGIN_REFUSED = _l("Wrong username or password. After several failed attempts, logging in from "
                   "this device is paused for a few minutes.")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_USERNAME"], methods=["POST"],
               key_func=_username_key, exempt_when=_from_usual_address)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = service.attempt_login(form.username.data, form.password.data)
        db.session.commit()
        if result.outcome == service.LoginOutcome.SECOND_FACTOR:
            return redirect(url_for("auth.login_code", next=safe_next(request.args.get("next"))))
        if result.outcome == service.LoginOutcome.OK:
            return _after_login(result.user)
        flash(str(LOGIN_REFUSED), "error")
    elif form.is_submitted():
        record_and_commit("auth.login", outcome="invalid_input")  # empty or malformed: still an attempt
    return render_template("auth/login.html", form=form)


def _after_login(user):
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next(request.args.get("next")))


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def login_code():
    """Second login step for users with two-step verification."""
    pending = sessions.pending_second_factor_session()
    if pending is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        result = service.complete_second_factor(pending, form.code.data)
        db.session.commit()
        if result.outcome == service.LoginOutcome.OK:
            return _after_login(result.user)
        if result.outcome == service.LoginOutcome.THROTTLED:
            flash(_("Too many wrong codes: wait a few minutes, then log in again."), "error")
            return redirect(url_for("auth.login"))
        form.code.errors.append(_("That code is not valid. Check the time on your phone and try the current code."))
    return render_template("auth/login_code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@authenticated
def two_factor():
    """Enrol a TOTP authenticator: start (a POST makes the secret), scan the code, type the first number.

    The GET changes nothing: it shows the factor's state, the enrolment already started, or
    the button that starts one.
    """
    user = current_user._get_current_object()
    if user.totp_enabled:
        return render_template("auth/two_factor.html", form=None, start_form=None, secret=None)
    secret = totp.secret_of(user)
    if secret is None:
        return render_template("auth/two_factor.html", form=None, start_form=_start_form(), secret=None)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            service.enable_second_factor(user, form.code.data)
        except service.UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Two-step verification is on. You will be asked for a code at every login."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/two_factor.html", form=form, start_form=_start_form(), secret=secret)


def _start_form() -> StartEnrolmentForm:
    return StartEnrolmentForm(prefix="start")  # its own CSRF field id, beside the code form


@bp.route("/account/two-factor/start", methods=["POST"])
@authenticated
def two_factor_start():
    """Make a new enrolment secret (again, if an earlier enrolment was never finished)."""
    user = current_user._get_current_object()
    if not user.totp_enabled and _start_form().validate_on_submit():
        totp.start_enrolment(user)
        record("auth.second_factor_enrolment", object_type="user", object_id=user.id, user=user)
        db.session.commit()
    return redirect(url_for("auth.two_factor"))


@bp.route("/account/two-factor/qr.svg")
@authenticated
def two_factor_qr():
    """The enrolment QR code; never served once the factor is on."""
    user = current_user._get_current_object()
    if user.totp_enabled or totp.secret_of(user) is None:
        abort(404)
    return Response(totp.qr_svg(user), mimetype="image/svg+xml")


@bp.route("/session/status")
@authenticated
def session_status():
    """How long the session has left, for the timeout warning. Asking is not activity
    (`sessions.PASSIVE_ENDPOINTS`): it never extends the session. JSON: {"seconds_left": int}."""
    return {"seconds_left": sessions.seconds_left()}, 200, {"Cache-Control": "no-store"}


@bp.route("/session/extend", methods=["POST"])
@authenticated
def extend_session():
    """"Stay signed in" in the timeout warning: the idle timeout starts again. JSON:
    {"seconds_left": int}. Audited (the session's owner chose to stay)."""
    left = sessions.extend_current_session()
    record("auth.session_extended", object_type="user", object_id=current_user.id)
    db.session.commit()
    return {"seconds_left": left}, 200, {"Cache-Control": "no-store"}


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    service.logout(current_user._get_current_object())
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        try:
            service.change_password(user, form.current_password.data, form.new_password.data)
        except service.UserError as error:
            db.session.commit()  # the failed attempt stays counted and audited
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password has been changed. Other sessions were logged out."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
