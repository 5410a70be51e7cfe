"""Forms of a holder's answer."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField
from wtforms import SelectChoice

from caseapp.formtools import Form
from caseapp.inquiries.service import DECLINE_REASONS


class AnswerForm(Form):
    """A button on a request; carries the version the page was loaded with."""
    version = HiddenField()


class DeclineForm(AnswerForm):
    reason = SelectField(_l("Why do you decline?"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice("", str(_l("Choose…")))] + [
            SelectChoice(code, str(label)) for code, label in DECLINE_REASONS.items()]
