"""Forms of the exchanges: the exchange itself, its programme, cancelling, the list's filters.

Forms check the shape of the input (required, a number, a date, a length); the rules between
values (dates in order, kind-specific details, budgets…) are the services'.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from exchange.exchanges.kinds import KIND_DETAILS, KIND_FIELDS, KindDetail
from exchange.exchanges.models import Direction, ExchangeKind, ExchangeStatus, FundingSource
from exchange.exchanges.services import (
    CURRENCIES,
    EXCHANGE_FIELDS,
    ExchangeValues,
    ProgrammeValues,
)
from exchange.forms_util import Form, Select, accepted, choices, enum_choices, optional_int

#: the oldest age a limit may name
MAX_AGE = 130
#: the values that are objects, chosen by their ids
_CHOSEN_OBJECTS = {"partners", "olsztyn_institution", "partner_institution", "coordinator"}


def _optional_enum(enum_class):
    def coerce(value: object):
        if value in (None, "", "None"):
            return None
        return enum_class(value)

    return coerce


def _none_choice(label=None):
    return choices([("", label or _l("— choose —"))])


class ExchangeForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), coerce=ExchangeKind, validators=[InputRequired()])
    direction = SelectField(_l("Direction"), coerce=Direction, validators=[InputRequired()])
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    partners = SelectMultipleField(
        _l("Partner cities"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    city = StringField(
        _l("City"),
        validators=[Optional(), Length(max=120)],
        description=_l("Where it takes place: Olsztyn or the partner city."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    olsztyn_institution_id = SelectField(
        _l("Institution in Olsztyn"), coerce=optional_int, validators=[Optional()]
    )
    partner_institution_id = SelectField(
        _l("Institution in the partner city"), coerce=optional_int, validators=[Optional()]
    )
    coordinator_id = SelectField(_l("Coordinator"), coerce=optional_int, validators=[Optional()])
    is_public = BooleanField(
        _l("Public"),
        description=_l("Show it on the public list of upcoming events and in the public feed."),
    )

    capacity = IntegerField(
        _l("Places"), validators=[Optional()], description=_l("Leave empty for no limit.")
    )
    institution_quota = IntegerField(
        _l("Places per institution"),
        validators=[Optional()],
        description=_l("Leave empty for no quota."),
    )
    registration_opens = DateField(_l("Registration opens"), validators=[Optional()])
    registration_closes = DateField(_l("Registration closes"), validators=[Optional()])
    min_age = IntegerField(_l("Minimum age"), validators=[Optional(), NumberRange(0, MAX_AGE)])
    max_age = IntegerField(_l("Maximum age"), validators=[Optional(), NumberRange(0, MAX_AGE)])
    minors_per_adult = IntegerField(
        _l("Minors per accompanying adult"),
        validators=[Optional()],
        description=_l("Each institution sends one adult per this many minors."),
    )

    budget_planned = DecimalField(_l("Planned budget"), places=2, validators=[Optional()])
    budget_actual = DecimalField(_l("Actual cost"), places=2, validators=[Optional()])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    funding_source = SelectField(
        _l("Funding source"), coerce=_optional_enum(FundingSource), validators=[Optional()]
    )

    def __init__(self, *args, partners=(), institutions=(), coordinators=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the objects the choices name, by id: ``values()`` gives them to the service
        self._partners = {partner.id: partner for partner in partners}
        self._institutions = {institution.id: institution for institution in institutions}
        self._coordinators = {user.id: user for user in coordinators}
        self.kind.choices = enum_choices(ExchangeKind)
        self.direction.choices = enum_choices(Direction)
        self.partners.choices = choices((partner.id, partner.local_name) for partner in partners)
        self.olsztyn_institution_id.choices = _none_choice(_l("— none —")) + choices(
            (institution.id, institution.name)
            for institution in institutions
            if institution.partner_city_id is None
        )
        self.partner_institution_id.choices = _none_choice(_l("— none —")) + choices(
            (institution.id, f"{institution.name} ({institution.city_name})")
            for institution in institutions
            if institution.partner_city_id is not None
        )
        self.coordinator_id.choices = _none_choice(_l("— none —")) + choices(
            (user.id, user.full_name) for user in coordinators
        )
        self.currency.choices = choices((code, code) for code in CURRENCIES)
        self.funding_source.choices = _none_choice() + enum_choices(FundingSource)
        for detail in KIND_DETAILS:
            if detail.choices is not None:
                getattr(self, detail.name).choices = _none_choice() + enum_choices(detail.choices)

    def values(self) -> ExchangeValues:
        """The form's data as the service's input; chosen ids become the objects they name. In a
        form refused for its shape, a refused value is none, and an id that is no choice
        names nothing."""
        partners = accepted(self.partners) or ()
        return ExchangeValues(
            **{
                name: accepted(getattr(self, name))
                for name in EXCHANGE_FIELDS
                if name not in _CHOSEN_OBJECTS
            },
            partners=[self._partners[i] for i in partners if i in self._partners],
            olsztyn_institution=self._institutions.get(accepted(self.olsztyn_institution_id)),
            partner_institution=self._institutions.get(accepted(self.partner_institution_id)),
            coordinator=self._coordinators.get(accepted(self.coordinator_id)),
        )

    def kind_fieldsets(self) -> list[tuple[ExchangeKind, list]]:
        """The kind-specific fields, grouped per kind, for a fieldset with a legend each."""
        return [
            (kind, [getattr(self, name) for name in names]) for kind, names in KIND_FIELDS.items()
        ]


def _kind_field(detail: KindDetail):
    """The form field of a kind-specific detail, made from its column's declaration."""
    if detail.choices is not None:
        return SelectField(
            detail.label, coerce=_optional_enum(detail.choices), validators=[Optional()]
        )
    if detail.max_length is None:
        return TextAreaField(detail.label, validators=[Optional(), Length(max=5000)])
    return StringField(detail.label, validators=[Optional(), Length(max=detail.max_length)])


