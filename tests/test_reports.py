"""The figures of the activity report, checked against numbers counted by hand.

The data set is in ``tests/test_reports_data.py``; its docstring says what counts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from exchange.exchanges.models import Direction, ExchangeKind, ExchangeStatus
from exchange.extensions import db
from exchange.registrations.models import age_on
from exchange.reports import figures
from exchange.reports.facts import age_on_sql, inclusive_days
from exchange.reports.figures import build_report
from exchange.reports.types import ReportFilter
from tests import factories
from tests.test_reports_data import build

YEAR_2025 = ReportFilter.for_year(2025)


@pytest.fixture
def data(app_context):
    return build()


def _pairs(table) -> dict:
    return {row["label"]: row["count"] for row in table.rows}


def test_summary_counts_overlapping_exchanges_and_confirmed_or_attended_registrations(data):
    summary = {row["figure"]: row["value"] for row in figures.summary(YEAR_2025).rows}
    assert list(summary.values()) == [3, 6, 5, 39]


def test_exchanges_by_kind_direction_and_partner(data):
    assert _pairs(figures.exchanges_by_kind(YEAR_2025)) == {
        "School youth exchange": 2,
        "Professional visit": 1,
    }
    assert _pairs(figures.exchanges_by_direction(YEAR_2025)) == {
        "Incoming (Olsztyn hosts)": 2,
        "Outgoing (Olsztyn sends)": 1,
    }
    # E2 has both partners: it counts once for each
    assert _pairs(figures.exchanges_by_partner(YEAR_2025)) == {"Alpha": 2, "Beta": 2}


def test_participants_by_kind_partner_country_gender_and_role(data):
    assert _pairs(figures.participants_by_kind(YEAR_2025)) == {
        "School youth exchange": 4,
        "Professional visit": 2,
    }
    assert _pairs(figures.participants_by_partner(YEAR_2025)) == {"Alpha": 5, "Beta": 3}
    assert _pairs(figures.participants_by_country(YEAR_2025)) == {
        "Poland": 4,
        "Germany": 1,
        "Ukraine": 1,
    }
    assert _pairs(figures.participants_by_gender(YEAR_2025)) == {
        "Female": 3,
        "Male": 2,
        "Other": 1,
    }
    assert _pairs(figures.participants_by_role(YEAR_2025)) == {
        "Pupil": 3,
        "Teacher or chaperone": 2,
        "Doctor": 1,
    }


def test_participants_by_age_counts_an_18th_birthday_on_the_first_day_as_adult(data):
    assert _pairs(figures.participants_by_age(YEAR_2025)) == {"Under 18": 2, "18 and over": 4}


@pytest.mark.parametrize(
    ("born", "day"),
    [
        (date(2007, 3, 10), date(2025, 3, 10)),
        (date(2007, 3, 11), date(2025, 3, 10)),
        (date(2007, 3, 9), date(2025, 3, 10)),
        (date(2008, 2, 29), date(2026, 2, 28)),
        (date(2008, 2, 29), date(2026, 3, 1)),
        (date(2007, 12, 31), date(2025, 1, 1)),
    ],
)
def test_age_in_sql_matches_age_in_python(app_context, born, day):
    age = db.session.scalar(sa.select(age_on_sql(sa.literal(born), sa.literal(day))))
    assert int(age) == age_on(born, day)


def test_inclusive_days_on_both_databases(app_context):
    days = db.session.scalar(
        sa.select(inclusive_days(sa.literal(date(2024, 12, 28)), sa.literal(date(2025, 1, 3))))
    )
    assert days == 7


def test_person_days_by_kind(data):
    rows = {row["label"]: row for row in figures.person_days_by_kind(YEAR_2025).rows}
    assert rows["School youth exchange"]["person_days"] == 3 * 7 + 1 * 4
    assert rows["School youth exchange"]["participants"] == 4
    assert rows["Professional visit"]["person_days"] == 2 * 7


def _budget(table) -> dict:
    return {
        (row["label"], row["currency"]): (row["exchanges"], row["planned"], row["actual"])
        for row in table.rows
    }


def test_budget_planned_and_actual_by_kind_partner_and_funding(data):
    assert _budget(figures.budget_by_kind(YEAR_2025)) == {
        ("School youth exchange", "PLN"): (2, Decimal("1200.00"), Decimal("1200.50")),
        ("Professional visit", "EUR"): (1, Decimal("5000.00"), Decimal("4000.00")),
    }
    assert _budget(figures.budget_by_partner(YEAR_2025)) == {
        ("Alpha", "PLN"): (1, Decimal("1000.00"), Decimal("1200.50")),
        ("Alpha", "EUR"): (1, Decimal("5000.00"), Decimal("4000.00")),
        ("Beta", "EUR"): (1, Decimal("5000.00"), Decimal("4000.00")),
        ("Beta", "PLN"): (1, Decimal("200.00"), Decimal("0.00")),
    }
    assert _budget(figures.budget_by_funding(YEAR_2025)) == {
        ("City budget", "PLN"): (1, Decimal("1000.00"), Decimal("1200.50")),
        ("Erasmus+", "EUR"): (1, Decimal("5000.00"), Decimal("4000.00")),
        ("Not given", "PLN"): (1, Decimal("200.00"), Decimal("0.00")),
    }
    row = figures.budget_by_kind(YEAR_2025).rows[0]
    assert isinstance(row["planned"], Decimal)
    assert row["difference"] == Decimal("0.50")


def test_incoming_and_outgoing_balance_per_partner(data):
    rows = {row["label"]: row for row in figures.balance_by_partner(YEAR_2025).rows}
    assert rows["Alpha"] == {
        "label": "Alpha",
        "incoming": 1,
        "outgoing": 1,
        "balance": 0,
        "participants_in": 2,
        "participants_out": 3,
        "participants_balance": -1,
    }
    assert rows["Beta"]["incoming"] == 2
    assert rows["Beta"]["outgoing"] == 0
    assert rows["Beta"]["participants_in"] == 3


def test_institutions_that_took_part(data):
    rows = {row["label"]: row for row in figures.institutions(YEAR_2025).rows}
    assert set(rows) == {"SP 1 Olsztyn", "SP 2 Olsztyn", "Klinikum Alpha"}
    assert (rows["SP 1 Olsztyn"]["participants"], rows["SP 1 Olsztyn"]["exchanges"]) == (3, 2)
    assert (rows["SP 2 Olsztyn"]["participants"], rows["SP 2 Olsztyn"]["exchanges"]) == (2, 2)
    assert rows["Klinikum Alpha"]["town"] == "Alpha"
    assert rows["SP 1 Olsztyn"]["town"] == "Olsztyn"


def test_trend_per_partner_by_start_year_from_the_first_year_with_data(data):
    exchanges, participants = figures.trend(YEAR_2025)
    # E6 (2024) is the first exchange of the ten years: no empty years before it
    assert [column.key for column in exchanges.columns][1:] == ["2024", "2025"]
    assert [column.key for column in participants.columns][1:] == ["2024", "2025"]
    by_partner = {row["label"]: row for row in exchanges.rows}
    assert (by_partner["Alpha"]["2024"], by_partner["Alpha"]["2025"]) == (1, 1)
    assert (by_partner["Beta"]["2024"], by_partner["Beta"]["2025"]) == (2, 1)
    people = {row["label"]: row for row in participants.rows}
    assert (people["Alpha"]["2024"], people["Alpha"]["2025"]) == (2, 3)
    assert (people["Beta"]["2024"], people["Beta"]["2025"]) == (3, 1)


def test_trend_of_a_partnership_that_began_later_starts_in_its_first_year(data):
    completed = ExchangeStatus.COMPLETED
    factories.exchange([data.beta], status=completed, start=date(2019, 5, 6))
    factories.exchange([data.beta], status=completed, start=date(2012, 5, 6))  # ten years back
    gamma = factories.partner(name="Gamma", country="FR")
    factories.exchange([gamma], status=completed, start=date(2022, 4, 4))
    factories.exchange([gamma], status=completed, start=date(2023, 9, 4))
    everyone = build_report(YEAR_2025)
    # within the ten years up to the period (2016-2025), from the first year with data
    assert everyone.trend_years == list(range(2019, 2026))
    trend = {row["label"]: row for row in everyone["trend_exchanges"].rows}
    assert [trend["Beta"][str(year)] for year in everyone.trend_years] == [1, 0, 0, 0, 0, 2, 1]
    assert trend["Gamma"]["2022"] == 1
    partnership = build_report(ReportFilter.for_year(2025, partner_id=gamma.id))
    # to the last year with data: Gamma's exchanges stopped in 2023
    assert partnership.trend_years == [2022, 2023]
    assert [column.key for column in partnership["trend_participants"].columns] == [
        "label",
        "2022",
        "2023",
    ]
    assert [row["label"] for row in partnership["trend_exchanges"].rows] == ["Gamma"]


def test_a_trend_without_data_has_no_years(data):
    report = build_report(ReportFilter.for_year(2040))
    assert report.trend_years == []
    assert [column.key for column in report["trend_exchanges"].columns] == ["label"]
    assert report["trend_exchanges"].rows == []


def test_filters_by_partner_kind_and_direction(data):
    alpha = build_report(ReportFilter.for_year(2025, partner_id=data.alpha.id))
    assert alpha["summary"].rows[0]["value"] == 2
    assert _pairs(alpha["exchanges_by_partner"]) == {"Alpha": 2}
    youth = build_report(ReportFilter.for_year(2025, kind=ExchangeKind.YOUTH))
    assert [row["value"] for row in youth["summary"].rows] == [2, 4, 4, 25]
    incoming = build_report(ReportFilter.for_year(2025, direction=Direction.INCOMING))
    assert [row["value"] for row in incoming["summary"].rows] == [2, 3, 3, 18]


def test_a_period_inside_one_exchange_still_counts_it(data):
    report = build_report(ReportFilter(date(2025, 1, 2), date(2025, 1, 2)))
    assert [row["value"] for row in report["summary"].rows] == [1, 2, 2, 14]


def test_school_representative_sees_only_their_institution(data):
    user = factories.user(role="school", institution=data.school1)
    report = build_report(YEAR_2025, user)
    assert report.filter.institution_id == data.school1.id
    # E1 and E3 (their pupils took part); not E2
    assert [row["value"] for row in report["summary"].rows] == [2, 3, 3, 2 * 7 + 4]
    assert _pairs(report["participants_by_country"]) == {"Poland": 2, "Ukraine": 1}
    assert {row["label"] for row in report["institutions"].rows} == {"SP 1 Olsztyn"}
    # a school cannot widen the scope by asking for another institution
    other = ReportFilter.for_year(2025, institution_id=data.school2.id)
    assert build_report(other, user).filter.institution_id == data.school1.id


def test_staff_see_everything(data, coordinator):
    report = build_report(YEAR_2025, coordinator)
    assert report.filter.institution_id is None
    assert report["summary"].rows[0]["value"] == 3


def test_an_empty_period_gives_empty_tables(data):
    report = build_report(ReportFilter.for_year(2030))
    assert [row["value"] for row in report["summary"].rows] == [0, 0, 0, 0]
    assert report["exchanges_by_kind"].rows == []
    assert report["participants_by_age"].rows[0]["count"] == 0
