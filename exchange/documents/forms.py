"""The shape of an upload: the file and what it is; the services check its content."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from exchange.documents.models import EXCHANGE_KINDS, DocumentKind
from exchange.documents.services import ConsentScanValues, Upload
from exchange.forms_util import Form, choices

FILE_HELP = _l("PDF, PNG, JPEG, DOCX, XLSX or ODT, at most 10 MB.")


def _upload(field: FileField) -> Upload:
    return Upload(stream=field.data.stream, filename=field.data.filename or "")


class DocumentForm(Form):
    kind = SelectField(_l("What it is"), coerce=DocumentKind, validators=[InputRequired()])
    file = FileField(
        _l("File"), validators=[FileRequired(_l("Choose a file."))], description=FILE_HELP
    )
    submit = SubmitField(_l("Upload"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((kind.value, kind.label) for kind in EXCHANGE_KINDS)

    def upload(self) -> Upload:
        return _upload(self.file)


class ConsentScanForm(Form):
    """The scan, and the consent it shows (recorded with it unless one is recorded already)."""

    file = FileField(
        _l("Scan of the signed form"),
        validators=[FileRequired(_l("Choose a file."))],
        description=FILE_HELP,
    )
    guardian_name = StringField(_l("Parent or guardian"), validators=[Optional(), Length(max=200)])
    given_on = DateField(_l("Signed on"), validators=[Optional()])
    text_version = StringField(
        _l("Version of the consent text"),
        validators=[Optional(), Length(max=40)],
        description=_l("As printed on the form, e.g. 2026-01."),
    )
    submit = SubmitField(_l("Upload"))

    def __init__(self, *args, consent_recorded: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if consent_recorded:  # nothing to record: the scan alone
            del self.guardian_name
            del self.given_on
            del self.text_version

    def upload(self) -> Upload:
        return _upload(self.file)

    def values(self) -> ConsentScanValues:
        return ConsentScanValues(
            guardian_name=(self.guardian_name.data or "") if "guardian_name" in self else "",
            given_on=self.given_on.data if "given_on" in self else None,
            text_version=(self.text_version.data or "") if "text_version" in self else "",
        )


class ConfirmForm(Form):
    """A deletion's confirmation: the CSRF token and the button."""

    submit = SubmitField(_l("Delete"))
