from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from exchange.core.permissions import Role
from exchange.forms_util import Form, choices, enum_choices, optional_int


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    submit = SubmitField(_l("Log in"))


class UserForm(Form):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        coerce=Role,
        validators=[InputRequired()],
    )
    institution_id = SelectField(
        _l("Institution"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Required for school representatives."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=1024)],
        description=_l("At least 12 characters."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, institutions=(), password_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = enum_choices(Role)
        self.institution_id.choices = choices(
            [("", _l("— none —"))] + [(item.id, item.name) for item in institutions]
        )
        if password_required:
            self.password.validators = [InputRequired(), Length(max=1024)]
            self.password.flags.required = True
        else:
            self.password.description = _l("Leave empty to keep the current password.")


class InvitationForm(Form):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    institution_id = SelectField(_l("Institution"), coerce=optional_int)
    submit = SubmitField(_l("Create the account and the invitation link"))

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.institution_id.choices = choices(
            [("", _l("— choose —"))] + [(item.id, item.name) for item in institutions]
        )
        self.institution_id.validators = [InputRequired()]
        self.institution_id.flags.required = True


class SetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=1024)],
        description=_l("At least 12 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set my password"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(), Length(max=1024)]
    )
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=1024)],
        description=_l("At least 12 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change my password"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))
