"""The summary figures that open the report (the cards at the top of the page, the PDF's first
page, the workbook's first sheet): read off the tables and the grouped queries the report has
already run, so they cost no query of their own and always agree with the tables.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from exchange.registrations.models import ParticipantRole
from exchange.reports.facts import Facts
from exchange.reports.types import Amount, Highlight, Table

ZERO = Decimal("0.00")


def _amounts(facts: Facts) -> tuple[Amount, ...]:
    """Planned and actual budget per currency, złoty first (missing amounts count as none)."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for row in facts.exchanges:
        planned, actual = totals.get(row.currency, (ZERO, ZERO))
        totals[row.currency] = (planned + (row.planned or ZERO), actual + (row.actual or ZERO))
    order = sorted(totals, key=lambda currency: (currency != "PLN", currency))
    return tuple(Amount(currency, *totals[currency]) for currency in order)


def highlights(tables: dict[str, Table], facts: Facts) -> list[Highlight]:
    """Exchanges, participants, different people, pupils, active partner cities, person-days
    and the budget."""
    summary = {row["key"]: row["value"] for row in tables["summary"].rows}
    pupils = sum(
        row.participants for row in facts.registrations if row.role is ParticipantRole.PUPIL
    )
    partners = len({row.partner_id for row in facts.exchanges_by_partner})
    return [
        Highlight("exchanges", _l("Exchanges held"), "exchanges", summary["exchanges"]),
        Highlight("participants", _l("Participants"), "participants", summary["participants"]),
        Highlight("persons", _l("Different people"), "participants", summary["persons"]),
        Highlight("pupils", _l("Pupils"), "participants_by_role", pupils),
        Highlight("partners", _l("Partner cities active"), "exchanges_by_partner", partners),
        Highlight("person_days", _l("Person-days"), "person_days_by_kind", summary["person_days"]),
        Highlight("budget", _l("Budget spent"), "budget", amounts=_amounts(facts)),
    ]
