"""The trips' accounts in the activity report: the paperwork answers the report's
``trip_account_sums`` signal (the reports sit below the paperwork and may not import it).

One grouped query over the counted exchanges of the report (``facts.exchange_conditions``);
with an institution chosen (or for a school representative), that school's accounts only.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.paperwork.models import INCOME_CATEGORIES, AccountCategory, AccountLine
from exchange.reports.facts import exchange_conditions
from exchange.reports.signals import trip_account_sums
from exchange.reports.types import ReportFilter


@trip_account_sums.connect
def account_sums(report_filter: ReportFilter, **_kwargs) -> list[tuple[bool, str, Decimal]]:
    query = (
        sa.select(AccountLine.category, sa.func.sum(AccountLine.amount).label("amount"))
        .join(Exchange, Exchange.id == AccountLine.exchange_id)
        .where(*exchange_conditions(report_filter))
        .group_by(AccountLine.category)
    )
    if report_filter.institution_id is not None:
        query = query.where(AccountLine.institution_id == report_filter.institution_id)
    sums = {row.category: Decimal(row.amount) for row in db.session.execute(query)}
    return [
        (category in INCOME_CATEGORIES, category.label, sums[category].quantize(Decimal("0.01")))
        for category in AccountCategory
        if category in sums
    ]
