from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from caseapp.auth import passwords
from caseapp.formtools import Form, MultiCheckboxField
from caseapp.security.permissions import Role

ROLE_LABELS = {
    Role.CASEWORKER: _l("Caseworker"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Administrator"),
    Role.INTERPRETER: _l("Interpreter"),
}


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=passwords.MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class CodeForm(Form):
    code = StringField(_l("Six-digit code"), validators=[DataRequired(), Length(max=12)],
                       description=_l("The code your authenticator app shows now."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none"})


class StartEnrolmentForm(Form):
    """No fields: the POST (with its CSRF token) that creates an enrolment secret."""


class NewPasswordMixin:
    def validate_new_password(self, field):
        inputs = tuple(getattr(self, "_user_inputs", ()))
        problems = passwords.password_problems(field.data or "", inputs)
        if problems:
            raise ValidationError(problems[0])


class ChangePasswordForm(NewPasswordMixin, Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()],
        description=_l("At least 12 characters. A phrase of several unrelated words is easy to remember."),
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user_inputs = (user.username, user.display_name) if user else ()


class UserForm(Form):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=64),
                    Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dots, dashes or underscores."))],
        render_kw={"autocapitalize": "none", "autocomplete": "off"})
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=128)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
                       validators=[DataRequired()])
    structures = MultiCheckboxField(_l("Structures"), choices=[])
    version = HiddenField()

    def validate_structures(self, field):
        from caseapp.auth.service import role_structures_problem

        problem = role_structures_problem(self.role.data, len(field.data or ()))
        if problem:
            raise ValidationError(problem)


class ConfirmAccessForm(Form):
    """Confirm a pending access request (four eyes); nothing to type."""

    decision = HiddenField(default="confirm")


class RefuseAccessForm(Form):
    """Refuse a pending access request, saying why (the administrator reads it)."""

    decision = HiddenField(default="refuse")
    reason = TextAreaField(_l("Reason for refusing"),
                           validators=[DataRequired(_l("Say why you refuse, so the administrator knows what to do.")),
                                       Length(max=500)],
                           description=_l("The administrator who asked sees this."))
