"""Forms of stays: the one-step admission (with children), discharge, the waiting list."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseapp.beneficiaries import codes as person_codes
from caseapp.dates import local_today
from caseapp.formtools import Form, LocalDateField, MultiCheckboxField, check_date_range, clean_name, clean_text
from caseapp.stays import codes
from caseapp.stays.service import ADULT_AGE, CHILD_FIELDS, child_age
from wtforms import SelectChoice

# Rows for children on the admission form (blank rows are ignored).
CHILD_ROWS = 4
CHECK_FIELDS = ("duplicate_check", "register_anyway")


def _sex_choices():
    return [SelectChoice("", str(_l("Choose…")))] + [
        SelectChoice(code, str(label)) for code, label in person_codes.SEX.items()]


class AdmitForm(Form):
    """The admission, with up to `CHILD_ROWS` children registered in the same step."""

    admitted_on = LocalDateField(_l("Day of admission"), default=local_today,
                                 validators=[InputRequired(message=_l("Enter the day of admission."))],
                                 render_kw={"type": "date"})
    companions = MultiCheckboxField(_l("Household members admitted at the same time"), choices=[],
                                    description=_l("People already registered at this shelter and linked to "
                                                   "this person."))

    def validate_admitted_on(self, field):
        check_date_range(field)

    def child_rows(self) -> list[dict]:
        """[{"index": 1, "given_name": field, ...}, ...] for the template."""
        return [{"index": i, **{name: self[f"child{i}_{name}"] for name in CHILD_FIELDS + CHECK_FIELDS}}
                for i in range(1, CHILD_ROWS + 1)]

    def summary_label(self, name: str) -> str:
        """The field's name in the error summary: a child's fields say which child ("Child 2: Given name")."""
        match = re.fullmatch(r"child(\d+)_.*", name)
        label = str(self[name].label.text)
        return str(_l("Child %(n)d", n=int(match.group(1)))) + ": " + label if match else label

    def show_possible_duplicates(self, error) -> None:
        """Put each row's warning (a `stays.service.PossibleDuplicates`) on its row and arm its
        "register anyway" box with the fingerprint the warning was about."""
        for row, warning in error.found:
            field = self[f"child{row}_given_name"]
            if warning.message not in field.errors:
                field.errors = list(field.errors) + [warning.message]
            self[f"child{row}_duplicate_check"].data = warning.fingerprint
            self[f"child{row}_register_anyway"].data = False

    def children(self) -> list[dict]:
        """Values of the rows that were filled in (a row with any field filled in is a child)."""
        rows = []
        for i in range(1, CHILD_ROWS + 1):
            values = {name: self[f"child{i}_{name}"].data for name in CHILD_FIELDS}
            if values["given_name"] or values["family_name"] or values["birth_date"] or values["sex"]:
                anyway = self[f"child{i}_register_anyway"].data
                rows.append({**values, "index": i,
                             "duplicate_check": self[f"child{i}_duplicate_check"].data if anyway else None})
        return rows

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        admitted_on = self.admitted_on.data or local_today()
        for i in range(1, CHILD_ROWS + 1):
            fields = {name: self[f"child{i}_{name}"] for name in CHILD_FIELDS}
            if fields["sex"].data and fields["sex"].data not in person_codes.SEX:
                fields["sex"].errors = [_l("Choose from the list.")]
                ok = False
                continue
            if not any(f.data for f in fields.values()) or any(f.errors for f in fields.values()):
                continue
            if not fields["given_name"].data:
                fields["given_name"].errors = [_l("Enter the child's given name.")]
                ok = False
            birth_date = fields["birth_date"].data
            if birth_date is None:
                fields["birth_date"].errors = [_l("Enter the child's date of birth.")]
                ok = False
            elif birth_date > local_today():
                fields["birth_date"].errors = [_l("The date cannot be in the future.")]
                ok = False
            elif child_age(birth_date, admitted_on) >= ADULT_AGE:
                fields["birth_date"].errors = [_l("A child is under 18 on the day of admission; register an "
                                                  "adult on their own.")]
                ok = False
        return ok


for _i in range(1, CHILD_ROWS + 1):
    setattr(AdmitForm, f"child{_i}_given_name",
            StringField(_l("Given name"), filters=[clean_name], validators=[Optional(), Length(max=100)],
                        render_kw={"autocomplete": "off"}))
    setattr(AdmitForm, f"child{_i}_family_name",
            StringField(_l("Family name"), filters=[clean_name], validators=[Optional(), Length(max=100)],
                        description=_l("Left empty: the family name of the person admitted."),
                        render_kw={"autocomplete": "off"}))
    setattr(AdmitForm, f"child{_i}_sex", SelectField(_l("Sex"), choices=_sex_choices, validate_choice=False))
    setattr(AdmitForm, f"child{_i}_birth_date",
            LocalDateField(_l("Date of birth"), validators=[Optional()], render_kw={"type": "date"}))
    # Shown after a possible-duplicate warning on the row (caseapp/beneficiaries/service.check_new_person).
    setattr(AdmitForm, f"child{_i}_duplicate_check", HiddenField())
    setattr(AdmitForm, f"child{_i}_register_anyway",
            BooleanField(_l("I have checked: this child is not the record found. Register anyway.")))



class DischargeForm(Form):
    version = HiddenField()
    discharged_on = LocalDateField(_l("Day of discharge"), default=local_today,
                                   validators=[InputRequired(message=_l("Enter the day of discharge."))],
                                   render_kw={"type": "date"},
                                   description=_l("The bed is free from this day."))
    reason = SelectField(_l("Reason for leaving"), choices=[],
                         validators=[InputRequired(message=_l("Choose a reason from the list."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice("", str(_l("Choose…")))] + [
            SelectChoice(code, str(label)) for code, label in codes.DISCHARGE_REASONS.items()]

    def validate_discharged_on(self, field):
        check_date_range(field)


class CorrectStayForm(Form):
    """Correct the days of a stay entered wrongly; an open stay shows only its admission."""

    version = HiddenField()
    admitted_on = LocalDateField(_l("Day of admission"), render_kw={"type": "date"},
                                 validators=[InputRequired(message=_l("Enter the day of admission."))])
    discharged_on = LocalDateField(_l("Day of discharge"), render_kw={"type": "date"}, validators=[Optional()])
    reason = SelectField(_l("Reason for leaving"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Why the days are corrected"), filters=[clean_text],
                         validators=[InputRequired(message=_l("Say why the days are corrected.")),
                                     Length(max=2000)],
                         description=_l("Kept as a note on the case file."))

    def __init__(self, *args, stay=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice("", str(_l("Choose…")))] + [
            SelectChoice(code, str(label)) for code, label in codes.DISCHARGE_REASONS.items()]
        if stay is not None and stay.is_open:
            del self.discharged_on
            del self.reason

    def fill_from(self, stay) -> None:
        self.version.data = stay.version
        self.admitted_on.data = stay.admitted_on
        if not stay.is_open:
            self.discharged_on.data = stay.discharged_on
            self.reason.data = stay.discharge_reason

    def validate_reason(self, field):
        if field.data and field.data not in codes.DISCHARGE_REASONS:
            raise ValidationError(_l("Choose a reason from the list."))


class WaitForm(Form):
    requested_on = LocalDateField(_l("Day the bed was asked for"), default=local_today,
                                  validators=[InputRequired(message=_l("Enter the day."))],
                                  render_kw={"type": "date"})
    beds = IntegerField(_l("Beds needed"), default=1,
                        validators=[InputRequired(message=_l("Enter the number of beds.")), NumberRange(min=1, max=13)],
                        description=_l("The person and the children or relatives who come with them."),
                        render_kw={"inputmode": "numeric"})

    def validate_requested_on(self, field):
        check_date_range(field)


class VersionForm(Form):
    """A button on a versioned record (taking someone off the waiting list)."""

    version = HiddenField()
