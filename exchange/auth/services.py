"""Rules for users: authentication, creation, changes, the first admin."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from importlib import resources

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.auth import sessions, signals
from exchange.auth.models import (
    Invitation,
    PasswordReset,
    User,
    UserSession,
    default_language,
    normalise_email,
)
from exchange.auth.passwords import hash_password, needs_rehash, verify_password
from exchange.core.permissions import Role
from exchange.db import begin_writing
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
    # what follows writes (the audit log, the session): on SQLite, in a transaction that
    # waits for other log-ins rather than failing (the password check stays outside it)
    begin_writing(db.session)
    if user is None or not ok or not user.active:
        log.info("failed login%s", f" for user {user.id}" if user else "")
        reason = "unknown e-mail" if user is None else ("inactive" if ok else "wrong password")
        signals.login_failed.send(user, reason=reason)
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    log.info("user %s logged in", user.id)
    signals.logged_in.send(user)
    return user


@cache
def common_passwords() -> frozenset[str]:
    """The list shipped in ``common_passwords.txt``, in lower case, read once per process."""
    text = resources.files("exchange.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def is_common_password(password: str) -> bool:
    lowered = password.strip().lower()
    return lowered in common_passwords() or "".join(lowered.split()) in common_passwords()


def check_password_rules(password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field="password"
        )
    if password.strip().lower() == normalise_email(email):
        raise UserError(_l("The password must not be the e-mail address."), field="password")
    if is_common_password(password):
        raise UserError(
            _l(
                "This password is on a list of the most common passwords, which are guessed "
                "first. Choose another one, for example a few unrelated words."
            ),
            field="password",
        )


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
        language=default_language(institution if role is Role.SCHOOL else None),
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
    keep: UserSession | None = None,
) -> User:
    """Save an admin's changes; a new password ends the user's sessions but ``keep``."""
    _check_email_free(email, user)
    _check_role_and_institution(role, institution)
    if user == by and role is not user.role:
        raise UserError(_l("You cannot change your own role."), field="role")
    user.email = email
    user.full_name = full_name.strip()
    user.role = role
    user.institution = institution if role is Role.SCHOOL else None
    if password:
        set_password(user, password, keep=keep)
    db.session.flush()
    return user


def set_password(user: User, password: str, *, keep: UserSession | None = None) -> None:
    """Set a new password and end every session the user has open but ``keep``.

    Views pass the session of the request (``sessions.current()``): when users change their
    own password they stay logged in there, and only their other sessions end.
    """
    check_password_rules(password, user.email)
    user.password_hash = hash_password(password)
    ended = sessions.end_sessions(user, keep=keep)
    log.info("password of user %s changed; %d other sessions ended", user.id, ended)


def change_password(
    user: User, *, current_password: str, new_password: str, keep: UserSession | None = None
) -> None:
    """The user's own change: the current password is asked, so an open session is not enough."""
    if not verify_password(user.password_hash, current_password):
        log.info("wrong current password when user %s changed the password", user.id)
        raise UserError(_l("The current password is wrong."), field="current_password")
    if new_password == current_password:
        raise UserError(_l("The new password must differ from the current one."), field="password")
    set_password(user, new_password, keep=keep)
    db.session.flush()


def set_active(user: User, active: bool, *, by: User) -> None:
    if user == by and not active:
        raise UserError(_l("You cannot deactivate your own account."))
    user.active = active
    if not active:
        sessions.end_sessions(user)
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


#: makes the absolute link of a token, for an e-mail; None when no address can be trusted
LinkMaker = Callable[[str], "str | None"]


def invite(user: User, *, by: User, link_for: LinkMaker | None = None) -> str:
    """Make a one-time link for ``user`` to set a password; earlier links stop working.

    Only for an account that has never had a password: the link sets one, so for an account
    in use it would let whoever makes the link take the account over. Returns the token; only
    its hash is stored. With ``link_for`` the link is announced (``invitation_created``), and
    the person receives it by e-mail.
    """
    if user.password_hash is not None:
        raise UserError(
            _l(
                "%(name)s has already set a password, so no invitation link can be made: the "
                "link would replace their password. If they forgot it, they can ask for a new "
                "one on the log-in page.",
                name=user.full_name,
            )
        )
    now = clock.now()
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
    link = link_for(token) if link_for else None
    if link:
        signals.invitation_created.send(
            user, link=link, valid_days=INVITATION_VALID_FOR.days, by=by
        )
    return token


