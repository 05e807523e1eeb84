"""Log-in sessions, kept on the server, so that logging out ends every copy of the cookie.

At log-in a ``UserSession`` row is made with a random id. The signed session cookie carries the
id (as Flask-Login's user id); the database keeps only its SHA-256 hash. Every request looks the
row up together with its user in one query (``load_user``). A session ends:

- after ``PERMANENT_SESSION_LIFETIME`` (8 hours) without requests: ``last_seen_at``, written
  at most once a minute, so a busy page does not write on every request;
- ``SESSION_ABSOLUTE_LIFETIME`` (12 hours) after log-in, however busy it is, so a stolen cookie
  cannot be kept alive;
- when its user logs out (the row is deleted) or ends it on the "Active sessions" page;
- when the user's password changes (the other sessions) or the user is deactivated (all).

Expired rows are deleted at every log-in and by ``flask anonymise`` (``purge_expired``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.auth.models import User, UserSession
from exchange.db import begin_writing
from exchange.extensions import db

#: ``last_seen_at`` is written when it is at least this old: at most one write a minute
TOUCH_INTERVAL = timedelta(minutes=1)
#: Flask-Login's key in the cookie: it holds the session id
COOKIE_KEY = "_user_id"
#: why the session of this request ended (``g``), for the message on the next page
IDLE, ABSOLUTE = "idle", "absolute"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle_lifetime() -> timedelta:
    """How long a session may go without requests, as the server counts it.

    ``last_seen_at`` lags the last request by up to ``TOUCH_INTERVAL``, so the server allows
    that much more: nobody is logged out before the setting's time. The browser's cookie
    expires exactly that long after the last answer.
    """
    return current_app.permanent_session_lifetime + TOUCH_INTERVAL


def _absolute_lifetime() -> timedelta:
    return current_app.config["SESSION_ABSOLUTE_LIFETIME"]


def current() -> UserSession | None:
    """The session of this request, when someone is logged in."""
    return g.get("user_session")


# --- logging in and out ---------------------------------------------------------------------


def start(user: User) -> UserSession:
    """Log ``user`` in with a new session: nothing from before carries over.

    The session this browser had before, if any, ends; expired sessions of everybody are
    deleted on the way (one statement).
    """
    _end_cookie_session()
    purge_expired()
    session.clear()
    session.permanent = True
    token = secrets.token_urlsafe(32)
    now = clock.now()
    record = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        device=describe_device(request.headers.get("User-Agent", "")),
        ip_address=(request.remote_addr or "")[:45],
    )
    db.session.add(record)
    user.session_token = token
    login_user(user)
    g.user_session = record
    return record


def logout() -> None:
    """End this session: its row is deleted, so no copy of the cookie opens anything."""
    _end_cookie_session()
    logout_user()
    session.clear()


def _end_cookie_session() -> None:
    token = session.get(COOKIE_KEY)
    if isinstance(token, str):
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == _hash(token)))
    g.pop("user_session", None)


# --- every request --------------------------------------------------------------------------


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the user of the session with this id, if it still counts.

    One query: the session, its user and the user's institution. An expired session is
    refused here and its reason kept for ``check_session``.
    """
    record = db.session.scalar(
        sa.select(UserSession)
        .options(joinedload(UserSession.user, innerjoin=True).joinedload(User.institution))
        .where(UserSession.token_hash == _hash(token))
    )
    if record is None or not record.user.active:
        return None
    now = clock.now()
    if now - record.created_at > _absolute_lifetime():
        g.session_ended = ABSOLUTE
        return None
    if now - record.last_seen_at > _idle_lifetime():
        g.session_ended = IDLE
        return None
    g.user_session = record
    record.user.session_token = token
    return record.user


def check_session() -> None:
    """``before_request``: load the session; forget a cookie whose session has ended; note
    the time of the request (``last_seen_at``, at most once a minute)."""
    if COOKIE_KEY not in session or request.endpoint == "static":
        return
    if current_user.is_authenticated:
        _touch(g.user_session)
        return
    ended = g.pop("session_ended", None)
    session.clear()
    if ended == IDLE:
        flash(
            _("You were logged out after a long time without activity. Please log in again."),
            "info",
        )
    elif ended == ABSOLUTE:
        hours = int(_absolute_lifetime().total_seconds() // 3600)
        flash(
            _(
                "Your session ended %(hours)d hours after you logged in. Please log in again.",
                hours=hours,
            ),
            "info",
        )


def _touch(record: UserSession) -> None:
    """Push the idle limit on. Committed at once and alone (nothing else has been done in this
    request yet), without expiring the loaded user, which the request goes on using. On
    SQLite the write gets a transaction of its own (``begin_writing``): the one that read the
    session may not write once another request has committed since."""
    now = clock.now()
    if now - record.last_seen_at < TOUCH_INTERVAL:
        return
    orm_session = db.session()
    expire_on_commit = orm_session.expire_on_commit
    orm_session.expire_on_commit = False
    try:
        begin_writing(orm_session)
        record.last_seen_at = now
        orm_session.commit()
    finally:
        orm_session.expire_on_commit = expire_on_commit


# --- a user's sessions ----------------------------------------------------------------------


def _alive(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        UserSession.last_seen_at >= now - _idle_lifetime(),
        UserSession.created_at >= now - _absolute_lifetime(),
    )


def sessions_of(user: User) -> list[UserSession]:
    """The user's sessions that have not ended, the most recently used first."""
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(UserSession.user_id == user.id, _alive(clock.now()))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def _deleted(result: sa.Result) -> int:
    """How many rows a DELETE removed (a DML statement's result is a CursorResult)."""
    return cast(sa.CursorResult, result).rowcount


def end_sessions(user: User, *, keep: UserSession | None = None) -> int:
    """End every session of ``user`` but ``keep`` (which may be another user's: then all end).

    Returns how many ended.
    """
    query = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return _deleted(db.session.execute(query))


def end_session(user: User, session_id: int) -> bool:
    """End one session of ``user``; False when ``user`` has no session with this number."""
    result = db.session.execute(
        sa.delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    )
    return _deleted(result) == 1


def purge_expired() -> int:
    """Delete the sessions of everybody that have ended by time; returns how many."""
    now = clock.now()
    return _deleted(db.session.execute(sa.delete(UserSession).where(sa.not_(_alive(now)))))


# --- what the "Active sessions" page calls a device -----------------------------------------

_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iOS", re.compile(r"\biPhone|\biPad|\biPod")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def describe_device(user_agent: str) -> str:
    """A short, language-neutral name for the browser and system: "Firefox · Windows".

    Only the names are kept, not the whole header; "" when neither is recognised.
    """
    user_agent = user_agent[:1000]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)
