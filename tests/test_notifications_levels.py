"""Registration opened goes to the schools of the exchange's level; a withdrawn consent tells
the coordinators of the exchanges it took places from. Through a real SMTP server."""

from __future__ import annotations

import sqlalchemy as sa

from exchange.exchanges import services as exchange_services
from exchange.extensions import db
from exchange.notifications import services
from exchange.notifications.cli import run_once
from exchange.notifications.models import Notification, NotificationKind
from tests import factories


def _send() -> None:
    db.session.commit()
    run_once()


def _asking(levels: list[str], **values):
    """A school representative of a school teaching ``levels``, who asked for the e-mail."""
    user = factories.user(role="school", institution=factories.institution(levels=levels), **values)
    services.save_settings(
        user, language=user.language, wanted={NotificationKind.REGISTRATION_OPENED: True}, by=user
    )
    return user


def test_registration_opened_goes_to_the_schools_teaching_the_exchanges_level(
    app_context, smtp_server, coordinator
):
    primary = _asking(["primary"])
    both = _asking(["primary", "secondary"])
    vocational = _asking(["vocational"])
    no_level = _asking([])
    not_asking = factories.user(
        role="school", institution=factories.institution(levels=["primary"])
    )
    exchange = factories.exchange(status="planned", school_level="primary", title="Rovaniemi")
    exchange_services.transition(exchange, "open_registration", by=coordinator)
    _send()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([primary.email, both.email])
    assert all("Rovaniemi" in m["Subject"] for m in smtp_server.messages)
    for user in (vocational, no_level, not_asking):
        assert smtp_server.to(user.email) == []


def test_an_exchange_without_a_level_goes_to_every_school_that_asked(
    app_context, smtp_server, coordinator
):
    from exchange.exchanges.models import ExchangeKind

    users = [_asking(["primary"]), _asking(["vocational"]), _asking([])]
    silent = factories.user(role="school")
    exchange = factories.exchange(status="planned", kind=ExchangeKind.SPORTS)
    assert exchange.school_level is None
    exchange_services.transition(exchange, "open_registration", by=coordinator)
    _send()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(u.email for u in users)
    assert smtp_server.to(silent.email) == []
    # and once only: closing and opening again sends nothing more
    exchange_services.transition(exchange, "close_registration", by=coordinator)
    exchange_services.transition(exchange, "reopen_registration", by=coordinator)
    _send()
    assert len(smtp_server.messages) == 3
    kinds = db.session.scalars(sa.select(Notification.kind)).all()
    assert kinds == [NotificationKind.REGISTRATION_OPENED] * 3
