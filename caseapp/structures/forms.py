"""Forms of the partner directory."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, URL, ValidationError

from caseapp.beneficiaries import iso
from caseapp.formtools import Form, MultiCheckboxField, clean, clean_name, clean_text
from caseapp.structures.catalogue import PARTNER_SERVICES
from wtforms import SelectChoice


def service_choices() -> list[SelectChoice]:
    """The partner service catalogue in the current language, by name."""
    english = (locale := get_locale()) is not None and locale.language == "en"
    entries = sorted(PARTNER_SERVICES.items(), key=lambda item: item[1][1 if english else 0].casefold())
    return [SelectChoice(code, names[1] if english else names[0]) for code, names in entries]


def upper_code(value):
    value = clean(value)
    return value.upper() if value else value


class PartnerForm(Form):
    version = HiddenField()
    code = StringField(_l("Code"), filters=[upper_code],
                       validators=[InputRequired(message=_l("Enter a short code, for example P-PRAKSIS.")),
                                   Length(max=32)],
                       description=_l("Starts with “P-”; letters, digits and dashes."))
    name_el = StringField(_l("Name in Greek"), filters=[clean_name],
                          validators=[InputRequired(message=_l("Enter the name in Greek.")), Length(max=255)])
    name_en = StringField(_l("Name in English"), filters=[clean_name],
                          validators=[InputRequired(message=_l("Enter the name in English.")), Length(max=255)])
    service_codes = MultiCheckboxField(_l("Services offered"), choices=[],
                                       validators=[InputRequired(message=_l("Choose at least one service."))])
    language_codes = SelectMultipleField(_l("Languages"), choices=[], validators=[Optional()],
                                         render_kw={"size": 8},
                                         description=_l("The languages the organisation works in (several can be chosen)."))
    contact_name = StringField(_l("Contact person"), filters=[clean_name], validators=[Optional(), Length(max=128)])
    phone = StringField(_l("Phone"), filters=[clean], validators=[Optional(), Length(max=40)],
                        render_kw={"type": "tel", "autocomplete": "off"})
    email = EmailField(_l("Email"), filters=[clean],
                       validators=[Optional(), Length(max=254), Email(message=_l("Enter an email address."))])
    website = StringField(_l("Website"), filters=[clean],
                          validators=[Optional(), Length(max=255),
                                      URL(message=_l("Enter a web address, for example https://example.org/."))],
                          render_kw={"type": "url"})
    address = StringField(_l("Address"), filters=[clean], validators=[Optional(), Length(max=300)])
    notes = TextAreaField(_l("Notes"), filters=[clean_text], validators=[Optional(), Length(max=4000)],
                          render_kw={"rows": 4},
                          description=_l("How to refer, opening hours, who answers. Never write about a person here."))
    active = BooleanField(_l("Active: referrals can be sent to it"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_codes.choices = service_choices()
        self.language_codes.choices = iso.language_choices()

    def validate_code(self, field):
        body = field.data[2:] if field.data else ""
        if not field.data.startswith("P-") or not body or not all(c.isascii() and (c.isalnum() or c == "-")
                                                                 for c in body):
            raise ValidationError(_l("Starts with “P-”, then letters, digits and dashes, for example P-PRAKSIS."))

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a web address, for example https://example.org/."))

    def validate_language_codes(self, field):
        if any(not iso.is_language(code) for code in field.data or ()):
            raise ValidationError(_l("Choose languages from the list."))

    def fill_from(self, structure) -> None:
        profile = structure.partner
        self.code.data = structure.code
        self.name_el.data = structure.name_el
        self.name_en.data = structure.name_en
        self.service_codes.data = [s.code for s in structure.services if s.active and s.code in PARTNER_SERVICES]
        self.active.data = structure.active
        if profile is not None:
            self.version.data = str(profile.version)
            self.language_codes.data = profile.language_codes
            for name in ("contact_name", "phone", "email", "website", "address", "notes"):
                getattr(self, name).data = getattr(profile, name)

    def values(self) -> dict:
        return {"code": self.code.data, "name_el": self.name_el.data, "name_en": self.name_en.data,
                "service_codes": list(self.service_codes.data or []),
                "language_codes": list(self.language_codes.data or []),
                "contact_name": self.contact_name.data, "phone": self.phone.data, "email": self.email.data,
                "website": self.website.data, "address": self.address.data, "notes": self.notes.data,
                "active": bool(self.active.data)}
