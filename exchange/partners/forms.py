from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from exchange.forms_util import Form, choices, enum_choices, optional_int
from exchange.partners.countries import country_choices
from exchange.partners.models import InstitutionKind, PartnerKind, PartnerStatus, SchoolLevel
from exchange.partners.services import PARTNER_FIELDS, PartnerValues


class PartnerForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    name_pl = StringField(
        _l("Name in Polish"),
        validators=[Optional(), Length(max=120)],
        description=_l("Only where Polish has a name of its own, e.g. Łuck for Lutsk."),
    )
    country = SelectField(_l("Country"), validators=[InputRequired()])
    region = StringField(
        _l("Region"), validators=[Optional(), Length(max=120)], description=_l("e.g. Virginia")
    )
    kind = SelectField(_l("Relationship"), coerce=PartnerKind, validators=[InputRequired()])
    year_signed = IntegerField(
        _l("Year signed"), validators=[InputRequired(), NumberRange(min=1900, max=2100)]
    )
    status = SelectField(_l("Status"), coerce=PartnerStatus, validators=[InputRequired()])
    status_note = TextAreaField(
        _l("Note on the status"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when the partnership is suspended or ended."),
    )
    website = URLField(
        _l("Website"), validators=[Optional(), URL(require_tld=True), Length(max=300)]
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    emergency_numbers = StringField(
        _l("Emergency numbers"),
        validators=[Optional(), Length(max=200)],
        description=_l("As the group leader's emergency sheet prints them, e.g. 112 · Police 110."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = choices([("", _l("— choose —")), *country_choices()])
        self.kind.choices = enum_choices(PartnerKind)
        self.status.choices = enum_choices(PartnerStatus)

    def values(self) -> PartnerValues:
        return PartnerValues(**{name: getattr(self, name).data for name in PARTNER_FIELDS})


class InstitutionForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), coerce=InstitutionKind, validators=[InputRequired()])
    partner_city_id = SelectField(_l("City"), coerce=optional_int, validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    school_levels = SelectMultipleField(
        _l("School levels taught"),
        coerce=SchoolLevel,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
        description=_l(
            "For a school: its representatives hear of, and see on their dashboard, the "
            "exchanges of these levels (and those without a level)."
        ),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(InstitutionKind)
        self.school_levels.choices = enum_choices(SchoolLevel)
        self.partner_city_id.choices = choices(
            [("", "Olsztyn")] + [(partner.id, partner.local_name) for partner in partners]
        )


class InstitutionFilterForm(Form):
    """The filters above the institution list (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by name"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    city = SelectField(_l("City"), validators=[Optional()])

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("", _l("All kinds"))]) + enum_choices(InstitutionKind)
        self.city.choices = choices(
            [("", _l("All cities")), ("0", "Olsztyn")]
            + [(str(partner.id), partner.local_name) for partner in partners]
        )
