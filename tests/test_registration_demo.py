from __future__ import annotations

import sqlalchemy as sa

from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.extensions import db
from exchange.registrations.models import Participant, Registration, RegistrationStatus


def _snapshot():
    people = db.session.execute(
        sa.select(
            Participant.first_name, Participant.last_name, Participant.date_of_birth
        ).order_by(Participant.id)
    ).all()
    registrations = db.session.execute(
        sa.select(
            Exchange.title, Participant.last_name, Participant.first_name, Registration.status
        )
        .join(Registration.exchange)
        .join(Registration.participant)
        .order_by(Registration.id)
    ).all()
    return people, registrations


def test_demo_data_adds_participants_and_registrations_deterministically(app, app_context):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--seed", "7", "--years", "2"])
    assert result.exit_code == 0, result.output
    assert "participants" in result.output
    first = _snapshot()
    assert first[0]
    assert first[1]

    # past exchanges hold attendance, open ones places and waiting lists; nobody twice
    rows = db.session.execute(
        sa.select(Exchange.status, Registration.status).join(
            Registration, Registration.exchange_id == Exchange.id
        )
    ).all()
    for exchange_status, registration_status in rows:
        if exchange_status is ExchangeStatus.COMPLETED:
            assert registration_status in {
                RegistrationStatus.ATTENDED,
                RegistrationStatus.NO_SHOW,
                RegistrationStatus.WITHDRAWN,
            }
        if exchange_status is ExchangeStatus.REGISTRATION_OPEN:
            assert registration_status in {
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.WAITLISTED,
            }

    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    db.session.commit()
    result = runner.invoke(args=["demo-data", "--seed", "7", "--years", "2"])
    assert result.exit_code == 0, result.output
    assert _snapshot() == first
