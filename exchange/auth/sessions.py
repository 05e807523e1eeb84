"""Log-in sessions: a fresh one at log-in, ended after a working day without requests.

Flask keeps the session in a signed cookie. At log-in the session is made permanent, so the
cookie carries an expiry of ``PERMANENT_SESSION_LIFETIME`` that every request pushes on; the
time of the last request is also kept in the session and checked here, so a copied cookie is
useless after the same idle time even if a browser ignores the expiry.
"""

from __future__ import annotations

from flask import current_app, flash, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from exchange import clock
from exchange.auth.models import User

#: the time (seconds since the epoch) of the session's last request
LAST_SEEN = "_last_seen"


def start(user: User) -> None:
    """Log ``user`` in with a new session: nothing from before carries over."""
    session.clear()
    session.permanent = True
    login_user(user)
    session[LAST_SEEN] = clock.timestamp()


def renew(user: User) -> None:
    """Keep this session logged in after ``user.end_other_sessions()``: store the new id."""
    login_user(user)
    session[LAST_SEEN] = clock.timestamp()


def expire_idle_session() -> None:
    """``before_request``: log out a session idle for longer than the session lifetime."""
    if "_user_id" not in session:
        return
    now = clock.timestamp()
    last_seen = session.get(LAST_SEEN)
    idle_limit = current_app.permanent_session_lifetime.total_seconds()
    if not isinstance(last_seen, int) or now - last_seen > idle_limit:
        logout_user()
        session.clear()
        flash(
            _("You were logged out after a long time without activity. Please log in again."),
            "info",
        )
        return
    session[LAST_SEEN] = now
