"""Forms for beneficiaries, search and consent. Bad input gets a message on its field."""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField, DateField, EmailField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField,
    SelectMultipleField, StringField, TelField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from caseapp.beneficiaries import codes, iso, phones
from caseapp.dates import local_today
from caseapp.formats import local_date_text
from caseapp.formtools import (
    EARLIEST_DATE, Form, LocalDateField, MultiCheckboxField, check_date_range, clean, clean_name, clean_text,
    combobox,
)
from caseapp.beneficiaries.models import normalise_codes
from caseapp.beneficiaries.references import reference_problem

NAME_MAX = 100


def _check_phone(field) -> None:
    message = phones.problem(field.data)
    if message is not None:
        raise ValidationError(message)


PHONE_HINT = _l("Digits of any script. Without a country code the number is Greek; others start with + "
                "and the country code, e.g. +963 933 123 456.")


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def afm_ok(digits: str) -> bool:
    """Greek tax number: 9 digits, the last a mod-11 check digit."""
    total = sum(int(d) << (8 - i) for i, d in enumerate(digits[:8]))
    return total % 11 % 10 == int(digits[8])


DOCUMENT_RULES = {
    "amka": (re.compile(r"^\d{11}$"), luhn_ok, _l("An AMKA has 11 digits, and this one's check digit is wrong.")),
    "paaypa": (re.compile(r"^\d{11}$"), None, _l("A PAAYPA has 11 digits.")),
    "afm": (re.compile(r"^\d{9}$"), afm_ok, _l("An AFM has 9 digits, and this one's check digit is wrong.")),
}


def check_reference(form, field) -> None:
    """Wherever a reference is typed: a clear message for a wrong shape, and for a typo the
    check symbol caught. Lower case, spaces, O/0 and I/1 are accepted (`references`)."""
    problem = reference_problem(field.data) if field.data else None
    if problem == "check":
        raise ValidationError(_l("This reference has a typo: its last character does not match the others. "
                                 "Check each character against the card."))
    if problem:
        raise ValidationError(_l("A reference looks like B-26-7KQ4X-7."))


class BeneficiaryForm(Form):
    DERIVED = {"birth_year": ("birth_date", lambda birth_date: birth_date.year)}

    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=NAME_MAX)],
                             filters=[clean_name], render_kw={"autocomplete": "off"})
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=NAME_MAX)],
                              filters=[clean_name], render_kw={"autocomplete": "off"})
    father_name = StringField(_l("Father's name"), validators=[Optional(), Length(max=NAME_MAX)],
                              filters=[clean_name], render_kw={"autocomplete": "off"})
    mother_name = StringField(_l("Mother's name"), validators=[Optional(), Length(max=NAME_MAX)],
                              filters=[clean_name], render_kw={"autocomplete": "off"})
    sex = SelectField(_l("Sex"), choices=codes.choices(codes.SEX), default="unknown", validators=[InputRequired()])
    birth_date = LocalDateField(_l("Date of birth"), validators=[Optional()],
                                description=_l("If only the year is known, leave this empty and give the year."))
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()],
                              render_kw={"inputmode": "numeric"})
    birth_year_shown = HiddenField()
    nationality = SelectField(_l("Nationality"), choices=[], validators=[Optional()],
                              description=_l("Type a few letters to find the country; the most common come first."),
                              render_kw=combobox())
    languages = SelectMultipleField(_l("Languages"), choices=[], validators=[Optional()],
                                    description=_l("Type a few letters to find a language or dialect; choose as "
                                                   "many as apply. (In the plain list, hold Ctrl or Cmd to choose "
                                                   "several.)"),
                                    render_kw=combobox(placeholder=_l("Type to search")))
    legal_status = SelectField(_l("Legal status"), choices=codes.choices(codes.LEGAL_STATUS), default="unknown",
                               validators=[InputRequired()])
    vulnerabilities = MultiCheckboxField(_l("Vulnerabilities"), choices=codes.choices(codes.VULNERABILITIES))
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=32)], filters=[clean],
                     description=PHONE_HINT, render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254),
                                                Email(message=_l("Enter an email address like name@example.org."))],
                       filters=[clean], render_kw={"autocomplete": "off"})
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)], filters=[clean_text],
                            render_kw={"rows": 2})
    document_type = SelectField(_l("Document type"), choices=[], validators=[Optional()])
    document_number = StringField(_l("Document number"), validators=[Optional(), Length(max=64)], filters=[clean],
                                  render_kw={"autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = iso.country_choices()
        self.languages.choices = iso.language_choices()
        self.document_type.choices = [SelectChoice("", _l("No document"))] + codes.choices(codes.DOCUMENT_TYPES)

    def validate_birth_date(self, field):
        check_date_range(field)

    def validate_birth_year(self, field):
        if field.data is None:
            return
        if not EARLIEST_DATE.year <= field.data <= local_today().year:
            raise ValidationError(_l("Give a year between 1900 and this year."))
        if self.birth_date.data and self.birth_date.data.year != field.data:
            raise ValidationError(_l("The year does not match the date of birth."))

    def validate_nationality(self, field):
        if field.data and not iso.is_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))

    def validate_languages(self, field):
        if any(not iso.is_language(code) for code in field.data or ()):
            raise ValidationError(_l("Choose languages from the list."))

    def validate_phone(self, field):
        _check_phone(field)

    def validate_document_type(self, field):
        if self.document_number.data and not field.data:
            raise ValidationError(_l("Say which document this number belongs to."))

    def validate_document_number(self, field):
        kind = self.document_type.data
        if kind and not field.data:
            raise ValidationError(_l("Give the document number, or choose no document."))
        rule = DOCUMENT_RULES.get(kind)
        if rule and field.data:
            pattern, check, message = rule
            digits = re.sub(r"[\s\-]", "", field.data)
            if not pattern.match(digits) or (check and not check(digits)):
                raise ValidationError(message)

    def values(self) -> dict[str, object]:
        """What the service needs, by model attribute name."""
        return {
            "given_name": self.given_name.data, "family_name": self.family_name.data,
            "father_name": self.father_name.data, "mother_name": self.mother_name.data,
            "birth_date": self.birth_date.data,
            "birth_year": self.birth_date.data.year if self.birth_date.data else self.birth_year.data,
            "phone": phones.stored_form(self.phone.data), "email": self.email.data, "address": self.address.data,
            "document_type": self.document_type.data or None,
            "document_number": self.document_number.data if self.document_type.data else None,
            "sex": self.sex.data, "nationality": self.nationality.data or None,
            "language_codes": list(self.languages.data or []), "legal_status": self.legal_status.data,
            "vulnerability_codes": list(self.vulnerabilities.data or []),
        }

    def fill_from(self, beneficiary) -> None:
        for name in ("given_name", "family_name", "father_name", "mother_name", "birth_date", "birth_year",
                     "email", "address", "sex", "legal_status"):
            self[name].data = getattr(beneficiary, name)
        self.phone.data = phones.display(beneficiary.phone) or None
        self.document_type.data = beneficiary.document_type or ""
        self.document_number.data = beneficiary.document_number
        self.nationality.data = beneficiary.nationality or ""
        self.languages.data = beneficiary.language_codes
        self.vulnerabilities.data = beneficiary.vulnerability_codes
        self.show_derived()


