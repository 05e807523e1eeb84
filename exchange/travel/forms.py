from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from exchange.forms_util import Form, choices, enum_choices, optional_int
from exchange.partners.countries import country_choices
from exchange.registrations.models import Registration
from exchange.travel.letters import SETTINGS_FIELDS, LetterValues, SettingsValues
from exchange.travel.models import DocumentKind, LegDirection, LetterLanguage, RoomKind, TravelMode
from exchange.travel.rooms import ROOM_FIELDS, RoomValues
from exchange.travel.services import DOCUMENT_FIELDS, LEG_FIELDS, DocumentValues, LegValues


class LegForm(Form):
    direction = SelectField(_l("Direction"), coerce=LegDirection)
    mode = SelectField(_l("By"), coerce=TravelMode)
    carrier = StringField(_l("Carrier"), validators=[Length(max=120)])
    number = StringField(
        _l("Number"),
        validators=[Length(max=40)],
        description=_l("Flight, train or coach number; a car's registration."),
    )
    departure_place = StringField(_l("From"), validators=[InputRequired(), Length(max=200)])
    departure_date = DateField(_l("Departure date"), validators=[InputRequired()])
    departure_time = TimeField(_l("Departure time (local)"), validators=[InputRequired()])
    arrival_place = StringField(_l("To"), validators=[InputRequired(), Length(max=200)])
    arrival_date = DateField(_l("Arrival date"), validators=[InputRequired()])
    arrival_time = TimeField(_l("Arrival time (local)"), validators=[InputRequired()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.direction.choices = enum_choices(LegDirection)
        self.mode.choices = enum_choices(TravelMode)

    def values(self) -> LegValues:
        return LegValues(**{name: getattr(self, name).data for name in LEG_FIELDS})


class TravellersForm(Form):
    travellers = SelectMultipleField(
        _l("Travellers"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save travellers"))

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.travellers.choices = choices(
            (item.id, f"{item.participant.full_name} ({item.participant.institution.name})")
            for item in registrations
        )


class DocumentForm(Form):
    kind = SelectField(_l("Document"), coerce=DocumentKind)
    number = StringField(
        _l("Document number"),
        validators=[InputRequired(), Length(max=40)],
        description=_l("Seen only by city hall coordinators and your school; never in reports."),
        render_kw={"autocomplete": "off"},
    )
    issuing_country = SelectField(_l("Issuing country"), validators=[InputRequired()])
    expires_on = DateField(_l("Valid until"), validators=[InputRequired()])
    submit = SubmitField(_l("Save document"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(DocumentKind)
        self.issuing_country.choices = choices([("", _l("— choose —")), *country_choices()])

    def values(self) -> DocumentValues:
        return DocumentValues(**{name: getattr(self, name).data for name in DOCUMENT_FIELDS})


class RoomForm(Form):
    kind = SelectField(_l("Kind of place"), coerce=RoomKind)
    accommodation = StringField(
        _l("Hotel, hostel or hall"), validators=[InputRequired(), Length(max=200)]
    )
    name = StringField(_l("Room"), validators=[InputRequired(), Length(max=40)])
    beds = IntegerField(_l("Beds"), validators=[InputRequired(), NumberRange(min=1, max=500)])
    submit = SubmitField(_l("Add room"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(RoomKind)

    def values(self) -> RoomValues:
        return RoomValues(**{name: getattr(self, name).data for name in ROOM_FIELDS})


def _people(registrations: list[Registration]):
    return [("", _l("— choose —"))] + [
        (item.id, f"{item.participant.full_name} ({item.participant.institution.name})")
        for item in registrations
    ]


class OccupantForm(Form):
    registration = SelectField(_l("Person"), coerce=optional_int, validators=[InputRequired()])
    submit = SubmitField(_l("Give a bed"))

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.registration.choices = choices(_people(registrations))


class GuardianForm(Form):
    minor_id = SelectField(_l("Minor"), coerce=optional_int, validators=[InputRequired()])
    guardian_id = SelectField(
        _l("Parent or guardian"), coerce=optional_int, validators=[InputRequired()]
    )
    submit = SubmitField(_l("Record guardian"))

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        people = choices(_people(registrations))
        self.minor_id.choices = people
        self.guardian_id.choices = list(people)


# --- invitation letters ---------------------------------------------------------------------


class LetterSettingsForm(Form):
    office_name = StringField(_l("Office"), validators=[InputRequired(), Length(max=200)])
    address = StringField(_l("Address"), validators=[InputRequired(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    signatory_name = StringField(_l("Signed by"), validators=[Optional(), Length(max=200)])
    signatory_position = StringField(
        _l("Signatory's position"), validators=[Optional(), Length(max=200)]
    )
    reference_pattern = StringField(
        _l("Reference number pattern"),
        validators=[InputRequired(), Length(max=80)],
        description=_l(
            "{number} is the letter's number in the year, {year} the year, "
            "e.g. OA-IV.0123.{number}.{year}."
        ),
    )
    submit = SubmitField(_l("Save settings"))

    def values(self) -> SettingsValues:
        return SettingsValues(**{name: getattr(self, name).data or "" for name in SETTINGS_FIELDS})


class LetterForm(Form):
    guests = SelectMultipleField(
        _l("Guests"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    language = SelectField(_l("Language of the letter"), coerce=LetterLanguage)
    purpose = TextAreaField(
        _l("Purpose of the visit"), validators=[InputRequired(), Length(max=2000)]
    )
    costs = TextAreaField(
        _l("Who pays for what"),
        validators=[InputRequired(), Length(max=2000)],
        description=_l(
            "In the letter's language, e.g. The City of Olsztyn covers accommodation and "
            "board; travel is paid by the guests."
        ),
    )
    submit = SubmitField(_l("Issue the letter"))

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = enum_choices(LetterLanguage)
        self.guests.choices = choices(
            (
                item.participant_id,
                f"{item.participant.full_name} ({item.participant.institution.name})",
            )
            for item in registrations
        )

    def values(self) -> LetterValues:
        return LetterValues(
            participant_ids=list(self.guests.data or []),
            language=self.language.data,
            purpose=self.purpose.data or "",
            costs=self.costs.data or "",
        )
