"""Places at a glance: how many are taken and left, how many wait, and the viewer's school's
share of its quota, for every exchange on a page in one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from exchange.auth.models import User
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import HOLDING_PLACE, Registration, RegistrationStatus


@dataclass
class Places:
    capacity: int | None
    taken: int = 0
    waiting: int = 0
    quota: int | None = None
    #: places the viewer's institution holds (None for staff)
    school_taken: int | None = None

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def percent(self) -> int:
        if not self.capacity:
            return 0
        return min(100, round(100 * self.taken / self.capacity))


def places_for(exchanges: Sequence[Exchange], viewer: User | None = None) -> dict[int, Places]:
    """The places of each exchange, by id (one query, run even for an empty page, so a page
    sends the same statements whatever it shows)."""
    institution_id = getattr(viewer, "institution_id", None)
    found = {
        item.id: Places(
            capacity=item.capacity,
            quota=item.institution_quota,
            school_taken=0 if institution_id is not None else None,
        )
        for item in exchanges
    }
    rows = db.session.execute(
        sa.select(
            Registration.exchange_id,
            Registration.institution_id,
            Registration.status,
            sa.func.count(),
        )
        .where(
            Registration.exchange_id.in_(list(found)),
            Registration.status.in_((*HOLDING_PLACE, RegistrationStatus.WAITLISTED)),
        )
        .group_by(Registration.exchange_id, Registration.institution_id, Registration.status)
    ).all()
    for exchange_id, row_institution, status, count in rows:
        places = found[exchange_id]
        if status is RegistrationStatus.WAITLISTED:
            places.waiting += count
            continue
        places.taken += count
        if institution_id is not None and row_institution == institution_id:
            places.school_taken = (places.school_taken or 0) + count
    return found