CONFLICT_FIELDS = ("given_name", "family_name", "father_name", "mother_name", "birth_date", "birth_year",
                   "phone", "email", "address", "document_type", "document_number", "sex", "nationality",
                   "language_codes", "legal_status", "vulnerability_codes")
FORM_FIELD = {"language_codes": "languages", "vulnerability_codes": "vulnerabilities"}


def display_value(name: str, value) -> str:
    """A stored value as the profile shows it (labels for codes)."""
    if value in (None, "", []):
        return "—"
    tables = {"sex": codes.SEX, "legal_status": codes.LEGAL_STATUS, "document_type": codes.DOCUMENT_TYPES}
    if name in tables:
        return codes.label(tables[name], value)
    if name == "nationality":
        return iso.country_name(value)
    if name == "language_codes":
        return ", ".join(iso.language_name(code) for code in value)
    if name == "vulnerability_codes":
        return ", ".join(codes.label(codes.VULNERABILITIES, code) for code in value)
    if name == "phone":
        return phones.display(value)
    return local_date_text(value) if isinstance(value, date) else str(value)


class RegistrationForm(BeneficiaryForm):
    structure = SelectField(_l("Structure"), coerce=int, choices=[], validators=[InputRequired()])
    duplicate_check = HiddenField()
    register_anyway = BooleanField(_l("I have checked: this is a different person. Register them anyway."))

    def __iter__(self):
        """The structure first, then the person."""
        fields = list(super().__iter__())
        return iter(sorted(fields, key=lambda f: f.name != "structure"))


class EditForm(BeneficiaryForm):
    version = HiddenField()

    def saved_meanwhile(self, beneficiary) -> list[tuple[str, str]]:
        """(label, saved value) for each field where the record now differs from this form."""
        typed = {name: normalise_codes(value) if isinstance(value, list) else value
                 for name, value in self.values().items()}
        return [(str(self[FORM_FIELD.get(name, name)].label.text), display_value(name, getattr(beneficiary, name)))
                for name in CONFLICT_FIELDS if getattr(beneficiary, name) != typed.get(name)]


class SearchForm(Form):
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=40), check_reference],
                            filters=[clean], description=_l("For example B-26-7KQ4X-7."),
                            render_kw={"autocomplete": "off"})
    surname = StringField(_l("Surname"), validators=[Optional(), Length(max=NAME_MAX)], filters=[clean_name],
                          description=_l("Any script: Greek, Latin, Arabic, Cyrillic... all find the same person."),
                          render_kw={"autocomplete": "off"})
    birth_date = LocalDateField(_l("Date of birth"), validators=[Optional()])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=32)], filters=[clean],
                     render_kw={"autocomplete": "off"})
    document_number = StringField(_l("Document number"), validators=[Optional(), Length(max=64)], filters=[clean],
                                  render_kw={"autocomplete": "off"})

    def validate_phone(self, field):
        _check_phone(field)

    def validate_birth_date(self, field):
        check_date_range(field)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not any(self[name].data for name in
                             ("reference", "surname", "birth_date", "phone", "document_number")):
            self.form_errors.append(_l("Fill in at least one search field."))
            return False
        return valid


class ConsentForm(Form):
    purpose = SelectField(_l("Purpose"), choices=codes.choices(codes.CONSENT_PURPOSES), validators=[InputRequired()])
    decision = RadioField(_l("Decision"), choices=[SelectChoice("given", _l("Consent given")),
                                                    SelectChoice("withdrawn", _l("Consent withdrawn"))],
                          validators=[InputRequired(message=_l("Say whether consent was given or withdrawn."))])
    decided_on = LocalDateField(_l("Date of the decision"),
                                validators=[InputRequired(message=_l("Give the date of the decision."))])

    def validate_decided_on(self, field):
        check_date_range(field)


class ErasureRequestForm(Form):
    reason = SelectField(_l("Reason"), choices=codes.choices(codes.ERASURE_REASONS), validators=[InputRequired()])


class ErasureConfirmForm(Form):
    reference = StringField(_l("Type the reference to confirm"),
                            validators=[DataRequired(), Length(max=40), check_reference],
                            render_kw={"autocomplete": "off"})