def invite_school_representative(
    *,
    email: str,
    full_name: str,
    institution: Institution,
    by: User,
    link_for: LinkMaker | None = None,
) -> tuple[User, str]:
    """Create a school representative without a password, and the link to set one."""
    user = create_user(
        email=email, full_name=full_name, role=Role.SCHOOL, password=None, institution=institution
    )
    return user, invite(user, by=by, link_for=link_for)


def find_invitation(token: str) -> Invitation | None:
    """The invitation for this token if it can still be used, else None.

    A link stops working once its account has a password, however that was set.
    """
    invitation = db.session.scalar(
        sa.select(Invitation)
        .options(joinedload(Invitation.user))
        .where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None or not invitation.is_usable(clock.now()):
        return None
    user = invitation.user
    if not user.active or user.password_hash is not None:
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    user = invitation.user
    set_password(user, password)
    invitation.used_at = clock.now()
    db.session.flush()
    log.info("user %s accepted an invitation", user.id)
    return user


# --- password reset by e-mail ---------------------------------------------------------------

PASSWORD_RESET_VALID_FOR = timedelta(hours=1)


def request_password_reset(
    email: str, link_for: LinkMaker | None = None
) -> tuple[User | None, str]:
    """Make a one-time link for the active user with this e-mail, if there is one.

    Earlier links of the user stop working. Whether or not an account uses the address, the
    same work is done: the same statements, written by e-mail so that an unknown address
    simply matches no row, a token and its hash, and an audit event, so the answer takes as
    long either way. Returns the user (None when no active account uses the address) and the
    token, which the caller turns into an e-mail either way and sends only to a user. Only
    the token's hash is stored. With ``link_for`` the link is announced
    (``password_reset_link_made``) for the e-mail, which the listener queues only for an
    account, with the same statements either way.
    """
    email = normalise_email(email)
    now = clock.now()
    account = sa.select(User.id).where(User.email == email, User.active.is_(True))
    user = db.session.scalar(sa.select(User).where(User.id.in_(account)))
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id.in_(account), PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    columns = ("user_id", "token_hash", "created_at", "expires_at")
    values = account.add_columns(
        sa.literal(_token_hash(token), PasswordReset.token_hash.type),
        sa.literal(now, PasswordReset.created_at.type),
        sa.literal(now + PASSWORD_RESET_VALID_FOR, PasswordReset.expires_at.type),
    )
    db.session.execute(sa.insert(PasswordReset).from_select(columns, values))
    signals.password_reset_asked.send(user)
    db.session.flush()
    link = link_for(token) if link_for else None
    if link:
        signals.password_reset_link_made.send(
            email,
            link=link,
            valid_minutes=int(PASSWORD_RESET_VALID_FOR.total_seconds() // 60),
        )
    if user is None:
        log.info("password reset asked for an unknown or inactive account")
    else:
        log.info("password reset link made for user %s", user.id)
    return user, token


def _end_password_resets(user: User, now) -> None:
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )


def find_password_reset(token: str) -> PasswordReset | None:
    """The reset for this token if it can still be used, else None."""
    reset = db.session.scalar(
        sa.select(PasswordReset)
        .options(joinedload(PasswordReset.user).joinedload(User.institution))
        .where(PasswordReset.token_hash == _token_hash(token))
    )
    if reset is None or not reset.is_usable(clock.now()) or not reset.user.active:
        return None
    return reset


def reset_password(reset: PasswordReset, password: str) -> User:
    """Set the new password; this link and every other open link of the user stop working."""
    user = reset.user
    set_password(user, password)  # every session of the user ends
    _end_password_resets(user, clock.now())
    db.session.flush()
    log.info("user %s set a new password with a reset link", user.id)
    return user
