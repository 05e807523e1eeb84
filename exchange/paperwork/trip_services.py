"""A sending school's trip staff (the leader and the chaperones, chosen from its adults with a
place) and the record of its notice to the education superintendent."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from exchange import clock
from exchange.auth.models import User
from exchange.errors import DomainError, Refusals
from exchange.extensions import db
from exchange.paperwork.models import TripChaperone, TripStaff
from exchange.paperwork.trip_card import TripCard


@dataclass
class StaffValues:
    leader_id: int | None = None
    chaperone_ids: list[int] = field(default_factory=list)


def check_staff(card: TripCard, values: StaffValues) -> None:
    """The leader and the chaperones are adults of the school with a place in the exchange,
    and the leader is not also counted as a chaperone."""
    allowed = {person.id for person in card.adults}
    problems = []
    if values.leader_id is not None and values.leader_id not in allowed:
        problems.append(
            DomainError(_l("Choose the leader from the school's adults with a place."), "leader_id")
        )
    if set(values.chaperone_ids) - allowed:
        problems.append(
            DomainError(
                _l("Choose the chaperones from the school's adults with a place."), "chaperone_ids"
            )
        )
    elif values.leader_id is not None and values.leader_id in values.chaperone_ids:
        problems.append(
            DomainError(_l("The leader is not also one of the chaperones."), "chaperone_ids")
        )
    if problems:
        raise Refusals(problems)


def _staff_row(card: TripCard) -> TripStaff:
    if card.staff is None:
        card.staff = TripStaff(exchange_id=card.exchange.id, institution_id=card.institution.id)
        card.staff.chaperones = []
        db.session.add(card.staff)
    return card.staff


def set_staff(card: TripCard, values: StaffValues, *, by: User) -> TripStaff:
    """Save the school's choice of leader and chaperones for the trip."""
    check_staff(card, values)
    staff = _staff_row(card)
    staff.leader_id = values.leader_id
    wanted = set(values.chaperone_ids)
    for row in list(staff.chaperones):
        if row.participant_id not in wanted:
            staff.chaperones.remove(row)
    present = {row.participant_id for row in staff.chaperones}
    for person_id in sorted(wanted - present):
        staff.chaperones.append(TripChaperone(participant_id=person_id))
    db.session.flush()
    return staff


def record_notice(card: TripCard, *, by: User) -> TripStaff:
    """Keep the moment the notice to the superintendent was produced."""
    staff = _staff_row(card)
    staff.notice_produced_at = clock.now()
    db.session.flush()
    return staff
