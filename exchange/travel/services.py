"""Travel legs and their travellers, identity documents; rooms are in ``rooms.py``.

Every service takes the acting user (``by``), refuses what the rules do not allow with a
``DomainError`` naming the field, and flushes; the request commits.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from exchange.auth.models import User
from exchange.errors import DomainError
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import Participant
from exchange.travel.models import (
    DocumentKind,
    IdentityDocument,
    LegDirection,
    LegTraveller,
    TravelLeg,
    TravelMode,
)
from exchange.travel.queries import place_holders

# --- legs -----------------------------------------------------------------------------------


@dataclass
class LegValues:
    direction: LegDirection
    mode: TravelMode
    carrier: str
    number: str
    departure_place: str
    departure_date: date
    departure_time: time
    arrival_place: str
    arrival_date: date
    arrival_time: time


LEG_FIELDS = tuple(LegValues.__dataclass_fields__)


def _check_leg(values: LegValues) -> None:
    departs = datetime.combine(values.departure_date, values.departure_time)
    arrives = datetime.combine(values.arrival_date, values.arrival_time)
    # local times: a flight west may land "before" it took off, but never on an earlier day
    if values.arrival_date < values.departure_date:
        raise DomainError(_l("The arrival cannot be before the departure."), "arrival_date")
    if values.mode is not TravelMode.PLANE and arrives <= departs:
        raise DomainError(_l("The arrival must be after the departure."), "arrival_time")


def create_leg(exchange: Exchange, values: LegValues, *, by: User) -> TravelLeg:
    """Add a leg to the exchange's journey."""
    _check_leg(values)
    leg = TravelLeg(exchange_id=exchange.id, **asdict(values))
    db.session.add(leg)
    db.session.flush()
    return leg


def update_leg(leg: TravelLeg, values: LegValues, *, by: User) -> TravelLeg:
    _check_leg(values)
    for name, value in asdict(values).items():
        setattr(leg, name, value)
    db.session.flush()
    return leg


def delete_leg(leg: TravelLeg, *, by: User) -> None:
    """Remove the leg and the list of who travels on it."""
    db.session.delete(leg)
    db.session.flush()


def set_travellers(leg: TravelLeg, registration_ids: list[int], *, by: User) -> list[int]:
    """Make these registrations (of the leg's exchange, holding a place) the leg's travellers;
    returns the ids now on the leg."""
    allowed = {registration.id for registration in place_holders(leg.exchange)}
    wanted = set(registration_ids)
    if wanted - allowed:
        raise DomainError(
            _l("Only participants with a place in this exchange can travel."), "travellers"
        )
    current = {
        row.registration_id: row
        for row in db.session.scalars(sa.select(LegTraveller).where(LegTraveller.leg_id == leg.id))
    }
    for registration_id, row in current.items():
        if registration_id not in wanted:
            db.session.delete(row)
    for registration_id in sorted(wanted - set(current)):
        db.session.add(LegTraveller(leg_id=leg.id, registration_id=registration_id))
    db.session.flush()
    return sorted(wanted)


# --- identity documents ---------------------------------------------------------------------


@dataclass
class DocumentValues:
    kind: DocumentKind
    number: str
    issuing_country: str
    expires_on: date


DOCUMENT_FIELDS = tuple(DocumentValues.__dataclass_fields__)
_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]{5,20}")


def normalise_number(number: str) -> str:
    """The number as printed, without the spaces and dashes people type into it."""
    return re.sub(r"[\s-]", "", number).upper()


def save_document(
    participant: Participant, values: DocumentValues, *, by: User
) -> IdentityDocument:
    """Record (or replace) the identity document the person travels with."""
    number = normalise_number(values.number)
    if not _DOCUMENT_NUMBER.fullmatch(number):
        raise DomainError(_l("A document number has 5 to 20 letters and digits."), "number")
    document = db.session.scalar(
        sa.select(IdentityDocument).where(IdentityDocument.participant_id == participant.id)
    )
    if document is None:
        document = IdentityDocument(participant_id=participant.id)
        db.session.add(document)
    document.kind = values.kind
    document.number = number
    document.issuing_country = values.issuing_country.upper()
    document.expires_on = values.expires_on
    db.session.flush()
    return document


def delete_document(participant: Participant, *, by: User) -> bool:
    """Forget the person's identity document; False when there was none."""
    document = db.session.scalar(
        sa.select(IdentityDocument).where(IdentityDocument.participant_id == participant.id)
    )
    if document is None:
        return False
    db.session.delete(document)
    db.session.flush()
    return True
