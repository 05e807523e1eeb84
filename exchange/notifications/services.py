"""Queueing e-mails, each person's choices, and the admins' retry.

``enqueue`` adds a row to the caller's transaction and never commits: if the change that
causes the message rolls back, the message was never queued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.auth.models import LANGUAGES, User
from exchange.errors import DomainError
from exchange.extensions import db
from exchange.notifications.models import (
    DeliveryState,
    Notification,
    NotificationChoice,
    NotificationKind,
    NotificationSubject,
)

log = logging.getLogger(__name__)


class NotificationError(DomainError):
    pass


def enqueue(
    to: User,
    kind: NotificationKind,
    data: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    about: Iterable[int] = (),
) -> Notification | None:
    """Queue a message for ``to`` in the current transaction; None when it is not sent:
    the person switched this kind off (essential kinds go anyway), the account is inactive,
    or a message with the same ``dedupe_key`` was queued before. ``about``: the participants
    the message names (their access exports list it)."""
    if not to.active:
        return None
    if not kind.essential and not wants(to, kind):
        return None
    notification = Notification(
        user_id=to.id,
        address=to.email,
        language=to.language,
        kind=kind,
        data=data,
        dedupe_key=dedupe_key,
        subjects=[NotificationSubject(participant_id=item) for item in set(about)],
    )
    if dedupe_key is None:
        db.session.add(notification)
        db.session.flush()
        return notification
    exists = sa.select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    if db.session.scalar(exists) is not None:
        return None
    try:
        # another worker may queue the same reminder at the same moment: the unique key decides
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return None
    return notification


def enqueue_for_active_address(email: str, kind: NotificationKind, data: dict[str, Any]) -> None:
    """Queue a message for the active account with this (normalised) address, if there is one,
    with one statement that simply inserts no row otherwise: the same work either way."""
    columns = (
        "user_id",
        "address",
        "language",
        "kind",
        "data",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
    )
    now = clock.now()
    table = Notification.__table__
    rows = sa.select(
        User.id,
        User.email,
        User.language,
        sa.literal(kind, table.c.kind.type),
        sa.literal(data, table.c.data.type),
        sa.literal(DeliveryState.PENDING, table.c.state.type),
        sa.literal(0),
        sa.literal(now, table.c.next_attempt_at.type),
        sa.literal(""),
        sa.literal(now, table.c.created_at.type),
    ).where(User.email == email, User.active.is_(True))
    db.session.execute(sa.insert(Notification).from_select(columns, rows))


# --- what each person receives --------------------------------------------------------------


def wants(user: User, kind: NotificationKind) -> bool:
    if kind.essential:
        return True
    wanted = db.session.scalar(
        sa.select(NotificationChoice.wanted).where(
            NotificationChoice.user_id == user.id, NotificationChoice.kind == kind
        )
    )
    return kind.wanted_by_default if wanted is None else wanted


def choices_of(user: User) -> dict[NotificationKind, bool]:
    """Every kind that can be switched off, and whether the user receives it."""
    stored = dict(
        db.session.execute(
            sa.select(NotificationChoice.kind, NotificationChoice.wanted).where(
                NotificationChoice.user_id == user.id
            )
        ).all()
    )
    return {
        kind: stored.get(kind, kind.wanted_by_default)
        for kind in NotificationKind
        if not kind.essential and kind in kinds_for(user)
    }


def kinds_for(user: User) -> frozenset[NotificationKind]:
    """The kinds a user of this role can receive at all."""
    if user.is_staff:
        return frozenset({*STAFF_KINDS, *ESSENTIAL_ALWAYS})
    return frozenset(set(NotificationKind) - STAFF_KINDS)


#: what only city hall receives: its coordinators' messages about their exchanges
STAFF_KINDS = frozenset({NotificationKind.START_REMINDER, NotificationKind.CONSENT_WITHDRAWN})


ESSENTIAL_ALWAYS = frozenset(kind for kind in NotificationKind if kind.essential)


def save_settings(
    user: User, *, language: str, wanted: dict[NotificationKind, bool], by: User
) -> None:
    """The user's language for e-mails and which of the non-essential kinds they receive."""
    if language not in LANGUAGES:
        raise NotificationError(_l("Choose a language from the list."), field="language")
    user.language = language
    existing = {
        choice.kind: choice
        for choice in db.session.scalars(
            sa.select(NotificationChoice).where(NotificationChoice.user_id == user.id)
        )
    }
    for kind, value in wanted.items():
        if kind.essential:
            continue
        choice = existing.get(kind)
        if choice is None:
            db.session.add(NotificationChoice(user_id=user.id, kind=kind, wanted=value))
        else:
            choice.wanted = value
    db.session.flush()


# --- the admins' queue ----------------------------------------------------------------------


def queue_query(state: DeliveryState | None = None) -> sa.Select:
    """Every message, newest first, with its recipient."""
    query = (
        sa.select(Notification)
        .options(joinedload(Notification.user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if state is not None:
        query = query.where(Notification.state == state)
    return query


def count_failed() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.state == DeliveryState.FAILED)
        )
        or 0
    )


def retry(notification: Notification, *, by: User) -> None:
    """Give a failed message a new series of attempts, starting now."""
    if notification.state is not DeliveryState.FAILED:
        raise NotificationError(_l("Only a failed message can be sent again."))
    notification.state = DeliveryState.PENDING
    notification.attempts = 0
    notification.next_attempt_at = clock.now()
    db.session.flush()
    log.info("e-mail %s queued again by user %s", notification.id, by.id)


def messages_about(participant_id: int) -> list[Notification]:
    """The messages that name a participant: for their access export."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .join(NotificationSubject)
            .where(NotificationSubject.participant_id == participant_id)
            .order_by(Notification.created_at, Notification.id)
        )
    )


def messages_to(user_id: int) -> list[Notification]:
    """The messages addressed to a user, oldest first: for their access export."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at, Notification.id)
        )
    )


def erase_about(participant_ids: Iterable[int]) -> None:
    """The participants' personal data is erased: so are the texts of the messages naming
    them (kind, recipient and times stay); those still waiting are not sent."""
    ids = list(participant_ids)
    if not ids:
        return
    about = sa.select(NotificationSubject.notification_id).where(
        NotificationSubject.participant_id.in_(ids)
    )
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(about), Notification.state == DeliveryState.PENDING)
        .values(state=DeliveryState.FAILED, last_error="erased")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(about))
        .values(data={})
        .execution_options(synchronize_session=False)
    )
