"""The figures of the dashboards. Each dashboard sends the same statements whatever the data
(``tests/test_query_budget.py`` counts them): five for city hall, seven for a school."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from exchange import clock
from exchange.auth.models import User
from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.extensions import db
from exchange.notifications.services import count_failed
from exchange.paperwork.insurance import InsuranceGap, insurance_gaps
from exchange.paperwork.notice import NoticeDue, notices_due
from exchange.partners.models import teaches
from exchange.registrations.glance import Places, places_for
from exchange.registrations.models import (
    ACTIVE,
    ADULT_AGE,
    HOLDING_PLACE,
    ConsentRecord,
    Participant,
    Registration,
    RegistrationStatus,
    age_on,
)
from exchange.registrations.queries import waiting_positions
from exchange.registrations.services import CHAPERONE_ROLES

#: how far ahead city hall's dashboard looks for exchanges that start
UPCOMING_DAYS = 30
_LIVE = (
    ExchangeStatus.PLANNED,
    ExchangeStatus.REGISTRATION_OPEN,
    ExchangeStatus.REGISTRATION_CLOSED,
)


def _valid_consent() -> sa.Exists:
    return (
        sa.select(ConsentRecord.id)
        .where(
            ConsentRecord.participant_id == Participant.id,
            ConsentRecord.withdrawn_at.is_(None),
        )
        .exists()
    )


# --- city hall ------------------------------------------------------------------------------


@dataclass
class Upcoming:
    exchange: Exchange
    places: Places
    missing_consents: int = 0
    #: institutions that still need accompanying adults
    ratio_warnings: int = 0


@dataclass
class Unmarked:
    exchange: Exchange
    #: places whose attendance is not marked
    count: int


@dataclass
class StaffDashboard:
    upcoming: list[Upcoming]
    closing: list[Exchange]
    unmarked: list[Unmarked]
    failed_emails: int


def staff_dashboard(today: date | None = None) -> StaffDashboard:
    today = today or clock.today()
    exchanges = db.session.scalars(
        sa.select(Exchange)
        .where(
            Exchange.status.in_(_LIVE),
            Exchange.start_date >= today,
            Exchange.start_date <= today + timedelta(days=UPCOMING_DAYS),
        )
        .order_by(Exchange.start_date, Exchange.id)
    ).all()
    places = places_for(exchanges)
    upcoming = {item.id: Upcoming(item, places[item.id]) for item in exchanges}
    _count_consents_and_ratios(upcoming)
    closing = db.session.scalars(
        sa.select(Exchange)
        .where(
            Exchange.status == ExchangeStatus.REGISTRATION_OPEN,
            Exchange.registration_closes >= today,
            Exchange.registration_closes <= today + timedelta(days=6),
        )
        .order_by(Exchange.registration_closes, Exchange.id)
    ).all()
    # the confirmed places first (a few thousand, whatever the years behind: once an exchange
    # is over they become attended or no-show), then their exchanges
    confirmed = (
        sa.select(Registration.exchange_id, sa.func.count().label("unmarked"))
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.exchange_id)
        .subquery()
    )
    unmarked = [
        Unmarked(exchange, count)
        for exchange, count in db.session.execute(
            sa.select(Exchange, confirmed.c.unmarked)
            .join(confirmed, confirmed.c.exchange_id == Exchange.id)
            .where(
                Exchange.end_date < today,
                Exchange.status.in_((*_LIVE, ExchangeStatus.COMPLETED)),
            )
            .order_by(Exchange.end_date.desc(), Exchange.id)
            .limit(20)
        ).all()
    ]
    return StaffDashboard(list(upcoming.values()), list(closing), unmarked, count_failed())


def _count_consents_and_ratios(upcoming: dict[int, Upcoming]) -> None:
    """Minors without a valid consent, and institutions short of adults, in one query."""
    rows = db.session.execute(
        sa.select(
            Registration.exchange_id,
            Registration.institution_id,
            Participant.date_of_birth,
            _valid_consent(),
        )
        .join(Registration.participant)
        .where(
            Registration.exchange_id.in_(list(upcoming)),
            Registration.status.in_(HOLDING_PLACE),
        )
    ).all()
    minors: dict[tuple[int, int], int] = defaultdict(int)
    adults: dict[tuple[int, int], int] = defaultdict(int)
    for exchange_id, institution_id, born, consented in rows:
        item = upcoming[exchange_id]
        if age_on(born, item.exchange.start_date) < ADULT_AGE:
            minors[(exchange_id, institution_id)] += 1
            if not consented:
                item.missing_consents += 1
        else:
            adults[(exchange_id, institution_id)] += 1
    for (exchange_id, institution_id), count in minors.items():
        ratio = upcoming[exchange_id].exchange.minors_per_adult
        if ratio and adults[(exchange_id, institution_id)] < -(-count // ratio):
            upcoming[exchange_id].ratio_warnings += 1


# --- a school -------------------------------------------------------------------------------


@dataclass
class MissingConsent:
    participant: Participant
    exchange: Exchange
    #: registration closes then (or the exchange starts, if earlier or without a closing day)
    needed_by: date


@dataclass
class SchoolDashboard:
    confirmed: list[Registration] = field(default_factory=list)
    waiting: list[tuple[Registration, int]] = field(default_factory=list)
    missing_consents: list[MissingConsent] = field(default_factory=list)
    open_exchanges: list[tuple[Exchange, Places]] = field(default_factory=list)
    #: trips abroad starting soon whose notice to the superintendent is not produced yet
    notices_due: list[NoticeDue] = field(default_factory=list)
    #: trips abroad of the school without a KL or NNW policy
    insurance_gaps: list[InsuranceGap] = field(default_factory=list)


def school_dashboard(user: User, today: date | None = None) -> SchoolDashboard:
    today = today or clock.today()
    mine = Registration.participant.has(Participant.institution_id == user.institution_id)
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.exchange)
        .join(Registration.participant)
        .options(
            sa.orm.contains_eager(Registration.exchange),
            sa.orm.contains_eager(Registration.participant),
        )
        .where(
            mine,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
            Exchange.end_date >= today,
        )
        .order_by(Exchange.start_date, Participant.last_name, Participant.first_name)
    ).all()
    positions = waiting_positions(registrations)
    board = SchoolDashboard()
    for registration in registrations:
        if registration.status is RegistrationStatus.WAITLISTED:
            board.waiting.append((registration, positions.get(registration.id, 0)))
        else:
            board.confirmed.append(registration)
    board.missing_consents = _school_missing_consents(user, today)
    exchanges = _open_for_school(user, today)
    places = places_for(exchanges, user)
    board.open_exchanges = [(item, places[item.id]) for item in exchanges]
    board.notices_due = notices_due(user.institution_id, today)
    board.insurance_gaps = insurance_gaps(user.institution_id, today)
    return board


#: how many exchanges open for registration a school's dashboard lists
OPEN_SHOWN = 20


def _open_for_school(user: User, today: date) -> list[Exchange]:
    """The exchanges open for registration today that are for the user's school (two
    queries): of a level it teaches, or without a level; and, for those with an age range,
    of an age one of its pupils on record will have on the first day. A school with no
    pupils on record yet sees every age: it may be about to add them."""
    exchanges = db.session.scalars(
        sa.select(Exchange)
        .where(
            Exchange.status == ExchangeStatus.REGISTRATION_OPEN,
            sa.or_(Exchange.registration_opens.is_(None), Exchange.registration_opens <= today),
            sa.or_(Exchange.registration_closes.is_(None), Exchange.registration_closes >= today),
            sa.or_(
                Exchange.school_level.is_(None),
                teaches(user.institution_id, Exchange.school_level),
            ),
        )
        .order_by(Exchange.registration_closes, Exchange.start_date, Exchange.id)
    ).all()
    born = db.session.scalars(
        sa.select(Participant.date_of_birth)
        .where(
            Participant.institution_id == user.institution_id,
            Participant.role.not_in(CHAPERONE_ROLES),
            Participant.anonymised_at.is_(None),
        )
        .distinct()
    ).all()
    return [item for item in exchanges if _fits_an_age(item, born)][:OPEN_SHOWN]


def _fits_an_age(exchange: Exchange, born: Sequence[date]) -> bool:
    if not born or (exchange.min_age is None and exchange.max_age is None):
        return True
    low = exchange.min_age if exchange.min_age is not None else 0
    high = exchange.max_age if exchange.max_age is not None else 200
    return any(low <= age_on(day, exchange.start_date) <= high for day in born)


def _school_missing_consents(user: User, today: date) -> list[MissingConsent]:
    rows = db.session.execute(
        sa.select(Participant, Exchange)
        .join(Registration, Registration.participant_id == Participant.id)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(
            Participant.institution_id == user.institution_id,
            Registration.status.in_(ACTIVE),
            Exchange.start_date >= today,
            ~_valid_consent(),
        )
        .order_by(Exchange.start_date, Participant.last_name, Participant.first_name)
    ).all()
    found = []
    for participant, exchange in rows:
        if not participant.is_minor_on(exchange.start_date):
            continue
        needed_by = exchange.start_date
        closes = exchange.registration_closes
        if closes is not None and today <= closes < needed_by:
            needed_by = closes
        found.append(MissingConsent(participant, exchange, needed_by))
    return found
