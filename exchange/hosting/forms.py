from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from exchange.forms_util import Form, choices, enum_choices, optional_int
from exchange.hosting.models import AcceptedGuests
from exchange.hosting.services import MAX_BEDS, FamilyValues
from exchange.registrations.forms import CodesField
from exchange.registrations.models import ConsentMethod, Diet, Gender

NONE = ("", _l("— none —"))


class FamilyForm(Form):
    family_name = StringField(_l("Family name"), validators=[InputRequired(), Length(max=200)])
    institution_id = SelectField(_l("School"), coerce=optional_int)
    address = StringField(_l("Address"), validators=[InputRequired(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[InputRequired(), Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    guest_beds = IntegerField(
        _l("Guest beds"), validators=[InputRequired(), NumberRange(1, MAX_BEDS)], default=1
    )
    accepts = SelectField(_l("Guests accepted"), coerce=AcceptedGuests)
    languages = StringField(
        _l("Languages spoken"),
        validators=[Optional(), Length(max=60)],
        description=_l("Two-letter codes separated by commas, e.g. pl, de, en."),
    )
    diets = CodesField(_l("Diets the family can cook"), validators=[Optional()])
    has_pets = BooleanField(_l("Pets in the household"))
    smoking = BooleanField(_l("Someone smokes in the household"))
    host_child_id = SelectField(
        _l("Host child (a pupil of the school)"),
        coerce=optional_int,
        description=_l("Needed when Olsztyn pupils visit back (a reciprocal exchange)."),
    )
    host_child_age = IntegerField(
        _l("Host child's age"), validators=[Optional(), NumberRange(0, 25)]
    )
    host_child_gender = SelectField(_l("Host child's gender"), validators=[Optional()])
    host_child_class = StringField(
        _l("Host child's class"), validators=[Optional(), Length(max=40)]
    )
    available_from = DateField(_l("Available from"), validators=[Optional()])
    available_until = DateField(_l("Available until"), validators=[Optional()])
    consent = BooleanField(_l("The family consents to the processing of its data"))
    consent_given_on = DateField(_l("Consent given on"), validators=[Optional()])
    consent_method = SelectField(_l("How it was given"), coerce=ConsentMethod)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, institutions=None, pupils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.accepts.choices = enum_choices(AcceptedGuests)
        self.diets.choices = enum_choices(Diet)
        self.consent_method.choices = enum_choices(ConsentMethod)
        self.host_child_gender.choices = choices([NONE, *((g.value, g.label) for g in Gender)])
        self.host_child_id.choices = choices(
            [NONE, *((pupil.id, f"{pupil.last_name} {pupil.first_name}") for pupil in pupils)]
        )
        if institutions is None:  # a school's family, or one being edited: the school is fixed
            del self.institution_id
        else:
            self.institution_id.choices = choices(
                [("", _l("— choose —"))] + [(item.id, item.name) for item in institutions]
            )
            self.institution_id.validators = [InputRequired()]
            self.institution_id.flags.required = True

    def values(self) -> FamilyValues:
        return FamilyValues(
            family_name=self.family_name.data or "",
            address=self.address.data or "",
            contact_name=self.contact_name.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            guest_beds=self.guest_beds.data,
            languages=self.languages.data or "",
            has_pets=self.has_pets.data,
            smoking=self.smoking.data,
            diets=self.diets.data or [],
            accepts=self.accepts.data,
            host_child_id=self.host_child_id.data,
            host_child_age=self.host_child_age.data,
            host_child_gender=self.host_child_gender.data or None,
            host_child_class=self.host_child_class.data or "",
            available_from=self.available_from.data,
            available_until=self.available_until.data,
            consent=self.consent.data,
            consent_given_on=self.consent_given_on.data,
            consent_method=self.consent_method.data,
            notes=self.notes.data or "",
        )


class PlanForm(Form):
    reciprocal = BooleanField(
        _l("Reciprocal exchange: every host child is a pupil registered for it")
    )
    spread_schools = BooleanField(_l("Spread each partner school's guests over the host schools"))
    submit = SubmitField(_l("Save the rules"))


class PlaceForm(Form):
    guest_id = IntegerField(validators=[InputRequired()])
    family_id = SelectField(_l("Family"), coerce=optional_int)

    def __init__(self, *args, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.family_id.choices = choices(
            [("", _l("— no family —")), *((family.id, family.family_name) for family in families)]
        )


class PinForm(Form):
    guest_id = IntegerField(validators=[InputRequired()])
    pinned = BooleanField()
