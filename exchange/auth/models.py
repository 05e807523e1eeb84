"""Users and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias, cast

import sqlalchemy as sa
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from exchange import clock
from exchange.core.permissions import Role
from exchange.db import TimestampMixin
from exchange.extensions import Model
from exchange.partners.models import Institution


def normalise_email(email: str) -> str:
    return email.strip().lower()


#: the languages an account's e-mails can be written in
LANGUAGES = ("pl", "en")


def default_language(institution: Institution | None) -> str:
    """Polish for Olsztyn's accounts (city hall and Olsztyn's institutions), English for the
    partner cities' institutions."""
    if institution is None or institution.partner_city_id is None:
        return "pl"
    return "en"


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        # e-mail addresses are compared case-insensitively: they are stored in lower case only
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint(
            "role <> 'school' OR institution_id IS NOT NULL", name="school_has_institution"
        ),
        sa.CheckConstraint("language IN ('pl', 'en')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    #: None until the person has set a password (an invited user)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(index=True)
    institution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institution.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    #: the language of the e-mails the person receives
    language: Mapped[str] = mapped_column(sa.String(8), default="pl")

    institution: Mapped[Institution | None] = relationship()

    #: the id of the log-in session this object was loaded for (not a column): what
    #: Flask-Login keeps in the session cookie (see ``exchange.auth.sessions``)
    session_token = cast("str | None", None)

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id of a ``UserSession``."""
        if self.session_token is None:
            raise RuntimeError("log users in with exchange.auth.sessions.start")
        return self.session_token

    def __eq__(self, other: object) -> bool:
        """The same account (Flask-Login's mixin would compare ids of sessions instead)."""
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    __hash__ = object.__hash__

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """City hall: admins and coordinators."""
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(Model):
    """A log-in session: the cookie carries a random id, the server keeps this row.

    Only a SHA-256 hash of the id is stored, so a copy of the table opens nothing. Logging out
    deletes the row, and with it every copy of the cookie; so do a new password (the user's
    other sessions) and deactivation (all of them).
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: the absolute lifetime counts from here
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    #: the idle lifetime counts from here; written at most once a minute
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    #: browser and system, e.g. "Firefox · Windows"; "" when the browser did not say
    device: Mapped[str] = mapped_column(sa.String(100), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


#: whoever a page is for: a logged-in user, or a visitor who is not logged in (what
#: ``flask_login.current_user`` is); every ``access`` module takes one
Viewer: TypeAlias = User | AnonymousUserMixin


def is_staff(viewer: Viewer) -> bool:
    """City hall (admins and coordinators), logged in."""
    return isinstance(viewer, User) and viewer.is_authenticated and viewer.is_staff


class Invitation(Model):
    """A one-time link that lets an invited person set their password.

    Only a SHA-256 hash of the token is stored: the link itself is shown once, to the
    coordinator who made it.
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


class PasswordReset(Model):
    """A one-time link, sent by e-mail, that lets a user choose a new password.

    As with invitations only a SHA-256 hash of the token is stored.
    """

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
