"""The rules and the writes of participants, consents and registrations, shared by the views,
the importer, the listeners and the CLI.

Write services take the objects they act on, then their typed input (``ParticipantValues``,
``ConsentValues``), then ``by=`` the acting user.

Places are handed out first come, first served. ``register_participant`` and ``withdraw`` lock
the exchange's row for the rest of the transaction (``lock_for_update``), so two schools pressing
"register" for the last place at the same moment cannot both get it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.auth.models import User
from exchange.db import lock_for_update
from exchange.errors import DomainError
from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.extensions import db
from exchange.registrations.models import (
    ACTIVE,
    HOLDING_PLACE,
    ConsentRecord,
    Participant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)
from exchange.registrations.signals import (
    consent_withdrawn,
    moved_up,
    registered,
    registrations_cancelled,
    withdrawn,
)

#: accompanying adults: the exchange's age range is for the group, not for them
CHAPERONE_ROLES = frozenset({ParticipantRole.TEACHER, ParticipantRole.STAFF})


class RegistrationError(DomainError):
    pass


@dataclass
class Withdrawal:
    """What a withdrawal did: the registrations withdrawn, and those that moved up from the
    waiting list to the places they freed (the pages say who, to those who may know)."""

    withdrawn: list[Registration] = field(default_factory=list)
    promoted: list[Registration] = field(default_factory=list)


# --- consent --------------------------------------------------------------------------------


def withdraw_consent(consent: ConsentRecord, *, by: User) -> Withdrawal:
    """Withdraw a consent; the participant's places in exchanges that have not started and for
    which they are a minor are withdrawn with it (waiting lists move up)."""
    if consent.withdrawn_at is not None:
        raise RegistrationError(_l("This consent was already withdrawn."))
    participant = consent.participant
    consent.withdrawn_at = clock.now()
    others_valid = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ConsentRecord)
        .where(
            ConsentRecord.participant_id == participant.id,
            ConsentRecord.id != consent.id,
            ConsentRecord.withdrawn_at.is_(None),
        )
    )
    if others_valid:
        db.session.flush()
        consent_withdrawn.send(consent, participant=participant, registrations=[], by=by)
        return Withdrawal()
    today = clock.today()
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.exchange)
        .options(joinedload(Registration.exchange))
        .where(
            Registration.participant_id == participant.id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
            Exchange.start_date > today,
        )
    ).all()
    result = Withdrawal()
    for registration in registrations:
        if participant.is_minor_on(registration.exchange.start_date):
            result.withdrawn.append(registration)
            result.promoted.extend(_withdraw_locked(registration, by=by))
    db.session.flush()
    consent_withdrawn.send(consent, participant=participant, registrations=result.withdrawn, by=by)
    return result


# --- registering ----------------------------------------------------------------------------


def register_participant(
    exchange: Exchange, participant: Participant, *, by: User, today: date | None = None
) -> Registration:
    """Give the participant a place, or a place on the waiting list.

    The exchange row is locked for the rest of the transaction, so two schools registering the
    last place at the same moment cannot both get it.
    """
    today = today or clock.today()
    # the rules about the person first, outside the lock: other schools wait for it
    _check_open(exchange, today)
    check_age(exchange, participant)
    if participant.is_minor_on(exchange.start_date) and not _has_valid_consent_in_db(participant):
        raise RegistrationError(
            _l("%(name)s is a minor: record a parent's or guardian's consent first.",
               name=participant.full_name)
        )  # fmt: skip
    lock_for_update(db.session, exchange)
    # the exchange as it is now (reloaded with the lock): it may have closed, or moved
    _check_open(exchange, today)
    check_age(exchange, participant)

    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.exchange_id == exchange.id,
            Registration.participant_id == participant.id,
        )
    )
    if registration is not None and registration.status in (*ACTIVE,):
        raise RegistrationError(
            _l("%(name)s is already registered for this exchange.", name=participant.full_name)
        )
    status = (
        RegistrationStatus.CONFIRMED
        if _has_place(exchange, participant.institution_id)
        else RegistrationStatus.WAITLISTED
    )
    # read everything first: touching an expired object may flush half-set changes
    now, by_id, institution_id = clock.now(), by.id, participant.institution_id
    if registration is None:
        registration = Registration(exchange_id=exchange.id, participant_id=participant.id)
        db.session.add(registration)
    # a participant who comes back after withdrawing queues again from now
    registration.institution_id = institution_id
    registration.status = status
    registration.registered_by_id = by_id
    registration.registered_at = now
    registration.status_changed_by_id = by_id
    registration.status_changed_at = now
    db.session.flush()
    return registration


class BatchRefused(RegistrationError):
    """Registering several people at once was refused: ``problems`` says why, per person."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return [str(_l("Nobody was registered:")), *self.problems]


