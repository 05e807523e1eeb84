"""The rules for participants and registrations, shared by the views, the importer and the CLI.

Places are handed out first come, first served. ``register_participant`` and ``withdraw`` lock
the exchange's row for the rest of the transaction (``lock_for_update``), so two schools pressing
"register" for the last place at the same moment cannot both get it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from exchange import clock
from exchange.auth.models import User
from exchange.core.permissions import Role
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


# --- scope: who sees which participants -----------------------------------------------------


def participant_scope(user: User) -> sa.ColumnElement[bool]:
    """Staff see every participant; a school representative only their institution's."""
    if user.role is Role.SCHOOL:
        return Participant.institution_id == user.institution_id
    return sa.true()


def registration_scope(user: User) -> sa.ColumnElement[bool]:
    """A school representative sees the registrations of the participants they see: by the
    participant's institution now, not ``Registration.institution_id`` (the one at registering,
    kept for quotas), so a pupil moved to another school takes their registrations along."""
    if user.role is Role.SCHOOL:
        return Registration.participant.has(participant_scope(user))
    return sa.true()


def get_participant(participant_id: int, user: User) -> Participant | None:
    """The participant, if ``user`` may see them; otherwise None (the view answers 404)."""
    return db.session.scalar(
        sa.select(Participant)
        .options(
            joinedload(Participant.institution),
            selectinload(Participant.consents).joinedload(ConsentRecord.recorded_by),
        )
        .where(Participant.id == participant_id, participant_scope(user))
    )


def get_registration(registration_id: int, user: User) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration)
        .options(
            joinedload(Registration.participant),
            joinedload(Registration.exchange),
            joinedload(Registration.institution),
        )
        .where(Registration.id == registration_id, registration_scope(user))
    )


def get_consent(consent_id: int, user: User) -> ConsentRecord | None:
    return db.session.scalar(
        sa.select(ConsentRecord)
        .join(ConsentRecord.participant)
        .options(joinedload(ConsentRecord.participant))
        .where(ConsentRecord.id == consent_id, participant_scope(user))
    )


def participants_query(user: User, q: str = "", institution_id: int | None = None) -> sa.Select:
    query = (
        sa.select(Participant)
        .options(joinedload(Participant.institution))
        .where(participant_scope(user))
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    )
    if q:
        pattern = f"%{_escape_like(q)}%"
        query = query.where(
            sa.or_(
                Participant.first_name.ilike(pattern, escape="\\"),
                Participant.last_name.ilike(pattern, escape="\\"),
            )
        )
    if institution_id is not None:
        query = query.where(Participant.institution_id == institution_id)
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- participants ---------------------------------------------------------------------------

PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "country",
    "role",
    "email",
    "phone",
    "emergency_contact_name",
    "emergency_contact_phone",
    "dietary_notes",
    "medical_notes",
)


def clean_participant_values(values: dict, today: date | None = None) -> dict:
    """Check and normalise a participant's fields; raise RegistrationError naming the field."""
    unknown = set(values) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    today = today or clock.today()
    cleaned = {}
    for name in PARTICIPANT_FIELDS:
        value = values.get(name)
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
    return cleaned


