"""Rules and queries for exchanges and their programme.

Who sees what: staff (admins and coordinators) see every exchange; school representatives every
exchange but drafts; visitors who are not logged in only public exchanges that are not drafts.
``visible_to`` is that rule as a query condition, and every query below applies it.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from exchange import clock
from exchange.auth.models import User
from exchange.core.permissions import Role
from exchange.db import lock_for_update
from exchange.errors import DomainError
from exchange.exchanges import signals
from exchange.exchanges.models import (
    TRANSITIONS,
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    FundingSource,
    Profession,
    ProgrammeItem,
    SchoolLevel,
    exchange_partner,
)
from exchange.extensions import db
from exchange.partners.models import Institution, PartnerCity

log = logging.getLogger(__name__)


class ExchangeError(DomainError):
    pass


#: currencies a budget may be kept in (the partner cities' and the grant programmes')
CURRENCIES = ("PLN", "EUR", "USD", "SEK", "UAH")

#: statuses shown in the public list of upcoming events
UPCOMING_STATUSES = (
    ExchangeStatus.PLANNED,
    ExchangeStatus.REGISTRATION_OPEN,
    ExchangeStatus.REGISTRATION_CLOSED,
)

#: the details each kind of exchange needs; the others' are cleared on save
KIND_FIELDS: dict[ExchangeKind, tuple[str, ...]] = {
    ExchangeKind.YOUTH: ("school_level",),
    ExchangeKind.PROFESSIONAL: ("profession", "host_institution"),
    ExchangeKind.COUNCILLORS: ("topic",),
    ExchangeKind.ARTISTIC: ("ensemble", "performances"),
    ExchangeKind.SPORTS: ("discipline", "event_name"),
    ExchangeKind.TRADE_FAIR: ("fair_name", "stand", "exhibitor_trades"),
}
ALL_KIND_FIELDS = tuple(name for names in KIND_FIELDS.values() for name in names)
_ENUM_KIND_FIELDS = {"school_level": SchoolLevel, "profession": Profession}

_KIND_FIELD_MESSAGES = {
    "school_level": _l("Choose the school level of a youth exchange."),
    "profession": _l("Choose the profession of the visitors."),
    "host_institution": _l("Name the host institution of the professional visit."),
    "topic": _l("Give the topic of the councillor training."),
    "ensemble": _l("Name the artistic group."),
    "performances": _l("List the performances of the artistic group."),
    "discipline": _l("Give the sports discipline."),
    "event_name": _l("Name the sports event."),
    "fair_name": _l("Name the trade fair."),
    "stand": _l("Give the stand of the Olsztyn exhibitors."),
    "exhibitor_trades": _l("List the exhibitors' trades."),
}

EXCHANGE_FIELDS = (
    "title",
    "kind",
    "direction",
    "start_date",
    "end_date",
    "venue",
    "city",
    "description",
    "partners",
    "olsztyn_institution",
    "partner_institution",
    "capacity",
    "institution_quota",
    "registration_opens",
    "registration_closes",
    "min_age",
    "max_age",
    "minors_per_adult",
    "budget_planned",
    "budget_actual",
    "currency",
    "funding_source",
    "coordinator",
    "is_public",
    *ALL_KIND_FIELDS,
)
_TEXT_FIELDS = {
    "title",
    "venue",
    "city",
    "description",
    *(name for name in ALL_KIND_FIELDS if name not in _ENUM_KIND_FIELDS),
}


# --- who sees what --------------------------------------------------------------------------


def is_staff(viewer: Any) -> bool:
    return bool(getattr(viewer, "is_authenticated", False) and viewer.is_staff)


def visible_to(viewer: Any) -> sa.ColumnElement[bool]:
    """The exchanges ``viewer`` (a user, or an anonymous visitor) may read, as a condition."""
    if is_staff(viewer):
        return sa.true()
    not_draft = Exchange.status != ExchangeStatus.DRAFT
    if getattr(viewer, "is_authenticated", False):
        return not_draft
    return sa.and_(not_draft, Exchange.is_public.is_(True))


def can_read(exchange: Exchange, viewer: Any) -> bool:
    if is_staff(viewer):
        return True
    if exchange.status is ExchangeStatus.DRAFT:
        return False
    return bool(getattr(viewer, "is_authenticated", False) or exchange.is_public)


# --- loading --------------------------------------------------------------------------------


def get_exchange(exchange_id: int) -> Exchange | None:
    """One exchange with everything its page shows: partners, programme and institutions."""
    return db.session.scalar(
        sa.select(Exchange)
        .options(
            selectinload(Exchange.partners),
            selectinload(Exchange.programme),
            joinedload(Exchange.olsztyn_institution).joinedload(Institution.partner_city),
            joinedload(Exchange.partner_institution).joinedload(Institution.partner_city),
            joinedload(Exchange.coordinator),
        )
        .where(Exchange.id == exchange_id)
    )


def get_programme_item(exchange: Exchange, item_id: int) -> ProgrammeItem | None:
    """An item of this exchange's programme (an item of another exchange is not found)."""
    return next((item for item in exchange.programme if item.id == item_id), None)


