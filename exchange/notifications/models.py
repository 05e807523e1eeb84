"""The outbox: one row per e-mail, written in the same transaction as the change that causes it.

If that transaction rolls back, the message never existed; once it commits, the worker
(``flask send-mail``) delivers it, retrying with growing delays, so nothing is lost while the
mail server is down.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange import clock
from exchange.auth.models import User
from exchange.enums import LabelledEnum
from exchange.extensions import Model


class NotificationKind(LabelledEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a name, not a password)
    REGISTRATION_SUMMARY = "registration_summary"
    MOVED_UP = "moved_up"
    WITHDRAWAL_CONFIRMED = "withdrawal_confirmed"
    REGISTRATION_CANCELLED = "registration_cancelled"
    EXCHANGE_CHANGED = "exchange_changed"
    CONSENT_REMINDER = "consent_reminder"
    START_REMINDER = "start_reminder"
    REGISTRATION_OPENED = "registration_opened"
    CONSENT_WITHDRAWN = "consent_withdrawn"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.INVITATION: _l("Invitation to set a password"),
            cls.PASSWORD_RESET: _l("Link to choose a new password"),
            cls.REGISTRATION_SUMMARY: _l("Summary of a registration"),
            cls.MOVED_UP: _l("A place became free"),
            cls.WITHDRAWAL_CONFIRMED: _l("Withdrawal confirmed"),
            cls.REGISTRATION_CANCELLED: _l("Exchange cancelled"),
            cls.EXCHANGE_CHANGED: _l("Dates, venue or programme changed"),
            cls.CONSENT_REMINDER: _l("Reminder: consents missing before registration closes"),
            cls.START_REMINDER: _l("Reminder: an exchange starts in 3 days"),
            cls.REGISTRATION_OPENED: _l("Registration opened"),
            cls.CONSENT_WITHDRAWN: _l("A consent withdrawn: a minor's places withdrawn"),
        }

    @property
    def essential(self) -> bool:
        """Sent whatever the person chose: they cannot do without it."""
        return self in ESSENTIAL

    @property
    def wanted_by_default(self) -> bool:
        """Registration opened is sent only to those who ask for it; the rest unless refused."""
        return self is not NotificationKind.REGISTRATION_OPENED


ESSENTIAL = frozenset(
    {
        NotificationKind.INVITATION,
        NotificationKind.PASSWORD_RESET,
        NotificationKind.REGISTRATION_CANCELLED,
    }
)


class DeliveryState(LabelledEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.PENDING: _l("Waiting"), cls.SENT: _l("Sent"), cls.FAILED: _l("Failed")}


class Notification(Model):
    """One e-mail to one person. The text is rendered when it is delivered, from ``data``, in
    the recipient's ``language``; ``data`` holds no dates of birth, medical or dietary notes."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("state <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        # the worker's question: what is pending and due, oldest first
        sa.Index("ix_notification_state_next_attempt_at", "state", "next_attempt_at"),
        # the queue page lists the newest first
        sa.Index("ix_notification_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: the address when the message was queued (the account's may change later)
    address: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(8))
    kind: Mapped[NotificationKind]
    #: what the texts need, JSON; a one-time link in it is erased once the message has left
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: reminders: one message per key ever, however often the reminders run
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    state: Mapped[DeliveryState] = mapped_column(default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: the exception's class and the SMTP code, never the message
    last_error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    subjects: Mapped[list[NotificationSubject]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} {self.state}>"


class NotificationChoice(Model):
    """A person's choice about one kind of message, where it differs from the default."""

    __tablename__ = "notification_choice"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(primary_key=True)
    wanted: Mapped[bool]


class NotificationSubject(Model):
    """A participant a message names: the message belongs to that person's access export, and
    is blanked when their personal data is erased."""

    __tablename__ = "notification_subject"

    notification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
