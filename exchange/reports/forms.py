"""The report's filter form: a GET form (bookmarkable, no CSRF token)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from exchange.exchanges.models import Direction, ExchangeKind
from exchange.forms_util import Form, LongSelectField, Select, choices, enum_choices, required
from exchange.reports.types import ReportFilter

#: a longer period is refused: the trend table already covers ten years
MAX_YEARS = 50
FIRST_YEAR, LAST_YEAR = 1950, 2200


class ReportFilterForm(Form):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"))
    date_to = DateField(_l("To"))
    partner = SelectField(_l("Partner city"), validators=[Optional()], widget=Select())
    kind = SelectField(_l("Kind"), validators=[Optional()], widget=Select())
    direction = SelectField(_l("Direction"), validators=[Optional()], widget=Select())
    # every institution: two thousand options at 25 years of data
    institution = LongSelectField(_l("Institution"), validators=[Optional()], widget=Select())

    def __init__(self, args: MultiDict, *, today: date, partners=(), institutions=None):
        # an empty date means "the default", not an error
        args = MultiDict((key, value) for key, value in args.items(multi=True) if value != "")
        super().__init__(
            args,
            date_from=date(today.year, 1, 1),
            date_to=date(today.year, 12, 31),
        )
        self.partner.choices = choices(
            [("", _l("All partner cities")), *((str(pid), name) for pid, name in partners)]
        )
        self.kind.choices = choices([("", _l("All kinds"))]) + enum_choices(ExchangeKind)
        self.direction.choices = choices([("", _l("Both directions"))]) + enum_choices(Direction)
        if institutions is None:
            del self.institution
        else:
            self.institution.choices = choices(
                [("", _l("All institutions")), *((str(iid), name) for iid, name in institutions)]
            )

    def validate_date_from(self, field) -> None:
        _check_year(field)

    def validate_date_to(self, field) -> None:
        _check_year(field)
        start, end = self.date_from.data, field.data
        if start is None or end is None:
            return
        if end < start:
            field.errors.append(_l("The end of the period must not be before its start."))
        elif end.year - start.year > MAX_YEARS:
            field.errors.append(_l("Choose a period of at most %(years)d years.", years=MAX_YEARS))

    def report_filter(self) -> ReportFilter | None:
        """The filter, or None while a field has an error."""
        if not self.validate():
            return None
        institution = getattr(self, "institution", None)
        return ReportFilter(
            date_from=required(self.date_from.data),
            date_to=required(self.date_to.data),
            partner_id=int(self.partner.data) if self.partner.data else None,
            kind=ExchangeKind(self.kind.data) if self.kind.data else None,
            direction=Direction(self.direction.data) if self.direction.data else None,
            institution_id=int(institution.data) if institution and institution.data else None,
        )


def _check_year(field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        field.errors.append(
            _l("Choose a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )
