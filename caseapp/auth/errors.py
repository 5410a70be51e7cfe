"""The error the user-administration and four-eyes services raise (shown on the form)."""
from __future__ import annotations

from caseapp.domain import DomainError


class UserError(DomainError):
    """A user-administration request that cannot be carried out.

    `field` names the form field the message belongs to (None: above the form). The
    arguments come in this order for the auth services' existing calls.
    """

    def __init__(self, field: str | None, message):
        super().__init__(message, field)
