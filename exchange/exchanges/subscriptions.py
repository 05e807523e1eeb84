"""Personal calendar subscriptions: a secret link per user that a calendar app fetches without a
session cookie (calendar apps cannot log in).

Only a SHA-256 hash of the link's token is stored, so the link is shown once, when it is made;
making a new one replaces the old (which stops working), revoking deletes it. The feed is worked
out at each fetch from the user as they are then: their scope, and nothing at all once the
account is deactivated. The audit log records each change (``CalendarSubscription`` is an
audited model: the names of the changed fields, never the token or its hash).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.auth.models import User
from exchange.exchanges.models import CalendarSubscription
from exchange.extensions import db

log = logging.getLogger(__name__)

#: the longest token the feed's URL may carry (``token_urlsafe(32)`` makes 43 characters)
MAX_TOKEN_LENGTH = 64


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def subscription_of(user: User) -> CalendarSubscription | None:
    return db.session.scalar(
        sa.select(CalendarSubscription).where(CalendarSubscription.user_id == user.id)
    )


def make_subscription(user: User) -> str:
    """A new link for ``user``, replacing the one they had: the token, to show once."""
    token = secrets.token_urlsafe(32)
    subscription = subscription_of(user)
    if subscription is None:
        subscription = CalendarSubscription(user_id=user.id)
        db.session.add(subscription)
    subscription.token_hash = token_digest(token)
    subscription.created_at = clock.now()
    db.session.flush()
    log.info("calendar subscription of user %s made", user.id)
    return token


def revoke_subscription(user: User) -> bool:
    """Delete ``user``'s link; False when they had none."""
    subscription = subscription_of(user)
    if subscription is None:
        return False
    db.session.delete(subscription)
    db.session.flush()
    log.info("calendar subscription of user %s revoked", user.id)
    return True


def subscriber(token: str) -> User | None:
    """The active user whose link carries ``token``, or None (unknown, revoked, replaced, or
    the account is deactivated). One indexed look-up by the token's hash."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    subscription = db.session.scalar(
        sa.select(CalendarSubscription)
        .options(joinedload(CalendarSubscription.user))
        .where(CalendarSubscription.token_hash == token_digest(token))
    )
    if subscription is None or not subscription.user.active:
        return None
    return subscription.user
