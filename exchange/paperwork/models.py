"""The paperwork's tables, a section per subject (trip card and notice; EU list of travellers;
insurance and the trip's accounts)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.db import TimestampMixin
from exchange.enums import LabelledEnum
from exchange.exchanges.models import Exchange
from exchange.extensions import Model
from exchange.partners.models import Institution
from exchange.registrations.models import Participant, Registration

# --- trip card and the superintendent's notice


class TripStaff(TimestampMixin, Model):
    """A sending school's trip in an exchange: the leader (*kierownik*) and the chaperones
    (*opiekunowie*) it chose from its registered adults, and when it produced the notice to
    the education superintendent. One row per exchange and school."""

    __tablename__ = "trip_staff"
    __table_args__ = (sa.UniqueConstraint("exchange_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    leader_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    #: when the notice to the education superintendent was last produced (None: never)
    notice_produced_at: Mapped[datetime | None]

    exchange: Mapped[Exchange] = relationship()
    institution: Mapped[Institution] = relationship()
    leader: Mapped[Participant | None] = relationship()
    chaperones: Mapped[list[TripChaperone]] = relationship(
        back_populates="trip", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<TripStaff {self.id}>"


class TripChaperone(Model):
    """An adult of the school who accompanies its pupils on the trip."""

    __tablename__ = "trip_chaperone"
    __table_args__ = (sa.UniqueConstraint("trip_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(sa.ForeignKey("trip_staff.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )

    trip: Mapped[TripStaff] = relationship(back_populates="chaperones")
    participant: Mapped[Participant] = relationship()


# --- insurance and the trip's accounts ------------------------------------------------------


class InsuranceKind(LabelledEnum):
    """What a policy covers; one policy may cover both."""

    NNW = "nnw"
    KL = "kl"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.NNW: _l("Accident insurance (NNW)"),
            cls.KL: _l("Medical costs abroad (KL)"),
        }


class InsurancePolicy(TimestampMixin, Model):
    """A group insurance policy a sending school bought for its people on an exchange."""

    __tablename__ = "insurance_policy"
    __table_args__ = (
        sa.CheckConstraint("valid_to >= valid_from", name="dates_in_order"),
        sa.CheckConstraint("covers_nnw OR covers_kl", name="covers_something"),
        sa.CheckConstraint("insured_sum IS NULL OR insured_sum > 0", name="insured_sum_positive"),
        sa.Index("ix_insurance_policy_exchange_institution", "exchange_id", "institution_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    insurer: Mapped[str] = mapped_column(sa.String(200))
    policy_number: Mapped[str] = mapped_column(sa.String(80))
    #: accident insurance (następstwa nieszczęśliwych wypadków)
    covers_nnw: Mapped[bool] = mapped_column(default=False)
    #: medical costs abroad (koszty leczenia)
    covers_kl: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    insured_sum: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="PLN")
    #: True: everyone of the school with a place on the exchange; False: ``insured`` only
    covers_everyone: Mapped[bool] = mapped_column(default=True)

    exchange: Mapped[Exchange] = relationship()
    institution: Mapped[Institution] = relationship()
    insured: Mapped[list[InsuredPerson]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def kinds(self) -> list[InsuranceKind]:
        return [
            kind
            for kind, covered in (
                (InsuranceKind.NNW, self.covers_nnw),
                (InsuranceKind.KL, self.covers_kl),
            )
            if covered
        ]

    def __repr__(self) -> str:
        return f"<InsurancePolicy {self.id}>"


class InsuredPerson(Model):
    """A person a policy names, when it does not cover everyone of the school."""

    __tablename__ = "insured_person"
    __table_args__ = (sa.UniqueConstraint("policy_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        sa.ForeignKey("insurance_policy.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )

    policy: Mapped[InsurancePolicy] = relationship(back_populates="insured")
    registration: Mapped[Registration] = relationship()


class AccountSide(LabelledEnum):
    INCOME = "income"
    COST = "cost"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.INCOME: _l("Income"), cls.COST: _l("Costs")}


class AccountCategory(LabelledEnum):
    """Where money came from (income) or went (costs)."""

    PARENTS = "parents"
    GRANT = "grant"
    CITY_BUDGET = "city_budget"
    OTHER_INCOME = "other_income"
    TRANSPORT = "transport"
    ACCOMMODATION = "accommodation"
    BOARD = "board"
    TICKETS = "tickets"
    INSURANCE = "insurance"
    PROGRAMME = "programme"
    OTHER_COST = "other_cost"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PARENTS: _l("Parents' contributions"),
            cls.GRANT: _l("Grant (e.g. Erasmus+)"),
            cls.CITY_BUDGET: _l("City budget"),
            cls.OTHER_INCOME: _l("Other income"),
            cls.TRANSPORT: _l("Transport"),
            cls.ACCOMMODATION: _l("Accommodation"),
            cls.BOARD: _l("Board"),
            cls.TICKETS: _l("Tickets and entrance fees"),
            cls.INSURANCE: _l("Insurance"),
            cls.PROGRAMME: _l("Programme"),
            cls.OTHER_COST: _l("Other costs"),
        }

    @property
    def side(self) -> AccountSide:
        return AccountSide.INCOME if self in INCOME_CATEGORIES else AccountSide.COST


INCOME_CATEGORIES = (
    AccountCategory.PARENTS,
    AccountCategory.GRANT,
    AccountCategory.CITY_BUDGET,
    AccountCategory.OTHER_INCOME,
)


class AccountLine(TimestampMixin, Model):
    """One line of a school's accounts of a trip: an income or a cost, in złoty.

    ``amount`` is ``unit_amount × quantity`` (a contribution per pupil times the paying pupils;
    a quantity of one for anything else), kept so that the sums are plain SQL."""

    __tablename__ = "account_line"
    __table_args__ = (
        sa.CheckConstraint("unit_amount >= 0", name="unit_amount_not_negative"),
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.Index("ix_account_line_exchange_institution", "exchange_id", "institution_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[AccountSide] = mapped_column(index=True)
    category: Mapped[AccountCategory]
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    unit_amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    quantity: Mapped[int] = mapped_column(default=1)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))

    exchange: Mapped[Exchange] = relationship()
    institution: Mapped[Institution] = relationship()

    def __repr__(self) -> str:
        return f"<AccountLine {self.id}>"
