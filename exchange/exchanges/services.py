"""The rules and the writes of exchanges and their programme.

Write services take the objects they act on, then their typed input (``ExchangeValues``,
``ProgrammeValues``), then ``by=`` the acting user; they raise ``ExchangeError`` naming the
field, flush, and leave the commit to the request or the command.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from exchange import clock
from exchange.auth.models import User
from exchange.db import lock_for_update
from exchange.errors import DomainError, Refusals
from exchange.exchanges import signals
from exchange.exchanges.kinds import KIND_DETAILS, KIND_FIELDS
from exchange.exchanges.models import (
    TRANSITIONS,
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    FundingSource,
    Profession,
    ProgrammeItem,
)
from exchange.extensions import db
from exchange.partners.models import Institution, PartnerCity, SchoolLevel

log = logging.getLogger(__name__)


class ExchangeError(DomainError):
    pass


#: currencies a budget may be kept in (the partner cities' and the grant programmes')
CURRENCIES = ("PLN", "EUR", "USD", "SEK", "UAH")


@dataclass
class ExchangeValues:
    """What the exchange form (or a caller) gives for an exchange; ``cleaned()`` normalises it."""

    title: str = ""
    kind: ExchangeKind | None = None
    direction: Direction | None = None
    start_date: date | None = None
    end_date: date | None = None
    venue: str = ""
    city: str = ""
    description: str = ""
    partners: list[PartnerCity] = field(default_factory=list)
    olsztyn_institution: Institution | None = None
    partner_institution: Institution | None = None
    capacity: int | None = None
    institution_quota: int | None = None
    registration_opens: date | None = None
    registration_closes: date | None = None
    min_age: int | None = None
    max_age: int | None = None
    minors_per_adult: int | None = None
    budget_planned: Decimal | None = None
    budget_actual: Decimal | None = None
    currency: str = "PLN"
    funding_source: FundingSource | None = None
    coordinator: User | None = None
    is_public: bool = False
    # the kind-specific details (see kinds.py): only those of the chosen kind are kept
    school_level: SchoolLevel | None = None
    profession: Profession | None = None
    host_institution: str = ""
    topic: str = ""
    ensemble: str = ""
    performances: str = ""
    discipline: str = ""
    event_name: str = ""
    fair_name: str = ""
    stand: str = ""
    exhibitor_trades: str = ""

    @classmethod
    def of(cls, exchange: Exchange) -> ExchangeValues:
        """The values an exchange has now."""
        return cls(**{name: getattr(exchange, name) for name in EXCHANGE_FIELDS})

    def cleaned(self) -> ExchangeValues:
        """Text stripped, choices as enums, and the details of the other kinds cleared (they
        do not apply: they are cleared, not kept hidden)."""
        values = dataclasses.replace(self)
        for name in _TEXT_FIELDS:
            setattr(values, name, (getattr(values, name) or "").strip())
        values.partners = list(dict.fromkeys(values.partners or ()))
        values.currency = (values.currency or "PLN").strip().upper()
        values.is_public = bool(values.is_public)
        if values.kind is not None:
            values.kind = ExchangeKind(values.kind)
        if values.direction is not None:
            values.direction = Direction(values.direction)
        values.funding_source = (
            FundingSource(values.funding_source) if values.funding_source else None
        )
        for detail in KIND_DETAILS:
            value = getattr(values, detail.name)
            if detail.choices is not None:
                setattr(values, detail.name, detail.choices(value) if value else None)
            if values.kind is not None and detail.kind is not values.kind:
                setattr(values, detail.name, detail.blank)
        return values


def _fields_of(values: ExchangeValues | ProgrammeValues) -> dict[str, object]:
    """The values by name (not ``dataclasses.asdict``, which would deep-copy the models)."""
    return {f.name: getattr(values, f.name) for f in dataclasses.fields(values)}


EXCHANGE_FIELDS = tuple(f.name for f in dataclasses.fields(ExchangeValues))
_TEXT_FIELDS = (
    "title",
    "venue",
    "city",
    "description",
    *(detail.name for detail in KIND_DETAILS if detail.choices is None),
)


# --- the rules ------------------------------------------------------------------------------


class ExchangeErrors(Refusals, ExchangeError):
    """Every rule an exchange's values break, each naming its field."""


