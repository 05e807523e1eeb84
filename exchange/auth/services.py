"""Rules for users: authentication, creation, changes, the first admin."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from exchange.auth.models import Invitation, Role, User, normalise_email
from exchange.auth.passwords import hash_password, needs_rehash, verify_password
from exchange.db import utcnow
from exchange.errors import DomainError
from exchange.extensions import db
from exchange.partners.models import Institution

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12


class UserError(DomainError):
    pass


def get_user(user_id: int) -> User | None:
    return db.session.scalar(
        sa.select(User).options(joinedload(User.institution)).where(User.id == user_id)
    )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def list_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .options(joinedload(User.institution))
            .order_by(User.active.desc(), User.full_name)
        )
    )


def list_school_accounts() -> list[User]:
    """School representatives, with whether they have set a password yet."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(User.institution)
            .options(joinedload(User.institution))
            .where(User.role == Role.SCHOOL)
            .order_by(Institution.name, User.full_name)
        )
    )


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None.

    Unknown e-mails cost the same hashing time as known ones.
    """
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        log.info("failed login%s", f" for user {user.id}" if user else "")
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    log.info("user %s logged in", user.id)
    return user


def check_password_rules(password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field="password"
        )
    if password.strip().lower() == normalise_email(email):
        raise UserError(_l("The password must not be the e-mail address."), field="password")


def _check_role_and_institution(role: Role, institution: Institution | None) -> None:
    if role is Role.SCHOOL and institution is None:
        raise UserError(
            _l("A school representative belongs to an institution: choose one."),
            field="institution_id",
        )


def _check_email_free(email: str, user: User | None = None) -> None:
    other = find_user_by_email(email)
    if other is not None and other is not user:
        raise UserError(_l("Another account already uses this e-mail address."), field="email")


def create_user(
    *,
    email: str,
    full_name: str,
    role: Role,
    password: str | None,
    institution: Institution | None = None,
) -> User:
    """Create an account. Without a password the person cannot log in until one is set."""
    _check_email_free(email)
    _check_role_and_institution(role, institution)
    if password is not None:
        check_password_rules(password, email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        institution=institution if role is Role.SCHOOL else None,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    log.info("user %s created with role %s", user.id, role.value)
    return user


def update_user(
    user: User,
    *,
    by: User,
    email: str,
    full_name: str,
    role: Role,
    institution: Institution | None,
    password: str | None = None,
) -> User:
    _check_email_free(email, user)
    _check_role_and_institution(role, institution)
    if user == by and role is not user.role:
        raise UserError(_l("You cannot change your own role."), field="role")
    user.email = email
    user.full_name = full_name.strip()
    user.role = role
    user.institution = institution if role is Role.SCHOOL else None
    if password:
        set_password(user, password)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    check_password_rules(password, user.email)
    user.password_hash = hash_password(password)


def set_active(user: User, active: bool, *, by: User) -> None:
    if user == by and not active:
        raise UserError(_l("You cannot deactivate your own account."))
    user.active = active
    db.session.flush()
    log.info("user %s %s by user %s", user.id, "activated" if active else "deactivated", by.id)


def ensure_admin(email: str) -> tuple[User, str] | None:
    """Create an admin with a random password when the database has no users at all.

    Returns the user and the password (to be shown once), or None when users exist.
    """
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        return None
    password = secrets.token_urlsafe(12)
    user = create_user(email=email, full_name="Administrator", role=Role.ADMIN, password=password)
    return user, password


# --- invitations ----------------------------------------------------------------------------

INVITATION_VALID_FOR = timedelta(days=7)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(user: User, *, by: User) -> str:
    """Make a one-time link for ``user`` to set a password; earlier links stop working.

    Returns the token; only its hash is stored.
    """
    now = utcnow()
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_by_id=by.id,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
    )
    db.session.flush()
    log.info("invitation for user %s made by user %s", user.id, by.id)
    return token


def invite_school_representative(
    *, email: str, full_name: str, institution: Institution, by: User
) -> tuple[User, str]:
    """Create a school representative without a password, and the link to set one."""
    user = create_user(
        email=email, full_name=full_name, role=Role.SCHOOL, password=None, institution=institution
    )
    return user, invite(user, by=by)


def find_invitation(token: str) -> Invitation | None:
    """The invitation for this token if it can still be used, else None."""
    invitation = db.session.scalar(
        sa.select(Invitation)
        .options(joinedload(Invitation.user))
        .where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None or not invitation.is_usable(utcnow()) or not invitation.user.active:
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    user = invitation.user
    set_password(user, password)
    invitation.used_at = utcnow()
    db.session.flush()
    log.info("user %s accepted an invitation", user.id)
    return user
