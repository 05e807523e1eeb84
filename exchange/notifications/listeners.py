"""How the notifications react to the other features' announcements: each receiver queues the
e-mails in the sender's transaction (``services.enqueue``), so they exist only if the change
commits.

Lower features never import this module: ``create_app`` does (``register_listeners``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from exchange.auth import signals as auth_signals
from exchange.auth.models import Role, User
from exchange.exchanges import signals as exchange_signals
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.notifications.messages import subject_of
from exchange.notifications.models import NotificationChoice, NotificationKind
from exchange.notifications.services import (
    choices_of,
    enqueue,
    enqueue_for_active_address,
    erase_about,
    messages_about,
    messages_to,
)
from exchange.partners.models import Institution, teaches
from exchange.registrations import signals as registration_signals
from exchange.registrations.models import (
    ACTIVE,
    ConsentRecord,
    Participant,
    Registration,
    RegistrationStatus,
)
from exchange.registrations.queries import waiting_positions


def public_link(endpoint: str, **values: Any) -> str:
    """An absolute address for an e-mail, on PUBLIC_URL (or, in development, the request's
    host); "" when neither is known (the worker's reminders without PUBLIC_URL)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    if has_request_context() and current_app.config.get("ENV_NAME") != "production":
        return url_for(endpoint, _external=True, **values)
    return ""


def exchange_data(exchange: Exchange) -> dict[str, Any]:
    return {
        "id": exchange.id,
        "title": exchange.title,
        "start_date": exchange.start_date.isoformat(),
        "end_date": exchange.end_date.isoformat(),
        "city": exchange.city,
    }


def _base(exchange: Exchange) -> dict[str, Any]:
    return {
        "exchange": exchange_data(exchange),
        "url": public_link("exchanges.detail", exchange_id=exchange.id),
    }


def school_representatives(institution_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active school accounts of each institution, in one query."""
    ids = set(institution_ids)
    found: dict[int, list[User]] = defaultdict(list)
    if not ids:
        return found
    users = db.session.scalars(
        sa.select(User)
        .where(User.role == Role.SCHOOL, User.institution_id.in_(ids), User.active.is_(True))
        .order_by(User.id)
    )
    for user in users:
        if user.institution_id is not None:
            found[user.institution_id].append(user)
    return found


def _institution_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(Institution.id, Institution.name).where(Institution.id.in_(set(ids)))
        ).all()
    )


Row = tuple[int, int, str, RegistrationStatus, int]


def _rows(registration_ids: Sequence[int]) -> list[Row]:
    """(id, institution, name, status, participant) of the registrations, in the order given."""
    rows = db.session.execute(
        sa.select(
            Registration.id,
            Registration.institution_id,
            Participant.first_name + " " + Participant.last_name,
            Registration.status,
            Registration.participant_id,
        )
        .join(Registration.participant)
        .where(Registration.id.in_(registration_ids))
    ).all()
    by_id = {row[0]: (row[0], row[1], row[2], row[3], row[4]) for row in rows}
    return [by_id[item] for item in registration_ids if item in by_id]


def _send_to_institutions(
    kind: NotificationKind,
    data_by_institution: dict[int, dict[str, Any]],
    about: dict[int, list[int]] | None = None,
) -> None:
    """Each institution's message to each of its representatives; ``about``: the participants
    each institution's message names."""
    users = school_representatives(data_by_institution)
    for institution_id, data in data_by_institution.items():
        for user in users.get(institution_id, []):
            enqueue(user, kind, data, about=(about or {}).get(institution_id, ()))


def _about(rows: list[Row]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        found[row[1]].append(row[4])
    return found


# --- accounts -------------------------------------------------------------------------------


@auth_signals.invitation_created.connect
def send_invitation(user: User, *, link: str, valid_days: int, **extra: Any) -> None:
    enqueue(user, NotificationKind.INVITATION, {"secret_link": link, "valid_days": valid_days})


@auth_signals.password_reset_link_made.connect
def send_password_reset(email: str, *, link: str, valid_minutes: int, **extra: Any) -> None:
    enqueue_for_active_address(
        email,
        NotificationKind.PASSWORD_RESET,
        {"secret_link": link, "valid_minutes": valid_minutes},
    )


@auth_signals.account_exported.connect
def export_account_messages(user: User, **extra: Any) -> dict[str, Any]:
    """The person's e-mail choices and every message addressed to them, for their access
    request: kind, subject, times and state; never the text's data (a one-time link)."""
    return {
        "email_choices": {kind.value: wanted for kind, wanted in choices_of(user).items()},
        "emails": [
            {
                "kind": message.kind.value,
                "subject": subject_of(message),
                "to": message.address,
                "queued_at": message.created_at.isoformat(),
                "state": message.state.value,
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            }
            for message in messages_to(user.id)
        ],
    }


# --- registrations --------------------------------------------------------------------------


@registration_signals.registered.connect
def send_registration_summary(
    exchange: Exchange, *, registrations: list[Registration], **extra: Any
) -> None:
    """One message per registering action and school: who got a place, who waits where."""
    ids = [registration.id for registration in registrations]
    rows = _rows(ids)
    positions = waiting_positions(registrations)
    names = _institution_names(row[1] for row in rows)
    data: dict[int, dict[str, Any]] = {}
    for registration_id, institution_id, name, status, _participant in rows:
        item = data.setdefault(
            institution_id,
            {
                **_base(exchange),
                "institution": names.get(institution_id, ""),
                "confirmed": [],
                "waiting": [],
            },
        )
        if status is RegistrationStatus.WAITLISTED:
            item["waiting"].append([name, positions.get(registration_id, 0)])
        else:
            item["confirmed"].append(name)
    _send_to_institutions(NotificationKind.REGISTRATION_SUMMARY, data, _about(rows))


@registration_signals.moved_up.connect
def send_moved_up(exchange: Exchange, *, registrations: list[Registration], **extra: Any) -> None:
    data: dict[int, dict[str, Any]] = {}
    rows = _rows([item.id for item in registrations])
    for _id, institution_id, name, _status, _participant in rows:
        data.setdefault(institution_id, {**_base(exchange), "names": []})["names"].append(name)
    _send_to_institutions(NotificationKind.MOVED_UP, data, _about(rows))


@registration_signals.withdrawn.connect
def send_withdrawal_confirmed(registration: Registration, **extra: Any) -> None:
    exchange = db.session.get(Exchange, registration.exchange_id)
    if exchange is None:
        return
    rows = _rows([registration.id])
    for _id, institution_id, name, _status, _participant in rows:
        _send_to_institutions(
            NotificationKind.WITHDRAWAL_CONFIRMED,
            {institution_id: {**_base(exchange), "name": name}},
            _about(rows),
        )


@registration_signals.registrations_cancelled.connect
def send_cancellation(
    exchange: Exchange, *, registrations: list[Registration], **extra: Any
) -> None:
    data: dict[int, dict[str, Any]] = {}
    rows = _rows([item.id for item in registrations])
    for _id, institution_id, name, _status, _participant in rows:
        item = data.setdefault(
            institution_id, {**_base(exchange), "reason": exchange.cancel_reason, "names": []}
        )
        item["names"].append(name)
    _send_to_institutions(NotificationKind.REGISTRATION_CANCELLED, data, _about(rows))


@registration_signals.consent_withdrawn.connect
def send_consent_withdrawn(
    consent: ConsentRecord,
    *,
    participant: Participant,
    registrations: list[Registration],
    **extra: Any,
) -> None:
    """The coordinator of each upcoming exchange the minor lost a place (or a waiting
    position) in hears of it, in their language: the group and the ratio of adults change."""
    exchange_ids = {registration.exchange_id for registration in registrations}
    if not exchange_ids:
        return
    rows = db.session.execute(
        sa.select(Exchange, User)
        .join(User, User.id == Exchange.coordinator_id)
        .where(Exchange.id.in_(exchange_ids))
        .order_by(Exchange.start_date, Exchange.id)
    ).all()
    for exchange, coordinator in rows:
        enqueue(
            coordinator,
            NotificationKind.CONSENT_WITHDRAWN,
            {**_base(exchange), "name": participant.full_name},
            about=[participant.id],
        )


@registration_signals.person_exported.connect
def export_messages(participant: Participant, **extra: Any) -> dict[str, Any]:
    """The e-mails that named the person, for their access export."""
    return {
        "emails": [
            {
                "kind": message.kind.value,
                "to": message.address,
                "queued_at": message.created_at.isoformat(),
                "state": message.state.value,
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
                # not the text: it may name other people
                "exchange": message.data.get("exchange", {}).get("title"),
            }
            for message in messages_about(participant.id)
        ]
    }


@registration_signals.personal_data_erased.connect
def erase_messages(participant_ids: list[int], **extra: Any) -> None:
    erase_about(participant_ids)


# --- exchanges ------------------------------------------------------------------------------


@exchange_signals.exchange_changed.connect
def send_exchange_changed(exchange: Exchange, *, changes: list, **extra: Any) -> None:
    """Every school with registrations (a place or a waiting position) hears what changed."""
    institution_ids = db.session.scalars(
        sa.select(Registration.institution_id)
        .where(Registration.exchange_id == exchange.id, Registration.status.in_(ACTIVE))
        .distinct()
    ).all()
    data = {"changes": [list(change) for change in changes], **_base(exchange)}
    _send_to_institutions(
        NotificationKind.EXCHANGE_CHANGED,
        {institution_id: data for institution_id in institution_ids},
    )


@exchange_signals.registration_opened.connect
def send_registration_opened(exchange: Exchange, **extra: Any) -> None:
    """School representatives who asked for it hear of it, once per exchange: those whose
    institution teaches the exchange's school level (all of them for an exchange without a
    level)."""
    data = {
        **_base(exchange),
        "opens": exchange.registration_opens.isoformat() if exchange.registration_opens else None,
        "closes": exchange.registration_closes.isoformat()
        if exchange.registration_closes
        else None,
    }
    asked = (
        sa.select(NotificationChoice.user_id)
        .where(
            NotificationChoice.user_id == User.id,
            NotificationChoice.kind == NotificationKind.REGISTRATION_OPENED,
            NotificationChoice.wanted.is_(True),
        )
        .exists()
    )
    query = sa.select(User).where(User.role == Role.SCHOOL, User.active.is_(True), asked)
    if exchange.school_level is not None:
        query = query.where(teaches(User.institution_id, exchange.school_level))
    for user in db.session.scalars(query.order_by(User.id)):
        enqueue(
            user,
            NotificationKind.REGISTRATION_OPENED,
            data,
            dedupe_key=f"registration-opened:{exchange.id}:{user.id}",
        )
