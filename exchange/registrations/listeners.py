"""How the registrations react to what the exchanges announce (``exchanges/signals.py``)."""

from __future__ import annotations

from exchange.auth.models import User
from exchange.exchanges.models import Exchange
from exchange.exchanges.signals import exchange_cancelled, places_added
from exchange.registrations import services


@exchange_cancelled.connect
def cancel_places(exchange: Exchange, *, by: User) -> None:
    """The exchange is cancelled: so are its places and its waiting list."""
    services.cancel_registrations(exchange, by=by)


@places_added.connect
def move_waiting_list_up(exchange: Exchange, *, by: User) -> None:
    """More places: those waiting get them, first come first served."""
    services.promote_from_waiting_list(exchange, by=by)
