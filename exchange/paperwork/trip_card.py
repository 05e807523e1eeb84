"""What a sending school's trip card, participant list and notice say: read once from the
exchange, its programme, the roster (the school's people with a place), the travel legs and the
leader and chaperones the school chose. The numbers are the roster's, never counted again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from exchange.exchanges.models import Direction, Exchange
from exchange.extensions import db
from exchange.paperwork.models import TripChaperone, TripStaff
from exchange.partners.countries import country_name
from exchange.partners.models import Institution
from exchange.registrations.models import (
    HOLDING_PLACE,
    Participant,
    ParticipantRole,
    Registration,
)
from exchange.registrations.queries import InstitutionRoster, roster
from exchange.travel.models import LegTraveller, TravelLeg

HOME_COUNTRY = "PL"


def is_abroad(exchange: Exchange) -> bool:
    """An outgoing exchange to a partner city abroad: the superintendent is notified."""
    return exchange.direction is Direction.OUTGOING and any(
        partner.country != HOME_COUNTRY for partner in exchange.partners
    )


@dataclass(frozen=True)
class TimetableRow:
    day: date
    start: time | None
    end: time | None
    km: str
    place: str
    programme: str


@dataclass
class TripCard:
    exchange: Exchange
    institution: Institution
    #: the school's part of the roster: its counts are the card's numbers
    group: InstitutionRoster
    #: the school's pupils with a place, by name
    pupils: list[Participant]
    #: the school's adults with a place who are not pupils: whom it may choose as staff
    adults: list[Participant]
    staff: TripStaff | None
    legs: list[TravelLeg]

    @property
    def leader(self) -> Participant | None:
        if self.staff is None or self.staff.leader is None:
            return None
        return self.staff.leader

    @property
    def chaperones(self) -> list[Participant]:
        if self.staff is None:
            return []
        people = [item.participant for item in self.staff.chaperones]
        return sorted(people, key=lambda person: (person.last_name, person.first_name))

    @property
    def chaperone_count(self) -> int:
        """The leader and the chaperones: the adults responsible for the pupils."""
        return len(self.chaperones) + (1 if self.leader else 0)

    @property
    def countries(self) -> str:
        codes = dict.fromkeys(partner.country for partner in self.exchange.partners)
        return ", ".join(country_name(code) for code in codes)

    @property
    def destination(self) -> str:
        names = ", ".join(partner.name for partner in self.exchange.partners)
        return self.exchange.city or names

    @property
    def classes(self) -> str:
        found = sorted({pupil.school_class for pupil in self.pupils if pupil.school_class})
        return ", ".join(found)

    @property
    def transport(self) -> str:
        modes = dict.fromkeys(str(leg.mode.label) for leg in self.legs)
        return ", ".join(modes)

    @property
    def timetable(self) -> list[TimetableRow]:
        """The legs and the programme by time, in the language of the moment."""
        return _timetable(self.exchange, self.legs)

    @property
    def abroad(self) -> bool:
        return is_abroad(self.exchange)

    def age(self, person: Participant) -> int:
        return person.age_on(self.exchange.start_date)


def trip_staff(exchange: Exchange, institution: Institution) -> TripStaff | None:
    """The school's staff row with its leader and chaperones, in one statement."""
    return (
        db.session.scalars(
            sa.select(TripStaff)
            .options(
                joinedload(TripStaff.leader),
                joinedload(TripStaff.chaperones).joinedload(TripChaperone.participant),
            )
            .where(TripStaff.exchange_id == exchange.id, TripStaff.institution_id == institution.id)
        )
        .unique()
        .one_or_none()
    )


def _school_legs(exchange: Exchange, institution: Institution) -> list[TravelLeg]:
    """The legs the school's people with a place travel on, and those with nobody on them
    yet, in one statement."""
    anyone = sa.select(LegTraveller.id).where(LegTraveller.leg_id == TravelLeg.id).exists()
    school = (
        sa.select(LegTraveller.id)
        .join(Registration, Registration.id == LegTraveller.registration_id)
        .where(
            LegTraveller.leg_id == TravelLeg.id,
            Registration.institution_id == institution.id,
            Registration.status.in_(HOLDING_PLACE),
        )
        .exists()
    )
    return list(
        db.session.scalars(
            sa.select(TravelLeg)
            .where(TravelLeg.exchange_id == exchange.id, sa.or_(~anyone, school))
            .order_by(TravelLeg.departure_date, TravelLeg.departure_time, TravelLeg.id)
        )
    )


def _timetable(exchange: Exchange, legs: list[TravelLeg]) -> list[TimetableRow]:
    rows = []
    for leg in legs:
        by = " ".join(filter(None, (str(leg.mode.label), leg.carrier, leg.number)))
        rows.append(
            TimetableRow(
                leg.departure_date, leg.departure_time, None, "", leg.departure_place,
                _("Departure (%(by)s) to %(place)s", by=by, place=leg.arrival_place),
            )
        )  # fmt: skip
        rows.append(
            TimetableRow(
                leg.arrival_date, leg.arrival_time, None, "", leg.arrival_place,
                _("Arrival from %(place)s", place=leg.departure_place),
            )
        )  # fmt: skip
    for item in exchange.programme:
        rows.append(
            TimetableRow(item.day, item.start_time, item.end_time, "", item.place, item.activity)
        )
    return sorted(rows, key=lambda row: (row.day, row.start or time(0)))


def trip_card(exchange: Exchange, institution: Institution) -> TripCard:
    """Everything the school's papers for ``exchange`` say (``exchange`` loaded with its
    partners and programme, as ``get_exchange_or_404`` does)."""
    everyone = roster(exchange)
    group = next(
        (item for item in everyone.institutions if item.institution.id == institution.id),
        InstitutionRoster(institution),
    )
    holding = [item for item in group.registrations if item.status in HOLDING_PLACE]
    pupils = [
        item.participant for item in holding if item.participant.role is ParticipantRole.PUPIL
    ]
    adults = [
        item.participant
        for item in holding
        if item.participant.role is not ParticipantRole.PUPIL
        and not item.participant.is_minor_on(exchange.start_date)
    ]
    legs = _school_legs(exchange, institution)
    return TripCard(
        exchange=exchange,
        institution=institution,
        group=group,
        pupils=pupils,
        adults=adults,
        staff=trip_staff(exchange, institution),
        legs=legs,
    )


def sending_schools(exchange: Exchange) -> list[tuple[Institution, int]]:
    """The Olsztyn institutions with people holding a place in the exchange, and how many."""
    rows = db.session.execute(
        sa.select(Institution, sa.func.count(Registration.id))
        .join(Registration, Registration.institution_id == Institution.id)
        .where(
            Registration.exchange_id == exchange.id,
            Registration.status.in_(HOLDING_PLACE),
            Institution.partner_city_id.is_(None),
        )
        .group_by(Institution.id)
        .order_by(Institution.name)
    ).all()
    return [(institution, count) for institution, count in rows]


def school_holds_place(institution_id: int) -> sa.Exists:
    """EXISTS, correlated to ``Exchange`` in the enclosing query: someone of the institution
    holds a place on that exchange."""
    return (
        sa.select(Registration.id)
        .where(
            Registration.exchange_id == Exchange.id,
            Registration.institution_id == institution_id,
            Registration.status.in_(HOLDING_PLACE),
        )
        .exists()
    )
