"""Fetch a beneficiary the user may see, or answer 404 and audit the attempt."""
from __future__ import annotations

import uuid

from caseapp.beneficiaries import queries
from caseapp.beneficiaries.models import Beneficiary
from caseapp.viewtools import not_visible, user


def beneficiary_or_404(beneficiary_id: uuid.UUID) -> Beneficiary:
    beneficiary = queries.get_visible_beneficiary(user(), beneficiary_id)
    if beneficiary is None:
        not_visible("beneficiary", beneficiary_id)
    return beneficiary
