"""The table of the trips' accounts in the activity report: income by source and costs by
category, added up over the counted exchanges by the sending schools' accounts.

The accounts belong to the paperwork feature, above the reports: it answers the
``trip_account_sums`` signal (one grouped query) and this module lays the sums out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from exchange.reports.signals import trip_account_sums
from exchange.reports.types import Column, ReportFilter, Table

#: the accounts are kept in złoty
CURRENCY = "PLN"


def trip_accounts(report_filter: ReportFilter) -> Table:
    income: list[tuple[str, Decimal]] = []
    costs: list[tuple[str, Decimal]] = []
    for _receiver, sums in trip_account_sums.send(report_filter):
        for is_income, label, amount in sums or []:
            (income if is_income else costs).append((label, amount))
    total_income = sum((amount for _label, amount in income), Decimal("0.00"))
    total_costs = sum((amount for _label, amount in costs), Decimal("0.00"))
    rows: list[dict[str, Any]] = []
    if income or costs:
        side = _("Income")
        rows += [{"side": side, "label": label, "amount": amount} for label, amount in income]
        rows.append({"side": side, "label": _("Total income"), "amount": total_income})
        side = _("Costs")
        rows += [{"side": side, "label": label, "amount": amount} for label, amount in costs]
        rows.append({"side": side, "label": _("Total costs"), "amount": total_costs})
        rows.append(
            {
                "side": "",
                "label": _("Balance (income − costs)"),
                "amount": total_income - total_costs,
            }
        )
    for row in rows:
        row["currency"] = CURRENCY
    return Table(
        "trip_accounts",
        _l("Trip accounts of the sending schools"),
        [
            Column("side", _l("Income or cost")),
            Column("label", _l("Source or category")),
            Column("currency", _l("Currency")),
            Column("amount", _l("Amount"), "money"),
        ],
        rows,
        _l("From the accounts each sending school keeps for its trip."),
        sheet=_l("Trip accounts"),
    )
