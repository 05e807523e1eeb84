"""The form where a sending school picks its trip leader and chaperones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget

from exchange.forms_util import Form, choices, optional_int
from exchange.paperwork.trip_services import StaffValues
from exchange.registrations.models import Participant


class TripStaffForm(Form):
    leader_id = SelectField(_l("Trip leader (kierownik)"), coerce=optional_int)
    chaperone_ids = SelectMultipleField(
        _l("Chaperones (opiekunowie)"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save the leader and chaperones"))

    def __init__(self, *args, adults: list[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        people = [(person.id, person.full_name) for person in adults]
        self.leader_id.choices = choices([("", _l("— nobody yet —")), *people])
        self.chaperone_ids.choices = choices(people)

    def values(self) -> StaffValues:
        return StaffValues(
            leader_id=self.leader_id.data, chaperone_ids=list(self.chaperone_ids.data or [])
        )
