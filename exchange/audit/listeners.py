"""The audit log's receivers of what lower features announce (see their ``signals`` modules)."""

from __future__ import annotations

from typing import Any

from exchange.audit import services as audit
from exchange.auth import signals as auth_signals
from exchange.auth.models import User


@auth_signals.logged_in.connect
def record_login(user: User) -> None:
    audit.record("login", "user", user.id, actor_id=user.id)


@auth_signals.login_failed.connect
def record_failed_login(user: User | None, *, reason: str) -> None:
    audit.record("login_failed", "user", user.id if user else None, detail=reason)


@auth_signals.redirect_refused.connect
def record_refused_redirect(user: User, *, target: str) -> None:
    audit.record("redirect_refused", "user", user.id, detail=target[:200])


@auth_signals.password_reset_asked.connect
def record_reset_request(user: User | None) -> None:
    audit.record(
        "password_reset_asked",
        "user",
        user.id if user else None,
        detail="" if user else "unknown or inactive account",
    )


@auth_signals.account_exported.connect
def export_audit_events(user: User, *, by: User) -> dict[str, Any]:
    """What the person did, and what happened to their account (failed logins…), for their
    access request; the export itself is recorded (after it is read)."""
    events = [
        {
            "occurred_at": event.occurred_at.isoformat(),
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "changed_fields": event.changes,
            "ip_address": event.ip_address,
            "by_this_person": event.actor_id == user.id,
        }
        for event in audit.events_of_person(user.id)
    ]
    audit.record("export", "user", user.id, actor_id=by.id, detail="access request")
    return {"audit_log": events}
