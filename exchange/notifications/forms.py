from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import InputRequired

from exchange.forms_util import Form, choices
from exchange.notifications.models import NotificationKind


class EmailSettingsForm(Form):
    """The language of one's e-mails and a box per kind that can be switched off; the boxes
    are added per user (``kind_<value>``)."""

    language = SelectField(
        _l("Language of my e-mails"),
        choices=choices([("pl", "Polski"), ("en", "English")]),
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Save"))


def settings_form(kinds: list[NotificationKind], **kwargs) -> EmailSettingsForm:
    """The form with one checkbox for each of ``kinds``."""

    class UserSettingsForm(EmailSettingsForm):
        pass

    for kind in kinds:
        setattr(UserSettingsForm, f"kind_{kind.value}", BooleanField(kind.label))
    return UserSettingsForm(**kwargs)
