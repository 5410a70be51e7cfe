"""Report screens and downloads: the dashboard (structure or city), a caseworker's caseload,
XLSX and CSV exports. Thin: parse the month and scope, check who may see it, build, audit.

No personal data in URLs (a month, a structure id or "city", a format).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_babel import lazy_gettext as _l

from caseapp.reports import charts, exports, service
from caseapp.reports.model import COLUMN_LABELS, COLUMNS, DAYS, HOURS, RATE, SUPPRESSED, Month
from caseapp.security.audit import record_and_commit
from caseapp.security.permissions import permission_required
from caseapp.templating import register_nav
from caseapp.viewtools import audited, not_visible, text_arg, user

bp = Blueprint("reports", __name__, url_prefix="/reports")

register_nav("reports.index", _l("Reports"), permission="reports.view", order=70)
register_nav("reports.caseload", _l("My caseload"), permission="reports.caseload", order=71, more=True)


def display_value(value, kind) -> str:
    """A report value for the screen: "<5" when hidden, "—" when there is nothing to compute."""
    if value is SUPPRESSED:
        return "<5"
    if value is None:
        return "—"
    if kind == RATE:
        return format_percent(value, "#,##0.0%")
    if kind in (HOURS, DAYS):
        return format_decimal(value, "#,##0.0")
    return format_decimal(value)


@bp.app_template_global()
def report_helpers():
    return {"value": display_value, "chart": charts.chart_svg, "columns": COLUMNS, "column_labels": COLUMN_LABELS}


def _month() -> Month:
    text = text_arg("month", 16)
    if text is None:
        return Month.last_complete()
    month = Month.parse(text)
    if month is None:
        abort(404)
    return month


def _scope(viewer, structures):
    """(structure or None for the city) from ?structure=<id>|city; another structure's id → 404 (audited)."""
    wanted = text_arg("structure", 16)
    can_city = viewer.has_permission("reports.city")
    if not wanted:
        if can_city:
            return None
        if not structures:
            abort(404)
        return structures[0]
    if wanted == service.CITY:
        if not can_city:
            not_visible("report", service.CITY)
        return None
    if not wanted.isascii() or not wanted.isdigit() or len(wanted) > 9:
        abort(404)
    chosen = next((s for s in structures if s.id == int(wanted)), None)
    if chosen is None:
        not_visible("structure", wanted)
    return chosen


def _object_id(month: Month, structure, fmt: str | None = None) -> str:
    where = service.CITY if structure is None else structure.code
    return ":".join(part for part in (str(month), where, fmt) if part)


@bp.route("/")
@permission_required("reports.view")
def index():
    viewer = user()
    structures = service.reportable_structures(viewer)
    month = _month()
    structure = _scope(viewer, structures)
    report = service.build_report(month, structure=structure, suppressed=service.leaves_structure(viewer, structure),
                                  generated_by=viewer.display_name)
    html = render_template("reports/dashboard.html", report=report, structures=structures,
                           can_city=viewer.has_permission("reports.city"),
                           can_export=viewer.has_permission("reports.export"), month=month,
                           chosen=structure, endpoint="reports.index")
    return audited(html, "report.view", object_type="monthly_report", object_id=_object_id(month, structure),
                   structure_id=structure.id if structure else None)


@bp.route("/caseload")
@permission_required("reports.caseload")
def caseload():
    viewer = user()
    month = _month()
    report = service.build_report(month, caseload_of=viewer, suppressed=False, generated_by=viewer.display_name)
    html = render_template("reports/dashboard.html", report=report, structures=[], can_city=False,
                           can_export=False, month=month, chosen=None, endpoint="reports.caseload")
    return audited(html, "report.caseload", object_type="monthly_report", object_id=f"{month}:caseload")


@bp.route("/export")
@permission_required("reports.export")
def export():
    viewer = user()
    fmt = request.args.get("format", "xlsx")
    if fmt not in exports.FORMATS:
        abort(404)
    structures = service.reportable_structures(viewer)
    month = _month()
    structure = _scope(viewer, structures)
    report = service.build_report(month, structure=structure, suppressed=service.leaves_structure(viewer, structure),
                                  generated_by=viewer.display_name)
    write, mimetype, extension = exports.FORMATS[fmt]
    body = write(report)
    record_and_commit("report.export", object_type="monthly_report", object_id=_object_id(month, structure, fmt),
                      structure_id=structure.id if structure else None)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.file_name(report, extension)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
