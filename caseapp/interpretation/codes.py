"""Coded values of interpretation (stored in clear, counted by the reports) and their labels."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MODES = {
    "in_person": _l("In person"),
    "phone": _l("By phone"),
    "video": _l("By video"),
}

PURPOSES = {
    "clinic": _l("Clinic or hospital visit"),
    "disability_certification": _l("Disability certification"),
    "asylum_service": _l("Asylum service"),
    "legal_counselling": _l("Legal counselling"),
    "psychosocial_counselling": _l("Psychosocial counselling"),
    "social_service": _l("Social service"),
    "other": _l("Other"),
}

GENDERS = {
    "female": _l("Woman"),
    "male": _l("Man"),
    "other": _l("Other"),
    "unknown": _l("Not stated"),
}

GENDER_PREFERENCES = {
    "": _l("No preference"),
    "female": _l("A woman"),
    "male": _l("A man"),
}

CANCEL_REASONS = {
    "appointment_cancelled": _l("The appointment was cancelled or moved"),
    "beneficiary_request": _l("At the person's request"),
    "no_interpreter": _l("No interpreter could be found"),
    "consent_withdrawn": _l("Consent for interpretation withdrawn"),
    "entered_in_error": _l("Entered in error"),
    "other": _l("Other reason"),
}

STATUSES = {
    "requested": _l("Waiting for an interpreter"),
    "assigned": _l("Interpreter assigned"),
    "confirmed": _l("Confirmed"),
    "completed": _l("Delivered"),
    "no_show": _l("No-show"),
    "cancelled": _l("Cancelled"),
}
