"""The rules and the writes of participants, consents and registrations, shared by the views,
the importer, the listeners and the CLI.

Write services take the objects they act on, then their typed input (``ParticipantValues``,
``ConsentValues``), then ``by=`` the acting user.

Places are handed out first come, first served. ``register_participant`` and ``withdraw`` lock
the exchange's row for the rest of the transaction (``lock_for_update``), so two schools pressing
"register" for the last place at the same moment cannot both get it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

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
from exchange.partners.countries import country_codes
from exchange.partners.models import Institution
from exchange.registrations.models import (
    ACTIVE,
    ADULT_AGE,
    HOLDING_PLACE,
    ConsentMethod,
    ConsentRecord,
    Gender,
    Participant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    age_on,
)

#: accompanying adults: the exchange's age range is for the group, not for them
CHAPERONE_ROLES = frozenset({ParticipantRole.TEACHER, ParticipantRole.STAFF})


class RegistrationError(DomainError):
    pass


# --- participants ---------------------------------------------------------------------------


@dataclass
class ParticipantValues:
    """A participant's fields, as the form, the importer or a caller give them."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    gender: Gender | str | None = None
    country: str = "PL"
    role: ParticipantRole | str | None = None
    email: str = ""
    phone: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    dietary_notes: str = ""
    medical_notes: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ParticipantValues:
        """The values of a mapping (an imported row) by field name."""
        return cls(**{name: values[name] for name in PARTICIPANT_FIELDS if name in values})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PARTICIPANT_FIELDS}


PARTICIPANT_FIELDS = tuple(f.name for f in dataclasses.fields(ParticipantValues))


def clean_participant_values(
    values: ParticipantValues, today: date | None = None
) -> ParticipantValues:
    """Check and normalise a participant's fields; raise RegistrationError naming the field."""
    today = today or clock.today()
    cleaned: dict[str, Any] = {}
    for name, value in values.as_dict().items():
        cleaned[name] = value.strip() if isinstance(value, str) else value
    for name in ("first_name", "last_name"):
        if not cleaned[name]:
            raise RegistrationError(_l("This field is required."), field=name)
    born = cleaned["date_of_birth"]
    if not isinstance(born, date):
        raise RegistrationError(_l("Give the date of birth."), field="date_of_birth")
    if born > today or born.year < 1900:
        raise RegistrationError(
            _l("The date of birth must be a real date in the past."), field="date_of_birth"
        )
    cleaned["country"] = (cleaned["country"] or "PL").upper()
    if cleaned["country"] not in country_codes():
        raise RegistrationError(_l("Choose a country from the list."), field="country")
    cleaned["gender"] = Gender(cleaned["gender"] or Gender.NOT_STATED)
    cleaned["role"] = ParticipantRole(cleaned["role"] or ParticipantRole.PUPIL)
    for name in PARTICIPANT_FIELDS:
        if cleaned[name] is None:
            cleaned[name] = ""
    minor = age_on(born, today) < ADULT_AGE
    if minor and not (cleaned["emergency_contact_name"] and cleaned["emergency_contact_phone"]):
        missing = "emergency_contact_name"
        if cleaned["emergency_contact_name"]:
            missing = "emergency_contact_phone"
        raise RegistrationError(
            _l("A minor needs an emergency contact: a name and a phone number."), field=missing
        )
    if not minor and not (cleaned["email"] or cleaned["phone"]):
        raise RegistrationError(
            _l("Give an e-mail address or a phone number for an adult participant."),
            field="email",
        )
    return ParticipantValues(**cleaned)


def create_participant(
    values: ParticipantValues, *, institution: Institution, by: User
) -> Participant:
    participant = Participant(
        **clean_participant_values(values).as_dict(), institution=institution, created_by_id=by.id
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def update_participant(
    participant: Participant,
    values: ParticipantValues,
    *,
    by: User,
    institution: Institution | None = None,
) -> Participant:
    """Save new values; with ``institution`` (city hall only), move the person to it."""
    for name, value in clean_participant_values(values).as_dict().items():
        setattr(participant, name, value)
    if institution is not None:
        participant.institution = institution
    db.session.flush()
    return participant


def delete_participant(participant: Participant, *, by: User) -> None:
    """Remove a participant who holds no place and is on no waiting list."""
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.participant_id == participant.id, Registration.status.in_(ACTIVE))
    )
    if active:
        raise RegistrationError(
            _l("%(name)s is registered for an exchange: withdraw the registration first.",
               name=participant.full_name)
        )  # fmt: skip
    db.session.execute(sa.delete(Registration).where(Registration.participant_id == participant.id))
    db.session.delete(participant)
    db.session.flush()


# --- consent --------------------------------------------------------------------------------


@dataclass
class ConsentValues:
    """A parent's or guardian's consent, as the form or the importer give it."""

    guardian_name: str
    given_on: date
    method: ConsentMethod
    text_version: str


