"""View helpers: fetch an object the user may see, or answer 404 and audit the attempt.

A missing id and another structure's id get the same answer, so a URL
cannot be used to learn whether someone is known elsewhere.
"""
from __future__ import annotations

import uuid

from flask import abort, request
from flask_login import current_user

from caseapp.beneficiaries import queries
from caseapp.beneficiaries.casefile_models import CaseFile
from caseapp.beneficiaries.models import Beneficiary
from caseapp.security.audit import record_and_commit, record_denied


def user():
    return current_user._get_current_object()


def beneficiary_or_404(beneficiary_id: uuid.UUID) -> Beneficiary:
    beneficiary = queries.get_visible_beneficiary(user(), beneficiary_id)
    if beneficiary is None:
        record_denied("not_visible", object_type="beneficiary", object_id=beneficiary_id)
        abort(404)
    return beneficiary


def case_file_or_404(case_file_id: uuid.UUID) -> CaseFile:
    case_file = queries.get_visible_case_file(user(), case_file_id)
    if case_file is None:
        record_denied("not_visible", object_type="case_file", object_id=case_file_id)
        abort(404)
    return case_file


def audited(html: str, action: str, **event) -> str:
    """Commit the audit event of a read once the page is rendered, then send the page.

    Rendering first keeps the objects loaded (a commit expires them, and a
    page of 50 would reload row by row); committing before returning means
    no page leaves the server unless its audit event is stored.
    """
    record_and_commit(action, **event)
    return html


def refuse(object_type: str, object_id) -> None:
    """The user sees the object but this action is not theirs to take."""
    record_denied("object_rule", object_type=object_type, object_id=object_id)
    abort(403)


def uuid_arg(name: str) -> uuid.UUID | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        abort(404)


def version_of(form) -> int:
    try:
        return int(form.version.data or 0)
    except ValueError:
        return 0
