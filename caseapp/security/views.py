"""Admin screen for the audit log: recent events, and verification that also writes a checkpoint."""
from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent, record
from caseapp.security.audit_checkpoints import CheckpointDirectoryMissing, verify as verify_log
from caseapp.security.keyring import KeyringUnavailable
from caseapp.security.permissions import permission_required
from caseapp.viewtools import audited, int_arg

bp = Blueprint("security", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50

# What each kind of break (caseapp.security.audit.ChainReport.kind) means, for the screen.
PROBLEMS = {
    "link": _l("Event %(id)s does not link to the event before it: an event was deleted or changed."),
    "content": _l("Event %(id)s does not match its seal: it was changed."),
    "legacy_after_keyed": _l("Event %(id)s is sealed the old, unkeyed way after keyed events: "
                             "the log was rewritten."),
    "unknown_version": _l("Event %(id)s carries an unknown seal version: the log was rewritten."),
    "anchor_hash": _l("Event %(id)s differs from the one recorded in a checkpoint: "
                      "the log was rewritten up to there."),
    "anchor_count": _l("The number of events up to event %(id)s differs from a checkpoint: "
                       "events were deleted or inserted."),
    "missing_event": _l("Event %(id)s, recorded in a checkpoint, has been deleted."),
    "truncated": _l("The newest events have been deleted: a checkpoint recorded events up to %(id)s."),
}


@bp.route("/")
@permission_required("audit.verify")
def audit():
    before = int_arg("before")
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    events = db.session.execute(stmt).scalars().all()
    next_before = events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None
    html = render_template("security/audit.html", events=events[:PAGE_SIZE], next_before=next_before,
                           result=None)
    return audited(html, "audit.view")


@bp.route("/verify", methods=["POST"])
@permission_required("audit.verify")
def verify():
    db.session.commit()  # verify (and checkpoint) committed events only
    try:
        result = verify_log(full=True)
    except (KeyringUnavailable, CheckpointDirectoryMissing):
        record("audit.verify", outcome="error")
        db.session.commit()
        return render_template("security/audit.html", events=[], next_before=None, result=None,
                               unavailable=True)
    record("audit.verify", outcome="ok" if result.ok else "broken")
    db.session.commit()
    report = result.report
    problem = str(PROBLEMS[report.kind]) % {"id": report.broken_at} if report.kind in PROBLEMS else None
    return render_template("security/audit.html", events=[], next_before=None, result=result,
                           problem=problem)
