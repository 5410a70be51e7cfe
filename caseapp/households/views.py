"""Household screens: the household panel on a case file and a profile, linking and unlinking.

A panel shows only the links the viewer may see (`queries.household_of`): both people
visible to them, and a link recorded at a confidential structure only to its staff.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from caseapp.beneficiaries.models import Beneficiary, FormerReference
from caseapp.beneficiaries.queries import visible_beneficiaries
from caseapp.beneficiaries.references import normalise_reference
from caseapp.casefiles.lookups import case_file_or_404
from caseapp.extensions import db
from caseapp.formtools import commit_or_flash, commit_or_show, refused_status
from caseapp.households import codes, queries, service
from caseapp.households.forms import LinkForm, UnlinkForm
from caseapp.panels import register_panel
from caseapp.security.permissions import permission_required
from caseapp.viewtools import audited, not_visible, user

bp = Blueprint("households", __name__, url_prefix="/households")

HOUSEHOLDS = SimpleNamespace(codes=codes, can_unlink=service.can_unlink)


@bp.app_context_processor
def helpers():
    return {"households_help": HOUSEHOLDS}


def _case_panel(case_file, viewer):
    if not viewer.has_permission("beneficiaries.view"):
        return None
    members = queries.household_of(viewer, case_file.beneficiary_id)
    return {"beneficiary_id": case_file.beneficiary_id, "case_file": case_file, "members": members,
            "can_link": viewer.has_permission("households.manage") and case_file.is_open,
            "unlink_form": UnlinkForm(formdata=None),
            "subjects": [case_file.beneficiary_id, *(person.id for _link, person in members)]}


def _profile_panel(beneficiary, viewer):
    if not viewer.has_permission("beneficiaries.view"):
        return None
    members = queries.household_of(viewer, beneficiary.id)
    if not members:
        return None
    return {"beneficiary_id": beneficiary.id, "case_file": None, "members": members, "can_link": False,
            "unlink_form": None, "subjects": [beneficiary.id, *(person.id for _link, person in members)]}


register_panel("case_file", "household", order=20, template="households/_panel.html", context=_case_panel)
register_panel("profile", "household", order=20, template="households/_panel.html", context=_profile_panel)


def _find_visible(reference: str | None) -> Beneficiary | None:
    """The visible person with this reference (current or former), or None."""
    normalised = normalise_reference(reference or "")
    if not normalised:
        return None
    former = select(FormerReference.beneficiary_id).where(FormerReference.reference == normalised)
    return db.session.execute(
        visible_beneficiaries(user()).where((Beneficiary.reference == normalised) | Beneficiary.id.in_(former))
    ).scalar_one_or_none()


@bp.route("/cases/<uuid:case_file_id>/link", methods=["GET", "POST"])
@permission_required("beneficiaries.view", "households.manage")
def link(case_file_id: uuid.UUID):
    case_file = case_file_or_404(case_file_id)
    form = LinkForm()
    if form.validate_on_submit():
        other = _find_visible(form.reference.data)
        done = commit_or_show(
            form, lambda: service.link(case_file.beneficiary, other, form.relation.data,
                                       structure_id=case_file.structure_id, actor=user()),
            success=_("The household link has been recorded."),
            next_url=lambda _link: url_for("cases.show", case_file_id=case_file_id))
        if done is not None:
            return done
        case_file = case_file_or_404(case_file_id)
    html = render_template("households/link.html", form=form, case_file=case_file, beneficiary=case_file.beneficiary)
    status = refused_status(form) if request.method == "POST" else 200
    return audited(html, "households.link_form", object_type="case_file", object_id=case_file.id,
                   structure_id=case_file.structure_id, subjects=[case_file.beneficiary_id]), status


@bp.route("/cases/<uuid:case_file_id>/links/<uuid:link_id>/remove", methods=["POST"])
@permission_required("beneficiaries.view", "households.manage")
def unlink(case_file_id: uuid.UUID, link_id: uuid.UUID):
    case_file = case_file_or_404(case_file_id)
    link_row = queries.get_visible_link(user(), link_id)
    if link_row is None or case_file.beneficiary_id not in (link_row.person_id, link_row.relative_id):
        not_visible("household_link", link_id)
    back = url_for("cases.show", case_file_id=case_file_id)
    if not UnlinkForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    return commit_or_flash(lambda: service.unlink(link_row, actor=user()),
                           success=_("The household link has been removed."), next_url=back)