def register_many(
    exchange: Exchange, participants: list[Participant], *, by: User
) -> list[Registration]:
    """Register several participants in the order given — all of them, or (BatchRefused,
    after which the caller rolls back) nobody."""
    results, problems = [], []
    for participant in participants:
        try:
            results.append(register_participant(exchange, participant, by=by))
        except RegistrationError as error:
            problems.append(str(error))
    if problems:
        raise BatchRefused(problems)
    registered.send(exchange, registrations=results, by=by)
    return results


def _check_open(exchange: Exchange, today: date) -> None:
    if exchange.status is not ExchangeStatus.REGISTRATION_OPEN:
        raise RegistrationError(_l("Registration for this exchange is not open."))
    if not exchange.registration_window_contains(today):
        raise RegistrationError(
            _l("Registration for this exchange is open from %(opens)s to %(closes)s.",
               opens=_day(exchange.registration_opens), closes=_day(exchange.registration_closes))
        )  # fmt: skip


def _day(value: date | None) -> str:
    return format_date(value) if value else "—"


def check_age(exchange: Exchange, participant: Participant) -> None:
    if participant.role in CHAPERONE_ROLES:
        return
    age = participant.age_on(exchange.start_date)
    too_young = exchange.min_age is not None and age < exchange.min_age
    too_old = exchange.max_age is not None and age > exchange.max_age
    if too_young or too_old:
        raise RegistrationError(
            _l("%(name)s will be %(age)d on the first day; this exchange is for ages "
               "%(min)s–%(max)s.", name=participant.full_name, age=age,
               min=exchange.min_age if exchange.min_age is not None else "",
               max=exchange.max_age if exchange.max_age is not None else "")
        )  # fmt: skip


def _has_valid_consent_in_db(participant: Participant) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ConsentRecord)
            .where(
                ConsentRecord.participant_id == participant.id,
                ConsentRecord.withdrawn_at.is_(None),
            )
        )
    )


def places_taken(exchange: Exchange, institution_id: int | None = None) -> int:
    """The places held in the exchange (by one institution's participants, when given)."""
    query = (
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.exchange_id == exchange.id, Registration.status.in_(HOLDING_PLACE))
    )
    if institution_id is not None:
        query = query.where(Registration.institution_id == institution_id)
    return db.session.scalar(query) or 0


def _has_place(exchange: Exchange, institution_id: int) -> bool:
    """A place is free in the exchange and in the institution's quota (one query for both)."""
    if exchange.capacity is None and exchange.institution_quota is None:
        return True
    taken, by_institution = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Registration.institution_id == institution_id),
        ).where(Registration.exchange_id == exchange.id, Registration.status.in_(HOLDING_PLACE))
    ).one()
    if exchange.capacity is not None and taken >= exchange.capacity:
        return False
    return not (
        exchange.institution_quota is not None and by_institution >= exchange.institution_quota
    )


