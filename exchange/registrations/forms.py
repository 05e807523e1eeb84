from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from exchange.forms_util import Form, choices, enum_choices, optional_int, required
from exchange.partners.countries import country_choices
from exchange.registrations.models import (
    CONSENT_TEXT_VERSION,
    ConsentMethod,
    Diet,
    Gender,
    ParticipantRole,
    ResidenceDocumentKind,
    split_codes,
)
from exchange.registrations.participants import (
    PARTICIPANT_FIELDS,
    ConsentValues,
    ParticipantValues,
)
from exchange.registrations.residence import ResidenceValues
from exchange.registrations.roster_actions import REASON_MAX_LENGTH


class CodesField(SelectMultipleField):
    """Checkboxes whose choices the column keeps as comma-separated codes ("vegan,halal")."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_data(self, value):
        super().process_data(sorted(split_codes(value)) if isinstance(value, str) else value)


class ParticipantForm(Form):
    first_name = StringField(_l("First name"), validators=[InputRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[InputRequired(), Length(max=100)])
    date_of_birth = DateField(_l("Date of birth"), validators=[InputRequired()])
    gender = SelectField(_l("Gender"), coerce=Gender)
    country = SelectField(_l("Country of residence"), validators=[InputRequired()])
    role = SelectField(_l("Role"), coerce=ParticipantRole)
    institution_id = SelectField(_l("Institution"), coerce=optional_int)
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("For adults: an e-mail address or a phone number."),
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    emergency_contact_name = StringField(
        _l("Emergency contact"),
        validators=[Optional(), Length(max=200)],
        description=_l("Required for minors: usually a parent."),
    )
    emergency_contact_phone = StringField(
        _l("Emergency contact's phone"), validators=[Optional(), Length(max=40)]
    )
    parent_phone = StringField(
        _l("Parent's phone"),
        validators=[Optional(), Length(max=40)],
        description=_l("For a pupil's trip papers; seen only where the emergency contact is."),
    )
    school_class = StringField(
        _l("Class"),
        validators=[Optional(), Length(max=20)],
        description=_l("A pupil's class at school, e.g. 3b."),
    )
    dietary_notes = TextAreaField(
        _l("Dietary needs"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Seen only by city hall coordinators and your school."),
    )
    medical_notes = TextAreaField(
        _l("Medical notes"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Seen only by city hall coordinators and your school."),
    )
    diets = CodesField(_l("Diets the host family must meet"), validators=[Optional()])
    allergic_to_animals = BooleanField(_l("Allergic to animals (never placed with pets)"))
    languages = StringField(
        _l("Languages spoken"),
        validators=[Optional(), Length(max=60)],
        description=_l("Two-letter codes separated by commas, e.g. de, en."),
    )
    citizenship = SelectField(
        _l("Citizenship"),
        default="",
        validators=[Optional()],
        description=_l("Leave empty when not known."),
    )
    place_of_birth = StringField(
        _l("Place of birth"), default="", validators=[Optional(), Length(max=120)]
    )
    residence_document_kind = SelectField(
        _l("Residence document"),
        default="",
        validators=[Optional()],
        description=_l("For pupils who are not EU citizens: what lets them live in Poland."),
    )
    residence_document_number = StringField(
        _l("Residence document number"), default="", validators=[Optional(), Length(max=40)]
    )
    residence_document_expires_on = DateField(
        _l("Residence document valid until"), validators=[Optional()]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizenship.choices = choices([("", _l("— not known —")), *country_choices()])
        self.residence_document_kind.choices = choices(
            [("", _l("— none —")), *((kind.value, kind.label) for kind in ResidenceDocumentKind)]
        )
        self.diets.choices = enum_choices(Diet)
        self.gender.choices = enum_choices(Gender)
        self.role.choices = enum_choices(ParticipantRole)
        self.country.choices = choices([("", _l("— choose —")), *country_choices()])
        if institutions is None:  # a school's own participant: the institution is fixed
            del self.institution_id
        else:
            self.institution_id.choices = choices(
                [("", _l("— choose —"))] + [(item.id, item.name) for item in institutions]
            )
            self.institution_id.validators = [InputRequired()]
            self.institution_id.flags.required = True

    def values(self) -> ParticipantValues:
        values = {name: getattr(self, name).data for name in PARTICIPANT_FIELDS}
        values["diets"] = values["diets"] or []
        return ParticipantValues(**values)

    def residence_values(self) -> ResidenceValues:
        kind = self.residence_document_kind.data
        return ResidenceValues(
            citizenship=self.citizenship.data or "",
            place_of_birth=self.place_of_birth.data or "",
            residence_document_kind=getattr(kind, "value", kind) or "",
            residence_document_number=self.residence_document_number.data or "",
            residence_document_expires_on=self.residence_document_expires_on.data,
        )


class ConsentForm(Form):
    guardian_name = StringField(
        _l("Parent or guardian"), validators=[InputRequired(), Length(max=200)]
    )
    given_on = DateField(_l("Consent given on"), validators=[InputRequired()])
    method = SelectField(_l("How it was given"), coerce=ConsentMethod)
    text_version = StringField(
        _l("Version of the consent text"),
        default=CONSENT_TEXT_VERSION,
        validators=[InputRequired(), Length(max=40)],
        description=_l("As printed on the form, e.g. 2026-01."),
    )
    submit = SubmitField(_l("Record consent"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = enum_choices(ConsentMethod)

    def values(self) -> ConsentValues:
        return ConsentValues(
            guardian_name=required(self.guardian_name.data),
            given_on=required(self.given_on.data),
            method=self.method.data,
            text_version=required(self.text_version.data),
        )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegisterForm(Form):
    participants = MultiCheckboxField(
        _l("Participants"), coerce=int, validators=[InputRequired(_l("Choose at least one."))]
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the date of birth tells apart two people of the same name
        self.participants.choices = choices(
            (item.id, _("%(name)s, born %(born)s", name=f"{item.last_name} {item.first_name}",
                        born=format_date(item.date_of_birth)))
            for item in participants
        )  # fmt: skip


#: the import form's option to leave out the people who are there already
SKIP_EXISTING_LABEL = _l("Skip the people who are participants already")


class ImportForm(Form):
    institution_id = SelectField(
        _l("Institution"),
        coerce=optional_int,
        description=_l("The participants are added to this institution."),
    )
    file = FileField(
        _l("Spreadsheet (XLSX or CSV)"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("Up to 2,000 rows, in the layout of the template."),
    )
    skip_existing = BooleanField(
        SKIP_EXISTING_LABEL,
        description=_l(
            "A row whose person the institution has already (the same name and date of "
            "birth) is left out, and the other rows are imported. Without this, such a row "
            "is an error and nothing is imported."
        ),
    )
    submit = SubmitField(_l("Import"))

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is None:  # a school imports into its own institution
            del self.institution_id
        else:
            self.institution_id.choices = choices(
                [("", _l("— choose —"))] + [(item.id, item.name) for item in institutions]
            )
            self.institution_id.validators = [InputRequired()]
            self.institution_id.flags.required = True


class RosterExportForm(Form):
    class Meta:
        csrf = False

    include_notes = BooleanField(_l("Include dietary and medical notes"))


class PromoteForm(Form):
    reason = TextAreaField(
        _l("Why this person gets a place out of turn"),
        validators=[InputRequired(), Length(max=REASON_MAX_LENGTH)],
        description=_l(
            "Up to %(max)d characters, kept in the audit log. No health details: say, for "
            "example, that the group needs an accompanying adult.",
            max=REASON_MAX_LENGTH,
        ),
    )
    add_place = BooleanField(
        _l("If every place is taken, add one for this person"),
        description=_l("The exchange then has one place more than it was planned with."),
    )
    submit = SubmitField(_l("Give the place"))
