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


def test_a_withdrawn_consent_tells_the_coordinators_of_the_exchanges_it_took_places_from(
    client, smtp_server, coordinator
):
    from datetime import timedelta

    from exchange import clock
    from exchange.registrations import services as registrations
    from tests.helpers import login_as, mail_text, post_form

    english = factories.user(role="coordinator", language="en", email="eng@example.org")
    bystander = factories.user(role="coordinator", email="other@example.org")
    school = factories.user(role="school")
    institution = school.institution
    pupil = factories.participant(institution, first_name="Zofia", last_name="Wycofana")
    soon = factories.exchange(title="Gelsenkirchen", coordinator=coordinator)
    later = factories.exchange(title="Richmond", coordinator=english)
    started = factories.exchange(
        title="Already on", coordinator=bystander, start=clock.today() - timedelta(days=1)
    )
    untouched = factories.exchange(title="Not hers", coordinator=bystander)
    for exchange in (soon, later):
        registrations.register_many(exchange, [pupil], by=school)
    registrations.register_many(untouched, [factories.participant(institution)], by=school)
    from exchange.registrations.models import Registration

    db.session.add(
        Registration(exchange_id=started.id, participant_id=pupil.id,
                     institution_id=institution.id, status="confirmed")
    )  # fmt: skip
    _send()
    smtp_server.messages.clear()

    login_as(client, school)
    response = post_form(client, f"/consents/{pupil.consents[0].id}/withdraw")
    assert response.status_code == 302
    run_once()
    (polish,) = smtp_server.to(coordinator.email)
    assert polish["Subject"] == "Zgoda wycofana: Gelsenkirchen"
    assert "Zofia Wycofana" in mail_text(polish)
    (message,) = smtp_server.to(english.email)
    assert message["Subject"] == "Consent withdrawn: Richmond"
    assert "consent for Zofia Wycofana was withdrawn" in " ".join(mail_text(message).split())
    assert smtp_server.to(bystander.email) == []
    # the school hears of its withdrawals as always; the messages name the pupil for her export
    assert len(smtp_server.to(school.email)) == 2
    from exchange.notifications.models import NotificationSubject

    named = db.session.scalars(
        sa.select(Notification.kind)
        .join(NotificationSubject)
        .where(
            NotificationSubject.participant_id == pupil.id,
            Notification.kind == NotificationKind.CONSENT_WITHDRAWN,
        )
    ).all()
    assert len(named) == 2


def test_a_coordinator_may_switch_the_consent_withdrawn_message_off_and_a_school_never_has_it(
    app_context, coordinator
):
    school = factories.user(role="school")
    assert NotificationKind.CONSENT_WITHDRAWN in services.choices_of(coordinator)
    assert NotificationKind.CONSENT_WITHDRAWN not in services.choices_of(school)
    services.save_settings(
        coordinator,
        language="pl",
        wanted={NotificationKind.CONSENT_WITHDRAWN: False},
        by=coordinator,
    )
    assert not services.wants(coordinator, NotificationKind.CONSENT_WITHDRAWN)
