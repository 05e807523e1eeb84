"""How the registrations react to what the exchanges announce (``exchanges/signals.py``)."""

from __future__ import annotations

import sqlalchemy as sa

from exchange.auth.models import User
from exchange.exchanges.models import Exchange
from exchange.exchanges.signals import claimed_exchanges, exchange_cancelled, places_added
from exchange.registrations import services
from exchange.registrations.models import ACTIVE, Registration


@exchange_cancelled.connect
def cancel_places(exchange: Exchange, *, by: User) -> None:
    """The exchange is cancelled: so are its places and its waiting list."""
    services.cancel_registrations(exchange, by=by)


@places_added.connect
def move_waiting_list_up(exchange: Exchange, *, by: User) -> None:
    """More places: those waiting get them, first come first served."""
    services.promote_from_waiting_list(exchange, by=by)


@claimed_exchanges.connect
def exchanges_of_the_school(user: User) -> sa.ColumnElement[bool] | None:
    """A school's exchanges: those its people are registered in (or waiting for)."""
    if user.institution_id is None:
        return None
    return Exchange.id.in_(
        sa.select(Registration.exchange_id).where(
            Registration.institution_id == user.institution_id, Registration.status.in_(ACTIVE)
        )
    )