# the kind-specific fields, one per declared detail (WTForms takes fields added to the class)
for _detail in KIND_DETAILS:
    setattr(ExchangeForm, _detail.name, _kind_field(_detail))


class ProgrammeItemForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired()])
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("To"), validators=[Optional()])
    activity = StringField(_l("Activity"), validators=[InputRequired(), Length(max=300)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])

    def values(self) -> ProgrammeValues:
        return ProgrammeValues(
            day=accepted(self.day),
            start_time=accepted(self.start_time),
            end_time=accepted(self.end_time),
            activity=accepted(self.activity) or "",
            place=accepted(self.place) or "",
        )


class CopyForm(Form):
    first_day = DateField(
        _l("First day of the copy"),
        validators=[InputRequired()],
        description=_l(
            "Every date moves by as many days: the last day, the registration window and the "
            "programme."
        ),
    )


class DeleteForm(Form):
    """Deleting a draft: nothing to fill in but the CSRF token."""


class CancelForm(Form):
    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[Length(max=2000)],
        description=_l("Required. Schools and participants will see it."),
    )


class ExchangeFilterForm(Form):
    """The filters above the exchange list (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by title"), validators=[Optional(), Length(max=100)])
    #: the quick filter, kept by the form as a hidden field
    show = HiddenField(validators=[Optional()])
    year = SelectField(_l("Year"), validators=[Optional()], widget=Select())
    kind = SelectField(_l("Kind"), validators=[Optional()], widget=Select())
    partner = SelectField(_l("Partner city"), validators=[Optional()], widget=Select())
    direction = SelectField(_l("Direction"), validators=[Optional()], widget=Select())
    status = SelectField(_l("Status"), validators=[Optional()], widget=Select())

    def __init__(self, *args, partners=(), years=(), statuses=tuple(ExchangeStatus), **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = choices(
            [("", _l("All years")), *((str(year), str(year)) for year in years)]
        )
        self.kind.choices = choices([("", _l("All kinds"))]) + enum_choices(ExchangeKind)
        self.partner.choices = choices(
            [("", _l("All partner cities")), *((str(p.id), p.local_name) for p in partners)]
        )
        self.direction.choices = choices([("", _l("Both directions"))]) + enum_choices(Direction)
        self.status.choices = choices([("", _l("Any status"))]) + choices(
            (status.value, status.label) for status in statuses
        )
