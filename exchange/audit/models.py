"""Audit events. Rows are only ever inserted: the app has no way to change or delete them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange import clock
from exchange.auth.models import User
from exchange.extensions import Model


class AuditEvent(Model):
    """One thing that happened: a login, a change to a record, an export of personal data.

    ``changes`` lists the names of the fields that changed, never their values: the log must
    not become a second copy of the personal data it protects.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        sa.Index("ix_audit_event_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: who did it; None for the command line, the system, or an anonymous visitor
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[int | None]
    changes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")

    actor: Mapped[User | None] = relationship()


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(mapper, connection, target) -> None:
    raise PermissionError("the audit log is append-only")


class RefusedRequests(Model):
    """How many requests from one client address were refused for one reason in one minute.

    Refusals that anyone can cause without logging in (a form without its CSRF token, too
    many attempts) are counted here rather than written to the audit log one row each: a
    flood of them adds at most one row per address and minute.
    """

    __tablename__ = "refused_requests"
    #: one row per minute, address and reason; its index also serves the newest-first listing
    __table_args__ = (sa.UniqueConstraint("minute", "ip_address", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the start of the minute (UTC)
    minute: Mapped[datetime]
    ip_address: Mapped[str] = mapped_column(sa.String(45))
    #: "csrf_refused" or "rate_limited"
    action: Mapped[str] = mapped_column(sa.String(40))
    count: Mapped[int] = mapped_column(default=1)
    #: method and path of the last request counted, e.g. "POST /login"
    last_detail: Mapped[str] = mapped_column(sa.String(300), default="")
