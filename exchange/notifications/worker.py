"""The delivery worker behind ``flask send-mail``: it sends what is due, one message at a time.

Each message is claimed in its own transaction. On PostgreSQL the claim is
``SELECT … FOR UPDATE SKIP LOCKED``: the row stays locked while it is sent and marked, so
several workers (on several servers) never send one message twice, and none waits for another.
SQLite has no row locks: there a worker claims a message by moving its next attempt a few
minutes ahead (``CLAIM_LEASE``) in a transaction of its own, which only one worker can win; one
worker is enough on SQLite, and a second one is harmless.

A failed delivery is tried again after growing delays (``RETRY_DELAYS``, more than a day in
all); after the last one the message is marked failed and shown on the admins' *E-mail queue*.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.core.mail import MailNotConfigured, compose, describe_error, transmit
from exchange.db import SQLITE_BEGIN
from exchange.extensions import db
from exchange.notifications.messages import render
from exchange.notifications.models import DeliveryState, Notification

log = logging.getLogger(__name__)

#: the wait after each failed attempt; 10 attempts over about 28 hours, then "failed"
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

#: SQLite: how long a claimed message is left alone by other workers while it is being sent
CLAIM_LEASE = timedelta(minutes=5)

#: keys of ``data`` that hold a one-time link: erased once the message has left
SECRET_KEYS = ("secret_link",)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(Notification.state == DeliveryState.PENDING, Notification.next_attempt_at <= now)


def claim_next() -> Notification | None:
    """The oldest due message, claimed for this worker, or None.

    PostgreSQL: locked for this transaction, skipping rows other workers hold. SQLite: leased
    (see ``CLAIM_LEASE``); the lease is committed, the message then belongs to this worker.
    """
    now = clock.now()
    query = (
        sa.select(Notification)
        .options(joinedload(Notification.user))
        .where(_due(now))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(query.with_for_update(skip_locked=True, of=Notification))
    while True:
        candidate = db.session.scalar(query.with_only_columns(Notification.id))
        db.session.commit()  # the lease below must be the first statement of its transaction
        if candidate is None:
            return None
        leased = db.session.execute(
            sa.update(Notification)
            .where(Notification.id == candidate, _due(now))
            .values(next_attempt_at=now + CLAIM_LEASE)
        )
        db.session.commit()
        if leased.rowcount == 1:  # type: ignore[attr-defined]
            return db.session.scalar(
                sa.select(Notification)
                .options(joinedload(Notification.user))
                .where(Notification.id == candidate)
            )


def deliver(notification: Notification) -> bool:
    """Try to send one message and record the outcome (not committed); True if it left."""
    try:
        rendered = render(notification, notification.user.full_name)
    except Exception as error:  # a message that cannot be written will not be written later
        log.exception("e-mail %s cannot be written", notification.id)
        _start_writing()
        notification.attempts = MAX_ATTEMPTS
        _failed(notification, type(error).__name__)
        return False
    message = compose(notification.address, rendered.subject, rendered.text, rendered.html)
    secret = notification.data.get("secret_link", "")
    note = f"(e-mail {notification.id}, {notification.kind.value}, user {notification.user_id})"
    if secret:  # a developer without a mail server needs the link to follow it
        note += f" Link: {secret}"
    _stop_reading()
    try:
        transmit(message, log_note=note)
    except (OSError, smtplib.SMTPException, MailNotConfigured) as error:
        _start_writing()
        notification.attempts += 1
        _failed(notification, describe_error(error))
        return False
    _start_writing()
    notification.attempts += 1
    notification.state = DeliveryState.SENT
    notification.sent_at = clock.now()
    notification.last_error = ""
    if any(key in notification.data for key in SECRET_KEYS):
        notification.data = {k: v for k, v in notification.data.items() if k not in SECRET_KEYS}
    return True


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _stop_reading() -> None:
    """SQLite: end the reading transaction before the (slow) SMTP conversation. (PostgreSQL
    keeps its transaction: it holds the row lock that keeps other workers off.)"""
    if _sqlite():
        db.session.commit()


def _start_writing() -> None:
    """SQLite: record the outcome in a transaction that holds the write lock from its start;
    one that began by reading could not write once another worker has written."""
    if _sqlite() and not db.session().in_transaction():
        db.session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def _failed(notification: Notification, error: str) -> None:
    notification.last_error = error[:200]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.state = DeliveryState.FAILED
        log.error("e-mail %s failed for good: %s", notification.id, error)
        return
    notification.next_attempt_at = clock.now() + RETRY_DELAYS[notification.attempts - 1]
    log.warning(
        "e-mail %s not sent (attempt %s): %s", notification.id, notification.attempts, error
    )


def deliver_due(limit: int | None = None, stop: threading.Event | None = None) -> int:
    """Send every message that is due (at most ``limit``); returns how many left."""
    sent = attempted = 0
    while limit is None or attempted < limit:
        if stop is not None and stop.is_set():
            break
        notification = claim_next()
        if notification is None:
            db.session.commit()
            break
        attempted += 1
        sent += deliver(notification)
        db.session.commit()  # ends the claim: the row is unlocked, marked
    return sent
