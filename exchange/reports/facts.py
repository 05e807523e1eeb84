"""The SQL of the activity report: which rows count, and the few grouped queries (``Facts``)
the tables are added up from.

Rules shared by every figure:

- an exchange is in the period when it overlaps it (starts on or before its last day and ends on
  or after its first day); drafts and cancelled exchanges are left out;
- participants are registrations that are ``confirmed`` or ``attended`` (someone on two
  exchanges counts twice); withdrawn, waitlisted, cancelled and no-show registrations do not;
- an exchange with several partner cities counts once per partner in the "by partner" tables,
  and once everywhere else; its budget, likewise, appears in full under each of its partners;
- a school representative sees only their institution (``access.scoped_to``).

The number of queries is fixed: it does not grow with the data. Rows are read by their
labels (``row.exchanges``), never by position.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from exchange.exchanges.models import Exchange, ExchangeStatus, exchange_partner
from exchange.extensions import db
from exchange.partners.models import PartnerCity
from exchange.registrations.models import ADULT_AGE, Participant, Registration, RegistrationStatus
from exchange.reports.types import ReportFilter

#: registrations that count as participants
COUNTING = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)
#: exchanges that never count
EXCLUDED = (ExchangeStatus.DRAFT, ExchangeStatus.CANCELLED)


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


# --- the rows a report counts ---------------------------------------------------------------


def exchange_conditions(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    """The period's exchanges (on SQLite found first by their ids: ``in_period``), then the
    facets."""
    conditions = [
        Exchange.start_date <= report_filter.date_to,
        Exchange.end_date >= report_filter.date_from,
        *exchange_facets(report_filter),
    ]
    if db.session.get_bind().dialect.name == "sqlite":
        conditions.insert(0, Exchange.id.in_(in_period(report_filter)))
    return conditions


@functools.cache
def _period_alias() -> type[Exchange]:
    """One alias for every query (made once the mappers are configured), so SQLAlchemy
    compiles each report query once, not on every request."""
    return aliased(Exchange, name="period")


def in_period(report_filter: ReportFilter) -> sa.Select:
    """The ids of the exchanges overlapping the period, from ``ix_exchange_end_date_start_date``
    alone. Asked for as a list of ids, SQLite starts every report query from them (a year's
    couple of hundred exchanges, however many years lie behind). With the dates alone it may
    walk every exchange ever in another index's order (the direction's, to group without a
    sort: 50 ms at 25 years against 13), or every exchange that started before the period's
    end. PostgreSQL plans the dates well by itself (with ``random_page_cost`` set, see
    docs/PERFORMANCE.md), and the extra semi-join only made its statements slower."""
    period = _period_alias()
    return sa.select(period.id).where(
        period.end_date >= report_filter.date_from, period.start_date <= report_filter.date_to
    )


def exchange_facets(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
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


def registration_conditions(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [Registration.status.in_(COUNTING)]
    if report_filter.institution_id is not None:
        conditions.append(Registration.institution_id == report_filter.institution_id)
    return conditions


def partner_conditions(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    """With a partner chosen, the "by partner" tables show that partner only."""
    if report_filter.partner_id is None:
        return []
    return [exchange_partner.c.partner_city_id == report_filter.partner_id]


def counted_exchanges(report_filter: ReportFilter) -> sa.Select:
    return sa.select().select_from(Exchange).where(*exchange_conditions(report_filter))


def counted_registrations(report_filter: ReportFilter) -> sa.Select:
    return (
        sa.select()
        .select_from(Registration)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(*exchange_conditions(report_filter), *registration_conditions(report_filter))
    )


def by_partner(query: sa.Select, report_filter: ReportFilter) -> sa.Select:
    return (
        query.join(exchange_partner, exchange_partner.c.exchange_id == Exchange.id)
        .join(PartnerCity, PartnerCity.id == exchange_partner.c.partner_city_id)
        .where(*partner_conditions(report_filter))
    )


def execute(query: sa.Select) -> list[sa.Row]:
    return list(db.session.execute(query))


COUNT = sa.func.count()


# --- the grouped queries the tables are added up from ---------------------------------------


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
            self._loaded[name] = execute(query())
        return self._loaded[name]

    @property
    def exchanges(self) -> list[sa.Row]:
        """Rows of ``kind, direction, funding_source, currency, exchanges, planned, actual``."""
        columns = (Exchange.kind, Exchange.direction, Exchange.funding_source, Exchange.currency)
        return self._load(
            "exchanges",
            lambda: (
                counted_exchanges(self.filter)
                .add_columns(
                    *columns,
                    COUNT.label("exchanges"),
                    sa.func.sum(Exchange.budget_planned).label("planned"),
                    sa.func.sum(Exchange.budget_actual).label("actual"),
                )
                .group_by(*columns)
            ),
        )

    @property
    def exchanges_by_partner(self) -> list[sa.Row]:
        """Rows of ``partner_id, partner, direction, currency, exchanges, planned, actual``; an
        exchange with several partners in the rows of each."""
        columns = (
            PartnerCity.id.label("partner_id"),
            PartnerCity.local_name.label("partner"),
            Exchange.direction,
            Exchange.currency,
        )
        return self._load(
            "exchanges_by_partner",
            lambda: (
                by_partner(counted_exchanges(self.filter), self.filter)
                .add_columns(
                    *columns,
                    COUNT.label("exchanges"),
                    sa.func.sum(Exchange.budget_planned).label("planned"),
                    sa.func.sum(Exchange.budget_actual).label("actual"),
                )
                .group_by(*columns)
                .order_by(PartnerCity.local_name, Exchange.currency)  # the tables' order
            ),
        )

    @property
    def registrations(self) -> list[sa.Row]:
        """Rows of ``kind, country, gender, role, minor, participants, person_days``."""

        def query() -> sa.Select:
            # The age group is computed in a subquery and grouped outside it: PostgreSQL would
            # not accept GROUP BY on an expression whose bound parameters differ from the
            # SELECT's.
            minor = age_on_sql(Participant.date_of_birth, Exchange.start_date) < ADULT_AGE
            rows = (
                counted_registrations(self.filter)
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
                sa.select(
                    *groups,
                    COUNT.label("participants"),
                    sa.func.sum(rows.c.days).label("person_days"),
                )
                .select_from(rows)
                .group_by(*groups)
            )

        return self._load("registrations", query)

    @property
    def registrations_by_partner(self) -> list[sa.Row]:
        """Rows of ``partner_id, partner, direction, participants``."""
        columns = (
            PartnerCity.id.label("partner_id"),
            PartnerCity.local_name.label("partner"),
            Exchange.direction,
        )
        return self._load(
            "registrations_by_partner",
            lambda: (
                by_partner(counted_registrations(self.filter), self.filter)
                .add_columns(*columns, COUNT.label("participants"))
                .group_by(*columns)
                .order_by(PartnerCity.local_name)
            ),
        )


def facts_for(report_filter: ReportFilter, facts: Facts | None) -> Facts:
    return facts if facts is not None else Facts(report_filter)
