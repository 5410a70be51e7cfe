"""Administrators edit the reference data: structures and their service catalogues."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseapp.deliveries import reference
from caseapp.deliveries.forms import ServiceForm, StructureForm
from caseapp.extensions import db
from caseapp.formtools import commit_or_show, refused_status
from caseapp.security.permissions import permission_required
from caseapp.structures.models import Service, Structure
from caseapp.templating import register_nav
from caseapp.viewtools import not_visible, user, version_of

bp = Blueprint("reference", __name__, url_prefix="/reference")

@bp.context_processor
def history_labels():
    """The history table (deliveries/_history.html) shows labels and values as the form does."""
    return {"change_field_label": reference.field_label, "change_value_label": reference.value_label}


register_nav("reference.index", _l("Reference data"), permission="reference.manage", order=86, more=True)


@bp.route("/")
@permission_required("reference.manage")
def index():
    return render_template("deliveries/reference_index.html", structures=reference.structures_with_services())


def _get_or_404(model, object_id: int, object_type: str):
    obj = db.session.get(model, object_id)
    if obj is None:
        not_visible(object_type, object_id)
    return obj


@bp.route("/structures/<int:structure_id>", methods=["GET", "POST"])
@permission_required("reference.manage")
def structure(structure_id: int):
    item = _get_or_404(Structure, structure_id, "structure")
    form = StructureForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = item.version
    if form.validate_on_submit():
        values = {"name_el": form.name_el.data, "name_en": form.name_en.data, "capacity": form.capacity.data,
                  "confidential": form.confidential.data, "active": form.active.data}
        done = commit_or_show(form, lambda: reference.update_structure(item, values, actor=user(),
                                                                       expected_version=version_of(form)),
                              success=_("Saved."), next_url=lambda _c: url_for(".structure", structure_id=item.id))
        if done is not None:
            return done
        item = _get_or_404(Structure, structure_id, "structure")
    status = refused_status(form) if request.method == "POST" else 200
    return render_template("deliveries/reference_structure.html", item=item, form=form,
                           history=reference.history("structure", item.id)), status


@bp.route("/structures/<int:structure_id>/services/new", methods=["GET", "POST"])
@permission_required("reference.manage")
def service_new(structure_id: int):
    item = _get_or_404(Structure, structure_id, "structure")
    form = ServiceForm()
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: reference.create_service(item, _service_values(form), actor=user()),
                              success=_("The service has been added to the catalogue."),
                              next_url=lambda _s: url_for(".structure", structure_id=item.id))
        if done is not None:
            return done
        item = _get_or_404(Structure, structure_id, "structure")
    status = refused_status(form) if request.method == "POST" else 200
    return render_template("deliveries/reference_service.html", structure=item, item=None, form=form,
                           history=[]), status


def _service_values(form) -> dict:
    return {"code": form.code.data, "name_el": form.name_el.data, "name_en": form.name_en.data,
            "unit": form.unit.data, "active": form.active.data}


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@permission_required("reference.manage")
def service(service_id: int):
    item = _get_or_404(Service, service_id, "service")
    form = ServiceForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = item.version
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: reference.update_service(item, _service_values(form), actor=user(),
                                                                     expected_version=version_of(form)),
                              success=_("Saved."), next_url=lambda _c: url_for(".service", service_id=item.id))
        if done is not None:
            return done
        item = _get_or_404(Service, service_id, "service")
    status = refused_status(form) if request.method == "POST" else 200
    return render_template("deliveries/reference_service.html", structure=item.structure, item=item, form=form,
                           history=reference.history("service", item.id)), status
