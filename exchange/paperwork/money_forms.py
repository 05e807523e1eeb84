"""The forms of insurance and the trip's accounts: the shape of the input; the rules are the
services' (``insurance.py``, ``accounts.py``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from exchange.forms_util import Form, accepted, choices, enum_choices
from exchange.paperwork.accounts import LineValues
from exchange.paperwork.insurance import PolicyValues
from exchange.paperwork.models import AccountCategory
from exchange.registrations.models import Registration


class PolicyForm(Form):
    insurer = StringField(_l("Insurer"), validators=[InputRequired(), Length(max=200)])
    policy_number = StringField(_l("Policy number"), validators=[InputRequired(), Length(max=80)])
    covers_nnw = BooleanField(_l("Accident insurance (NNW)"))
    covers_kl = BooleanField(_l("Medical costs abroad (KL)"))
    valid_from = DateField(_l("Policy valid from"), validators=[InputRequired()])
    valid_to = DateField(_l("Policy valid until"), validators=[InputRequired()])
    insured_sum = DecimalField(
        _l("Insured sum (PLN)"), places=2, validators=[Optional()], description=_l("Optional.")
    )
    covers_everyone = BooleanField(
        _l("Covers everyone of the school with a place on the exchange"), default=True
    )
    insured_ids = SelectMultipleField(
        _l("People covered (when not everyone)"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    submit = SubmitField(_l("Save policy"))

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.insured_ids.choices = choices(
            (item.id, item.participant.full_name) for item in registrations
        )

    def values(self) -> PolicyValues:
        return PolicyValues(
            insurer=self.insurer.data or "",
            policy_number=self.policy_number.data or "",
            covers_nnw=bool(self.covers_nnw.data),
            covers_kl=bool(self.covers_kl.data),
            valid_from=accepted(self.valid_from),
            valid_to=accepted(self.valid_to),
            insured_sum=accepted(self.insured_sum),
            covers_everyone=bool(self.covers_everyone.data),
            insured_ids=list(self.insured_ids.data or []),
        )


class LineForm(Form):
    category = SelectField(_l("Income or cost"), coerce=AccountCategory)
    description = StringField(
        _l("Description"),
        validators=[Length(max=200)],
        description=_l("For example: Erasmus+ grant, coach to Offenburg."),
    )
    unit_amount = DecimalField(
        _l("Amount (PLN)"),
        places=2,
        validators=[InputRequired()],
        description=_l("For parents' contributions: the amount per pupil."),
    )
    quantity = IntegerField(
        _l("Paying pupils"),
        default=1,
        validators=[Optional()],
        description=_l("Parents' contributions only: how many pupils paid that amount."),
    )
    submit = SubmitField(_l("Save line"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = enum_choices(AccountCategory)

    def values(self) -> LineValues:
        return LineValues(
            category=self.category.data,
            description=self.description.data or "",
            unit_amount=accepted(self.unit_amount),
            quantity=accepted(self.quantity),
        )
