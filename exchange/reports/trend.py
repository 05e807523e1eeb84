"""The trend tables of the activity report: exchanges and participants per partner city and
year, within the ten years ending with the period's last year, from the first year with any
data to the last (a partnership that began three years ago shows three years, not seven empty
ones before them)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from exchange.exchanges.models import Exchange
from exchange.partners.models import PartnerCity
from exchange.registrations.models import Registration
from exchange.reports.facts import (
    COUNT,
    by_partner,
    exchange_facets,
    execute,
    registration_conditions,
)
from exchange.reports.types import Column, ReportFilter, Table

TREND_YEARS = 10


def _trend_period(report_filter: ReportFilter) -> list[sa.ColumnElement[bool]]:
    """Exchanges starting in the ten years that end with the period's last year."""
    last = report_filter.date_to.year
    return [
        Exchange.start_date >= date(last - TREND_YEARS + 1, 1, 1),
        Exchange.start_date <= date(last, 12, 31),
    ]


def _years_with_data(series: dict[str, dict[int, int]]) -> list[int]:
    """Every year from the first with any data to the last (none when there is no data)."""
    years = [year for counts in series.values() for year, total in counts.items() if total]
    return list(range(min(years), max(years) + 1)) if years else []


def years_of(table: Table) -> list[int]:
    """The years a trend table has columns for."""
    return [int(column.key) for column in table.columns[1:]]


def _trend(report_filter: ReportFilter, query: sa.Select, weight=COUNT) -> dict:
    """``{partner name: {year: sum of weight}}`` over the exchanges of ``query``."""
    year = sa.extract("year", Exchange.start_date)
    rows = execute(
        by_partner(query, report_filter)
        .where(*_trend_period(report_filter))
        .add_columns(
            PartnerCity.local_name.label("partner"), year.label("year"), weight.label("total")
        )
        .group_by(PartnerCity.id, year)
    )
    series: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        series[row.partner][int(row.year)] = int(row.total)
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
    """Exchanges and participants per partner per year, within the ten years ending with the
    period's last year (the period's dates give way to those years; other filters apply), from
    the first year with any exchange to the last. Both tables have the same years: every
    participant belongs to an exchange."""
    facets = exchange_facets(report_filter)
    exchanges = _trend(report_filter, sa.select().select_from(Exchange).where(*facets))
    # participants counted per exchange first, then added up per partner and year: ten years
    # of registrations are grouped once, not once per partner of their exchange
    per_exchange = (
        sa.select(Registration.exchange_id, COUNT.label("participants"))
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(*facets, *_trend_period(report_filter), *registration_conditions(report_filter))
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
    years = _years_with_data(exchanges)
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
