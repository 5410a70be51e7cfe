from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import current_user

from caseapp.auth.views import safe_next
from caseapp.extensions import db
from caseapp.security.permissions import authenticated, public

bp = Blueprint("main", __name__)


@bp.route("/")
@authenticated
def home():
    return render_template("main/home.html")


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch the interface language; remembered in the session and on the user."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
