"""Forms of action plans: goals, actions, the review, progress and the buttons."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from caseapp.formtools import Form, LocalDateField, clean, clean_text
from caseapp.plans import codes
from caseapp.plans.service import MAX_COMMENT, MAX_TEXT, MAX_TITLE


def _choices(table: dict, blank=None) -> list[SelectChoice]:
    head = [SelectChoice("", str(blank))] if blank is not None else []
    return head + [SelectChoice(code, str(label)) for code, label in table.items()]


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


class VersionedForm(Form):
    version = HiddenField()


class ButtonForm(VersionedForm):
    """A lifecycle button (submit, new revision, remove): only the version it was shown with."""


class GoalForm(VersionedForm):
    domain = SelectField(_l("Area of life"), choices=[],
                         validators=[InputRequired(message=_l("Choose the area of life this goal is about."))])
    title = StringField(_l("Goal"), filters=[clean], validators=[InputRequired(message=_l("Give the goal a title.")),
                                                                 Length(max=MAX_TITLE)],
                        description=_l("What the person wants to achieve, in plain words."))
    description = TextAreaField(_l("Details"), filters=[clean_text], validators=[Optional(), Length(max=MAX_TEXT)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain.choices = _choices(codes.DOMAINS, blank=_l("Choose…"))

    def values(self) -> dict:
        return {"domain": self.domain.data, "title": self.title.data, "description": self.description.data}


class ActionForm(VersionedForm):
    description = TextAreaField(_l("Action"), filters=[clean_text],
                                validators=[InputRequired(message=_l("Describe the action.")),
                                            Length(max=MAX_TEXT)],
                                description=_l("What will be done, by whom, in plain words."))
    responsible_kind = RadioField(_l("Responsible"), choices=[],
                                  validators=[InputRequired(message=_l("Choose who is responsible."))])
    responsible_user = SelectField(_l("Member of staff"), choices=[], validate_choice=False,
                                   description=_l("When a member of staff is responsible."))
    responsible_structure = SelectField(_l("Other structure"), choices=[], validate_choice=False,
                                        description=_l("When another structure is responsible."))
    responsible_partner = SelectField(_l("Partner organisation"), choices=[], validate_choice=False,
                                      description=_l("When a partner organisation is responsible."))
    due_on = LocalDateField(_l("Due date"), validators=[Optional()], render_kw={"type": "date"})

    def __init__(self, *args, options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_kind.choices = _choices(codes.RESPONSIBLE_KINDS)
        blank = SelectChoice("", str(_l("Choose…")))
        if options is not None:
            self.responsible_user.choices = [blank] + [SelectChoice(str(u.id), u.display_name) for u in options.users]
            self.responsible_structure.choices = [blank] + [SelectChoice(str(s.id), s.name)
                                                            for s in options.structures]
            self.responsible_partner.choices = [blank] + [SelectChoice(str(s.id), s.name) for s in options.partners]

    def fill_from(self, action) -> None:
        self.description.data = action.description
        self.responsible_kind.data = action.responsible_kind
        self.due_on.data = action.due_on
        target = {"user": self.responsible_user, "other_structure": self.responsible_structure,
                  "partner": self.responsible_partner}.get(action.responsible_kind)
        if target is not None:
            target.data = str(action.responsible_user_id or action.responsible_structure_id)

    def values(self) -> dict:
        return {"description": self.description.data, "responsible_kind": self.responsible_kind.data,
                "responsible_user_id": _int_or_none(self.responsible_user.data),
                "responsible_structure_id": _int_or_none(self.responsible_structure.data),
                "responsible_partner_id": _int_or_none(self.responsible_partner.data),
                "due_on": self.due_on.data}


class ApproveForm(VersionedForm):
    review_on = LocalDateField(_l("Next review"), validators=[Optional()], render_kw={"type": "date"},
                               description=_l("Leave empty for three months from today."))
    # Not "comment": the request-changes form is on the same page, and ids must be unique.
    approval_comment = TextAreaField(_l("Comment (optional)"), filters=[clean_text],
                                     validators=[Optional(), Length(max=MAX_COMMENT)])


class RequestChangesForm(VersionedForm):
    comment = TextAreaField(_l("What should change"), filters=[clean_text],
                            validators=[InputRequired(message=_l("Say what should change: the comment is required.")),
                                        Length(max=MAX_COMMENT)])


class CloseForm(VersionedForm):
    comment = TextAreaField(_l("Why the plan ends (optional)"), filters=[clean_text],
                            validators=[Optional(), Length(max=MAX_COMMENT)])


class ProgressForm(VersionedForm):
    status = SelectField(_l("Progress"), choices=[], validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _choices(codes.ACTION_STATUSES)
