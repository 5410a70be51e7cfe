"""Asking the holders: the requester's button at registration, the holders' inbox and answers.

The requester's pages say the same thing whatever was found (there may be no holder
at all); only the holders' pages show a person, and they record who was shown.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from caseapp.beneficiaries import service as beneficiary_service
from caseapp.beneficiaries.forms import RegistrationForm
from caseapp.formtools import commit_or_show, refused_status
from caseapp.inquiries import queries, service
from caseapp.inquiries.forms import AnswerForm, DeclineForm
from caseapp.inquiries.models import OPEN
from caseapp.panels import register_panel
from caseapp.security.audit_labels import register_action_labels, register_object_labels
from caseapp.security.permissions import permission_required
from caseapp.templating import register_nav
from caseapp.viewtools import audited, not_visible, user, uuid_arg, version_of

bp = Blueprint("inquiries", __name__, url_prefix="/inquiries")

LISTS = {"open": _l("Waiting for your answer"), "answered": _l("Answered")}

register_nav("inquiries.index", _l("Requests from others"), permission="inquiries.answer", order=45,
             badge=queries.open_count, visible=lambda viewer: service.can_receive(viewer))


def _home_panel(viewer) -> dict | None:
    """How many requests wait for the user's structures (one query); nothing when none."""
    waiting = queries.open_count(viewer)
    return {"waiting": waiting} if waiting else None


register_panel("home", "inquiries", order=15, template="inquiries/_home_panel.html", context=_home_panel)


@bp.app_context_processor
def helpers():
    return {"inquiry_states": service.STATES, "inquiry_reasons": service.DECLINE_REASONS,
            "can_ask_from": service.can_ask_from,
            "can_ask_holders": lambda: bool(service.asking_structures(user()))}


# --- the requester -----------------------------------------------------------------------------


@bp.route("/send", methods=["POST"])
@permission_required("inquiries.send", "beneficiaries.register")
def send():
    """Posted by the registration form's "Ask the holders" button, with everything typed there."""
    structures = beneficiary_service.registration_structures(user())
    if not structures:
        abort(403)
    form = RegistrationForm()
    form.structure.choices = [SelectChoice(s.id, f"{s.code} — {s.name}") for s in structures]
    if form.validate_on_submit():
        structure = next(s for s in structures if s.id == form.structure.data)
        # The service itself refuses the same request again, with a message that says so.
        done = commit_or_show(form, lambda: service.send_inquiry(form.values(), structure=structure, actor=user()),
                              success=_("Your request has been sent."), next_url=lambda _i: url_for(".sent"),
                              same_content_is_new=True)
        if done is not None:
            return done
    del form.register_anyway
    # The registration page, shown again: its form still registers (its own action), and the
    # button to ask is offered only if a request can succeed for this user.
    return render_template("beneficiaries/register.html", form=form, duplicates=None, has_structures=True), 400


@bp.route("/sent")
@permission_required("inquiries.send")
def sent():
    return render_template("inquiries/sent.html")


# --- the holders ---------------------------------------------------------------------------------


@bp.route("/")
@permission_required("inquiries.answer")
def index():
    shown = request.args.get("list", "open")
    if shown not in LISTS:
        abort(404)
    page = queries.inbox_page(user(), answered=shown == "answered", after=uuid_arg("after"),
                              limit=current_app.config["PAGE_SIZE"])
    html = render_template("inquiries/index.html", page=page, lists=LISTS, shown=shown)
    return audited(html, "inquiries.list", object_type="inquiry_page", subjects=[t.beneficiary_id for t in page.items])


def _target_or_404(target_id: uuid.UUID):
    target = queries.get_visible_target(user(), target_id)
    if target is None:
        not_visible("inquiry_target", target_id)
    return target


def _render_show(target, decline_form=None, referred_form=None):
    decline_form = decline_form or DeclineForm(formdata=None, version=str(target.version))
    referred_form = referred_form or AnswerForm(formdata=None, version=str(target.version))
    html = render_template("inquiries/show.html", target=target, decline_form=decline_form,
                           referred_form=referred_form,
                           available=service.LIFECYCLE.available(target, user()))
    return audited(html, "inquiries.view", object_type="inquiry_target", object_id=target.id,
                   subjects=[target.beneficiary_id])


@bp.route("/<uuid:target_id>")
@permission_required("inquiries.answer")
def show(target_id: uuid.UUID):
    return _render_show(_target_or_404(target_id))


@bp.route("/<uuid:target_id>/<action>", methods=["POST"])
@permission_required("inquiries.answer")
def act(target_id: uuid.UUID, action: str):
    target = _target_or_404(target_id)
    if action not in service.LIFECYCLE.actions:
        abort(404)
    form = DeclineForm() if action == "decline" else AnswerForm()
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.answer(target, action, actor=user(), expected_version=version_of(form),
                                         reason=getattr(form, "reason", None) and form.reason.data),
            success=_("The request has been declined.") if action == "decline"
            else _("The request is marked as answered with a referral."),
            next_url=lambda _t: url_for(".index"))
        if done is not None:
            return done
        target = _target_or_404(target_id)  # the refusal rolled back: show the current state
    status = refused_status(form) if getattr(form, "refused", None) else 400
    forms = {"decline_form": form} if action == "decline" else {"referred_form": form}
    return _render_show(target, **forms), status


register_action_labels({
    "inquiries.send": _l("Holders asked about a possible duplicate"),
    "inquiries.list": _l("Requests from other structures viewed"),
    "inquiries.view": _l("Request from another structure viewed"),
    "inquiries.decline": _l("Request from another structure declined"),
    "inquiries.mark_referred": _l("Request from another structure answered with a referral"),
})
register_object_labels({"inquiry": _l("Request to the holders"), "inquiry_target": _l("Request from another structure"),
                        "inquiry_page": _l("Requests from other structures"), "partner_page": _l("Partner directory")})
