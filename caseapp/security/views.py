"""Admin screen for the audit log: events with filters, and verification that also writes a checkpoint.

The log page shows usernames (not ids), actions, objects and outcomes in the interface
language (`audit_labels`), times in Athens; filters by user, action, object (kind and id),
outcome and a range of Athens days; newest first, keyset pages by event id (`before`).
Whatever the log's size or the page, one query reads the events with their usernames and one
the users for the user filter.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from caseapp.auth.models import User
from caseapp.dates import local_zone
from caseapp.extensions import db
from caseapp.formtools import Form, LocalDateField, check_date_range, clean, combobox
from caseapp.security import audit_labels
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


def _choices(table: dict) -> list[SelectChoice]:
    labelled = sorted(((str(label), code) for code, label in table.items()), key=lambda pair: pair[0].casefold())
    return [SelectChoice("", str(_l("Any")))] + [SelectChoice(code, label) for label, code in labelled]


class AuditFilterForm(Form):
    """The log's filters, read from the query string (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    user = SelectField(_l("User"), choices=[], validators=[Optional()], render_kw=combobox())
    action = SelectField(_l("Action"), choices=[], validators=[Optional()], render_kw=combobox())
    object_type = SelectField(_l("Object kind"), choices=[], validators=[Optional()])
    object_id = StringField(_l("Object id"), filters=[clean], validators=[Optional(), Length(max=64)],
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    outcome = SelectField(_l("Outcome"), choices=[], validators=[Optional()])
    date_from = LocalDateField(_l("From (day)"), validators=[Optional()])
    date_to = LocalDateField(_l("To (day, included)"), validators=[Optional()])

    FIELDS = ("user", "action", "object_type", "object_id", "outcome", "date_from", "date_to")

    def __init__(self, formdata, users):
        super().__init__(formdata)
        self.user.choices = [SelectChoice("", str(_l("Anyone")))] + [
            SelectChoice(str(u.id), f"{u.username} ({u.display_name})") for u in users]
        self.action.choices = _choices(audit_labels.ACTION_LABELS)
        self.object_type.choices = _choices(audit_labels.OBJECT_LABELS)
        self.outcome.choices = _choices(audit_labels.OUTCOME_LABELS)

    def validate_date_from(self, field):
        check_date_range(field)

    def validate_date_to(self, field):
        check_date_range(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end comes before the start."))

    def query_args(self) -> dict[str, str]:
        """The filters in use, as query arguments (for the next page's link)."""
        return {name: request.args[name] for name in self.FIELDS if request.args.get(name)}


def _day_start_utc(day) -> datetime:
    return datetime.combine(day, time(), local_zone()).astimezone(timezone.utc)


def filtered_events(form: AuditFilterForm, before: int | None, limit: int) -> list[tuple[AuditEvent, str | None]]:
    """(event, username or None) newest first, at most `limit` + 1 (the extra one says a next page
    exists), with the form's filters and `before` (an event id) as the keyset cursor. One query."""
    stmt = (select(AuditEvent, User.username).outerjoin(User, User.id == AuditEvent.user_id)
            .order_by(AuditEvent.id.desc()).limit(limit + 1))
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    if form.user.data:
        stmt = stmt.where(AuditEvent.user_id == int(form.user.data))
    if form.action.data:
        stmt = stmt.where(AuditEvent.action == form.action.data)
    if form.object_type.data:
        stmt = stmt.where(AuditEvent.object_type == form.object_type.data)
    if form.object_id.data:
        stmt = stmt.where(AuditEvent.object_id == form.object_id.data)
    if form.outcome.data:
        stmt = stmt.where(AuditEvent.outcome == form.outcome.data)
    if form.date_from.data:
        stmt = stmt.where(AuditEvent.occurred_at >= _day_start_utc(form.date_from.data))
    if form.date_to.data:
        stmt = stmt.where(AuditEvent.occurred_at < _day_start_utc(form.date_to.data + timedelta(days=1)))
    return [(event, username) for event, username in db.session.execute(stmt).all()]


@bp.route("/")
@permission_required("audit.verify")
def audit():
    before = int_arg("before")
    users = db.session.execute(select(User.id, User.username, User.display_name).order_by(User.username)).all()
    form = AuditFilterForm(request.args, users)
    rows, next_url = [], None
    if form.validate():
        rows = filtered_events(form, before, PAGE_SIZE)
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_url = url_for("security.audit", before=rows[-1][0].id, **form.query_args())
    html = render_template("security/audit.html", rows=rows, next_url=next_url, form=form,
                           filtered=bool(form.query_args()), labels=audit_labels, result=None)
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
        return render_template("security/audit.html", rows=[], next_url=None, result=None,
                               unavailable=True)
    record("audit.verify", outcome="ok" if result.ok else "broken")
    db.session.commit()
    report = result.report
    problem = str(PROBLEMS[report.kind]) % {"id": report.broken_at} if report.kind in PROBLEMS else None
    return render_template("security/audit.html", rows=[], next_url=None, result=result,
                           problem=problem)
