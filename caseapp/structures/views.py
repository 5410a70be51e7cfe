"""Structures (coordinators and admins) and the partner directory (everyone who refers; coordinators edit)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseapp.beneficiaries import iso
from caseapp.extensions import db
from caseapp.formtools import commit_or_show, refused_status
from caseapp.pagination import Page
from caseapp.security.audit_labels import register_action_labels
from caseapp.security.permissions import permission_required
from caseapp.structures import queries, service
from caseapp.structures.catalogue import PARTNER_SERVICES
from caseapp.structures.forms import PartnerForm, service_choices
from caseapp.structures.models import Structure
from caseapp.templating import register_nav
from caseapp.viewtools import audited, int_arg, not_visible, text_arg, user, version_of

bp = Blueprint("structures", __name__, url_prefix="/structures")

register_nav("structures.partners", _l("Partners"), permission="partners.view", order=60, more=True)


@bp.route("/")
@permission_required("structures.view")
def index():
    structures = db.session.execute(
        select(Structure).options(selectinload(Structure.services)).order_by(Structure.kind == "partner", Structure.code)
    ).scalars().all()
    return render_template("structures/index.html", structures=structures)


# --- the partner directory ---------------------------------------------------------------------


def _choice_arg(name: str, valid, unknown: list) -> str | None:
    """A coded query argument; a value not in `valid` is not dropped in silence: its name goes
    to `unknown` and the page says the filter is unknown instead of listing every partner."""
    value = text_arg(name, 32)
    if value and not valid(value):
        unknown.append(name)
        return None
    return value


@bp.route("/partners/")
@permission_required("partners.view")
def partners():
    manager = user().has_permission("partners.manage")
    unknown: list[str] = []
    wanted = queries.PartnerFilter(
        text=(text_arg("q", 100) or "").strip() or None,
        service=_choice_arg("service", PARTNER_SERVICES.__contains__, unknown),
        language=_choice_arg("language", iso.is_language, unknown),
        include_inactive=manager and request.args.get("inactive") == "1")
    if unknown:
        page = Page([], None)
    else:
        page = queries.partners_page(wanted, int_arg("after"), current_app.config["PAGE_SIZE"])
    html = render_template("structures/partners.html", page=page, wanted=wanted, manager=manager,
                           service_choices=service_choices(), language_choices=iso.language_choices(),
                           iso=iso, catalogue=PARTNER_SERVICES, unknown=unknown)
    return audited(html, "partners.list", object_type="partner_page"), (400 if unknown else 200)


def _partner_or_404(partner_id: int) -> Structure:
    """A partner; a deactivated one only for those who manage the directory (others: 404)."""
    partner = queries.get_partner(partner_id, include_inactive=user().has_permission("partners.manage"))
    if partner is None:
        not_visible("structure", partner_id)
    return partner


@bp.route("/partners/<int:partner_id>")
@permission_required("partners.view")
def partner(partner_id: int):
    found = _partner_or_404(partner_id)
    html = render_template("structures/partner.html", partner=found, iso=iso,
                           manager=user().has_permission("partners.manage"))
    return audited(html, "partners.view", object_type="structure", object_id=found.id)


@bp.route("/partners/new", methods=["GET", "POST"])
@permission_required("partners.manage")
def new_partner():
    return _partner_form(None)


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@permission_required("partners.manage")
def edit_partner(partner_id: int):
    return _partner_form(_partner_or_404(partner_id))


def _partner_form(partner: Structure | None):
    form = PartnerForm()
    if request.method == "GET" and partner is not None:
        form.fill_from(partner)
    if form.validate_on_submit():
        done = commit_or_show(
            form, lambda: service.save_partner(partner, form.values(), actor=user(),
                                               expected_version=version_of(form) if partner else None),
            success=_("The partner has been saved."),
            next_url=lambda saved: url_for(".partner", partner_id=saved.id))
        if done is not None:
            return done
    html = render_template("structures/partner_form.html", form=form, partner=partner)
    status = refused_status(form) if request.method == "POST" else 200
    if partner is None:
        return html, status
    return audited(html, "partners.edit_view", object_type="structure", object_id=partner.id), status


register_action_labels({
    "partners.list": _l("Partner directory viewed"),
    "partners.view": _l("Partner viewed"),
    "partners.edit_view": _l("Partner form opened"),
    "partners.create": _l("Partner added"),
    "partners.update": _l("Partner changed"),
})
