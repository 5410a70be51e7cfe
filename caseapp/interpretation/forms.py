"""Forms of interpretation: the request, the buttons on it, interpreters."""
from __future__ import annotations

from decimal import Decimal, ROUND_HALF_UP

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DecimalField, HiddenField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField, TimeField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseapp.formtools import Form, LocalDateField, clean, clean_name, clean_text, combobox
from caseapp.interpretation import codes, languages
from caseapp.interpretation.calendar import NonexistentLocalTime, to_utc
from caseapp.interpretation.service import MAX_DURATION, MIN_DURATION
from wtforms import SelectChoice


def _choices(table: dict, blank=None) -> list[SelectChoice]:
    head = [SelectChoice("", str(blank))] if blank is not None else []
    return head + [SelectChoice(code, str(label)) for code, label in table.items()]


class RequestForm(Form):
    language = SelectField(_l("Language or dialect"), choices=[],
                           validators=[InputRequired(message=_l("Choose the language."))], render_kw=combobox())
    mode = RadioField(_l("How"), choices=[],
                      validators=[InputRequired(message=_l("Choose how the interpretation takes place."))])
    purpose = SelectField(_l("Purpose"), choices=[],
                          validators=[InputRequired(message=_l("Choose the purpose."))])
    date = LocalDateField(_l("Date of the appointment"),
                          validators=[InputRequired(message=_l("Enter the date of the appointment."))],
                          render_kw={"type": "date"})
    time = TimeField(_l("Time (Athens)"), validators=[InputRequired(message=_l("Enter the time, for example 09:30."))],
                     description=_l("24-hour clock, for example 09:30 or 14:00."))
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[InputRequired(message=_l("Enter the duration in minutes.")),
                                                NumberRange(min=MIN_DURATION, max=MAX_DURATION)],
                                    render_kw={"inputmode": "numeric"})
    place = StringField(_l("Place"), filters=[clean], validators=[Optional(), Length(max=300)],
                        description=_l("Where to meet: the clinic or office, its address, floor or room. "
                                       "Needed for appointments in person."))
    escort = BooleanField(_l("Escort needed (accompany the person to the appointment)"))
    preferred_gender = SelectField(_l("Interpreter preferred"), choices=[], validate_choice=True)
    contact_phone = StringField(_l("Contact phone for the interpreter"), filters=[clean],
                                validators=[Optional(), Length(max=40)],
                                description=_l("A work number where the interpreter can reach you."),
                                render_kw={"type": "tel", "autocomplete": "off"})
    notes = TextAreaField(_l("Notes for the interpreter"), filters=[clean_text],
                          validators=[Optional(), Length(max=2000)], render_kw={"rows": 3},
                          description=_l("Only what the interpreter needs to know. They see it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("", str(_l("Choose…")))] + languages.language_choices()
        self.purpose.choices = _choices(codes.PURPOSES, _l("Choose…"))
        self.mode.choices = _choices(codes.MODES)
        self.preferred_gender.choices = _choices(codes.GENDER_PREFERENCES)

    def validate_language(self, field):
        if field.data and not languages.is_language(field.data):
            raise ValidationError(_l("Choose a language from the list."))

    def validate_time(self, field):
        if self.date.data is not None and field.data is not None:
            try:
                to_utc(self.date.data, field.data)
            except NonexistentLocalTime:
                raise ValidationError(_l("This time does not exist on that day (the clocks go forward). "
                                         "Choose another time.")) from None

    def values(self) -> dict:
        return {"language": self.language.data, "mode": self.mode.data, "purpose": self.purpose.data,
                "starts_at": to_utc(self.date.data, self.time.data), "duration_minutes": self.duration_minutes.data,
                "place": self.place.data, "escort": bool(self.escort.data),
                "preferred_gender": self.preferred_gender.data or "", "contact_phone": self.contact_phone.data,
                "notes": self.notes.data}


class ActionForm(Form):
    """A button on a request; carries the version the page was loaded with."""
    version = HiddenField()


class AssignForm(ActionForm):
    interpreter = HiddenField()


class CompleteForm(ActionForm):
    hours = DecimalField(_l("Hours delivered"), places=2,
                         validators=[InputRequired(message=_l("Enter the hours delivered, for example 1.5.")),
                                     NumberRange(min=Decimal("0.01"), max=Decimal(24),
                                                 message=_l("Enter the hours delivered, more than 0 and at most 24."))],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})

    def delivered_minutes(self) -> int:
        return int((self.hours.data * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class CancelForm(ActionForm):
    reason = SelectField(_l("Reason for cancelling"), choices=[],
                         validators=[InputRequired(message=_l("Choose a reason."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = _choices(codes.CANCEL_REASONS, _l("Choose…"))


class InterpreterForm(Form):
    version = HiddenField()
    name = StringField(_l("Name"), filters=[clean_name],
                       validators=[InputRequired(message=_l("Enter the interpreter's name.")), Length(max=128)])
    gender = SelectField(_l("Gender"), choices=[])
    phone = StringField(_l("Phone"), filters=[clean], validators=[Optional(), Length(max=40)],
                        render_kw={"type": "tel", "autocomplete": "off"})
    language_codes = SelectMultipleField(_l("Languages and dialects"), choices=[],
                                         validators=[InputRequired(message=_l("Choose at least one language."))],
                                         render_kw={"size": 10, **combobox(placeholder=_l("Type to search"))})
    user = SelectField(_l("Login (an account with the interpreter role)"), choices=[])
    active = BooleanField(_l("Active: can be booked"), default=True)

    def __init__(self, *args, logins=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = _choices(codes.GENDERS)
        self.language_codes.choices = languages.language_choices()
        self.user.choices = [SelectChoice("", str(_l("No login")))] + [
            SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in logins]

    def validate_language_codes(self, field):
        if any(not languages.is_language(code) for code in field.data or ()):
            raise ValidationError(_l("Choose languages from the list."))

    def fill_from(self, interpreter) -> None:
        self.version.data = str(interpreter.version)
        self.name.data = interpreter.name
        self.gender.data = interpreter.gender
        self.phone.data = interpreter.phone
        self.language_codes.data = interpreter.language_codes
        self.user.data = str(interpreter.user_id) if interpreter.user_id else ""
        self.active.data = interpreter.active

    def values(self, logins) -> dict:
        by_id = {str(u.id): u for u in logins}
        return {"name": self.name.data, "gender": self.gender.data, "phone": self.phone.data,
                "language_codes": list(self.language_codes.data or []), "active": bool(self.active.data),
                "user": by_id.get(self.user.data or "")}
