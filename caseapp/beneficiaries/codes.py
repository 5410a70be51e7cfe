"""Coded values stored in clear (reports count them) and their labels.

Codes are stable identifiers stored in the database; labels are shown in the
interface language. None of these lists may ever hold a free-text value.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

SEX = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "unknown": _l("Not stated"),
}

LEGAL_STATUS = {
    "asylum_seeker": _l("Asylum seeker"),
    "refugee": _l("Recognised refugee"),
    "subsidiary_protection": _l("Subsidiary protection"),
    "humanitarian": _l("Humanitarian status"),
    "residence_permit": _l("Third-country national with residence permit"),
    "eu_citizen": _l("EU citizen"),
    "greek_citizen": _l("Greek citizen"),
    "undocumented": _l("Undocumented"),
    "other": _l("Other"),
    "unknown": _l("Not known"),
}

VULNERABILITIES = {
    "unaccompanied_minor": _l("Unaccompanied minor"),
    "single_parent": _l("Single parent"),
    "pregnant": _l("Pregnancy"),
    "disability": _l("Disability"),
    "chronic_illness": _l("Chronic illness"),
    "mental_health": _l("Mental health condition"),
    "gbv_survivor": _l("Survivor of gender-based violence"),
    "torture_survivor": _l("Survivor of torture"),
    "trafficking_survivor": _l("Survivor of trafficking"),
    "elderly": _l("Older person"),
    "homeless": _l("Homelessness"),
    "substance_use": _l("Substance use"),
}

DOCUMENT_TYPES = {
    "amka": _l("AMKA (social security number)"),
    "paaypa": _l("PAAYPA (temporary social security number)"),
    "asylum_card": _l("Asylum seeker's card"),
    "residence_permit": _l("Residence permit"),
    "passport": _l("Passport"),
    "identity_card": _l("Identity card"),
    "afm": _l("AFM (tax number)"),
    "other": _l("Other document"),
}

CONSENT_PURPOSES = {
    "processing": _l("Processing of personal data"),
    "share_municipal": _l("Sharing with municipal structures"),
    "share_partners": _l("Sharing with partner organisations"),
    "interpretation": _l("Interpretation"),
}

CLOSE_REASONS = {
    "goals_met": _l("Goals met"),
    "referred": _l("Referred to another service"),
    "moved_away": _l("Moved away"),
    "lost_contact": _l("Lost contact"),
    "beneficiary_request": _l("At the beneficiary's request"),
    "deceased": _l("Deceased"),
    "other": _l("Other reason"),
}
# Set by the system only (never offered on a form): erasure closes open files.
SYSTEM_CLOSE_REASONS = {"erased": _l("Personal data erased")}

ERASURE_REASONS = {
    "data_subject_request": _l("The person asked for erasure (GDPR art. 17)"),
    "registered_in_error": _l("Registered in error"),
    "retention_expired": _l("Retention period expired"),
}

CASE_STATUS = {"open": _l("Open"), "closed": _l("Closed")}

ERASURE_STATUS = {
    "pending": _l("Waiting for confirmation"),
    "confirmed": _l("Erased"),
    "rejected": _l("Rejected"),
}

# (label, lowest age, highest age or None); the age is the one reached in the reported year.
AGE_BANDS = (
    ("0-17", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-49", 35, 49),
    ("50-64", 50, 64),
    ("65+", 65, None),
)
UNKNOWN_AGE_BAND = "unknown"


def label(table: dict, code: str | None) -> str:
    """The label of `code` in `table`, or the code itself if it is not (or no longer) listed."""
    if code is None:
        return "—"
    return str(table.get(code, SYSTEM_CLOSE_REASONS.get(code, code)))


def choices(table: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in table.items()]
