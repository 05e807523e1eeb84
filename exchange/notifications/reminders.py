"""Reminders, queued by the worker (its loop and ``--once``) when they are due.

Each reminder has a ``dedupe_key`` naming what it is about and the date it counts towards, so
however often the worker or cron runs, it is queued once; if the date moves, a new one is due.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.extensions import db
from exchange.notifications.listeners import _base, school_representatives
from exchange.notifications.models import NotificationKind
from exchange.notifications.services import enqueue
from exchange.registrations.models import (
    ACTIVE,
    ADULT_AGE,
    ConsentRecord,
    Participant,
    Registration,
)
from exchange.registrations.queries import roster

#: days before registration closes when schools hear of minors without consent
CONSENT_REMINDER_DAYS = 7
#: days before the first day when the coordinator hears of missing consents and adults
START_REMINDER_DAYS = 3


def queue_reminders(today: date | None = None) -> int:
    """Queue every reminder due today that was not queued before; returns how many."""
    today = today or clock.today()
    return _consent_reminders(today) + _start_reminders(today)


def _consent_reminders(today: date) -> int:
    exchanges = db.session.scalars(
        sa.select(Exchange).where(
            Exchange.status == ExchangeStatus.REGISTRATION_OPEN,
            Exchange.registration_closes.is_not(None),
            Exchange.registration_closes >= today,
            Exchange.registration_closes <= today + timedelta(days=CONSENT_REMINDER_DAYS),
        )
    ).all()
    if not exchanges:
        return 0
    by_id = {exchange.id: exchange for exchange in exchanges}
    has_consent = (
        sa.select(ConsentRecord.id)
        .where(
            ConsentRecord.participant_id == Participant.id,
            ConsentRecord.withdrawn_at.is_(None),
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(
            Registration.exchange_id,
            Registration.institution_id,
            Participant.first_name + " " + Participant.last_name,
            Participant.date_of_birth,
            Participant.id,
        )
        .join(Registration.participant)
        .where(
            Registration.exchange_id.in_(by_id),
            Registration.status.in_(ACTIVE),
            ~has_consent,
        )
        .order_by(Participant.last_name, Participant.first_name)
    ).all()
    missing: dict[tuple[int, int], list[str]] = defaultdict(list)
    about: dict[tuple[int, int], list[int]] = defaultdict(list)
    for exchange_id, institution_id, name, born, participant_id in rows:
        start = by_id[exchange_id].start_date
        if _age_on(born, start) < ADULT_AGE:
            missing[(exchange_id, institution_id)].append(name)
            about[(exchange_id, institution_id)].append(participant_id)
    users = school_representatives(institution_id for _e, institution_id in missing)
    queued = 0
    for (exchange_id, institution_id), names in missing.items():
        exchange = by_id[exchange_id]
        closes = exchange.registration_closes
        assert closes is not None  # noqa: S101 (the query asked for it)
        data = {**_base(exchange), "closes": closes.isoformat(), "names": names}
        for user in users.get(institution_id, []):
            key = f"consent-reminder:{exchange_id}:{institution_id}:{closes}:{user.id}"
            message = enqueue(
                user,
                NotificationKind.CONSENT_REMINDER,
                data,
                dedupe_key=key,
                about=about[(exchange_id, institution_id)],
            )
            queued += message is not None
    return queued


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _start_reminders(today: date) -> int:
    exchanges = db.session.scalars(
        sa.select(Exchange)
        .options(joinedload(Exchange.coordinator))
        .where(
            Exchange.status.in_(
                (
                    ExchangeStatus.PLANNED,
                    ExchangeStatus.REGISTRATION_OPEN,
                    ExchangeStatus.REGISTRATION_CLOSED,
                )
            ),
            Exchange.coordinator_id.is_not(None),
            Exchange.start_date > today,
            Exchange.start_date <= today + timedelta(days=START_REMINDER_DAYS),
        )
    ).all()
    queued = 0
    for exchange in exchanges:
        coordinator = exchange.coordinator
        if coordinator is None:
            continue
        key = f"start-reminder:{exchange.id}:{exchange.start_date}:{coordinator.id}"
        summary = roster(exchange)
        data = {
            **_base(exchange),
            "missing_consents": [
                [group.institution.name, [person.full_name for person in group.missing_consents]]
                for group in summary.institutions
                if group.missing_consents
            ],
            "ratio_warnings": [
                [group.institution.name, group.adults_needed]
                for group in summary.institutions
                if group.adults_needed
            ],
        }
        named = [person.id for group in summary.institutions for person in group.missing_consents]
        message = enqueue(
            coordinator, NotificationKind.START_REMINDER, data, dedupe_key=key, about=named
        )
        queued += message is not None
    return queued
