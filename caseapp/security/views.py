"""Admin screen for the audit log: recent events and chain verification."""
from flask import Blueprint, render_template, request
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent, record, verify_chain
from caseapp.security.permissions import permission_required

bp = Blueprint("security", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50


@bp.route("/")
@permission_required("audit.verify")
def audit():
    before = request.args.get("before", type=int)
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    events = db.session.execute(stmt).scalars().all()
    next_before = events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None
    return render_template("security/audit.html", events=events[:PAGE_SIZE], next_before=next_before,
                           report=None)


@bp.route("/verify", methods=["POST"])
@permission_required("audit.verify")
def verify():
    report = verify_chain()
    record("audit.verify", outcome="ok" if report.ok else "broken")
    db.session.commit()
    return render_template("security/audit.html", events=[], next_before=None, report=report)