def withdraw(registration: Registration, *, by: User) -> Withdrawal:
    """Withdraw a registration; a freed place goes to the first one waiting, in the same
    transaction. Says who moved up, if anyone did."""
    lock_for_update(db.session, registration.exchange)
    db.session.refresh(registration)
    return Withdrawal([registration], _withdraw_locked(registration, by=by))


def _withdraw_locked(registration: Registration, *, by: User) -> list[Registration]:
    """Withdraw (the exchange locked); returns who moved up to the freed place."""
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        raise RegistrationError(_l("Only a confirmed or waiting registration can be withdrawn."))
    held_place = registration.status is RegistrationStatus.CONFIRMED
    set_status(registration, RegistrationStatus.WITHDRAWN, by)
    db.session.flush()
    withdrawn.send(registration, by=by)
    if not held_place:
        return []
    return promote_from_waiting_list(registration.exchange, by=by, limit=1)


def promote_from_waiting_list(
    exchange: Exchange, *, by: User, limit: int | None = None
) -> list[Registration]:
    """Give free places to those waiting, first come first served, within each school's quota.

    Call with the exchange locked (after ``lock_for_update``): after a withdrawal, or when the
    capacity or quota grows.
    """
    waiting = db.session.scalars(
        sa.select(Registration)
        .options(joinedload(Registration.participant))  # the pages name who moved up
        .where(
            Registration.exchange_id == exchange.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.registered_at, Registration.id)
    ).all()
    if not waiting:
        return []
    taken = places_taken(exchange)
    by_institution: dict[int, int] = dict(
        db.session.execute(
            sa.select(Registration.institution_id, sa.func.count())
            .where(
                Registration.exchange_id == exchange.id,
                Registration.status.in_(HOLDING_PLACE),
            )
            .group_by(Registration.institution_id)
        ).all()
    )
    promoted: list[Registration] = []
    for registration in waiting:
        if exchange.capacity is not None and taken >= exchange.capacity:
            break
        if limit is not None and len(promoted) >= limit:
            break
        quota = exchange.institution_quota
        if quota is not None and by_institution.get(registration.institution_id, 0) >= quota:
            continue
        set_status(registration, RegistrationStatus.CONFIRMED, by)
        taken += 1
        by_institution[registration.institution_id] = (
            by_institution.get(registration.institution_id, 0) + 1
        )
        promoted.append(registration)
    db.session.flush()
    if promoted:
        moved_up.send(exchange, registrations=promoted, by=by)
    return promoted


def cancel_registrations(exchange: Exchange, *, by: User) -> int:
    """The exchange is cancelled: so are its places and its waiting list."""
    registrations = db.session.scalars(
        sa.select(Registration).where(
            Registration.exchange_id == exchange.id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
        )
    ).all()
    for registration in registrations:
        set_status(registration, RegistrationStatus.CANCELLED, by)
    db.session.flush()
    if registrations:
        registrations_cancelled.send(exchange, registrations=list(registrations), by=by)
    return len(registrations)


def set_status(registration: Registration, status: RegistrationStatus, by: User) -> None:
    """Change the status, saying who changed it and when."""
    by_id = by.id  # first: reading an expired user must not flush a half-made change
    registration.status = status
    registration.status_changed_by_id = by_id
    registration.status_changed_at = clock.now()


def require_started(exchange: Exchange, today: date | None = None) -> None:
    """Attendance is recorded from the first day of the exchange on."""
    if exchange.start_date > (today or clock.today()):
        raise RegistrationError(_l("Attendance can be recorded once the exchange has started."))


def mark_attendance(
    registration: Registration, attended: bool, *, by: User, today: date | None = None
) -> None:
    """After the exchange has started, record who came and who did not."""
    require_started(registration.exchange, today)
    allowed = (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.NO_SHOW,
    )
    if registration.status not in allowed:
        raise RegistrationError(_l("Only participants with a place can be marked."))
    set_status(
        registration, RegistrationStatus.ATTENDED if attended else RegistrationStatus.NO_SHOW, by
    )
    db.session.flush()
