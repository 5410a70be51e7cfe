from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, session
from flask_login import current_user

from caseapp.auth.views import safe_next
from caseapp.casefiles import queries
from caseapp.security.audit import record
from caseapp.panels import panel_subjects
from caseapp.viewtools import audited
from caseapp.extensions import db
from caseapp.security.permissions import authenticated, public

bp = Blueprint("main", __name__)


HOME_CASE_FILES = 20


@bp.route("/")
@authenticated
def home():
    """The user's landing page; caseworkers and supervisors see the open files assigned to them.

    Audited whenever it shows a person: the own files listed, or any panel (files to
    assign, referrals, plans...) naming someone; the event names all of them."""
    user = current_user._get_current_object()
    case_files = queries.my_open_case_files(user, HOME_CASE_FILES) if user.has_permission("cases.view") else None
    html = render_template("main/home.html", case_files=case_files, limit=HOME_CASE_FILES)
    if not case_files and not panel_subjects():
        return html
    return audited(html, "cases.my_list" if case_files else "home.view", object_type="user", object_id=user.id,
                   subjects=[cf.beneficiary_id for cf in case_files or ()])


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: answer with our icon, not a 404."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico", mimetype="image/x-icon",
                               max_age=86400)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch the interface language; remembered in the session and on the user."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:  # anonymous visitors change only their cookie
            current_user.locale = locale
            record("users.language", object_type="user", object_id=current_user.id)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
