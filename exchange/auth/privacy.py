"""An account's access request (GDPR): everything held about a user of the app, as JSON.

The accounts give what they hold (the account, its sessions, invitations and password links,
never a token or a hash); the features above add their sections through
``signals.account_exported`` (the audit log: what the person did, and records the export; the
notifications: the e-mail choices and every message addressed to the person).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from exchange.auth.models import Invitation, PasswordReset, User
from exchange.auth.sessions import sessions_of
from exchange.auth.signals import account_exported
from exchange.extensions import db
from exchange.partners.models import Institution


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _of(model: type[Invitation] | type[PasswordReset], user: User) -> list:
    return list(
        db.session.scalars(
            sa.select(model).where(model.user_id == user.id).order_by(model.created_at)
        )
    )


def _link(kind: str, item: Invitation | PasswordReset) -> dict[str, Any]:
    return {
        "kind": kind,
        "created_at": _time(item.created_at),
        "expires_at": _time(item.expires_at),
        "used_at": _time(item.used_at),
    }


def export_account(user: User, *, by: User) -> dict[str, Any]:
    """Everything held about ``user``, for themselves or for an admin answering their request."""
    sections: dict[str, Any] = {}
    for _receiver, section in account_exported.send(user, by=by):
        sections.update(section or {})
    institution = db.session.get(Institution, user.institution_id) if user.institution_id else None
    links = [
        *(_link("invitation", item) for item in _of(Invitation, user)),
        *(_link("password_reset", item) for item in _of(PasswordReset, user)),
    ]
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role.value,
            "institution": institution.name if institution else None,
            "language": user.language,
            "active": user.active,
            "created_at": _time(user.created_at),
            "last_login_at": _time(user.last_login_at),
        },
        # the browser and the address of each session; never the session's secret
        "sessions": [
            {
                "device": item.device,
                "ip_address": item.ip_address,
                "logged_in_at": _time(item.created_at),
                "last_seen_at": _time(item.last_seen_at),
            }
            for item in sessions_of(user)
        ],
        # when one-time links were made and used; never the links
        "one_time_links": links,
        **sections,
    }
