"""The form linking a household member by their reference."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from caseapp.formtools import Form, clean
from caseapp.households import codes
from wtforms import SelectChoice


class LinkForm(Form):
    reference = StringField(_l("Reference of the other person"), filters=[clean],
                            validators=[InputRequired(message=_l("Enter the person's reference.")), Length(max=40)],
                            description=_l("As on their card or profile, for example B-26-7KQ4X-7."),
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    relation = SelectField(_l("The other person is this person's"), choices=[],
                           validators=[InputRequired(message=_l("Choose a relation from the list."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.relation.choices = [SelectChoice("", str(_l("Choose…")))] + [
            SelectChoice(code, str(label)) for code, label in codes.AS_SEEN.items()]


class UnlinkForm(Form):
    link = HiddenField()
