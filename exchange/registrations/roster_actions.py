"""What a coordinator does on the roster besides withdrawing: marking everyone present at once,
and giving a waiting participant a place by hand.

Places are otherwise handed out first come, first served (``services``); a promotion by hand
overrides the waiting order and the school's quota — a coordinator's decision, with its reason in
the audit log. It takes a free place; when none is free it adds one only if asked to: every
place freed or added otherwise goes at once to the first in line, so "free a place first" would
never leave one for the person chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from exchange import clock
from exchange.audit import services as audit
from exchange.auth.models import User
from exchange.db import lock_for_update
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import Registration, RegistrationStatus
from exchange.registrations.services import (
    RegistrationError,
    places_taken,
    require_started,
    set_status,
)
from exchange.registrations.signals import moved_up

#: the longest reason for a promotion by hand (the audit log's detail holds it whole)
REASON_MAX_LENGTH = 300


def mark_all_present(exchange: Exchange, *, by: User, today: date | None = None) -> int:
    """Mark every confirmed participant who is not marked yet as present (those marked absent
    stay so); returns how many were marked.

    One statement and one audit event for the exchange, not one per participant: the roster of
    a large exchange is marked in a single step.
    """
    require_started(exchange, today)
    by_id = by.id
    result = db.session.execute(
        sa.update(Registration)
        .where(
            Registration.exchange_id == exchange.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .values(
            status=RegistrationStatus.ATTENDED,
            status_changed_by_id=by_id,
            status_changed_at=clock.now(),
        )
        .execution_options(synchronize_session="fetch")
    )
    count = result.rowcount  # type: ignore[attr-defined]
    if count:
        audit.record("mark_all_present", "exchange", exchange.id, detail=f"{count} present")
    db.session.flush()
    return count


@dataclass(frozen=True)
class PlaceCheck:
    """Where a waiting registration stands if it is given a place now."""

    #: places free in the exchange (None: it has no limit)
    free: int | None
    #: places the registration's school holds, and the most it may hold (None: no quota)
    school_taken: int
    quota: int | None

    @property
    def has_free_place(self) -> bool:
        return self.free is None or self.free > 0

    @property
    def beyond_quota(self) -> bool:
        """The place would take the school past its quota (allowed by hand)."""
        return self.quota is not None and self.school_taken >= self.quota


def check_place(registration: Registration) -> PlaceCheck:
    exchange = registration.exchange
    free = None
    if exchange.capacity is not None:
        free = max(exchange.capacity - places_taken(exchange), 0)
    return PlaceCheck(
        free=free,
        school_taken=places_taken(exchange, registration.institution_id),
        quota=exchange.institution_quota,
    )


def promote_by_hand(
    registration: Registration, reason: str, *, add_place: bool = False, by: User
) -> PlaceCheck:
    """Give a waiting participant a place out of the waiting order (an accompanying adult the
    group needs, say), even beyond the school's quota; ``reason`` goes to the audit log.

    When every place is taken it is refused, unless ``add_place``: then the exchange gets one
    more place, for this person. The school hears of it as of any move up (the ``moved_up``
    signal). Returns the check made before the place was given.
    """
    reason = reason.strip()
    if not reason:
        raise RegistrationError(_l("Say why this person gets a place out of turn."), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise RegistrationError(_l("At most %(max)d characters.", max=REASON_MAX_LENGTH), "reason")
    exchange = registration.exchange
    lock_for_update(db.session, exchange)
    db.session.refresh(registration)
    if registration.status is not RegistrationStatus.WAITLISTED:
        raise RegistrationError(_l("Only a registration on the waiting list can be moved up."))
    check = check_place(registration)
    if not check.has_free_place:
        if not add_place:
            raise RegistrationError(
                _l("All %(capacity)d places are taken: add a place for this person, or leave "
                   "them on the waiting list.", capacity=exchange.capacity or 0),
                "add_place",
            )  # fmt: skip
        exchange.capacity = (exchange.capacity or 0) + 1
    set_status(registration, RegistrationStatus.CONFIRMED, by)
    db.session.flush()
    audit.record("promote_by_hand", "registration", registration.id, detail=reason)
    moved_up.send(exchange, registrations=[registration], by=by)
    return check
