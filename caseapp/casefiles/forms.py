"""Forms on the case-file page, and opening a file at another structure."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from caseapp.beneficiaries import codes
from caseapp.casefiles.service import MAX_NOTE_LENGTH
from caseapp.formtools import Form, clean_text


class NoteForm(Form):
    text = TextAreaField(_l("New note"), validators=[DataRequired(message=_l("Write the note first.")),
                                                      Length(max=MAX_NOTE_LENGTH)],
                         filters=[clean_text], render_kw={"rows": 5})
    confidential = BooleanField(_l("Confidential: only this structure's staff see it, and it is never "
                                   "sent with a referral"))


class CloseForm(Form):
    reason = SelectField(_l("Reason for closing"), choices=codes.choices(codes.CLOSE_REASONS),
                         validators=[InputRequired()])


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class ReassignForm(Form):
    """Nobody is pre-selected: the supervisor chooses (a default would assign in silence)."""

    assigned_to = SelectField(_l("Assign to"), coerce=_int_or_none, choices=[],
                              validators=[InputRequired(message=_l("Choose who will hold this file."))])


class OpenCaseFileForm(Form):
    structure = SelectField(_l("Open a case file at"), coerce=int, choices=[], validators=[InputRequired()])