def create_participant(values: dict, *, institution: Institution, by: User) -> Participant:
    participant = Participant(
        **clean_participant_values(values), institution=institution, created_by_id=by.id
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def update_participant(participant: Participant, values: dict, *, by: User) -> Participant:
    for name, value in clean_participant_values(values).items():
        setattr(participant, name, value)
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


def record_consent(
    participant: Participant,
    *,
    guardian_name: str,
    given_on: date,
    method: ConsentMethod,
    text_version: str,
    by: User,
    today: date | None = None,
) -> ConsentRecord:
    today = today or clock.today()
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


def has_valid_consent(participant: Participant) -> bool:
    return any(consent.is_valid for consent in participant.consents)


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
            _withdraw_locked(registration, by)
            withdrawn.append(registration)
    return withdrawn


# --- registering ----------------------------------------------------------------------------


def register_participant(
    exchange: Exchange, participant: Participant, by: User, *, today: date | None = None
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


def register_many(
    exchange: Exchange, participants: list[Participant], by: User
) -> list[Registration]:
    """Register several participants in the order given — all of them, or (BatchRefused,
    after which the caller rolls back) nobody."""
    results, problems = [], []
    for participant in participants:
        try:
            results.append(register_participant(exchange, participant, by))
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


def withdraw(registration: Registration, by: User) -> Registration | None:
    """Withdraw a registration; a freed place goes to the first one waiting, in the same
    transaction. Returns the promoted registration, if any."""
    lock_for_update(db.session, registration.exchange)
    db.session.refresh(registration)
    return _withdraw_locked(registration, by)


def _withdraw_locked(registration: Registration, by: User) -> Registration | None:
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        raise RegistrationError(_l("Only a confirmed or waiting registration can be withdrawn."))
    held_place = registration.status is RegistrationStatus.CONFIRMED
    _set_status(registration, RegistrationStatus.WITHDRAWN, by)
    db.session.flush()
    if not held_place:
        return None
    promoted = promote_from_waiting_list(registration.exchange, by, limit=1)
    return promoted[0] if promoted else None


def promote_from_waiting_list(
    exchange: Exchange, by: User, limit: int | None = None
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
    promoted = []
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


def cancel_registrations(exchange: Exchange, by: User) -> int:
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
    registration: Registration, attended: bool, by: User, *, today: date | None = None
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


# --- what schools and coordinators see ------------------------------------------------------


def registrable_participants_query(exchange: Exchange, user: User) -> sa.Select:
    """The user's participants who are not registered (or waiting) for the exchange yet, by
    name (a query: the page shows them a page at a time, staff see every institution's)."""
    already = sa.select(Registration.participant_id).where(
        Registration.exchange_id == exchange.id, Registration.status.in_(ACTIVE)
    )
    # no consents loaded: the page shows names, and registering checks consent in the database
    return (
        sa.select(Participant)
        .where(participant_scope(user), Participant.id.not_in(already))
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    )


def my_registrations_query(user: User) -> sa.Select:
    """Registrations visible to the user, newest exchange first."""
    return (
        sa.select(Registration)
        .join(Registration.exchange)
        .join(Registration.participant)
        .options(
            joinedload(Registration.exchange),
            joinedload(Registration.participant),
            joinedload(Registration.institution),
        )
        .where(registration_scope(user))
        .order_by(Exchange.start_date.desc(), Participant.last_name, Participant.first_name)
    )


def count_registrations(user: User) -> int:
    """How many registrations ``my_registrations_query`` lists (its joins follow required
    foreign keys, so they leave the number unchanged)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Registration).where(registration_scope(user))
        )
        or 0
    )


def waiting_positions(registrations: list[Registration]) -> dict[int, int]:
    """Waiting-list positions (1 = next to get a place) of those registrations that wait,
    in one query.

    The query runs even when nobody shown is waiting, so a page sends the same statements
    whatever its rows happen to be (``tests/test_query_budget.py`` counts them).
    """
    exchange_ids = {
        item.exchange_id for item in registrations if item.status is RegistrationStatus.WAITLISTED
    }
    position = (
        sa.func.row_number()
        .over(
            partition_by=Registration.exchange_id,
            order_by=(Registration.registered_at, Registration.id),
        )
        .label("position")
    )
    rows = db.session.execute(
        sa.select(Registration.id, position).where(
            Registration.exchange_id.in_(exchange_ids),
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    )
    wanted = {item.id for item in registrations}
    return {registration_id: pos for registration_id, pos in rows if registration_id in wanted}


def waiting_position(registration: Registration) -> int | None:
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.exchange_id == registration.exchange_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            sa.tuple_(Registration.registered_at, Registration.id)
            < sa.tuple_(registration.registered_at, registration.id),
        )
    )
    return (ahead or 0) + 1


@dataclass
class InstitutionRoster:
    institution: Institution
    registrations: list[Registration] = field(default_factory=list)
    confirmed: int = 0
    waitlisted: int = 0
    minors: int = 0
    adults: int = 0
    missing_consents: list[Participant] = field(default_factory=list)
    #: adults still needed to meet the exchange's adults-per-minors ratio
    adults_needed: int = 0


@dataclass
class Roster:
    exchange: Exchange
    institutions: list[InstitutionRoster]
    confirmed: int
    waitlisted: int
    minors: int
    adults: int

    @property
    def free_places(self) -> int | None:
        if self.exchange.capacity is None:
            return None
        return max(self.exchange.capacity - self.confirmed, 0)


def roster(exchange: Exchange) -> Roster:
    """Everyone registered for the exchange, grouped by institution, with the counts a
    coordinator checks: places, waiting list, minors and adults, missing consents, ratio."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.participant)
        .options(
            joinedload(Registration.participant).selectinload(Participant.consents),
            joinedload(Registration.institution),
        )
        .where(Registration.exchange_id == exchange.id)
        .order_by(Participant.last_name, Participant.first_name, Registration.id)
    ).all()
    groups: dict[int, InstitutionRoster] = {}
    for registration in registrations:
        group = groups.get(registration.institution_id)
        if group is None:
            group = groups[registration.institution_id] = InstitutionRoster(
                registration.institution
            )
        group.registrations.append(registration)
        participant = registration.participant
        if registration.status is RegistrationStatus.WAITLISTED:
            group.waitlisted += 1
        if registration.status not in HOLDING_PLACE:
            continue
        group.confirmed += 1
        if participant.is_minor_on(exchange.start_date):
            group.minors += 1
            if not has_valid_consent(participant):
                group.missing_consents.append(participant)
        else:
            group.adults += 1
    ratio = exchange.minors_per_adult
    for group in groups.values():
        if ratio and group.minors:
            required = -(-group.minors // ratio)  # ceiling
            group.adults_needed = max(required - group.adults, 0)
    ordered = sorted(groups.values(), key=lambda item: item.institution.name)
    return Roster(
        exchange=exchange,
        institutions=ordered,
        confirmed=sum(item.confirmed for item in ordered),
        waitlisted=sum(item.waitlisted for item in ordered),
        minors=sum(item.minors for item in ordered),
        adults=sum(item.adults for item in ordered),
    )


def registration_counts(exchange_ids: list[int]) -> dict[int, dict[RegistrationStatus, int]]:
    """Counts of registrations per exchange and status, in one query."""
    counts: dict[int, dict[RegistrationStatus, int]] = defaultdict(dict)
    if not exchange_ids:
        return counts
    rows = db.session.execute(
        sa.select(Registration.exchange_id, Registration.status, sa.func.count())
        .where(Registration.exchange_id.in_(exchange_ids))
        .group_by(Registration.exchange_id, Registration.status)
    )
    for exchange_id, status, count in rows:
        counts[exchange_id][status] = count
    return counts