def record_consent(
    participant: Participant,
    values: ConsentValues,
    *,
    by: User,
    today: date | None = None,
) -> ConsentRecord:
    today = today or clock.today()
    guardian_name, given_on = values.guardian_name, values.given_on
    method, text_version = values.method, values.text_version
    if not guardian_name.strip():
        raise RegistrationError(_l("Give the parent's or guardian's name."), field="guardian_name")
    if not text_version.strip():
        raise RegistrationError(_l("Give the version of the consent text."), field="text_version")
    if given_on > today:
        raise RegistrationError(_l("Consent cannot be given in the future."), field="given_on")
    consent = ConsentRecord(
        participant=participant,
        guardian_name=guardian_name.strip(),
        given_on=given_on,
        method=ConsentMethod(method),
        text_version=text_version.strip(),
        recorded_by_id=by.id,
    )
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw_consent(consent: ConsentRecord, *, by: User) -> list[Registration]:
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
        return []
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
    withdrawn = []
    for registration in registrations:
        if participant.is_minor_on(registration.exchange.start_date):
            _withdraw_locked(registration, by=by)
            withdrawn.append(registration)
    return withdrawn


# --- registering ----------------------------------------------------------------------------


def register_participant(
    exchange: Exchange, participant: Participant, *, by: User, today: date | None = None
) -> Registration:
    """Give the participant a place, or a place on the waiting list.

    The exchange row is locked for the rest of the transaction, so two schools registering the
    last place at the same moment cannot both get it.
    """
    lock_for_update(db.session, exchange)
    today = today or clock.today()
    if exchange.status is not ExchangeStatus.REGISTRATION_OPEN:
        raise RegistrationError(_l("Registration for this exchange is not open."))
    if not exchange.registration_window_contains(today):
        raise RegistrationError(
            _l("Registration for this exchange is open from %(opens)s to %(closes)s.",
               opens=_day(exchange.registration_opens), closes=_day(exchange.registration_closes))
        )  # fmt: skip
    check_age(exchange, participant)
    if participant.is_minor_on(exchange.start_date) and not _has_valid_consent_in_db(participant):
        raise RegistrationError(
            _l("%(name)s is a minor: record a parent's or guardian's consent first.",
               name=participant.full_name)
        )  # fmt: skip

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
    return results


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


def _places_taken(exchange: Exchange, institution_id: int | None = None) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.exchange_id == exchange.id, Registration.status.in_(HOLDING_PLACE))
    )
    if institution_id is not None:
        query = query.where(Registration.institution_id == institution_id)
    return db.session.scalar(query) or 0


def _has_place(exchange: Exchange, institution_id: int) -> bool:
    if exchange.capacity is not None and _places_taken(exchange) >= exchange.capacity:
        return False
    return not (
        exchange.institution_quota is not None
        and _places_taken(exchange, institution_id) >= exchange.institution_quota
    )


def withdraw(registration: Registration, *, by: User) -> Registration | None:
    """Withdraw a registration; a freed place goes to the first one waiting, in the same
    transaction. Returns the promoted registration, if any."""
    lock_for_update(db.session, registration.exchange)
    db.session.refresh(registration)
    return _withdraw_locked(registration, by=by)


def _withdraw_locked(registration: Registration, *, by: User) -> Registration | None:
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        raise RegistrationError(_l("Only a confirmed or waiting registration can be withdrawn."))
    held_place = registration.status is RegistrationStatus.CONFIRMED
    _set_status(registration, RegistrationStatus.WITHDRAWN, by)
    db.session.flush()
    if not held_place:
        return None
    promoted = promote_from_waiting_list(registration.exchange, by=by, limit=1)
    return promoted[0] if promoted else None


def promote_from_waiting_list(
    exchange: Exchange, *, by: User, limit: int | None = None
) -> list[Registration]:
    """Give free places to those waiting, first come first served, within each school's quota.

    Call with the exchange locked (after ``lock_for_update``): after a withdrawal, or when the
    capacity or quota grows.
    """
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.exchange_id == exchange.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.registered_at, Registration.id)
    ).all()
    if not waiting:
        return []
    taken = _places_taken(exchange)
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
        _set_status(registration, RegistrationStatus.CONFIRMED, by)
        taken += 1
        by_institution[registration.institution_id] = (
            by_institution.get(registration.institution_id, 0) + 1
        )
        promoted.append(registration)
    db.session.flush()
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
        _set_status(registration, RegistrationStatus.CANCELLED, by)
    db.session.flush()
    return len(registrations)


def _set_status(registration: Registration, status: RegistrationStatus, by: User) -> None:
    by_id = by.id  # first: reading an expired user must not flush a half-made change
    registration.status = status
    registration.status_changed_by_id = by_id
    registration.status_changed_at = clock.now()


def mark_attendance(
    registration: Registration, attended: bool, *, by: User, today: date | None = None
) -> None:
    """After the exchange has started, record who came and who did not."""
    today = today or clock.today()
    if registration.exchange.start_date > today:
        raise RegistrationError(_l("Attendance can be recorded once the exchange has started."))
    allowed = (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.NO_SHOW,
    )
    if registration.status not in allowed:
        raise RegistrationError(_l("Only participants with a place can be marked."))
    _set_status(
        registration, RegistrationStatus.ATTENDED if attended else RegistrationStatus.NO_SHOW, by
    )
    db.session.flush()
