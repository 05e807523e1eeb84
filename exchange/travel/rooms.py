"""Rooms, who sleeps in them, and which adults are travelling minors' guardians.

A bed is given only when the room then keeps every rule of ``rooming.py``; the room as it
would be is checked, and refused with a sentence per broken rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from exchange.auth.models import User
from exchange.errors import DomainError
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import HOLDING_PLACE, ParticipantRole, Registration
from exchange.travel.models import Room, RoomAssignment, RoomKind, TravellingGuardian
from exchange.travel.rooming import RoomingProblem, RoomPlan, Sleeper, room_problems

#: the roles of a group's leaders (who get rooms of their own), when they are adults
LEADER_ROLES = frozenset({ParticipantRole.TEACHER, ParticipantRole.STAFF})


class RoomingRefused(DomainError):
    """A room would break the rooming rules: a sentence per broken rule."""

    def __init__(self, problems: list[RoomingProblem]) -> None:
        super().__init__(" ".join(problem.message for problem in problems))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return [problem.message for problem in self.problems]


@dataclass
class RoomValues:
    kind: RoomKind
    accommodation: str
    name: str
    beds: int


ROOM_FIELDS = tuple(RoomValues.__dataclass_fields__)


def create_room(exchange: Exchange, values: RoomValues, *, by: User) -> Room:
    exists = db.session.scalar(
        sa.select(Room.id).where(
            Room.exchange_id == exchange.id,
            Room.accommodation == values.accommodation,
            Room.name == values.name,
        )
    )
    if exists is not None:
        raise DomainError(_l("This place already has a room of that name."), "name")
    room = Room(exchange_id=exchange.id, **asdict(values))
    db.session.add(room)
    db.session.flush()
    return room


def delete_room(room: Room, *, by: User) -> None:
    """Remove the room; its occupants have no bed any more."""
    db.session.delete(room)
    db.session.flush()


def guardians_of(exchange: Exchange) -> dict[int, frozenset[int]]:
    """Minor's participant id → the ids of their guardians on this exchange."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        sa.select(TravellingGuardian.minor_id, TravellingGuardian.guardian_id).where(
            TravellingGuardian.exchange_id == exchange.id
        )
    )
    for minor_id, guardian_id in rows:
        found[minor_id].add(guardian_id)
    return {minor_id: frozenset(ids) for minor_id, ids in found.items()}


def sleeper(
    registration: Registration, exchange: Exchange, guardians: dict[int, frozenset[int]]
) -> Sleeper:
    """The rooming rules' view of a registered person (``registration.participant`` loaded)."""
    person = registration.participant
    minor = person.is_minor_on(exchange.start_date)
    return Sleeper(
        id=person.id,
        name=person.full_name,
        minor=minor,
        gender=person.gender.value,
        leader=not minor and person.role in LEADER_ROLES,
        guardians=guardians.get(person.id, frozenset()),
    )


def _occupants(room: Room) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(RoomAssignment, RoomAssignment.registration_id == Registration.id)
            .options(selectinload(Registration.participant))
            .where(RoomAssignment.room_id == room.id)
        )
    )


def add_occupant(room: Room, registration: Registration, *, by: User) -> RoomAssignment:
    """Give the registered person a bed in ``room`` (moving them from another room of the
    exchange), if the room then keeps every rooming rule."""
    exchange = room.exchange
    if registration.exchange_id != exchange.id or registration.status not in HOLDING_PLACE:
        raise DomainError(
            _l("Only participants with a place in this exchange can have a bed."), "registration"
        )
    occupants = [item for item in _occupants(room) if item.id != registration.id]
    guardians = guardians_of(exchange)
    plan = RoomPlan(
        id=room.id,
        name=room.title,
        beds=room.beds,
        sleepers=[sleeper(item, exchange, guardians) for item in [*occupants, registration]],
    )
    problems = room_problems(plan)
    if problems:
        raise RoomingRefused(problems)
    assignment = db.session.scalar(
        sa.select(RoomAssignment).where(RoomAssignment.registration_id == registration.id)
    )
    if assignment is None:
        assignment = RoomAssignment(registration_id=registration.id, room_id=room.id)
        db.session.add(assignment)
    else:
        assignment.room_id = room.id
    db.session.flush()
    return assignment


def remove_occupant(room: Room, registration_id: int, *, by: User) -> bool:
    """Take the person's bed in ``room`` away; False when they had none there."""
    assignment = db.session.scalar(
        sa.select(RoomAssignment).where(
            RoomAssignment.room_id == room.id, RoomAssignment.registration_id == registration_id
        )
    )
    if assignment is None:
        return False
    db.session.delete(assignment)
    db.session.flush()
    return True


def add_guardian(
    exchange: Exchange, minor: Registration, guardian: Registration, *, by: User
) -> TravellingGuardian:
    """Record that an adult on the exchange is a travelling minor's parent or guardian."""
    start = exchange.start_date
    if not minor.participant.is_minor_on(start):
        raise DomainError(_l("Choose a participant who is a minor."), "minor_id")
    if guardian.participant.is_minor_on(start):
        raise DomainError(_l("A parent or guardian must be an adult."), "guardian_id")
    exists = db.session.scalar(
        sa.select(TravellingGuardian.id).where(
            TravellingGuardian.exchange_id == exchange.id,
            TravellingGuardian.minor_id == minor.participant_id,
            TravellingGuardian.guardian_id == guardian.participant_id,
        )
    )
    if exists is not None:
        raise DomainError(_l("This is already recorded."), "guardian_id")
    link = TravellingGuardian(
        exchange_id=exchange.id, minor_id=minor.participant_id, guardian_id=guardian.participant_id
    )
    db.session.add(link)
    db.session.flush()
    return link


def remove_guardian(exchange: Exchange, link_id: int | None, *, by: User) -> bool:
    """Forget a guardian link of this exchange. The rooms are not changed: the rooming page
    shows the rules a room now breaks."""
    link = db.session.scalar(
        sa.select(TravellingGuardian).where(
            TravellingGuardian.id == link_id, TravellingGuardian.exchange_id == exchange.id
        )
    )
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    return True
