"""The accounts of a trip (rozliczenie wycieczki), per exchange and sending school: income by
source and costs by category, in złoty, the balance and the cost per participant.

Amounts are ``Decimal`` throughout, never float. The cost per participant divides the costs
by the school's people with a place on the exchange: the roster's "confirmed" count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from exchange.auth.models import User
from exchange.core.bounds import MAX_MONEY
from exchange.errors import DomainError, Refusals
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.forms_util import required
from exchange.paperwork.models import (
    INCOME_CATEGORIES,
    AccountCategory,
    AccountLine,
    AccountSide,
)
from exchange.partners.models import Institution
from exchange.registrations.models import HOLDING_PLACE, Registration

CURRENCY = "PLN"
CENT = Decimal("0.01")
#: the largest line taken as meant: a trip's single cost beyond this is a typo
MAX_LINE = Decimal("10000000.00")
#: the most pupils (or units) one line counts
MAX_QUANTITY = 10000


@dataclass
class LineValues:
    category: AccountCategory
    description: str
    unit_amount: Decimal | None
    quantity: int | None = 1


def check_line(values: LineValues) -> None:
    """Every rule a line breaks, at once."""
    errors = []
    unit, quantity = values.unit_amount, values.quantity
    if unit is not None and unit < 0:
        errors.append(DomainError(_l("An amount cannot be negative."), "unit_amount"))
    elif unit is not None and unit > MAX_LINE:
        errors.append(DomainError(_l("The amount is too large: check it."), "unit_amount"))
    if quantity is not None and quantity < 1:
        errors.append(DomainError(_l("The number must be at least one."), "quantity"))
    elif quantity is not None and quantity > MAX_QUANTITY:
        errors.append(DomainError(_l("The number is too large: check it."), "quantity"))
    elif (
        unit is not None
        and quantity is not None
        and not errors
        and unit * quantity > min(MAX_LINE, MAX_MONEY)
    ):
        errors.append(DomainError(_l("The total of the line is too large: check it."), "quantity"))
    if values.category is not AccountCategory.PARENTS and (quantity or 1) != 1 and not errors:
        errors.append(
            DomainError(_l("Only parents' contributions are counted per pupil."), "quantity")
        )
    if errors:
        raise Refusals(errors)


def _apply_line(line: AccountLine, values: LineValues) -> None:
    unit = required(values.unit_amount)
    line.category = values.category
    line.side = values.category.side
    line.description = values.description.strip()
    line.unit_amount = unit.quantize(CENT)
    line.quantity = values.quantity or 1
    line.amount = (line.unit_amount * line.quantity).quantize(CENT)


def add_line(
    exchange: Exchange, institution: Institution, values: LineValues, *, by: User
) -> AccountLine:
    """Add an income or a cost to the school's accounts of the exchange."""
    check_line(values)
    line = AccountLine(exchange_id=exchange.id, institution_id=institution.id)
    _apply_line(line, values)
    db.session.add(line)
    db.session.flush()
    return line


def update_line(line: AccountLine, values: LineValues, *, by: User) -> AccountLine:
    check_line(values)
    _apply_line(line, values)
    db.session.flush()
    return line


def delete_line(line: AccountLine, *, by: User) -> None:
    db.session.delete(line)
    db.session.flush()


# --- the accounts ---------------------------------------------------------------------------


@dataclass
class Accounts:
    exchange: Exchange
    institution: Institution
    income: list[AccountLine] = field(default_factory=list)
    costs: list[AccountLine] = field(default_factory=list)
    #: the school's people with a place on the exchange (the roster's count)
    participants: int = 0
    currency: str = CURRENCY

    @property
    def total_income(self) -> Decimal:
        return sum((line.amount for line in self.income), Decimal("0.00"))

    @property
    def total_costs(self) -> Decimal:
        return sum((line.amount for line in self.costs), Decimal("0.00"))

    @property
    def balance(self) -> Decimal:
        """Income less costs: positive is money left over, negative a shortfall."""
        return self.total_income - self.total_costs

    @property
    def cost_per_participant(self) -> Decimal | None:
        """Costs divided by the participants, to the grosz (half up); None without any."""
        if not self.participants:
            return None
        return (self.total_costs / self.participants).quantize(CENT, rounding=ROUND_HALF_UP)

    def by_category(self, side: AccountSide) -> list[tuple[AccountCategory, Decimal]]:
        """Totals per category of one side, in the categories' order, those with lines only."""
        lines = self.income if side is AccountSide.INCOME else self.costs
        totals: dict[AccountCategory, Decimal] = {}
        for line in lines:
            totals[line.category] = totals.get(line.category, Decimal("0.00")) + line.amount
        return [(category, totals[category]) for category in AccountCategory if category in totals]


def participants_of(exchange: Exchange, institution_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Registration.exchange_id == exchange.id,
                Registration.institution_id == institution_id,
                Registration.status.in_(HOLDING_PLACE),
            )
        )
        or 0
    )


def accounts_for(exchange: Exchange, institution: Institution) -> Accounts:
    """The school's accounts of the exchange (two queries)."""
    order = {category: index for index, category in enumerate(AccountCategory)}
    lines = sorted(
        db.session.scalars(
            sa.select(AccountLine)
            .where(
                AccountLine.exchange_id == exchange.id,
                AccountLine.institution_id == institution.id,
            )
            .order_by(AccountLine.id)
        ),
        key=lambda line: order[line.category],
    )
    return Accounts(
        exchange,
        institution,
        income=[line for line in lines if line.category in INCOME_CATEGORIES],
        costs=[line for line in lines if line.category not in INCOME_CATEGORIES],
        participants=participants_of(exchange, institution.id),
    )
