"""Children's data in travel: what an access export shows, what anonymisation removes.

An identity document is the most sensitive thing travel holds: anonymising or erasing a
person deletes the whole row, number and all. Who sat on which leg and slept in which room
names nobody once the person is anonymous, and stays (the counts of an exchange do not change);
so does an invitation letter, drawn from the person's current data each time it is printed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import Participant, Registration
from exchange.travel.models import (
    IdentityDocument,
    InvitationLetter,
    LegTraveller,
    LetterGuest,
    Room,
    RoomAssignment,
    TravelLeg,
    TravellingGuardian,
)


def travel_data(participant: Participant) -> dict[str, Any]:
    """Everything travel holds about the person (their access request)."""
    document = db.session.scalar(
        sa.select(IdentityDocument).where(IdentityDocument.participant_id == participant.id)
    )
    # one statement for seats and beds (an access export has a budget of statements too):
    # a row per leg of each registration, with the registration's room, if any
    rows = db.session.execute(
        sa.select(Exchange.title, TravelLeg, Room)
        .select_from(Registration)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .outerjoin(LegTraveller, LegTraveller.registration_id == Registration.id)
        .outerjoin(TravelLeg, TravelLeg.id == LegTraveller.leg_id)
        .outerjoin(RoomAssignment, RoomAssignment.registration_id == Registration.id)
        .outerjoin(Room, Room.id == RoomAssignment.room_id)
        .where(Registration.participant_id == participant.id)
        .order_by(Registration.id, TravelLeg.departure_date, TravelLeg.id)
    ).all()
    legs: dict[int, tuple[str, TravelLeg]] = {}
    rooms: dict[int, tuple[str, Room]] = {}
    for title, leg, room in rows:
        if leg is not None:
            legs.setdefault(leg.id, (title, leg))
        if room is not None:
            rooms.setdefault(room.id, (title, room))
    links = db.session.scalars(
        sa.select(TravellingGuardian)
        .options(joinedload(TravellingGuardian.minor), joinedload(TravellingGuardian.guardian))
        .where(
            sa.or_(
                TravellingGuardian.minor_id == participant.id,
                TravellingGuardian.guardian_id == participant.id,
            )
        )
        .order_by(TravellingGuardian.id)
    ).all()
    letters = db.session.execute(
        sa.select(InvitationLetter.reference, InvitationLetter.issued_on, Exchange.title)
        .join(LetterGuest, LetterGuest.letter_id == InvitationLetter.id)
        .join(Exchange, Exchange.id == InvitationLetter.exchange_id)
        .where(LetterGuest.participant_id == participant.id)
        .order_by(InvitationLetter.issued_on, InvitationLetter.id)
    ).all()
    return {
        "identity_document": {
            "kind": document.kind.value,
            "number": document.number,
            "issuing_country": document.issuing_country,
            "expires_on": document.expires_on.isoformat(),
        }
        if document
        else None,
        "travel_legs": [
            {
                "exchange": title,
                "direction": leg.direction.value,
                "mode": leg.mode.value,
                "carrier": leg.carrier,
                "number": leg.number,
                "from": leg.departure_place,
                "departure": f"{leg.departure_date.isoformat()} {leg.departure_time:%H:%M}",
                "to": leg.arrival_place,
                "arrival": f"{leg.arrival_date.isoformat()} {leg.arrival_time:%H:%M}",
            }
            for title, leg in legs.values()
        ],
        "rooms": [
            {"exchange": title, "accommodation": room.accommodation, "room": room.name}
            for title, room in rooms.values()
        ],
        "travelling_guardians": [
            {
                "minor": link.minor.full_name,
                "guardian": link.guardian.full_name,
            }
            for link in links
        ],
        "invitation_letters": [
            {"reference": reference, "issued_on": issued_on.isoformat(), "exchange": title}
            for reference, issued_on, title in letters
        ],
    }


def erase_travel_data(participant_ids: list[int]) -> None:
    """Delete the identity documents and guardian links of these people."""
    if not participant_ids:
        return
    for document in db.session.scalars(
        sa.select(IdentityDocument).where(IdentityDocument.participant_id.in_(participant_ids))
    ):
        db.session.delete(document)
    for link in db.session.scalars(
        sa.select(TravellingGuardian).where(
            sa.or_(
                TravellingGuardian.minor_id.in_(participant_ids),
                TravellingGuardian.guardian_id.in_(participant_ids),
            )
        )
    ):
        db.session.delete(link)
    db.session.flush()
