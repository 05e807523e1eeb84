from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import InputRequired

from exchange.forms_util import choices
from exchange.notifications.models import NotificationKind


class EmailSettingsForm(FlaskForm):
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

    class Form(EmailSettingsForm):
        pass

    for kind in kinds:
        setattr(Form, f"kind_{kind.value}", BooleanField(kind.label))
    return Form(**kwargs)
