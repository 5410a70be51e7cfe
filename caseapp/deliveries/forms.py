"""Forms of the deliveries screens (all derive from caseapp.formtools.Form)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from caseapp.deliveries.codes import unit_choices
from caseapp.deliveries.service import MAX_NOTE_LENGTH, MAX_QUANTITY, MAX_TITLE_LENGTH
from caseapp.formtools import Form, LocalDateField, check_date_range, clean, clean_text


def _service_choices(services):
    from caseapp.deliveries.codes import unit_label

    return [SelectChoice(s.id, f"{s.name} ({unit_label(s.unit)})") for s in services]


def _coerce_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ServiceChoiceMixin:
    def set_services(self, services):
        self.service.choices = _service_choices(services)
        self._services = {s.id: s for s in services}
        return self

    def chosen_service(self):
        return self._services.get(self.service.data)


class DeskForm(ServiceChoiceMixin, Form):
    """The desk: reference typed or scanned (a USB scanner types it and presses Enter)."""

    SAME_CONTENT_IS_NEW = True  # a second delivery the same day is asked about (service.SameDayDelivery)

    reference = StringField(_l("Reference or card"), filters=[clean],
                            validators=[InputRequired(_l("Type the reference or scan the card.")), Length(max=64)],
                            description=_l("For example B-26-7KQ4X-7. Scanning the card fills it in."))
    service = SelectField(_l("Service"), coerce=_coerce_id, validate_choice=False)
    quantity = IntegerField(_l("Quantity"), default=1,
                            validators=[InputRequired(_l("Enter a quantity.")),
                                        NumberRange(1, MAX_QUANTITY, _l("Enter a quantity from 1 to %(max)s."))])
    confirm = HiddenField(default="")


class DeliveryForm(ServiceChoiceMixin, Form):
    """Recording (or correcting) one delivery from the case file."""

    service = SelectField(_l("Service"), coerce=_coerce_id, validate_choice=False)
    delivered_on = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter the date of the delivery."))])
    quantity = IntegerField(_l("Quantity"), default=1,
                            validators=[InputRequired(_l("Enter a quantity.")),
                                        NumberRange(1, MAX_QUANTITY, _l("Enter a quantity from 1 to %(max)s."))])
    note = TextAreaField(_l("Note (optional)"), filters=[clean_text], validators=[Optional(), Length(max=MAX_NOTE_LENGTH)],
                         description=_l("Only what the service needs; it is encrypted."))
    version = HiddenField()

    def validate_delivered_on(self, field):
        check_date_range(field)


class SessionForm(ServiceChoiceMixin, Form):
    service = SelectField(_l("Service"), coerce=_coerce_id, validate_choice=False)
    held_on = LocalDateField(_l("Date"), validators=[InputRequired(_l("Enter the date of the session."))])
    title = StringField(_l("Title (optional)"), filters=[clean], validators=[Optional(), Length(max=MAX_TITLE_LENGTH)],
                        description=_l("For example: Greek A1, Tuesday group. Never a person's name."))

    def validate_held_on(self, field):
        check_date_range(field)


class AttendeeForm(Form):
    reference = StringField(_l("Reference or card"), filters=[clean],
                            validators=[InputRequired(_l("Type the reference or scan the card.")), Length(max=64)])


class ActionForm(Form):
    """A button (cancel a delivery, remove an attendee) carrying the version it was shown with."""

    version = HiddenField()


class StructureForm(Form):
    name_el = StringField(_l("Name in Greek"), filters=[clean],
                          validators=[InputRequired(_l("Enter the name in Greek.")), Length(max=255)])
    name_en = StringField(_l("Name in English"), filters=[clean],
                          validators=[InputRequired(_l("Enter the name in English.")), Length(max=255)])
    capacity = IntegerField(_l("Capacity (beds or places)"), validators=[
        Optional(), NumberRange(0, 100_000, _l("Enter a number from 0 to %(max)s."))])
    confidential = BooleanField(_l("Confidential structure"),
                                description=_l("Nothing outside it reveals that a person is known there. "
                                               "Making a structure confidential takes effect at once; lifting "
                                               "it needs the operator at the server (see the README)."))
    active = BooleanField(_l("Active"))
    version = HiddenField()


class ServiceForm(Form):
    code = StringField(_l("Code"), filters=[lambda v: clean(v).upper() if clean(v) else None],
                       validators=[InputRequired(_l("Enter a code.")), Length(max=48)],
                       description=_l("Capital letters, digits and underscores, e.g. FOOD_PARCEL."))
    name_el = StringField(_l("Name in Greek"), filters=[clean],
                          validators=[InputRequired(_l("Enter the name in Greek.")), Length(max=255)])
    name_en = StringField(_l("Name in English"), filters=[clean],
                          validators=[InputRequired(_l("Enter the name in English.")), Length(max=255)])
    unit = SelectField(_l("Unit"), choices=[], validators=[InputRequired(_l("Choose a unit."))])
    active = BooleanField(_l("Active"), default=True)
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = unit_choices()
