"""Reads for the travel and rooming pages and their exports."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from exchange import clock
from exchange.auth.models import Viewer
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import HOLDING_PLACE, Participant, Registration
from exchange.travel.access import shown_number, travellers_visible_to
from exchange.travel.documents import (
    DocumentWarning,
    document_warnings,
    is_cross_border,
    is_outside_schengen,
    valid_until_needed,
)
from exchange.travel.models import (
    IdentityDocument,
    LegTraveller,
    Room,
    TravelLeg,
    TravellingGuardian,
)
from exchange.travel.rooming import RoomingProblem, RoomPlan, rooming_problems
from exchange.travel.rooms import guardians_of, sleeper


@dataclass
class Traveller:
    registration: Registration
    document: IdentityDocument | None
    #: the number as the viewer may see it ("" without a document)
    number: str
    warnings: list[DocumentWarning]
    leg_ids: set[int] = field(default_factory=set)

    @property
    def participant(self) -> Participant:
        return self.registration.participant


@dataclass
class TravelOverview:
    exchange: Exchange
    cross_border: bool
    outside_schengen: bool
    #: the last day a document must be valid on
    valid_until: object
    legs: list[TravelLeg]
    #: leg id → the travellers on it the viewer may see
    on_leg: dict[int, list[Traveller]]
    travellers: list[Traveller]

    @property
    def warning_count(self) -> int:
        return sum(1 for traveller in self.travellers if traveller.warnings)


def _countries(exchange: Exchange) -> list[str]:
    return [partner.country for partner in exchange.partners]


def place_holders(
    exchange: Exchange, visible: sa.ColumnElement[bool] | None = None
) -> list[Registration]:
    """The exchange's registrations that hold a place: who may travel and sleep (those of
    them that meet ``visible``, when given)."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.participant)
            .options(
                sa.orm.contains_eager(Registration.participant).joinedload(Participant.institution)
            )
            .where(
                Registration.exchange_id == exchange.id,
                Registration.status.in_(HOLDING_PLACE),
                sa.true() if visible is None else visible,
            )
            .order_by(Participant.last_name, Participant.first_name, Participant.id)
        )
    )


def legs_of(exchange: Exchange) -> list[TravelLeg]:
    return list(
        db.session.scalars(
            sa.select(TravelLeg)
            .where(TravelLeg.exchange_id == exchange.id)
            .order_by(TravelLeg.departure_date, TravelLeg.departure_time, TravelLeg.id)
        )
    )


def travel_overview(exchange: Exchange, viewer: Viewer) -> TravelOverview:
    """The exchange's legs, and the travellers ``viewer`` may see (everyone with a place, for
    city hall; a school's own people, for a school) with their documents' warnings."""
    countries = _countries(exchange)
    cross_border = is_cross_border(countries)
    outside = is_outside_schengen(countries)
    registrations = place_holders(exchange, travellers_visible_to(viewer))
    documents = {
        document.participant_id: document
        for document in db.session.scalars(
            sa.select(IdentityDocument)
            .options(joinedload(IdentityDocument.participant))
            .where(IdentityDocument.participant_id.in_([r.participant_id for r in registrations]))
        )
    }
    today = clock.today()
    travellers = []
    for registration in registrations:
        document = documents.get(registration.participant_id)
        warnings = (
            document_warnings(
                document.expires_on if document else None,
                return_date=exchange.end_date,
                outside_schengen=outside,
                today=today,
            )
            if cross_border
            else []
        )
        number = shown_number(document, viewer) if document else ""
        travellers.append(Traveller(registration, document, number, warnings))
    by_registration = {traveller.registration.id: traveller for traveller in travellers}
    legs = legs_of(exchange)
    on_leg: dict[int, list[Traveller]] = {leg.id: [] for leg in legs}
    rows = db.session.execute(
        sa.select(LegTraveller.leg_id, LegTraveller.registration_id).where(
            LegTraveller.leg_id.in_(list(on_leg))
        )
    )
    for leg_id, registration_id in rows:
        if (traveller := by_registration.get(registration_id)) is not None:
            on_leg[leg_id].append(traveller)
            traveller.leg_ids.add(leg_id)
    for items in on_leg.values():
        items.sort(key=travellers.index)
    return TravelOverview(
        exchange=exchange,
        cross_border=cross_border,
        outside_schengen=outside,
        valid_until=valid_until_needed(exchange.end_date, outside_schengen=outside),
        legs=legs,
        on_leg=on_leg,
        travellers=travellers,
    )


def leg_traveller_ids(leg: TravelLeg) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(LegTraveller.registration_id).where(LegTraveller.leg_id == leg.id)
        )
    )


@dataclass
class RoomingOverview:
    exchange: Exchange
    rooms: list[Room]
    #: room id → its occupants' registrations
    occupants: dict[int, list[Registration]]
    #: who holds a place and has no bed yet
    without_bed: list[Registration]
    guardians: list[TravellingGuardian]
    problems: list[RoomingProblem]
    place_holders: list[Registration]


def rooming_overview(exchange: Exchange) -> RoomingOverview:
    """The exchange's rooms, who is in each, who has no bed, and the rules broken (a guardian
    link removed after the beds were given may leave a room against the rules)."""
    holders = place_holders(exchange)
    by_id = {registration.id: registration for registration in holders}
    rooms = list(
        db.session.scalars(
            sa.select(Room)
            .options(selectinload(Room.occupants))
            .where(Room.exchange_id == exchange.id)
            .order_by(Room.accommodation, Room.name)
        )
    )
    occupants: dict[int, list[Registration]] = {}
    placed: set[int] = set()
    for room in rooms:
        ids = [assignment.registration_id for assignment in room.occupants]
        occupants[room.id] = [by_id[item] for item in ids if item in by_id]
        placed.update(ids)
    guardian_ids = guardians_of(exchange)
    plans = [
        RoomPlan(
            room.id,
            room.title,
            room.beds,
            [sleeper(item, exchange, guardian_ids) for item in occupants[room.id]],
        )
        for room in rooms
    ]
    links = list(
        db.session.scalars(
            sa.select(TravellingGuardian)
            .options(joinedload(TravellingGuardian.minor), joinedload(TravellingGuardian.guardian))
            .where(TravellingGuardian.exchange_id == exchange.id)
            .order_by(TravellingGuardian.id)
        )
    )
    return RoomingOverview(
        exchange=exchange,
        rooms=rooms,
        occupants=occupants,
        without_bed=[item for item in holders if item.id not in placed],
        guardians=links,
        problems=rooming_problems(plans),
        place_holders=holders,
    )
