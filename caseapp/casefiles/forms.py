"""Forms on the case-file page, and opening a file at another structure."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from caseapp.beneficiaries import codes
from caseapp.casefiles.service import MAX_NOTE_LENGTH
from caseapp.formtools import clean_text


class NoteForm(FlaskForm):
    text = TextAreaField(_l("New note"), validators=[DataRequired(message=_l("Write the note first.")),
                                                      Length(max=MAX_NOTE_LENGTH)],
                         filters=[clean_text], render_kw={"rows": 5})
    confidential = BooleanField(_l("Confidential: only this structure's staff see it, and it is never "
                                   "sent with a referral"))


class CloseForm(FlaskForm):
    reason = SelectField(_l("Reason for closing"), choices=codes.choices(codes.CLOSE_REASONS),
                         validators=[InputRequired()])


class ReassignForm(FlaskForm):
    assigned_to = SelectField(_l("Assign to"), coerce=int, choices=[], validators=[InputRequired()])


class OpenCaseFileForm(FlaskForm):
    structure = SelectField(_l("Open a case file at"), coerce=int, choices=[], validators=[InputRequired()])
