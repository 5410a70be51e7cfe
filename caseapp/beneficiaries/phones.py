"""Phone numbers of beneficiaries: what is accepted, how it is stored and shown.

libphonenumber (the `phonenumbers` port) reads the number, Greece being the
default region: a number typed without a country code is Greek, any other
starts with + (or 00) and its country code. Digits of any script are
accepted (`blind_index.phone_text`). A valid number is stored in E.164
(``+306941234567``), the form its blind index is computed from, and shown
in the international format (``+30 694 123 4567``).
"""
from __future__ import annotations

import re

import phonenumbers
from flask_babel import lazy_gettext as _l

from caseapp.beneficiaries import iso
from caseapp.security.blind_index import PHONE_REGION, dialled, parse_phone, phone_text

# After `phone_text` (digits in ASCII, invisible characters gone): what a
# written phone number may contain besides its digits.
_WRITTEN_NUMBER = re.compile(r"^\+?[0-9\s().\-/]+$")
_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: _l(
        "No country has this code. Check the digits after + (or 00)."),
    phonenumbers.ValidationResult.TOO_SHORT: _l("This number is too short: a digit may be missing."),
    phonenumbers.ValidationResult.TOO_LONG: _l("This number is too long: check for an extra digit."),
    phonenumbers.ValidationResult.INVALID_LENGTH: _l("This number has the wrong number of digits."),
}

_PARSE_ERRORS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: phonenumbers.ValidationResult.INVALID_COUNTRY_CODE,
    phonenumbers.NumberParseException.TOO_LONG: phonenumbers.ValidationResult.TOO_LONG,
}


def problem(value: str | None):
    """Why `value` cannot be stored as a phone number (a lazy message), or None if it can.

    Accepted: a number libphonenumber finds valid, written with digits of
    any script, spaces, dashes, dots, slashes, parentheses and a leading +.
    """
    if not value:
        return None
    text = phone_text(value)
    if not _WRITTEN_NUMBER.match(text):
        return _l("Write the phone number with digits only, for example +30 694 123 4567 or +963 933 123 456.")
    try:
        number = phonenumbers.parse(dialled(text), PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        return _REASONS[_PARSE_ERRORS.get(error.error_type, phonenumbers.ValidationResult.TOO_SHORT)]
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _REASONS:
        return _REASONS[reason]
    if not phonenumbers.is_valid_number(number):
        region = phonenumbers.region_code_for_country_code(number.country_code)
        if region == PHONE_REGION:
            return _l("This is not a Greek phone number. A number from another country starts with + and "
                      "its country code, for example +963 933 123 456.")
        return _l("This is not a phone number in use in %(country)s. Check the digits.",
                  country=iso.country_name(region) if iso.is_country(region) else f"+{number.country_code}")
    return None


def stored_form(value: str | None) -> str | None:
    """E.164 for a valid number; anything else as typed, with ASCII digits (None for nothing).

    Forms accept only valid numbers (`problem`), so new values are always
    E.164; the rest is for values written before validation was this strict.
    """
    if value is None:
        return None
    text = phone_text(value)
    if not text:
        return None
    number = parse_phone(text)
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text


def display(value: str | None) -> str:
    """A stored number as people read it: ``+30 694 123 4567``; other text as stored."""
    if not value:
        return ""
    number = parse_phone(value)
    if number is None or not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
