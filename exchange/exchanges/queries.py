"""What the exchange pages read: the list and its filters, the public events, the feeds, the
month calendar, a partner's exchanges and statistics, and the exchange form's choices.

Every query applies ``access.visible_to``: a page shows only what its viewer may read.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from exchange import clock
from exchange.auth.models import User, Viewer, is_staff
from exchange.core.permissions import Role
from exchange.db import escape_like
from exchange.exchanges import signals
from exchange.exchanges.access import visible_to
from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    exchange_partner,
)
from exchange.extensions import db
from exchange.partners.models import Institution, PartnerCity

#: statuses shown in the public list of upcoming events
UPCOMING_STATUSES = (
    ExchangeStatus.PLANNED,
    ExchangeStatus.REGISTRATION_OPEN,
    ExchangeStatus.REGISTRATION_CLOSED,
)


# --- the list -------------------------------------------------------------------------------


class Show(enum.StrEnum):
    """The list's quick filters: which part of the list is shown."""

    UPCOMING = "upcoming"
    OPEN = "open"
    MINE = "mine"
    PAST = "past"
    ALL = "all"


@dataclass
class ExchangeFilter:
    year: int | None = None
    kind: ExchangeKind | None = None
    partner_id: int | None = None
    direction: Direction | None = None
    status: ExchangeStatus | None = None
    q: str = ""
    show: Show = Show.UPCOMING


def _mine(viewer: Viewer) -> sa.ColumnElement[bool]:
    """The viewer's own exchanges: those a coordinator coordinates; those of a school's
    institution (on either side), and — through ``signals.claimed_exchanges`` — those its
    people are registered in."""
    if not isinstance(viewer, User):
        return sa.false()
    conditions: list[sa.ColumnElement[bool]] = []
    if viewer.is_staff:
        conditions.append(Exchange.coordinator_id == viewer.id)
    if viewer.institution_id is not None:
        conditions.append(Exchange.olsztyn_institution_id == viewer.institution_id)
        conditions.append(Exchange.partner_institution_id == viewer.institution_id)
    for _receiver, condition in signals.claimed_exchanges.send(viewer):
        if condition is not None:
            conditions.append(condition)
    return sa.or_(*conditions) if conditions else sa.false()


def _first_day_unindexed() -> sa.ColumnElement:
    """The first day as an expression, not the column, to order by: ordered by the column,
    SQLite walks the start-date index through every exchange that is over (6,000 at 25 years)
    to reach the upcoming ones (or a month's); this way it takes those not over yet from the
    end-date index (a few hundred, however many years lie behind) and sorts them."""
    return sa.func.coalesce(Exchange.start_date, Exchange.start_date)


def _shown(query: sa.Select, show: Show, viewer: Viewer, today: date) -> sa.Select:
    """The quick filter and its order: what is not over yet soonest first, and what is over
    newest first (after the rest, where both are shown)."""
    over = Exchange.end_date < today
    soonest_first = (_first_day_unindexed(), Exchange.id)
    match show:
        case Show.UPCOMING:
            return query.where(sa.not_(over)).order_by(*soonest_first)
        case Show.OPEN:
            return query.where(
                Exchange.status == ExchangeStatus.REGISTRATION_OPEN, sa.not_(over)
            ).order_by(*soonest_first)
        case Show.PAST:
            return query.where(over).order_by(Exchange.start_date.desc(), Exchange.id.desc())
    if show is Show.MINE:
        query = query.where(_mine(viewer))
    return query.order_by(
        sa.case((over, 1), else_=0),
        # the upcoming ones by their first day; the past ones (NULL here) by the keys after
        sa.case((sa.not_(over), Exchange.start_date)),
        Exchange.start_date.desc(),
        sa.case((sa.not_(over), Exchange.id), else_=-Exchange.id),
    )


def exchanges_query(
    filters: ExchangeFilter, viewer: Viewer, today: date | None = None
) -> sa.Select:
    """Exchanges matching ``filters`` that ``viewer`` may read, in the order of the quick
    filter (``filters.show``): upcoming ones soonest first, past ones newest first.

    A year matches every exchange running during it, so one over New Year is in both years.
    """
    query = _shown(
        sa.select(Exchange).options(selectinload(Exchange.partners)).where(visible_to(viewer)),
        filters.show,
        viewer,
        today or clock.today(),
    )
    if filters.year is not None:
        query = query.where(
            Exchange.start_date <= date(filters.year, 12, 31),
            Exchange.end_date >= date(filters.year, 1, 1),
        )
    if filters.kind is not None:
        query = query.where(Exchange.kind == filters.kind)
    if filters.direction is not None:
        query = query.where(Exchange.direction == filters.direction)
    if filters.status is not None:
        query = query.where(Exchange.status == filters.status)
    if filters.partner_id is not None:
        query = query.where(
            Exchange.id.in_(
                sa.select(exchange_partner.c.exchange_id).where(
                    exchange_partner.c.partner_city_id == filters.partner_id
                )
            )
        )
    if filters.q:
        query = query.where(Exchange.title.ilike(f"%{escape_like(filters.q)}%", escape="\\"))
    return query


