"""Forms on the case-file page, the erasure screens and opening a file at another structure."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from caseapp.beneficiaries import codes
from caseapp.beneficiaries.casefile_service import MAX_NOTE_LENGTH
from caseapp.beneficiaries.forms import clean_text


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


class ErasureRequestForm(FlaskForm):
    reason = SelectField(_l("Reason"), choices=codes.choices(codes.ERASURE_REASONS), validators=[InputRequired()])


class ErasureConfirmForm(FlaskForm):
    reference = StringField(_l("Type the reference to confirm"), validators=[DataRequired(), Length(max=20)],
                            render_kw={"autocomplete": "off"})
