"""The trips' accounts in the activity report: income by source and costs by category, summed
over the counted exchanges of the period (a hand-counted fixture)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from exchange.exchanges.models import ExchangeStatus
from exchange.paperwork.models import AccountCategory
from exchange.reports.figures import build_report
from exchange.reports.types import ReportFilter
from tests import factories


@pytest.fixture
def accounts(app_context):
    """Two schools on a 2026 trip, one on a 2025 trip, one on a draft (never counted)."""
    first, second = factories.institution(), factories.institution()
    trip = factories.exchange(start=date(2026, 5, 4))
    older = factories.exchange(start=date(2025, 5, 4))
    draft = factories.exchange(start=date(2026, 6, 1), status=ExchangeStatus.DRAFT)
    for school in (first, second):  # the report counts a school's exchanges by its people
        factories.registration(trip, factories.participant(school))
    factories.account_line(trip, first, AccountCategory.PARENTS, "300.00", 10)  # 3000.00
    factories.account_line(trip, first, AccountCategory.GRANT, "2500.50")
    factories.account_line(trip, second, AccountCategory.PARENTS, "250.25", 4)  # 1001.00
    factories.account_line(trip, first, AccountCategory.TRANSPORT, "4000.00")
    factories.account_line(trip, second, AccountCategory.TRANSPORT, "1500.10")
    factories.account_line(trip, second, AccountCategory.BOARD, "800.00")
    factories.account_line(older, first, AccountCategory.TRANSPORT, "9999.99")
    factories.account_line(draft, first, AccountCategory.TRANSPORT, "8888.88")
    return first, second


def _amounts(report_filter) -> dict[str, Decimal]:
    table = build_report(report_filter)["trip_accounts"]
    return {f"{row['side']}: {row['label']}": row["amount"] for row in table.rows}


def test_the_report_sums_the_trips_accounts_by_source_and_category(accounts):
    assert _amounts(ReportFilter.for_year(2026)) == {
        "Income: Parents' contributions": Decimal("4001.00"),
        "Income: Grant (e.g. Erasmus+)": Decimal("2500.50"),
        "Income: Total income": Decimal("6501.50"),
        "Costs: Transport": Decimal("5500.10"),
        "Costs: Board": Decimal("800.00"),
        "Costs: Total costs": Decimal("6300.10"),
        ": Balance (income − costs)": Decimal("201.40"),
    }


def test_with_an_institution_chosen_the_report_sums_its_accounts_only(accounts):
    first, _second = accounts
    amounts = _amounts(ReportFilter.for_year(2026, institution_id=first.id))
    assert amounts["Income: Total income"] == Decimal("5500.50")
    assert amounts["Costs: Total costs"] == Decimal("4000.00")


def test_a_period_without_accounts_has_an_empty_table(accounts):
    assert _amounts(ReportFilter.for_year(2024)) == {}