def _not_negative(value: int | Decimal | None, name: str, message) -> Iterator[ExchangeError]:
    if value is not None and value < 0:
        yield ExchangeError(message, field=name)


def check_exchange(values: ExchangeValues, exchange: Exchange | None = None) -> None:
    """Raise ``ExchangeErrors`` with every rule ``values`` break (one per field, each naming
    it), so the form shows them all after one submit; the values are ``cleaned()`` ones. With
    ``exchange``, its programme must fit the new dates."""
    found: dict[str | None, ExchangeError] = {}
    for error in exchange_problems(values, exchange):
        found.setdefault(error.field, error)  # a field's first problem is the one to fix
    if found:
        raise ExchangeErrors(found.values())


def exchange_problems(
    values: ExchangeValues, exchange: Exchange | None = None
) -> Iterator[ExchangeError]:
    """Each rule ``values`` break, in the order of the form."""
    yield from _check_basics(values)
    yield from _check_places(values)
    if values.start_date is not None:
        yield from _check_registration(values, values.start_date)
    yield from _check_ages(values)
    yield from _check_budget(values)
    for name in KIND_FIELDS[values.kind] if values.kind is not None else ():
        if not getattr(values, name):
            yield ExchangeError(DETAILS_MISSING[name], field=name)
    yield from _check_people(values)
    if exchange is not None:
        yield from _check_programme_fits(exchange, values.start_date, values.end_date)


DETAILS_MISSING = {detail.name: detail.missing for detail in KIND_DETAILS}


def _check_basics(values: ExchangeValues) -> Iterator[ExchangeError]:
    if not values.title:
        yield ExchangeError(_l("Give the exchange a title."), field="title")
    if values.kind is None:
        yield ExchangeError(_l("Choose the kind of exchange."), field="kind")
    if values.direction is None:
        yield ExchangeError(_l("Choose the direction."), field="direction")
    start, end = values.start_date, values.end_date
    if start is None:
        yield ExchangeError(_l("Give the first day."), field="start_date")
    if end is None:
        yield ExchangeError(_l("Give the last day."), field="end_date")
    if start is not None and end is not None and end < start:
        yield ExchangeError(_l("The last day cannot be before the first day."), field="end_date")
    if not values.partners:
        yield ExchangeError(_l("Choose at least one partner city."), field="partners")


def _check_places(values: ExchangeValues) -> Iterator[ExchangeError]:
    yield from _not_negative(
        values.capacity, "capacity", _l("The number of places cannot be negative.")
    )
    quota = values.institution_quota
    if quota is not None and quota < 1:
        yield ExchangeError(
            _l("A quota per institution must be at least 1 (leave it empty for no quota)."),
            field="institution_quota",
        )
    if quota is not None and values.capacity is not None and quota > values.capacity >= 0:
        yield ExchangeError(
            _l("The quota per institution cannot be larger than the number of places."),
            field="institution_quota",
        )


def _check_registration(values: ExchangeValues, start: date) -> Iterator[ExchangeError]:
    opens, closes = values.registration_opens, values.registration_closes
    if opens is not None and opens > start:
        yield ExchangeError(
            _l("Registration must open before the exchange starts."), field="registration_opens"
        )
    if closes is not None and opens is not None and closes < opens:
        yield ExchangeError(
            _l("Registration cannot close before it opens."), field="registration_closes"
        )
    if closes is not None and closes > start:
        yield ExchangeError(
            _l("Registration must close by the first day of the exchange."),
            field="registration_closes",
        )


def _check_ages(values: ExchangeValues) -> Iterator[ExchangeError]:
    yield from _not_negative(values.min_age, "min_age", _l("An age cannot be negative."))
    yield from _not_negative(values.max_age, "max_age", _l("An age cannot be negative."))
    if (
        values.min_age is not None
        and values.max_age is not None
        and values.max_age < values.min_age
    ):
        yield ExchangeError(_l("The maximum age cannot be below the minimum age."), field="max_age")
    ratio = values.minors_per_adult
    if ratio is not None and ratio < 1:
        yield ExchangeError(
            _l("Give at least 1 minor per accompanying adult (or leave it empty)."),
            field="minors_per_adult",
        )


