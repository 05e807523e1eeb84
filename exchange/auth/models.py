"""Users and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

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


class User(UserMixin, TimestampMixin, Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        # e-mail addresses are compared case-insensitively: they are stored in lower case only
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint(
            "role <> 'school' OR institution_id IS NOT NULL", name="school_has_institution"
        ),
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
    #: part of the id kept in the session cookie; a new password raises it, which ends every
    #: session opened with the old one (see ``get_id`` and ``services.load_session_user``)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    institution: Mapped[Institution | None] = relationship()

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    def end_other_sessions(self) -> None:
        """Make every session opened so far invalid (the current one can log in again)."""
        self.session_version += 1

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
