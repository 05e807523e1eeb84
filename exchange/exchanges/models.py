"""Exchanges, their partner cities and their day-by-day programme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange import clock
from exchange.db import TimestampMixin
from exchange.enums import LabelledEnum
from exchange.errors import DomainError
from exchange.extensions import Model, db
from exchange.partners.models import Institution, PartnerCity, SchoolLevel

if TYPE_CHECKING:
    from exchange.auth.models import User


class ExchangeKind(LabelledEnum):
    YOUTH = "youth"
    PROFESSIONAL = "professional"
    COUNCILLORS = "councillors"
    ARTISTIC = "artistic"
    SPORTS = "sports"
    TRADE_FAIR = "trade_fair"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.YOUTH: _l("School youth exchange"),
            cls.PROFESSIONAL: _l("Professional visit"),
            cls.COUNCILLORS: _l("Councillor training"),
            cls.ARTISTIC: _l("Artistic group visit"),
            cls.SPORTS: _l("Sports team trip"),
            cls.TRADE_FAIR: _l("Craftsmen and producers at a trade fair"),
        }


class Direction(LabelledEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.INCOMING: _l("Incoming (Olsztyn hosts)"),
            cls.OUTGOING: _l("Outgoing (Olsztyn sends)"),
        }


class ExchangeStatus(LabelledEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    REGISTRATION_OPEN = "registration_open"
    REGISTRATION_CLOSED = "registration_closed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: _l("Draft"),
            cls.PLANNED: _l("Planned"),
            cls.REGISTRATION_OPEN: _l("Registration open"),
            cls.REGISTRATION_CLOSED: _l("Registration closed"),
            cls.COMPLETED: _l("Completed"),
            cls.CANCELLED: _l("Cancelled"),
        }


class FundingSource(LabelledEnum):
    CITY_BUDGET = "city_budget"
    ERASMUS_PLUS = "erasmus_plus"
    CERV = "cerv"
    PARTNER = "partner"
    SPONSOR = "sponsor"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.CITY_BUDGET: _l("City budget"),
            cls.ERASMUS_PLUS: _l("Erasmus+"),
            cls.CERV: _l("CERV (town twinning)"),
            cls.PARTNER: _l("Partner city"),
            cls.SPONSOR: _l("Sponsor"),
            cls.OTHER: _l("Other"),
        }


class Profession(LabelledEnum):
    DOCTORS = "doctors"
    TEACHERS = "teachers"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.DOCTORS: _l("Doctors"), cls.TEACHERS: _l("Teachers"), cls.OTHER: _l("Other")}


def kind_detail(kind: ExchangeKind, label: str, missing: str) -> dict[str, object]:
    """The ``info`` of a column that only exchanges of ``kind`` have: its label, and the
    message when it is left empty (read by ``exchanges/kinds.py``)."""
    return {"kind": kind, "label": label, "missing": missing}


class InvalidTransition(DomainError):
    def __init__(self, current: ExchangeStatus, action: str) -> None:
        super().__init__(
            _l(
                "This cannot be done while the exchange is “%(status)s”.",
                status=current.label,
            )
        )
        self.current = current
        self.action = action


exchange_partner = sa.Table(
    "exchange_partner",
    db.metadata,
    sa.Column("exchange_id", sa.ForeignKey("exchange.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "partner_city_id",
        sa.ForeignKey("partner_city.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Exchange(TimestampMixin, Model):
    """One activity with one or more partner cities: a youth exchange, a visit, a fair…"""

    __tablename__ = "exchange"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint(
            "institution_quota IS NULL OR institution_quota > 0", name="quota_positive"
        ),
        sa.CheckConstraint(
            "registration_opens IS NULL OR registration_closes IS NULL "
            "OR registration_closes >= registration_opens",
            name="registration_window_in_order",
        ),
        sa.CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR max_age >= min_age", name="age_range_in_order"
        ),
        sa.CheckConstraint(
            "minors_per_adult IS NULL OR minors_per_adult > 0", name="ratio_positive"
        ),
        sa.CheckConstraint(
            "budget_planned IS NULL OR budget_planned >= 0", name="budget_planned_not_negative"
        ),
        sa.CheckConstraint(
            "budget_actual IS NULL OR budget_actual >= 0", name="budget_actual_not_negative"
        ),
        sa.Index("ix_exchange_start_date_id", "start_date", "id"),
        # exchanges overlapping a period (reports, the calendar, the list's year): the period's
        # first day bounds the end date, which leaves few rows, unlike the start date
        sa.Index("ix_exchange_end_date_start_date", "end_date", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ExchangeKind] = mapped_column(index=True)
    direction: Mapped[Direction] = mapped_column(index=True)
    status: Mapped[ExchangeStatus] = mapped_column(default=ExchangeStatus.DRAFT, index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    olsztyn_institution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="SET NULL"), index=True
    )
    partner_institution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="SET NULL"), index=True
    )
    #: places for participants; None means no limit
    capacity: Mapped[int | None]
    #: places one institution may take at most; None means no quota
    institution_quota: Mapped[int | None]
    registration_opens: Mapped[date | None]
    registration_closes: Mapped[date | None]
    #: participants' age on the start date
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    #: one accompanying adult per this many minors, per institution
    minors_per_adult: Mapped[int | None]
    budget_planned: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    budget_actual: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="PLN")
    funding_source: Mapped[FundingSource | None]
    coordinator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    is_public: Mapped[bool] = mapped_column(default=False, index=True)
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    cancelled_at: Mapped[datetime | None]

    # kind-specific details: declared here once, with the kind they belong to, their label and
    # the message when they are missing; the rules, the form and the detail page read these
    # declarations (exchanges/kinds.py)
    school_level: Mapped[SchoolLevel | None] = mapped_column(
        info=kind_detail(
            ExchangeKind.YOUTH,
            _l("School level"),
            _l("Choose the school level of a youth exchange."),
        )
    )
    profession: Mapped[Profession | None] = mapped_column(
        info=kind_detail(
            ExchangeKind.PROFESSIONAL,
            _l("Profession"),
            _l("Choose the profession of the visitors."),
        )
    )
    host_institution: Mapped[str] = mapped_column(
        sa.String(200),
        default="",
        info=kind_detail(
            ExchangeKind.PROFESSIONAL,
            _l("Host institution"),
            _l("Name the host institution of the professional visit."),
        ),
    )
    topic: Mapped[str] = mapped_column(
        sa.String(200),
        default="",
        info=kind_detail(
            ExchangeKind.COUNCILLORS, _l("Topic"), _l("Give the topic of the councillor training.")
        ),
    )
    ensemble: Mapped[str] = mapped_column(
        sa.String(200),
        default="",
        info=kind_detail(
            ExchangeKind.ARTISTIC, _l("Artistic group"), _l("Name the artistic group.")
        ),
    )
    performances: Mapped[str] = mapped_column(
        sa.Text,
        default="",
        info=kind_detail(
            ExchangeKind.ARTISTIC,
            _l("Performances"),
            _l("List the performances of the artistic group."),
        ),
    )
    discipline: Mapped[str] = mapped_column(
        sa.String(120),
        default="",
        info=kind_detail(ExchangeKind.SPORTS, _l("Discipline"), _l("Give the sports discipline.")),
    )
    event_name: Mapped[str] = mapped_column(
        sa.String(200),
        default="",
        info=kind_detail(ExchangeKind.SPORTS, _l("Event"), _l("Name the sports event.")),
    )
    fair_name: Mapped[str] = mapped_column(
        sa.String(200),
        default="",
        info=kind_detail(ExchangeKind.TRADE_FAIR, _l("Trade fair"), _l("Name the trade fair.")),
    )
    stand: Mapped[str] = mapped_column(
        sa.String(120),
        default="",
        info=kind_detail(
            ExchangeKind.TRADE_FAIR, _l("Stand"), _l("Give the stand of the Olsztyn exhibitors.")
        ),
    )
    exhibitor_trades: Mapped[str] = mapped_column(
        sa.Text,
        default="",
        info=kind_detail(
            ExchangeKind.TRADE_FAIR, _l("Exhibitors' trades"), _l("List the exhibitors' trades.")
        ),
    )

    partners: Mapped[list[PartnerCity]] = relationship(
        secondary=exchange_partner, order_by=PartnerCity.name
    )
    olsztyn_institution: Mapped[Institution | None] = relationship(
        foreign_keys=[olsztyn_institution_id]
    )
    partner_institution: Mapped[Institution | None] = relationship(
        foreign_keys=[partner_institution_id]
    )
    coordinator: Mapped[User | None] = relationship()
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="exchange",
        cascade="all, delete-orphan",
        order_by="(ProgrammeItem.day, ProgrammeItem.start_time, ProgrammeItem.id)",
    )

    # --- workflow: draft → planned → registration open ⇄ closed → completed; cancel -------

    def plan(self) -> None:
        self._move("plan", ExchangeStatus.PLANNED)

    def open_registration(self) -> None:
        self._move("open_registration", ExchangeStatus.REGISTRATION_OPEN)

    def close_registration(self) -> None:
        self._move("close_registration", ExchangeStatus.REGISTRATION_CLOSED)

    def reopen_registration(self) -> None:
        self._move("reopen_registration", ExchangeStatus.REGISTRATION_OPEN)

    def complete(self) -> None:
        self._move("complete", ExchangeStatus.COMPLETED)

    def cancel(self, reason: str, when: datetime) -> None:
        """Cancel from any state but completed; the reason is required and kept."""
        if self.status not in TRANSITIONS["cancel"]:
            raise InvalidTransition(self.status, "cancel")
        if not reason.strip():
            raise DomainError(_l("Say why the exchange is cancelled."), field="reason")
        self._move("cancel", ExchangeStatus.CANCELLED)
        self.cancel_reason = reason.strip()
        self.cancelled_at = when

    def _move(self, action: str, target: ExchangeStatus) -> None:
        if self.status not in TRANSITIONS[action]:
            raise InvalidTransition(self.status, action)
        self.status = target

    def allowed_actions(self) -> list[str]:
        """Names of the transitions allowed now, for the buttons on the detail page."""
        return [name for name, sources in TRANSITIONS.items() if self.status in sources]

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def is_registration_open(self) -> bool:
        return self.status is ExchangeStatus.REGISTRATION_OPEN

    def registration_window(self, today: date) -> RegistrationWindow:
        """Where registration stands today, from the status and the dates: what the badge says
        and whether the *Register* button is shown (registering checks the same)."""
        if self.status is not ExchangeStatus.REGISTRATION_OPEN:
            return RegistrationWindow("not_open" if self.status in _BEFORE_OPEN else "closed")
        if self.registration_opens and today < self.registration_opens:
            return RegistrationWindow("opens", day=self.registration_opens)
        closes = self.registration_closes
        if closes is None:
            return RegistrationWindow("open")
        if today > closes:
            return RegistrationWindow("closed")
        left = (closes - today).days
        if left <= CLOSING_SOON_DAYS:
            return RegistrationWindow("closing", day=closes, days_left=left)
        return RegistrationWindow("open", day=closes)

    def registration_window_contains(self, day: date) -> bool:
        if self.registration_opens and day < self.registration_opens:
            return False
        return not (self.registration_closes and day > self.registration_closes)

    def __repr__(self) -> str:
        return f"<Exchange {self.id} {self.status}>"


#: "closes in N days" from this many days before the last day of registration
CLOSING_SOON_DAYS = 7
_BEFORE_OPEN = frozenset({ExchangeStatus.DRAFT, ExchangeStatus.PLANNED})


@dataclass(frozen=True)
class RegistrationWindow:
    """``state``: "not_open" (not open yet, no date), "opens" (on ``day``), "open" (until
    ``day``, if any), "closing" (on ``day``, in ``days_left`` days) or "closed"."""

    state: str
    day: date | None = None
    days_left: int | None = None

    @property
    def can_register(self) -> bool:
        return self.state in ("open", "closing")


TRANSITIONS: dict[str, set[ExchangeStatus]] = {
    "plan": {ExchangeStatus.DRAFT},
    "open_registration": {ExchangeStatus.PLANNED},
    "close_registration": {ExchangeStatus.REGISTRATION_OPEN},
    "reopen_registration": {ExchangeStatus.REGISTRATION_CLOSED},
    "complete": {ExchangeStatus.REGISTRATION_CLOSED},
    "cancel": set(ExchangeStatus) - {ExchangeStatus.COMPLETED, ExchangeStatus.CANCELLED},
}


class ProgrammeItem(Model):
    """One entry of the day-by-day programme: what happens when and where."""

    __tablename__ = "programme_item"
    __table_args__ = (
        sa.CheckConstraint("end_time IS NULL OR end_time >= start_time", name="times_in_order"),
        sa.Index("ix_programme_item_exchange_day", "exchange_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    day: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time | None]
    activity: Mapped[str] = mapped_column(sa.String(300))
    place: Mapped[str] = mapped_column(sa.String(200), default="")

    exchange: Mapped[Exchange] = relationship(back_populates="programme")


class CalendarSubscription(Model):
    """A user's personal calendar feed: a secret link a calendar app fetches without logging in.

    Only a SHA-256 hash of the link's token is stored: the link is shown once, when it is made.
    The feed holds what the user may read at the time it is fetched, and nothing once the
    account is deactivated. A user has one link at most; making a new one replaces it.
    """

    __tablename__ = "calendar_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarSubscription of user {self.user_id}>"