def exchange_years() -> list[int]:
    """The years from the first exchange to the year after the last one (for the filter)."""
    # two subqueries: each reads one end of its index; min() and max() in one SELECT read
    # every row (SQLite)
    first, last = db.session.execute(
        sa.select(
            sa.select(sa.func.min(Exchange.start_date)).scalar_subquery(),
            sa.select(sa.func.max(Exchange.end_date)).scalar_subquery(),
        )
    ).one()
    this_year = clock.today().year
    low = min(first.year if first else this_year, this_year)
    high = max(last.year if last else this_year, this_year) + 1
    return list(range(high, low - 1, -1))


def upcoming_public_events(today: date) -> list[Exchange]:
    """Public exchanges that are planned or later and not over yet, soonest first."""
    return list(
        db.session.scalars(
            sa.select(Exchange)
            .options(selectinload(Exchange.partners))
            .where(
                Exchange.is_public.is_(True),
                Exchange.status.in_(UPCOMING_STATUSES),
                Exchange.end_date >= today,
            )
            .order_by(Exchange.start_date, Exchange.id)
        )
    )


#: how far back a feed reaches: the exchanges that ended within this many months, and later ones
#: (older ones are in the yearly archive feeds)
FEED_MONTHS = 12


def feed_since(today: date) -> date:
    """The first day a feed's exchanges may end on: the same day ``FEED_MONTHS`` ago (28
    February for 29 February)."""
    months = today.year * 12 + today.month - 1 - FEED_MONTHS
    year, month = divmod(months, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Feed:
    """The exchanges of a calendar feed: every non-draft one ``viewer`` may read (of one
    partner), of the last ``FEED_MONTHS`` and later, or those that start in ``year``."""

    viewer: Viewer
    partner: PartnerCity | None = None
    year: int | None = None

    def _where(self) -> list[sa.ColumnElement[bool]]:
        conditions = [visible_to(self.viewer), Exchange.status != ExchangeStatus.DRAFT]
        if self.year is None:
            conditions.append(Exchange.end_date >= feed_since(clock.today()))
        else:
            conditions.append(
                Exchange.start_date.between(date(self.year, 1, 1), date(self.year, 12, 31))
            )
        if self.partner is not None:
            conditions.append(Exchange.partners.any(PartnerCity.id == self.partner.id))
        return conditions

    def contents(self) -> str:
        """What the feed's rows depend on besides their ``stamp``: which exchanges the viewer
        may read (not who they are), of which partner, and the year."""
        reader = (
            "staff" if is_staff(self.viewer) else "user" if self.viewer.is_authenticated else ""
        )
        partner = self.partner.id if self.partner is not None else ""
        return f"{reader} {partner} {self.year or ''}"

    def exchanges(self) -> list[Exchange]:
        return list(
            db.session.scalars(
                sa.select(Exchange)
                .options(selectinload(Exchange.partners))
                .where(*self._where())
                .order_by(Exchange.start_date, Exchange.id)
            )
        )

    def stamp(self) -> tuple[int, datetime | None, datetime | None]:
        """What changes when the feed does, in one query: how many exchanges it holds, the
        last change of one of them, and the last change of a partner city (their names are
        in the events)."""
        partners = sa.select(sa.func.max(PartnerCity.updated_at)).scalar_subquery()
        count, modified, renamed = db.session.execute(
            sa.select(sa.func.count(), sa.func.max(Exchange.updated_at), partners).where(
                *self._where()
            )
        ).one()
        return count, modified, renamed


def feed_exchanges(viewer: Viewer, partner: PartnerCity | None = None) -> list[Exchange]:
    """The exchanges of ``viewer``'s feed (of one partner): the last 12 months and later."""
    return Feed(viewer, partner).exchanges()


def archive_years(viewer: Viewer) -> range:
    """The years of the archive feeds: from the first exchange ``viewer`` may read to the
    year the feeds' window starts in."""
    first = db.session.scalar(
        sa.select(sa.func.min(Exchange.start_date)).where(
            visible_to(viewer), Exchange.status != ExchangeStatus.DRAFT
        )
    )
    last = feed_since(clock.today()).year
    return range(first.year, last + 1) if first is not None and first.year <= last else range(0)


# --- month calendar -------------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class MonthCalendar:
    year: int
    month: int
    weeks: list[list[CalendarDay]]
    exchanges: list[Exchange]

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> tuple[int, int] | None:
        if (self.year, self.month) == (date.min.year, 1):
            return None
        return (self.year - 1, 12) if self.month == 1 else (self.year, self.month - 1)

    @property
    def next(self) -> tuple[int, int] | None:
        if (self.year, self.month) == (date.max.year, 12):
            return None
        return (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)


def month_calendar(year: int, month: int, viewer: Viewer) -> MonthCalendar:
    """The weeks (Monday first) of a month, each day with the exchanges running on it."""
    weeks_of_dates = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    first, last = weeks_of_dates[0][0], weeks_of_dates[-1][-1]
    exchanges = list(
        db.session.scalars(
            sa.select(Exchange)
            .options(selectinload(Exchange.partners))
            .where(visible_to(viewer), Exchange.start_date <= last, Exchange.end_date >= first)
            # from the end-date index, as the list's upcoming ones (see ``_shown``)
            .order_by(_first_day_unindexed(), Exchange.id)
        )
    )
    weeks = [
        [
            CalendarDay(
                day=day,
                in_month=day.month == month,
                exchanges=[e for e in exchanges if e.start_date <= day <= e.end_date],
            )
            for day in week
        ]
        for week in weeks_of_dates
    ]
    in_month = [
        e
        for e in exchanges
        if e.start_date <= date(year, month, calendar.monthrange(year, month)[1])
        and e.end_date >= date(year, month, 1)
    ]
    return MonthCalendar(year=year, month=month, weeks=weeks, exchanges=in_month)


# --- a partner's exchanges ------------------------------------------------------------------


@dataclass(frozen=True)
class YearCount:
    year: int
    incoming: int
    outgoing: int

    @property
    def total(self) -> int:
        return self.incoming + self.outgoing


def _partner_exchanges_condition(partner: PartnerCity, viewer: Viewer) -> list:
    return [
        visible_to(viewer),
        Exchange.start_date >= date(partner.year_signed, 1, 1),
        Exchange.id.in_(
            sa.select(exchange_partner.c.exchange_id).where(
                exchange_partner.c.partner_city_id == partner.id
            )
        ),
    ]


def partner_exchanges_query(partner: PartnerCity, viewer: Viewer) -> sa.Select:
    """The partner's exchanges since the agreement year that ``viewer`` may read, newest first
    (the partner page shows them a page at a time: 25 years make hundreds)."""
    return (
        sa.select(Exchange)
        .where(*_partner_exchanges_condition(partner, viewer))
        .order_by(Exchange.start_date.desc(), Exchange.id.desc())
    )


def partner_exchanges(partner: PartnerCity, viewer: Viewer) -> list[Exchange]:
    """Every one of ``partner_exchanges_query``, with their partners."""
    return list(
        db.session.scalars(
            partner_exchanges_query(partner, viewer).options(selectinload(Exchange.partners))
        )
    )


def partner_statistics(partner: PartnerCity, viewer: Viewer) -> list[YearCount]:
    """Incoming and outgoing exchanges with the partner per year since the agreement year.

    One GROUP BY query. Drafts and cancelled exchanges are not counted; years without exchanges
    are left out.
    """
    year = sa.extract("year", Exchange.start_date)
    rows = db.session.execute(
        sa.select(
            year.label("year"),
            sa.func.count().filter(Exchange.direction == Direction.INCOMING),
            sa.func.count().filter(Exchange.direction == Direction.OUTGOING),
        )
        .where(
            *_partner_exchanges_condition(partner, viewer),
            Exchange.status.not_in((ExchangeStatus.DRAFT, ExchangeStatus.CANCELLED)),
        )
        .group_by(year)
        .order_by(year)
    )
    return [YearCount(int(row[0]), row[1], row[2]) for row in rows]


# --- choices for the exchange form --------------------------------------------------------


def institutions_for_exchanges() -> list[Institution]:
    """Active institutions on both sides, with their city, by name."""
    return list(
        db.session.scalars(
            sa.select(Institution)
            .options(joinedload(Institution.partner_city))
            .where(Institution.active.is_(True))
            .order_by(Institution.name, Institution.id)
        )
    )


def list_coordinators() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_((Role.ADMIN, Role.COORDINATOR)), User.active.is_(True))
            .order_by(User.full_name, User.id)
        )
    )