def _check_budget(values: ExchangeValues) -> Iterator[ExchangeError]:
    yield from _not_negative(
        values.budget_planned, "budget_planned", _l("A budget cannot be negative.")
    )
    yield from _not_negative(
        values.budget_actual, "budget_actual", _l("A budget cannot be negative.")
    )
    if values.currency not in CURRENCIES:
        yield ExchangeError(_l("Choose a currency from the list."), field="currency")


def _check_people(values: ExchangeValues) -> Iterator[ExchangeError]:
    olsztyn = values.olsztyn_institution
    if olsztyn is not None and olsztyn.partner_city_id is not None:
        yield ExchangeError(_l("Choose an institution in Olsztyn."), field="olsztyn_institution_id")
    abroad = values.partner_institution
    partner_ids = {partner.id for partner in values.partners}
    if abroad is not None and abroad.partner_city_id not in partner_ids:
        yield ExchangeError(
            _l("Choose an institution in one of the exchange's partner cities."),
            field="partner_institution_id",
        )
    coordinator = values.coordinator
    if coordinator is not None and not coordinator.is_staff:
        yield ExchangeError(
            _l("The coordinator must be a coordinator or an administrator."),
            field="coordinator_id",
        )


def _check_programme_fits(
    exchange: Exchange, start: date | None, end: date | None
) -> Iterator[ExchangeError]:
    days = [item.day for item in exchange.programme]
    if days and start is not None and min(days) < start:
        yield ExchangeError(
            _l(
                "The programme has items on %(day)s, before this first day: move or delete "
                "them first.",
                day=format_date(min(days)),
            ),
            field="start_date",
        )
    if days and end is not None and max(days) > end:
        yield ExchangeError(
            _l(
                "The programme has items on %(day)s, after this last day: move or delete "
                "them first.",
                day=format_date(max(days)),
            ),
            field="end_date",
        )


# --- create and update ----------------------------------------------------------------------


def create_exchange(values: ExchangeValues, *, by: User) -> Exchange:
    """Create a draft exchange. The coordinator is ``by`` unless the values name another."""
    values = values.cleaned()
    check_exchange(values)
    if values.coordinator is None and by.is_staff:
        values.coordinator = by
    exchange = Exchange(status=ExchangeStatus.DRAFT, **_fields_of(values))
    db.session.add(exchange)
    db.session.flush()
    log.info("exchange %s created by user %s", exchange.id, by.id)
    return exchange


#: the fields whose change the registered schools are told about
ANNOUNCED_FIELDS = ("start_date", "end_date", "venue", "city")


def update_exchange(exchange: Exchange, values: ExchangeValues, *, by: User) -> Exchange:
    """Save new values; the programme must still fit in the dates. The status is not changed.

    When the capacity or the quota grows, ``signals.places_added`` lets those waiting move up;
    a change of dates, venue or city is announced (``signals.exchange_changed``).
    """
    values = values.cleaned()
    check_exchange(values, exchange)
    changes = [
        (name, _as_text(getattr(exchange, name)), _as_text(getattr(values, name)))
        for name in ANNOUNCED_FIELDS
        if getattr(exchange, name) != getattr(values, name)
    ]
    more_places = _adds_places(exchange, values)
    if more_places:
        # the waiting list moves up: decide it alone, like a registration
        lock_for_update(db.session, exchange)
    if set(exchange.partners) != set(values.partners):
        # the row itself may not change: the calendar feeds, which name the partners, follow
        # the exchange's last change
        exchange.updated_at = clock.now()
    for name in EXCHANGE_FIELDS:
        setattr(exchange, name, getattr(values, name))
    db.session.flush()
    if more_places:
        signals.places_added.send(exchange, by=by)
    if changes:
        signals.exchange_changed.send(exchange, changes=changes, by=by)
    log.info("exchange %s updated by user %s", exchange.id, by.id)
    return exchange


