"""Forms of referrals: referring a person, the answers, and the working-day overrides."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from caseapp.formtools import Form, LocalDateField, check_date_range, clean, clean_text
from caseapp.referrals import codes
from caseapp.referrals.service import MAX_TEXT


def _choices(table: dict, blank=None) -> list[SelectChoice]:
    head = [SelectChoice("", str(blank))] if blank is not None else []
    return head + [SelectChoice(code, str(label)) for code, label in table.items()]


def _optional_int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class ReferralForm(Form):
    from_structure = SelectField(_l("Referring structure"), coerce=int, choices=[],
                                 validators=[InputRequired(message=_l("Choose one of your structures."))])
    service = SelectField(_l("Service requested"), coerce=_optional_int, choices=[],
                          validators=[InputRequired(message=_l("Choose the service from the list."))],
                          description=_l("The receiving structure or partner organisation is the one offering it."))
    urgency = RadioField(_l("Urgency"), choices=[], default="routine",
                         validators=[InputRequired(message=_l("Choose the urgency."))])
    reason = TextAreaField(_l("Reason for the referral"), filters=[clean_text],
                           validators=[DataRequired(message=_l("Write why the person is referred.")),
                                       Length(max=MAX_TEXT)], render_kw={"rows": 5},
                           description=_l("The receiver reads this before deciding. Write only what it needs: "
                                          "it never sees your notes."))
    plan_action = HiddenField()

    def __init__(self, *args, structures=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.from_structure.choices = [SelectChoice(s.id, f"{s.code} — {s.name}") for s in structures]
        groups: dict[str, list[SelectChoice]] = {}
        for service in services:
            structure = service.structure
            groups.setdefault(f"{structure.code} — {structure.name}", []).append(
                SelectChoice(service.id, f"{service.name} ({structure.code})"))
        self.service.choices = {"": [SelectChoice("", str(_l("Choose…")))], **groups}
        self.urgency.choices = _choices(codes.URGENCIES)


class DraftForm(ReferralForm):
    """Changing a draft: the same fields but the referring structure, and the version it was loaded with."""
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.from_structure
        del self.plan_action


class VersionForm(Form):
    """A button on a referral (send, accept): the version the page was loaded with."""
    version = HiddenField()


class PartnerAnswerFields:
    channel = SelectField(_l("How the partner organisation answered"), choices=[], validate_choice=False)
    answered_on = LocalDateField(_l("Day of the partner's answer"), validators=[Optional()],
                                 render_kw={"type": "date"})

    def setup_partner(self, is_partner: bool) -> None:
        if is_partner:
            self.channel.choices = _choices(codes.CHANNELS, _l("Choose…"))
        else:
            del self.channel
            del self.answered_on

    def validate_answered_on(self, field):
        check_date_range(field)

    def partner_values(self) -> dict:
        if "channel" not in self:
            return {}
        return {"channel": self.channel.data or None, "answered_on": self.answered_on.data}


class AcceptForm(PartnerAnswerFields, VersionForm):
    pass


class DeclineForm(PartnerAnswerFields, VersionForm):
    reason = TextAreaField(_l("Reason for declining"), filters=[clean_text],
                           validators=[DataRequired(message=_l("Write why the referral is declined.")),
                                       Length(max=MAX_TEXT)], render_kw={"rows": 3})


class CompleteForm(VersionForm):
    outcome = TextAreaField(_l("Outcome"), filters=[clean_text],
                            validators=[DataRequired(message=_l("Write the outcome.")), Length(max=MAX_TEXT)],
                            render_kw={"rows": 3})


class WithdrawForm(VersionForm):
    reason = TextAreaField(_l("Reason for withdrawing"), filters=[clean_text],
                           validators=[DataRequired(message=_l("Write why the referral is withdrawn.")),
                                       Length(max=MAX_TEXT)], render_kw={"rows": 3})


ACTION_FORMS = {"send": VersionForm, "accept": AcceptForm, "decline": DeclineForm, "complete": CompleteForm,
                "withdraw": WithdrawForm}


class OverrideForm(Form):
    day = LocalDateField(_l("Day"), validators=[InputRequired(message=_l("Enter the day."))],
                         render_kw={"type": "date"})
    working = RadioField(_l("That day is"), choices=[],
                         validators=[InputRequired(message=_l("Choose whether it is a working day."))])
    note = StringField(_l("Why (for example the ministerial decision)"), filters=[clean],
                       validators=[DataRequired(message=_l("Say why the calendar changes.")), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.working.choices = [SelectChoice("off", str(_l("A day off (no referral falls due)"))),
                                SelectChoice("working", str(_l("A working day")))]
