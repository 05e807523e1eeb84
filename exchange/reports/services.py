"""The figures of the activity report: each one SQL aggregate (GROUP BY) query.

Rules shared by every figure:

- an exchange is in the period when it overlaps it (starts on or before its last day and ends on
  or after its first day); drafts and cancelled exchanges are left out;
- participants are registrations that are ``confirmed`` or ``attended`` (someone on two
  exchanges counts twice); withdrawn, waitlisted, cancelled and no-show registrations do not;
- an exchange with several partner cities counts once per partner in the "by partner" tables,
  and once everywhere else; its budget, likewise, appears in full under each of its partners;
- a school representative sees only their institution: its participants, and the exchanges it
  took part in (as an organising institution or with a participant).

The number of queries is fixed: it does not grow with the data. The tables are added up from a
few grouped queries (``Facts``), so the whole report runs eight.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from exchange.core.permissions import Role
from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    FundingSource,
    exchange_partner,
)
from exchange.extensions import db
from exchange.partners.countries import country_name
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import (
    ADULT_AGE,
    Gender,
    Participant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)

#: registrations that count as participants
COUNTING = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)
#: exchanges that never count
EXCLUDED = (ExchangeStatus.DRAFT, ExchangeStatus.CANCELLED)
TREND_YEARS = 10


# --- the filter -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    date_from: date
    date_to: date
    partner_id: int | None = None
    kind: ExchangeKind | None = None
    direction: Direction | None = None
    institution_id: int | None = None

    @classmethod
    def for_year(cls, year: int, **values: Any) -> ReportFilter:
        return cls(date(year, 1, 1), date(year, 12, 31), **values)

    def scoped_to(self, user: Any) -> ReportFilter:
        """The filter as ``user`` may run it: a school representative sees their institution."""
        if getattr(user, "role", None) is Role.SCHOOL:
            return replace(self, institution_id=user.institution_id)
        return self

    def query_args(self) -> dict[str, str]:
        """The filter as URL query arguments (for links to exports)."""
        args = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        if self.partner_id is not None:
            args["partner"] = str(self.partner_id)
        if self.kind is not None:
            args["kind"] = self.kind.value
        if self.direction is not None:
            args["direction"] = self.direction.value
        if self.institution_id is not None:
            args["institution"] = str(self.institution_id)
        return args


# --- tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: Any
    #: text | int | money | year
    kind: str = "text"
    #: for money: the key of the row's currency
    currency_key: str = "currency"

    @property
    def numeric(self) -> bool:
        return self.kind in {"int", "money", "year"}


@dataclass
class Table:
    key: str
    title: Any
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: Any = ""
    #: a name of at most 31 characters for the spreadsheet tab, when the title is longer
    sheet: Any = ""

    def values(self, row: dict[str, Any]) -> list[Any]:
        return [row.get(column.key) for column in self.columns]

    def total(self, key: str) -> int | Decimal:
        return sum((row.get(key) or 0 for row in self.rows), 0)


@dataclass
class Report:
    filter: ReportFilter
    tables: dict[str, Table]
    trend_years: list[int]
    #: names of the chosen partner city and institution, for the exports' headings
    partner_name: str = ""
    institution_name: str = ""

    def __getitem__(self, key: str) -> Table:
        return self.tables[key]


#: every table of the report, in the order the page, the exports and the PDF show them
TABLE_KEYS = (
    "summary",
    "exchanges_by_kind",
    "exchanges_by_partner",
    "exchanges_by_direction",
    "participants_by_kind",
    "participants_by_partner",
    "participants_by_country",
    "participants_by_age",
    "participants_by_gender",
    "participants_by_role",
    "person_days_by_kind",
    "budget_by_kind",
    "budget_by_partner",
    "budget_by_funding",
    "balance_by_partner",
    "institutions",
    "trend_exchanges",
    "trend_participants",
)


# --- SQL helpers ----------------------------------------------------------------------------


class inclusive_days(FunctionElement):  # noqa: N801 - reads as an SQL function
    """``end - start + 1`` in days, for two DATE columns, on SQLite and PostgreSQL."""

    type = sa.Integer()
    inherit_cache = True
    name = "inclusive_days"


@compiles(inclusive_days)
def _inclusive_days_default(element, compiler, **kw):  # PostgreSQL: date - date is an integer
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)} + 1)"


@compiles(inclusive_days, "sqlite")
def _inclusive_days_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER) + 1)"
    )


def age_on_sql(date_of_birth, day) -> sa.ColumnElement[int]:
    """Age in whole years on ``day``, in SQL that SQLite and PostgreSQL both run.

    Years between the two dates, less one when the birthday has not come yet that year; someone
    born on 29 February turns a year older on 1 March in common years, as in ``age_on``.
    """
    years = sa.extract("year", day) - sa.extract("year", date_of_birth)
    day_of_year = sa.extract("month", day) * 100 + sa.extract("day", day)
    birthday = sa.extract("month", date_of_birth) * 100 + sa.extract("day", date_of_birth)
    return years - sa.case((day_of_year < birthday, 1), else_=0)


# --- scope ----------------------------------------------------------------------------------


def _exchange_conditions(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    conditions = [
        Exchange.start_date <= report_filter.date_to,
        Exchange.end_date >= report_filter.date_from,
        *_exchange_facets(report_filter),
    ]
    return conditions


def _exchange_facets(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    """Everything but the period: status, kind, direction, partner and institution."""
    conditions: list[sa.ColumnElement[bool]] = [Exchange.status.not_in(EXCLUDED)]
    if report_filter.kind is not None:
        conditions.append(Exchange.kind == report_filter.kind)
    if report_filter.direction is not None:
        conditions.append(Exchange.direction == report_filter.direction)
    if report_filter.partner_id is not None:
        conditions.append(
            Exchange.id.in_(
                sa.select(exchange_partner.c.exchange_id).where(
                    exchange_partner.c.partner_city_id == report_filter.partner_id
                )
            )
        )
    institution_id = report_filter.institution_id
    if institution_id is not None:
        conditions.append(
            sa.or_(
                Exchange.olsztyn_institution_id == institution_id,
                Exchange.partner_institution_id == institution_id,
                Exchange.id.in_(
                    sa.select(Registration.exchange_id).where(
                        Registration.institution_id == institution_id,
                        Registration.status.in_(COUNTING),
                    )
                ),
            )
        )
    return conditions


def _registration_conditions(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    conditions = [Registration.status.in_(COUNTING)]
    if report_filter.institution_id is not None:
        conditions.append(Registration.institution_id == report_filter.institution_id)
    return conditions


def _partner_conditions(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    """With a partner chosen, the "by partner" tables show that partner only."""
    if report_filter.partner_id is None:
        return []
    return [exchange_partner.c.partner_city_id == report_filter.partner_id]


def _exchanges(report_filter: ReportFilter) -> sa.Select:
    return sa.select().select_from(Exchange).where(*_exchange_conditions(report_filter))


def _registrations(report_filter: ReportFilter) -> sa.Select:
    return (
        sa.select()
        .select_from(Registration)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(*_exchange_conditions(report_filter), *_registration_conditions(report_filter))
    )


def _by_partner(query: sa.Select, report_filter: ReportFilter) -> sa.Select:
    return (
        query.join(exchange_partner, exchange_partner.c.exchange_id == Exchange.id)
        .join(PartnerCity, PartnerCity.id == exchange_partner.c.partner_city_id)
        .where(*_partner_conditions(report_filter))
    )


def _execute(query: sa.Select) -> list[sa.Row]:
    return list(db.session.execute(query))


def _enum_order(enum_class):
    order = {member: index for index, member in enumerate(enum_class)}
    return lambda row: order.get(row[0], len(order))


COUNT = sa.func.count()


# --- the grouped queries the tables are added up from ---------------------------------------


def _add_up(rows, key, *values: int) -> list[tuple]:
    """Rows summed by ``key(row)`` over the value columns at the indexes ``values``, in the
    order keys first appear. A sum of nothing but NULLs stays None, as in SQL."""
    totals: dict[Any, list] = {}
    for row in rows:
        total = totals.setdefault(key(row), [None] * len(values))
        for position, index in enumerate(values):
            if row[index] is not None:
                total[position] = (total[position] or 0) + row[index]
    return [(*(k if isinstance(k, tuple) else (k,)), *v) for k, v in totals.items()]


class Facts:
    """A few grouped queries, run once each when a table first needs them; the tables add their
    rows up by the columns they show (in the order the rows come: by name where the query sorts
    them). So the whole report runs a fixed, small number of queries
    (the page has a budget of 15) instead of one per table, with the same figures: counts and
    sums add up over the finer groups, and the budgets are never added across currencies.
    """

    def __init__(self, report_filter: ReportFilter) -> None:
        self.filter = report_filter
        self._loaded: dict[str, list[sa.Row]] = {}

    def _load(self, name: str, query) -> list[sa.Row]:
        if name not in self._loaded:
            self._loaded[name] = _execute(query())
        return self._loaded[name]

    @property
    def exchanges(self) -> list[sa.Row]:
        """``(kind, direction, funding source, currency, exchanges, planned, actual)``"""
        columns = (Exchange.kind, Exchange.direction, Exchange.funding_source, Exchange.currency)
        return self._load(
            "exchanges",
            lambda: (
                _exchanges(self.filter)
                .add_columns(
                    *columns,
                    COUNT,
                    sa.func.sum(Exchange.budget_planned),
                    sa.func.sum(Exchange.budget_actual),
                )
                .group_by(*columns)
            ),
        )

    @property
    def exchanges_by_partner(self) -> list[sa.Row]:
        """``(partner id, name, direction, currency, exchanges, planned, actual)``; an exchange
        with several partners in the rows of each."""
        columns = (PartnerCity.id, PartnerCity.name, Exchange.direction, Exchange.currency)
        return self._load(
            "exchanges_by_partner",
            lambda: (
                _by_partner(_exchanges(self.filter), self.filter)
                .add_columns(
                    *columns,
                    COUNT,
                    sa.func.sum(Exchange.budget_planned),
                    sa.func.sum(Exchange.budget_actual),
                )
                .group_by(*columns)
                .order_by(PartnerCity.name, Exchange.currency)  # the tables' order
            ),
        )

    @property
    def registrations(self) -> list[sa.Row]:
        """``(kind, country, gender, role, minor, participants, person-days)``"""

        def query() -> sa.Select:
            # The age group is computed in a subquery and grouped outside it: PostgreSQL would
            # not accept GROUP BY on an expression whose bound parameters differ from the
            # SELECT's.
            minor = age_on_sql(Participant.date_of_birth, Exchange.start_date) < ADULT_AGE
            rows = (
                _registrations(self.filter)
                .join(Participant, Participant.id == Registration.participant_id)
                .add_columns(
                    Exchange.kind,
                    Participant.country,
                    Participant.gender,
                    Participant.role,
                    sa.case((minor, 1), else_=0).label("minor"),
                    inclusive_days(Exchange.start_date, Exchange.end_date).label("days"),
                )
                .subquery()
            )
            groups = (rows.c.kind, rows.c.country, rows.c.gender, rows.c.role, rows.c.minor)
            return (
                sa.select(*groups, COUNT, sa.func.sum(rows.c.days))
                .select_from(rows)
                .group_by(*groups)
            )

        return self._load("registrations", query)

    @property
    def registrations_by_partner(self) -> list[sa.Row]:
        """``(partner id, name, direction, participants)``"""
        columns = (PartnerCity.id, PartnerCity.name, Exchange.direction)
        return self._load(
            "registrations_by_partner",
            lambda: (
                _by_partner(_registrations(self.filter), self.filter)
                .add_columns(*columns, COUNT)
                .group_by(*columns)
                .order_by(PartnerCity.name)
            ),
        )


def _facts(report_filter: ReportFilter, facts: Facts | None) -> Facts:
    return facts if facts is not None else Facts(report_filter)


# --- the figures ----------------------------------------------------------------------------


def summary(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    facts = _facts(report_filter, facts)
    exchanges = sum(row[4] for row in facts.exchanges)
    participants, persons, person_days = db.session.execute(
        _registrations(report_filter).add_columns(
            COUNT,
            sa.func.count(sa.distinct(Registration.participant_id)),
            sa.func.coalesce(
                sa.func.sum(inclusive_days(Exchange.start_date, Exchange.end_date)), 0
            ),
        )
    ).one()
    rows = [
        {"figure": _("Exchanges"), "value": exchanges},
        {"figure": _("Participants (confirmed or attended)"), "value": participants},
        {"figure": _("Different people"), "value": persons},
        {"figure": _("Person-days"), "value": int(person_days)},
    ]
    return Table(
        "summary",
        _l("Summary"),
        [Column("figure", _l("Figure")), Column("value", _l("Value"), "int")],
        rows,
    )


def _count_table(key, title, label_header, rows, note="", sheet="") -> Table:
    return Table(
        key,
        title,
        [Column("label", label_header), Column("count", _l("Number"), "int")],
        [{"label": label, "count": count} for label, count in rows],
        note,
        sheet,
    )


def exchanges_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(_facts(report_filter, facts).exchanges, lambda row: row[0], 4)
    rows.sort(key=_enum_order(ExchangeKind))
    return _count_table(
        "exchanges_by_kind",
        _l("Exchanges by kind"),
        _l("Kind"),
        [(kind.label, count) for kind, count in rows],
    )


def exchanges_by_direction(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(_facts(report_filter, facts).exchanges, lambda row: row[1], 4)
    rows.sort(key=_enum_order(Direction))
    return _count_table(
        "exchanges_by_direction",
        _l("Exchanges by direction"),
        _l("Direction"),
        [(direction.label, count) for direction, count in rows],
    )


def exchanges_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(_facts(report_filter, facts).exchanges_by_partner, lambda row: row[:2], 4)
    return _count_table(
        "exchanges_by_partner",
        _l("Exchanges by partner city"),
        _l("Partner city"),
        [(name, count) for _id, name, count in rows],
        _l("An exchange with several partner cities counts once for each of them."),
    )


def participants_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(_facts(report_filter, facts).registrations, lambda row: row[0], 5)
    rows.sort(key=_enum_order(ExchangeKind))
    return _count_table(
        "participants_by_kind",
        _l("Participants by kind of exchange"),
        _l("Kind"),
        [(kind.label, count) for kind, count in rows],
        sheet=_l("Participants by kind"),
    )


def participants_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(_facts(report_filter, facts).registrations_by_partner, lambda row: row[:2], 3)
    return _count_table(
        "participants_by_partner",
        _l("Participants by partner city"),
        _l("Partner city"),
        [(name, count) for _id, name, count in rows],
        _l("Participants of an exchange with several partner cities count for each of them."),
    )


def _participant_counts(report_filter: ReportFilter, facts: Facts | None, index: int) -> list:
    """Participants by the column at ``index`` of the registration facts: 1 country, 2 gender,
    3 role, 4 minor."""
    return _add_up(_facts(report_filter, facts).registrations, lambda row: row[index], 5)


def participants_by_country(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _participant_counts(report_filter, facts, 1)
    named = sorted(((country_name(code), count) for code, count in rows), key=_by_count)
    return _count_table(
        "participants_by_country",
        _l("Participants by country of residence"),
        _l("Country"),
        named,
        sheet=_l("Participants by country"),
    )


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def participants_by_gender(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _participant_counts(report_filter, facts, 2)
    rows.sort(key=_enum_order(Gender))
    return _count_table(
        "participants_by_gender",
        _l("Participants by gender"),
        _l("Gender"),
        [(gender.label, count) for gender, count in rows],
    )


def participants_by_role(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _participant_counts(report_filter, facts, 3)
    rows.sort(key=_enum_order(ParticipantRole))
    return _count_table(
        "participants_by_role",
        _l("Participants by role"),
        _l("Role"),
        [(role.label, count) for role, count in rows],
    )


def participants_by_age(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    counts = dict(_participant_counts(report_filter, facts, 4))
    rows = [
        (_("Under %(age)d", age=ADULT_AGE), counts.get(1, 0)),
        (_("%(age)d and over", age=ADULT_AGE), counts.get(0, 0)),
    ]
    return _count_table(
        "participants_by_age",
        _l("Participants by age on the first day of the exchange"),
        _l("Age group"),
        rows,
        sheet=_l("Participants by age"),
    )


def person_days_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(_facts(report_filter, facts).registrations, lambda row: row[0], 5, 6)
    rows.sort(key=_enum_order(ExchangeKind))
    return Table(
        "person_days_by_kind",
        _l("Person-days by kind"),
        [
            Column("label", _l("Kind")),
            Column("participants", _l("Participants"), "int"),
            Column("person_days", _l("Person-days"), "int"),
        ],
        [
            {"label": kind.label, "participants": count, "person_days": int(total or 0)}
            for kind, count, total in rows
        ],
        _l("Participants times the days of their exchange (last day − first day + 1)."),
    )


def _budget_columns(label_header) -> list[Column]:
    return [
        Column("label", label_header),
        Column("currency", _l("Currency")),
        Column("exchanges", _l("Exchanges"), "int"),
        Column("planned", _l("Planned"), "money"),
        Column("actual", _l("Actual"), "money"),
        Column("difference", _l("Actual − planned"), "money"),
    ]


def _budget_rows(rows, label_of) -> list[dict[str, Any]]:
    result = []
    for label, currency, count, planned, actual in rows:
        planned = planned if planned is not None else Decimal("0.00")
        actual = actual if actual is not None else Decimal("0.00")
        result.append(
            {
                "label": label_of(label),
                "currency": currency,
                "exchanges": count,
                "planned": planned,
                "actual": actual,
                "difference": actual - planned,
            }
        )
    return result


def _budget(rows, label: int) -> list[tuple]:
    """Exchanges and budgets by the column at ``label`` and the currency."""
    return _add_up(rows, lambda row: (row[label], row[3]), 4, 5, 6)


def budget_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _budget(_facts(report_filter, facts).exchanges, 0)
    rows.sort(key=lambda row: (_enum_order(ExchangeKind)(row), row[1]))
    return Table(
        "budget_by_kind",
        _l("Budget by kind"),
        _budget_columns(_l("Kind")),
        _budget_rows(rows, lambda kind: kind.label),
        _l("Amounts in different currencies are never added up."),
    )


def budget_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _budget(_facts(report_filter, facts).exchanges_by_partner, 1)
    return Table(
        "budget_by_partner",
        _l("Budget by partner city"),
        _budget_columns(_l("Partner city")),
        _budget_rows(rows, str),
        _l("The whole budget of an exchange with several partner cities is shown for each."),
    )


def budget_by_funding(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _budget(_facts(report_filter, facts).exchanges, 2)
    order = _enum_order(FundingSource)
    rows.sort(key=lambda row: (order(row), row[1]))
    return Table(
        "budget_by_funding",
        _l("Budget by funding source"),
        _budget_columns(_l("Funding source")),
        _budget_rows(rows, lambda source: source.label if source else _("Not given")),
    )


def _in_and_out(rows, count: int) -> dict[tuple[int, str], tuple[int, int]]:
    """(partner id, name) → (incoming, outgoing), from rows with the direction at index 2."""
    result: dict[tuple[int, str], tuple[int, int]] = {}
    for row in rows:
        incoming, outgoing = result.get((row[0], row[1]), (0, 0))
        if row[2] is Direction.INCOMING:
            incoming += row[count]
        else:
            outgoing += row[count]
        result[(row[0], row[1])] = (incoming, outgoing)
    return result


def balance_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    facts = _facts(report_filter, facts)
    exchanges = _in_and_out(facts.exchanges_by_partner, 4)
    people = _in_and_out(facts.registrations_by_partner, 3)
    rows = []
    for (partner_id, name), (inc, out) in sorted(exchanges.items(), key=lambda item: item[0][1]):
        people_in, people_out = people.get((partner_id, name), (0, 0))
        rows.append(
            {
                "label": name,
                "incoming": inc,
                "outgoing": out,
                "balance": inc - out,
                "participants_in": people_in,
                "participants_out": people_out,
                "participants_balance": people_in - people_out,
            }
        )
    return Table(
        "balance_by_partner",
        _l("Incoming and outgoing exchanges per partner city"),
        [
            Column("label", _l("Partner city")),
            Column("incoming", _l("Incoming"), "int"),
            Column("outgoing", _l("Outgoing"), "int"),
            Column("balance", _l("Balance (in − out)"), "int"),
            Column("participants_in", _l("Participants hosted"), "int"),
            Column("participants_out", _l("Participants sent"), "int"),
            Column("participants_balance", _l("Participant balance"), "int"),
        ],
        rows,
        sheet=_l("Balance per partner city"),
    )


def institutions(report_filter: ReportFilter) -> Table:
    rows = _execute(
        _registrations(report_filter)
        .join(Institution, Institution.id == Registration.institution_id)
        .outerjoin(PartnerCity, PartnerCity.id == Institution.partner_city_id)
        .add_columns(
            Institution.name,
            PartnerCity.name,
            COUNT,
            sa.func.count(sa.distinct(Registration.exchange_id)),
        )
        .group_by(Institution.id, Institution.name, PartnerCity.name)
        .order_by(Institution.name, Institution.id)
    )
    return Table(
        "institutions",
        _l("Institutions that took part"),
        [
            Column("label", _l("Institution")),
            Column("town", _l("Town")),
            Column("participants", _l("Participants"), "int"),
            Column("exchanges", _l("Exchanges"), "int"),
        ],
        [
            {"label": name, "town": town or "Olsztyn", "participants": count, "exchanges": n}
            for name, town, count, n in rows
        ],
    )


def trend_years(report_filter: ReportFilter) -> list[int]:
    last = report_filter.date_to.year
    return list(range(last - TREND_YEARS + 1, last + 1))


def _trend_period(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    years = trend_years(report_filter)
    return [
        Exchange.start_date >= date(years[0], 1, 1),
        Exchange.start_date <= date(years[-1], 12, 31),
    ]


def _trend(report_filter: ReportFilter, query: sa.Select, weight=COUNT) -> dict:
    """``{partner name: {year: sum of weight}}`` over the exchanges of ``query``."""
    year = sa.extract("year", Exchange.start_date)
    rows = _execute(
        _by_partner(query, report_filter)
        .where(*_trend_period(report_filter))
        .add_columns(PartnerCity.name, year, weight)
        .group_by(PartnerCity.id, PartnerCity.name, year)
    )
    series: dict[str, dict[int, int]] = defaultdict(dict)
    for name, in_year, count in rows:
        series[name][int(in_year)] = int(count)
    return dict(sorted(series.items()))


def _trend_table(key, title, sheet, series, years) -> Table:
    return Table(
        key,
        title,
        [Column("label", _l("Partner city"))]
        + [Column(str(year), str(year), "int") for year in years],
        [
            {"label": name, **{str(year): counts.get(year, 0) for year in years}}
            for name, counts in series.items()
        ],
        _l("By the year the exchange starts in."),
        sheet,
    )


def trend(report_filter: ReportFilter) -> tuple[Table, Table]:
    """Exchanges and participants per partner per year, over the ten years ending with the
    period's last year (the period's dates give way to those years; other filters apply)."""
    years = trend_years(report_filter)
    facets = _exchange_facets(report_filter)
    exchanges = _trend(report_filter, sa.select().select_from(Exchange).where(*facets))
    # participants counted per exchange first, then added up per partner and year: ten years
    # of registrations are grouped once, not once per partner of their exchange
    per_exchange = (
        sa.select(Registration.exchange_id, COUNT.label("participants"))
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(*facets, *_trend_period(report_filter), *_registration_conditions(report_filter))
        .group_by(Registration.exchange_id)
        .subquery()
    )
    participants = _trend(
        report_filter,
        sa.select()
        .select_from(per_exchange)
        .join(Exchange, Exchange.id == per_exchange.c.exchange_id),
        weight=sa.func.sum(per_exchange.c.participants),
    )
    return (
        _trend_table(
            "trend_exchanges",
            _l("Exchanges per partner city and year"),
            _l("Trend of exchanges"),
            exchanges,
            years,
        ),
        _trend_table(
            "trend_participants",
            _l("Participants per partner city and year"),
            _l("Trend of participants"),
            participants,
            years,
        ),
    )


def build_report(report_filter: ReportFilter, user: Any = None) -> Report:
    """Every table of the report for ``report_filter``, limited to what ``user`` may see."""
    if user is not None:
        report_filter = report_filter.scoped_to(user)
    facts = Facts(report_filter)
    tables = [
        summary(report_filter, facts),
        exchanges_by_kind(report_filter, facts),
        exchanges_by_partner(report_filter, facts),
        exchanges_by_direction(report_filter, facts),
        participants_by_kind(report_filter, facts),
        participants_by_partner(report_filter, facts),
        participants_by_country(report_filter, facts),
        participants_by_age(report_filter, facts),
        participants_by_gender(report_filter, facts),
        participants_by_role(report_filter, facts),
        person_days_by_kind(report_filter, facts),
        budget_by_kind(report_filter, facts),
        budget_by_partner(report_filter, facts),
        budget_by_funding(report_filter, facts),
        balance_by_partner(report_filter, facts),
        institutions(report_filter),
        *trend(report_filter),
    ]
    return Report(
        report_filter,
        {table.key: table for table in tables},
        trend_years(report_filter),
        partner_name=_name_of(PartnerCity, report_filter.partner_id),
        institution_name=_name_of(Institution, report_filter.institution_id),
    )


def _name_of(model, object_id: int | None) -> str:
    if object_id is None:
        return ""
    return db.session.scalar(sa.select(model.name).where(model.id == object_id)) or ""


# --- choices for the filter form ------------------------------------------------------------


def partner_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(sa.select(PartnerCity.id, PartnerCity.name).order_by("name")))


def institution_choices() -> list[tuple[int, str]]:
    return list(
        db.session.execute(
            sa.select(Institution.id, Institution.name).order_by(Institution.name, Institution.id)
        )
    )


# --- grant pack -----------------------------------------------------------------------------


def exchanges_in_period(report_filter: ReportFilter) -> list[sa.Row]:
    """``(id, title, start_date, end_date)`` of the counted exchanges, for the grant-pack links."""
    return _execute(
        _exchanges(report_filter)
        .add_columns(Exchange.id, Exchange.title, Exchange.start_date, Exchange.end_date)
        .order_by(Exchange.start_date, Exchange.id)
    )


def get_exchange(exchange_id: int) -> Exchange | None:
    """An exchange with its partners and programme, drafts and cancelled ones included."""
    return db.session.scalar(
        sa.select(Exchange)
        .options(selectinload(Exchange.partners), selectinload(Exchange.programme))
        .where(Exchange.id == exchange_id)
    )


@dataclass
class TownList:
    town: str
    country: str
    is_local: bool
    registrations: list[Registration]


@dataclass
class GrantPack:
    exchange: Exchange
    towns: list[TownList]
    countries: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(len(town.registrations) for town in self.towns)


def grant_pack(exchange: Exchange) -> GrantPack:
    """The lists a grant report asks for: participants per invited town (Olsztyn first, then
    each partner town), the number of participants per country, and the programme."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.participant)
        .options(
            joinedload(Registration.participant),
            joinedload(Registration.institution).joinedload(Institution.partner_city),
        )
        .where(Registration.exchange_id == exchange.id, Registration.status.in_(COUNTING))
        .order_by(Participant.last_name, Participant.first_name, Registration.id)
    ).all()
    towns: dict[int | None, TownList] = {}
    for registration in registrations:
        city = registration.institution.partner_city
        key = city.id if city else None
        if key not in towns:
            towns[key] = TownList(
                city.name if city else "Olsztyn", city.country if city else "PL", city is None, []
            )
        towns[key].registrations.append(registration)
    ordered = sorted(towns.values(), key=lambda town: (not town.is_local, town.town))
    counts: dict[str, int] = defaultdict(int)
    for registration in registrations:
        counts[registration.participant.country] += 1
    countries = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return GrantPack(exchange, ordered, countries)