def _as_text(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _adds_places(exchange: Exchange, values: ExchangeValues) -> bool:
    """True when the new capacity or per-institution quota is larger (or gone)."""

    def grows(old: int | None, new: int | None) -> bool:
        return old is not None and (new is None or new > old)

    return grows(exchange.capacity, values.capacity) or grows(
        exchange.institution_quota, values.institution_quota
    )


# --- workflow -------------------------------------------------------------------------------

ACTIONS = tuple(TRANSITIONS)


def transition(
    exchange: Exchange,
    action: str,
    *,
    by: User,
    reason: str | None = None,
    now: datetime | None = None,
) -> Exchange:
    """Move the exchange through its workflow with the model's method for ``action``.

    The model refuses what its status does not allow (``InvalidTransition``); cancelling needs a
    reason, and ``signals.exchange_cancelled`` lets the registrations follow.
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
    if action in ("open_registration", "reopen_registration"):
        signals.registration_opened.send(exchange, by=by)
    log.info("exchange %s: %s by user %s", exchange.id, action, by.id)
    return exchange


# --- programme ------------------------------------------------------------------------------


@dataclass
class ProgrammeValues:
    """One entry of the programme, as the form gives it."""

    day: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    activity: str = ""
    place: str = ""

    def cleaned(self) -> ProgrammeValues:
        return dataclasses.replace(
            self, activity=(self.activity or "").strip(), place=(self.place or "").strip()
        )


def check_programme_item(exchange: Exchange, values: ProgrammeValues) -> None:
    """Raise ``ExchangeErrors`` with every rule the entry breaks."""
    problems = list(_programme_item_problems(exchange, values.cleaned()))
    if problems:
        raise ExchangeErrors(problems)


def _programme_item_problems(
    exchange: Exchange, values: ProgrammeValues
) -> Iterator[ExchangeError]:
    if values.day is None:
        yield ExchangeError(_l("Give the day."), field="day")
    elif not exchange.start_date <= values.day <= exchange.end_date:
        yield ExchangeError(
            _l(
                "The day must be within the exchange, %(start)s to %(end)s.",
                start=format_date(exchange.start_date),
                end=format_date(exchange.end_date),
            ),
            field="day",
        )
    if values.start_time is None:
        yield ExchangeError(_l("Give the starting time."), field="start_time")
    elif values.end_time is not None and values.end_time < values.start_time:
        yield ExchangeError(_l("The end cannot be before the start."), field="end_time")
    if not values.activity:
        yield ExchangeError(_l("Say what happens."), field="activity")


def add_programme_item(exchange: Exchange, values: ProgrammeValues, *, by: User) -> ProgrammeItem:
    """Add an entry to the exchange's programme, on one of its days."""
    values = values.cleaned()
    check_programme_item(exchange, values)
    item = ProgrammeItem(**_fields_of(values))
    exchange.programme.append(item)
    db.session.flush()
    log.info("programme item %s added to exchange %s by user %s", item.id, exchange.id, by.id)
    signals.exchange_changed.send(exchange, changes=[("programme", "", "")], by=by)
    return item


def update_programme_item(
    exchange: Exchange, item: ProgrammeItem, values: ProgrammeValues, *, by: User
) -> ProgrammeItem:
    values = values.cleaned()
    check_programme_item(exchange, values)
    for name, value in _fields_of(values).items():
        setattr(item, name, value)
    db.session.flush()
    log.info("programme item %s updated by user %s", item.id, by.id)
    signals.exchange_changed.send(exchange, changes=[("programme", "", "")], by=by)
    return item


def delete_programme_item(exchange: Exchange, item: ProgrammeItem, *, by: User) -> None:
    exchange.programme.remove(item)
    db.session.delete(item)  # explicit, so the audit log sees the deletion
    db.session.flush()
    log.info("programme item %s deleted by user %s", item.id, by.id)
    signals.exchange_changed.send(exchange, changes=[("programme", "", "")], by=by)
