"""Fifty schools press "register" at the same moment for ten places: exactly ten get one."""

from __future__ import annotations

import threading
from collections import Counter

import sqlalchemy as sa

from exchange.auth.models import User
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations import services
from exchange.registrations.models import Participant, Registration, RegistrationStatus
from tests import factories

THREADS = 50
PLACES = 10


def test_fifty_concurrent_registrations_fill_exactly_ten_places(app, app_context, coordinator):
    exchange_id = factories.exchange(capacity=PLACES).id
    participant_ids = [factories.participant().id for _ in range(THREADS)]
    coordinator_id = coordinator.id
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    statuses: list[RegistrationStatus] = []
    lock = threading.Lock()

    def register(participant_id: int) -> None:
        try:
            with app.app_context():
                exchange = db.session.get(Exchange, exchange_id)
                participant = db.session.get(Participant, participant_id)
                by = db.session.get(User, coordinator_id)
                db.session.commit()  # give the connection back: the pool is smaller than 50
                barrier.wait(timeout=30)
                registration = services.register_participant(exchange, participant, by=by)
                status = registration.status
                db.session.commit()
                db.session.remove()
            with lock:
                statuses.append(status)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=register, args=(pid,)) for pid in participant_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Counter(statuses) == {
        RegistrationStatus.CONFIRMED: PLACES,
        RegistrationStatus.WAITLISTED: THREADS - PLACES,
    }
    stored = Counter(
        db.session.scalars(
            sa.select(Registration.status).where(Registration.exchange_id == exchange_id)
        )
    )
    assert stored == {
        RegistrationStatus.CONFIRMED: PLACES,
        RegistrationStatus.WAITLISTED: THREADS - PLACES,
    }