# --- the list -------------------------------------------------------------------------------


@dataclass
class ExchangeFilter:
    year: int | None = None
    kind: ExchangeKind | None = None
    partner_id: int | None = None
    direction: Direction | None = None
    status: ExchangeStatus | None = None
    q: str = ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def exchanges_query(filters: ExchangeFilter, viewer: Any) -> sa.Select:
    """Exchanges matching ``filters`` that ``viewer`` may read, by start date.

    A year matches every exchange running during it, so one over New Year is in both years.
    """
    query = (
        sa.select(Exchange)
        .options(selectinload(Exchange.partners))
        .where(visible_to(viewer))
        .order_by(Exchange.start_date, Exchange.id)
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
        query = query.where(Exchange.title.ilike(f"%{_escape_like(filters.q)}%", escape="\\"))
    return query


def exchange_years() -> list[int]:
    """The years from the first exchange to the year after the last one (for the filter)."""
    first, last = db.session.execute(
        sa.select(sa.func.min(Exchange.start_date), sa.func.max(Exchange.end_date))
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


def feed_exchanges(viewer: Any, partner: PartnerCity | None = None) -> list[Exchange]:
    """Every non-draft exchange ``viewer`` may read (of one partner), for a calendar feed."""
    query = (
        sa.select(Exchange)
        .options(selectinload(Exchange.partners))
        .where(visible_to(viewer), Exchange.status != ExchangeStatus.DRAFT)
        .order_by(Exchange.start_date, Exchange.id)
    )
    if partner is not None:
        query = query.where(Exchange.partners.any(PartnerCity.id == partner.id))
    return list(db.session.scalars(query))


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


def month_calendar(year: int, month: int, viewer: Any) -> MonthCalendar:
    """The weeks (Monday first) of a month, each day with the exchanges running on it."""
    weeks_of_dates = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    first, last = weeks_of_dates[0][0], weeks_of_dates[-1][-1]
    exchanges = list(
        db.session.scalars(
            sa.select(Exchange)
            .options(selectinload(Exchange.partners))
            .where(visible_to(viewer), Exchange.start_date <= last, Exchange.end_date >= first)
            .order_by(Exchange.start_date, Exchange.id)
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


def _partner_exchanges_condition(partner: PartnerCity, viewer: Any) -> list:
    return [
        visible_to(viewer),
        Exchange.start_date >= date(partner.year_signed, 1, 1),
        Exchange.id.in_(
            sa.select(exchange_partner.c.exchange_id).where(
                exchange_partner.c.partner_city_id == partner.id
            )
        ),
    ]


def partner_exchanges_query(partner: PartnerCity, viewer: Any) -> sa.Select:
    """The partner's exchanges since the agreement year that ``viewer`` may read, newest first
    (the partner page shows them a page at a time: 25 years make hundreds)."""
    return (
        sa.select(Exchange)
        .where(*_partner_exchanges_condition(partner, viewer))
        .order_by(Exchange.start_date.desc(), Exchange.id.desc())
    )


def partner_exchanges(partner: PartnerCity, viewer: Any) -> list[Exchange]:
    """Every one of ``partner_exchanges_query``, with their partners."""
    return list(
        db.session.scalars(
            partner_exchanges_query(partner, viewer).options(selectinload(Exchange.partners))
        )
    )


def partner_statistics(partner: PartnerCity, viewer: Any) -> list[YearCount]:
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


# --- choices for the form -------------------------------------------------------------------


def list_partners() -> list[PartnerCity]:
    return list(db.session.scalars(sa.select(PartnerCity).order_by(PartnerCity.name)))


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


# --- create and update ----------------------------------------------------------------------


def _clean_values(values: dict) -> dict:
    unknown = set(values) - set(EXCHANGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown exchange fields: {sorted(unknown)}")
    cleaned = {name: values.get(name) for name in EXCHANGE_FIELDS}
    for name in _TEXT_FIELDS:
        cleaned[name] = (cleaned[name] or "").strip()
    cleaned["partners"] = list(dict.fromkeys(cleaned["partners"] or ()))
    cleaned["currency"] = (cleaned["currency"] or "PLN").strip().upper()
    cleaned["is_public"] = bool(cleaned["is_public"])
    if cleaned["kind"] is not None:
        cleaned["kind"] = ExchangeKind(cleaned["kind"])
    if cleaned["direction"] is not None:
        cleaned["direction"] = Direction(cleaned["direction"])
    if cleaned["funding_source"]:
        cleaned["funding_source"] = FundingSource(cleaned["funding_source"])
    else:
        cleaned["funding_source"] = None
    for name, enum_class in _ENUM_KIND_FIELDS.items():
        cleaned[name] = enum_class(cleaned[name]) if cleaned[name] else None
    # the details of the other kinds do not apply: they are cleared, not kept hidden
    if cleaned["kind"] is not None:
        for name in ALL_KIND_FIELDS:
            if name not in KIND_FIELDS[cleaned["kind"]]:
                cleaned[name] = None if name in _ENUM_KIND_FIELDS else ""
    return cleaned


def _not_negative(values: dict, name: str, message) -> None:
    value = values[name]
    if value is not None and value < 0:
        raise ExchangeError(message, field=name)


def check_exchange(values: dict, exchange: Exchange | None = None) -> None:
    """Raise ``ExchangeError`` (naming the field) for the first rule ``values`` break."""
    if not values["title"]:
        raise ExchangeError(_l("Give the exchange a title."), field="title")
    if values["kind"] is None:
        raise ExchangeError(_l("Choose the kind of exchange."), field="kind")
    if values["direction"] is None:
        raise ExchangeError(_l("Choose the direction."), field="direction")
    start, end = values["start_date"], values["end_date"]
    if start is None:
        raise ExchangeError(_l("Give the first day."), field="start_date")
    if end is None:
        raise ExchangeError(_l("Give the last day."), field="end_date")
    if end < start:
        raise ExchangeError(_l("The last day cannot be before the first day."), field="end_date")
    if not values["partners"]:
        raise ExchangeError(_l("Choose at least one partner city."), field="partners")

    _not_negative(values, "capacity", _l("The number of places cannot be negative."))
    quota = values["institution_quota"]
    if quota is not None and quota < 1:
        raise ExchangeError(
            _l("A quota per institution must be at least 1 (leave it empty for no quota)."),
            field="institution_quota",
        )
    if quota is not None and values["capacity"] is not None and quota > values["capacity"]:
        raise ExchangeError(
            _l("The quota per institution cannot be larger than the number of places."),
            field="institution_quota",
        )

    opens, closes = values["registration_opens"], values["registration_closes"]
    if opens is not None and opens > start:
        raise ExchangeError(
            _l("Registration must open before the exchange starts."), field="registration_opens"
        )
    if closes is not None and opens is not None and closes < opens:
        raise ExchangeError(
            _l("Registration cannot close before it opens."), field="registration_closes"
        )
    if closes is not None and closes > start:
        raise ExchangeError(
            _l("Registration must close by the first day of the exchange."),
            field="registration_closes",
        )

    _not_negative(values, "min_age", _l("An age cannot be negative."))
    _not_negative(values, "max_age", _l("An age cannot be negative."))
    if (
        values["min_age"] is not None
        and values["max_age"] is not None
        and values["max_age"] < values["min_age"]
    ):
        raise ExchangeError(_l("The maximum age cannot be below the minimum age."), field="max_age")
    ratio = values["minors_per_adult"]
    if ratio is not None and ratio < 1:
        raise ExchangeError(
            _l("Give at least 1 minor per accompanying adult (or leave it empty)."),
            field="minors_per_adult",
        )

    _not_negative(values, "budget_planned", _l("A budget cannot be negative."))
    _not_negative(values, "budget_actual", _l("A budget cannot be negative."))
    if values["currency"] not in CURRENCIES:
        raise ExchangeError(_l("Choose a currency from the list."), field="currency")

    for name in KIND_FIELDS[values["kind"]]:
        if not values[name]:
            raise ExchangeError(_KIND_FIELD_MESSAGES[name], field=name)

    olsztyn = values["olsztyn_institution"]
    if olsztyn is not None and olsztyn.partner_city_id is not None:
        raise ExchangeError(_l("Choose an institution in Olsztyn."), field="olsztyn_institution_id")
    abroad = values["partner_institution"]
    partner_ids = {partner.id for partner in values["partners"]}
    if abroad is not None and abroad.partner_city_id not in partner_ids:
        raise ExchangeError(
            _l("Choose an institution in one of the exchange's partner cities."),
            field="partner_institution_id",
        )
    coordinator = values["coordinator"]
    if coordinator is not None and not coordinator.is_staff:
        raise ExchangeError(
            _l("The coordinator must be a coordinator or an administrator."),
            field="coordinator_id",
        )

    if exchange is not None:
        _check_programme_fits(exchange, start, end)


def _check_programme_fits(exchange: Exchange, start: date, end: date) -> None:
    days = [item.day for item in exchange.programme]
    if days and min(days) < start:
        raise ExchangeError(
            _l(
                "The programme has items on %(day)s, before this first day: move or delete "
                "them first.",
                day=format_date(min(days)),
            ),
            field="start_date",
        )
    if days and max(days) > end:
        raise ExchangeError(
            _l(
                "The programme has items on %(day)s, after this last day: move or delete "
                "them first.",
                day=format_date(max(days)),
            ),
            field="end_date",
        )


def create_exchange(values: dict, by: User) -> Exchange:
    """Create a draft exchange. The coordinator is ``by`` unless the values name another."""
    values = _clean_values(values)
    check_exchange(values)
    if values["coordinator"] is None and by.is_staff:
        values["coordinator"] = by
    exchange = Exchange(status=ExchangeStatus.DRAFT, **values)
    db.session.add(exchange)
    db.session.flush()
    log.info("exchange %s created by user %s", exchange.id, by.id)
    return exchange


def update_exchange(exchange: Exchange, values: dict, by: User) -> Exchange:
    """Save new values; the programme must still fit in the dates. The status is not changed."""
    values = _clean_values(values)
    check_exchange(values, exchange)
    more_places = _adds_places(exchange, values)
    if more_places:
        # the waiting list moves up below: decide it alone, like a registration
        lock_for_update(db.session, exchange)
    for name, value in values.items():
        setattr(exchange, name, value)
    db.session.flush()
    if more_places:
        signals.places_added.send(exchange, by=by)
    log.info("exchange %s updated by user %s", exchange.id, by.id)
    return exchange


def _adds_places(exchange: Exchange, values: dict) -> bool:
    """True when the new capacity or per-institution quota is larger (or gone)."""

    def grows(old: int | None, new: int | None) -> bool:
        return old is not None and (new is None or new > old)

    return grows(exchange.capacity, values.get("capacity")) or grows(
        exchange.institution_quota, values.get("institution_quota")
    )


# --- workflow -------------------------------------------------------------------------------

ACTIONS = tuple(TRANSITIONS)


def transition(
    exchange: Exchange,
    action: str,
    by: User,
    reason: str | None = None,
    now: datetime | None = None,
) -> Exchange:
    """Move the exchange through its workflow with the model's method for ``action``.

    The model refuses what its status does not allow (``InvalidTransition``); cancelling needs a
    reason.
    """
    if action not in TRANSITIONS:
        raise ValueError(f"unknown exchange action {action!r}")
    if action == "cancel":
        exchange.cancel(reason or "", now or clock.now())
        db.session.flush()
        signals.exchange_cancelled.send(exchange, by=by)
    else:
        getattr(exchange, action)()
    db.session.flush()
    log.info("exchange %s: %s by user %s", exchange.id, action, by.id)
    return exchange


# --- programme ------------------------------------------------------------------------------

PROGRAMME_FIELDS = ("day", "start_time", "end_time", "activity", "place")


def _clean_programme_values(values: dict) -> dict:
    unknown = set(values) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    cleaned = {name: values.get(name) for name in PROGRAMME_FIELDS}
    cleaned["activity"] = (cleaned["activity"] or "").strip()
    cleaned["place"] = (cleaned["place"] or "").strip()
    return cleaned


def _check_programme_item(exchange: Exchange, values: dict) -> None:
    if values["day"] is None:
        raise ExchangeError(_l("Give the day."), field="day")
    if not exchange.start_date <= values["day"] <= exchange.end_date:
        raise ExchangeError(
            _l(
                "The day must be within the exchange, %(start)s to %(end)s.",
                start=format_date(exchange.start_date),
                end=format_date(exchange.end_date),
            ),
            field="day",
        )
    if values["start_time"] is None:
        raise ExchangeError(_l("Give the starting time."), field="start_time")
    if values["end_time"] is not None and values["end_time"] < values["start_time"]:
        raise ExchangeError(
            _l("The end cannot be before the start."),
            field="end_time",
        )
    if not values["activity"]:
        raise ExchangeError(_l("Say what happens."), field="activity")


def add_programme_item(exchange: Exchange, values: dict, by: User) -> ProgrammeItem:
    """Add an entry to the exchange's programme, on one of its days."""
    values = _clean_programme_values(values)
    _check_programme_item(exchange, values)
    item = ProgrammeItem(**values)
    exchange.programme.append(item)
    db.session.flush()
    return item


def update_programme_item(item: ProgrammeItem, exchange: Exchange, values: dict) -> ProgrammeItem:
    values = _clean_programme_values(values)
    _check_programme_item(exchange, values)
    for name, value in values.items():
        setattr(item, name, value)
    db.session.flush()
    return item


def delete_programme_item(item: ProgrammeItem, exchange: Exchange) -> None:
    exchange.programme.remove(item)
    db.session.delete(item)  # explicit, so the audit log sees the deletion
    db.session.flush()


# --- helpers for templates ------------------------------------------------------------------


def partner_names(exchange: Exchange) -> str:
    return ", ".join(partner.name for partner in exchange.partners)


def location(exchange: Exchange) -> str:
    return ", ".join(part for part in (exchange.venue, exchange.city) if part)


def kind_details(exchange: Exchange) -> list[tuple[str, str]]:
    """(label, value) pairs of the exchange's kind-specific details that are filled in."""
    labels = {
        "school_level": _l("School level"),
        "profession": _l("Profession"),
        "host_institution": _l("Host institution"),
        "topic": _l("Topic"),
        "ensemble": _l("Artistic group"),
        "performances": _l("Performances"),
        "discipline": _l("Discipline"),
        "event_name": _l("Event"),
        "fair_name": _l("Trade fair"),
        "stand": _l("Stand"),
        "exhibitor_trades": _l("Exhibitors' trades"),
    }
    details = []
    for name in KIND_FIELDS[exchange.kind]:
        value = getattr(exchange, name)
        if value:
            details.append((str(labels[name]), value.label if hasattr(value, "label") else value))
    return details
