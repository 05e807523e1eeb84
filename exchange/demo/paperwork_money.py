"""Synthetic insurance and trip accounts for the demo database.

Every sending school of an outgoing youth exchange (a school with people holding a place) gets
an NNW and KL policy and its trip's accounts: the parents' contributions per pupil, a grant or
the city's money, and the costs by category. One trip abroad (the first that has not ended,
else the latest) is left without KL for its first school, so the insurance warning has
something to show. Rows are written with Core ``insert()`` executemany.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange import clock
from exchange.db import table_of
from exchange.demo.bulk import fix_sequences, full_rows
from exchange.exchanges.models import Direction, Exchange, ExchangeKind, ExchangeStatus
from exchange.paperwork.models import AccountCategory, AccountLine, InsurancePolicy
from exchange.registrations.models import HOLDING_PLACE, Registration

INSURERS = ("PZU SA", "TU Warta", "Compensa TU", "Signal Iduna", "InterRisk")
#: cost categories and the range of their amount per participant, in złoty
COSTS = {
    AccountCategory.TRANSPORT: (180, 900),
    AccountCategory.ACCOMMODATION: (150, 700),
    AccountCategory.BOARD: (100, 400),
    AccountCategory.TICKETS: (20, 150),
    AccountCategory.INSURANCE: (15, 40),
    AccountCategory.PROGRAMME: (0, 120),
}


def _sending_schools(session: Session) -> list[tuple[Exchange, int, int]]:
    """(exchange, institution id, people with a place) of the outgoing youth exchanges without
    policies yet, by start date."""
    already = sa.select(InsurancePolicy.exchange_id).distinct()
    return [
        (exchange, institution_id, people)
        for exchange, institution_id, people in session.execute(
            sa.select(Exchange, Registration.institution_id, sa.func.count())
            .join(Registration, Registration.exchange_id == Exchange.id)
            .where(
                Exchange.kind == ExchangeKind.YOUTH,
                Exchange.direction == Direction.OUTGOING,
                Exchange.status.not_in((ExchangeStatus.DRAFT, ExchangeStatus.CANCELLED)),
                Exchange.id.not_in(already),
                Registration.status.in_(HOLDING_PLACE),
            )
            .group_by(Exchange.id, Registration.institution_id)
            .order_by(Exchange.start_date, Exchange.id, Registration.institution_id)
        )
    ]


def _amount_between(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def generate(session: Session, seed: int = 1, *, today: date) -> dict:
    """Add policies and accounts to the demo's outgoing youth exchanges that have none yet.
    Writes in the session's transaction; the caller commits."""
    rng = random.Random(seed + 3000)  # noqa: S311  (demo data, deterministic on purpose)
    session.flush()
    policies, lines = [], []
    trips = _sending_schools(session)
    # the first school of the first trip that has not ended (else of the latest trip) has no KL
    live = [item for item in trips if item[0].end_date >= today]
    without_kl = (live[0] if live else trips[-1])[:2] if trips else None
    for exchange, institution_id, people in trips:
        skip_kl = (exchange, institution_id) == without_kl
        policies.append(
            {
                "exchange_id": exchange.id,
                "institution_id": institution_id,
                "insurer": rng.choice(INSURERS),
                "policy_number": f"{rng.randint(100, 999)}/{exchange.start_date.year}/"
                f"{rng.randint(10000, 99999)}",
                "covers_nnw": True,
                "covers_kl": not skip_kl,
                "valid_from": exchange.start_date,
                "valid_to": exchange.end_date,
                "insured_sum": Decimal(rng.choice((10000, 20000, 50000))),
            }
        )
        costs = {
            category: _amount_between(rng, low, high) * people
            for category, (low, high) in COSTS.items()
        }
        total = sum(costs.values(), Decimal(0))
        grant = (total * Decimal(rng.choice((0, 30, 50, 60))) / 100).quantize(Decimal("0.01"))
        per_pupil = ((total - grant) / people).quantize(Decimal("1"))
        rows = [(AccountCategory.PARENTS, per_pupil, people, "")]
        if grant:
            source = rng.choice((AccountCategory.GRANT, AccountCategory.CITY_BUDGET))
            rows.append((source, grant, 1, "Erasmus+" if source is AccountCategory.GRANT else ""))
        rows += [(category, amount, 1, "") for category, amount in costs.items() if amount]
        for category, unit, quantity, description in rows:
            lines.append(
                {
                    "exchange_id": exchange.id,
                    "institution_id": institution_id,
                    "side": category.side,
                    "category": category,
                    "description": description,
                    "unit_amount": unit,
                    "quantity": quantity,
                    "amount": unit * quantity,
                }
            )
    now = clock.now()
    if policies:
        session.execute(
            sa.insert(InsurancePolicy), full_rows(table_of(InsurancePolicy), policies, now)
        )
    if lines:
        session.execute(sa.insert(AccountLine), full_rows(table_of(AccountLine), lines, now))
    fix_sequences(session, table_of(InsurancePolicy), table_of(AccountLine))
    return {"insurance_policies": len(policies), "account_lines": len(lines)}
