"""Fetch a case file the user may see, or answer 404 and audit the attempt."""
from __future__ import annotations

import uuid

from caseapp.casefiles import queries
from caseapp.casefiles.models import CaseFile
from caseapp.viewtools import not_visible, user


def case_file_or_404(case_file_id: uuid.UUID) -> CaseFile:
    case_file = queries.get_visible_case_file(user(), case_file_id)
    if case_file is None:
        not_visible("case_file", case_file_id)
    return case_file
