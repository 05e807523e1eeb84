"""The report's types: the filter, its tables and their columns, the summary figures, the
page's sections and the report itself.

Imports run one way: ``types`` ← ``access`` ← ``facts`` ← ``trend``, ``highlights`` ←
``figures`` ← ``grant_pack`` (and the views, exports, ``pdf`` and the command above them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from babel import numbers
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from exchange.core.locale import format_money
from exchange.exchanges.models import Direction, ExchangeKind

#: how a column's values are written: text as it is, whole numbers, amounts of money in the
#: row's currency, years
ColumnKind = Literal["text", "int", "money", "year"]


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


@dataclass(frozen=True)
class Column:
    key: str
    header: Any
    kind: ColumnKind = "text"
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


@dataclass(frozen=True)
class Amount:
    """The budget of the period in one currency (amounts in different currencies are never
    added up)."""

    currency: str
    planned: Decimal
    actual: Decimal


@dataclass(frozen=True)
class Highlight:
    """One figure of the summary at the top of the report: a count, or the budget per currency."""

    key: str
    label: Any
    #: the id of the report's section with the details
    section: str
    count: int = 0
    amounts: tuple[Amount, ...] = ()

    @property
    def is_money(self) -> bool:
        return self.key == "budget"


@dataclass
class Report:
    filter: ReportFilter
    tables: dict[str, Table]
    #: the years of the trend tables: from the first with any data to the last
    trend_years: list[int]
    #: names of the chosen partner city and institution, for the exports' headings
    partner_name: str = ""
    institution_name: str = ""
    #: the summary figures at the top of the page, the PDF and the workbook
    highlights: list[Highlight] = field(default_factory=list)

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
    "trip_accounts",
    "balance_by_partner",
    "institutions",
    "trend_exchanges",
    "trend_participants",
)


#: the page's parts after the summary figures (which stand for the summary table there), each
#: with a heading and its tables, in the order of TABLE_KEYS
SECTIONS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    (
        "exchanges",
        _l("Exchanges"),
        ("exchanges_by_kind", "exchanges_by_partner", "exchanges_by_direction"),
    ),
    (
        "participants",
        _l("Participants"),
        (
            "participants_by_kind",
            "participants_by_partner",
            "participants_by_country",
            "participants_by_age",
            "participants_by_gender",
            "participants_by_role",
            "person_days_by_kind",
        ),
    ),
    (
        "budget",
        _l("Budget"),
        ("budget_by_kind", "budget_by_partner", "budget_by_funding", "trip_accounts"),
    ),
    (
        "partners",
        _l("Partner cities and institutions"),
        ("balance_by_partner", "institutions"),
    ),
    ("trend", _l("Over the years"), ("trend_exchanges", "trend_participants")),
)


def format_cell(column: Column, row: dict, locale: str | None = None) -> str:
    """A table cell as people read it, in the user's language (``locale``, when the caller
    looked it up once for a whole table)."""
    value = row.get(column.key)
    if value is None:
        return ""
    if locale is None:
        current = get_locale()
        locale = str(current) if current is not None else None
    if column.kind == "money":
        currency = row.get(column.currency_key) or "PLN"
        if locale is None:
            return format_money(value, currency)
        return _money_in(value, currency, locale)
    if column.kind == "int":
        if isinstance(value, int) and locale is not None:
            return _integer(value, locale)
        return format_decimal(value)
    return str(value)


@functools.lru_cache(maxsize=4096)
def _money_in(value: Decimal | int, currency: str, locale: str) -> str:
    """An amount as ``format_money`` writes it in ``locale``, once per amount (the locale is
    part of the key; ``format_money`` reads the request's)."""
    return format_money(value, currency)


@functools.lru_cache(maxsize=4096)
def _integer(value: int, locale: str) -> str:
    """A count as ``format_decimal`` writes it, worked out once per number and language: a
    report page has thousands of cells, mostly the same small numbers."""
    return numbers.format_decimal(value, locale=locale)
