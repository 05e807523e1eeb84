"""What is sent, to whom, in which language, once: each kind of e-mail through a real SMTP
server, caused by the app's own actions."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from exchange import clock
from exchange.exchanges import services as exchange_services
from exchange.extensions import db
from exchange.notifications import services
from exchange.notifications.cli import run_once
from exchange.notifications.models import Notification, NotificationKind
from exchange.notifications.reminders import queue_reminders
from exchange.registrations import services as registrations
from exchange.registrations.models import Registration
from tests import factories
from tests.helpers import login_as, mail_html, mail_text, post_form


def _kinds(address: str) -> list[NotificationKind]:
    return list(
        db.session.scalars(
            sa.select(Notification.kind)
            .where(Notification.address == address)
            .order_by(Notification.id)
        )
    )


def _send() -> None:
    db.session.commit()
    run_once()


def test_a_new_school_is_invited_registers_thirty_for_twenty_five_places_and_hears_of_each_step(
    client, app, smtp_server, coordinator
):
    """The issue's journey: invitation, one summary, a "moved up" message — in Polish."""
    school = factories.institution(name="Szkoła Podstawowa nr 5")
    login_as(client, coordinator)
    page = post_form(
        client,
        "/school-accounts/new",
        {"full_name": "Ewa Nowak", "email": "ewa@sp5.example", "institution_id": school.id},
    ).get_data(as_text=True)
    assert 'id="invitation-link"' in page  # the link is still shown, to copy
    _send()
    (invitation,) = smtp_server.to("ewa@sp5.example")
    assert invitation["Subject"] == "Państwa konto w systemie wymian Olsztyna"
    assert "/invitation/" in mail_text(invitation)
    assert "Ustaw hasło" in mail_html(invitation)

    representative = db.session.scalar(
        sa.select(factories.User).where(factories.User.email == "ewa@sp5.example")
    )
    exchange = factories.exchange(capacity=25, title="Gelsenkirchen 2026")
    pupils = [
        factories.participant(school, first_name=f"Uczeń{n:02d}", last_name="Kowalski")
        for n in range(30)
    ]
    registrations.register_many(exchange, pupils, by=representative)
    _send()
    (summary,) = smtp_server.to("ewa@sp5.example")[1:]
    text = mail_text(summary)
    assert summary["Subject"] == "Zgłoszenie na wymianę Gelsenkirchen 2026"
    assert "25 osób ma miejsce" in text
    assert "5 osób jest na liście rezerwowej" in text
    assert "Uczeń25 Kowalski — miejsce 1" in text
    assert "Uczeń29 Kowalski — miejsce 5" in text

    first = db.session.scalar(
        sa.select(Registration).where(Registration.participant_id == pupils[0].id)
    )
    registrations.withdraw(first, by=representative)
    _send()
    later = smtp_server.to("ewa@sp5.example")[2:]
    subjects = sorted(message["Subject"] for message in later)
    assert subjects == [
        "Miejsce na wymianie Gelsenkirchen 2026",
        "Wycofano z wymiany Gelsenkirchen 2026",
    ]
    moved = next(message for message in later if message["Subject"].startswith("Miejsce"))
    assert "Uczeń25 Kowalski" in mail_text(moved)
    assert len(smtp_server.messages) == 4  # nothing else, to nobody else


def test_a_partner_citys_school_hears_in_english(app_context, smtp_server):
    abroad = factories.institution(partner_city=factories.partner())
    exchange = factories.exchange()
    from exchange.auth import services as auth_services
    from exchange.auth.models import Role

    user = auth_services.create_user(
        email="anna@school.example", full_name="Anna", role=Role.SCHOOL, password=None,
        institution=abroad,
    )  # fmt: skip
    assert user.language == "en"
    registrations.register_many(exchange, [factories.participant(abroad)], by=user)
    _send()
    (message,) = smtp_server.to("anna@school.example")
    assert message["Subject"] == f"Registered for {exchange.title}"
    assert "1 has a place" in mail_text(message)


def test_messages_carry_names_but_never_dates_of_birth_or_notes(app_context, smtp_server):
    school = factories.user(role="school")
    pupil = factories.participant(
        school.institution,
        date_of_birth=date(2011, 3, 17),
        dietary_notes="vegetarian-secret",
        medical_notes="asthma-secret",
    )
    registrations.register_many(factories.exchange(), [pupil], by=school)
    _send()
    (message,) = smtp_server.messages
    body = mail_text(message) + mail_html(message)
    assert pupil.full_name in body
    for secret in ("2011", "17 mar", "17.03", "vegetarian-secret", "asthma-secret"):
        assert secret not in body
    stored = str(db.session.scalar(sa.select(Notification.data)))
    assert "2011-03-17" not in stored
    assert "secret" not in stored


def test_cancelling_an_exchange_tells_each_school_with_the_reason_even_if_switched_off(
    app_context, smtp_server, coordinator
):
    exchange = factories.exchange()
    schools = [factories.user(role="school") for _ in range(2)]
    bystander = factories.user(role="school")
    for school in schools:
        registrations.register_many(
            exchange, [factories.participant(school.institution)], by=school
        )
    services.save_settings(
        schools[0], language="en", wanted={kind: False for kind in NotificationKind}, by=schools[0]
    )
    db.session.commit()
    exchange_services.transition(exchange, "cancel", by=coordinator, reason="The bus broke down")
    _send()
    for school in schools:
        cancelled = [m for m in smtp_server.to(school.email) if m["Subject"].startswith("Odwoł")
                     or m["Subject"].startswith("Cancelled")]  # fmt: skip
        assert len(cancelled) == 1
        assert "The bus broke down" in mail_text(cancelled[0])
    assert smtp_server.to(bystander.email) == []


def test_changed_dates_tell_the_schools_with_registrations_what_changed(
    app_context, smtp_server, coordinator
):
    from sqlalchemy.orm import selectinload

    from exchange.exchanges.models import Exchange, SchoolLevel

    exchange = factories.exchange(school_level=SchoolLevel.PRIMARY)
    school = factories.user(role="school")
    other = factories.user(role="school")
    registrations.register_many(exchange, [factories.participant(school.institution)], by=school)
    _send()
    smtp_server.messages.clear()
    exchange = db.session.scalar(
        sa.select(Exchange)
        .options(selectinload(Exchange.partners), selectinload(Exchange.programme))
        .where(Exchange.id == exchange.id)
        .execution_options(populate_existing=True)
    )
    values = exchange_services.ExchangeValues.of(exchange)
    values.start_date = exchange.start_date + timedelta(days=1)
    exchange_services.update_exchange(exchange, values, by=coordinator)
    _send()
    (message,) = smtp_server.messages
    assert message["To"] == school.email
    assert "Zmiana" in message["Subject"]
    assert "(było:" in mail_text(message)
    assert smtp_server.to(other.email) == []


def test_reminders_are_sent_once_however_often_the_worker_runs(
    app_context, smtp_server, coordinator
):
    today = clock.today()
    school = factories.user(role="school")
    exchange = factories.exchange(
        registration_closes=today + timedelta(days=7),
        start=today + timedelta(days=20),
        coordinator=coordinator,
    )
    without = factories.participant(school.institution, consent=False, last_name="Bezzgody")
    with_consent = factories.participant(school.institution, last_name="Zgodna")
    for pupil in (without, with_consent):
        db.session.add(
            Registration(
                exchange_id=exchange.id,
                participant_id=pupil.id,
                institution_id=pupil.institution_id,
                status="confirmed",
            )
        )
    db.session.commit()
    assert queue_reminders() == 1
    assert queue_reminders() == 0
    _send()
    _send()
    (reminder,) = smtp_server.to(school.email)
    assert "Bezzgody" in mail_text(reminder)
    assert "Zgodna" not in mail_text(reminder)

    # three days before the start, the coordinator hears of the missing consent
    exchange.start_date = today + timedelta(days=3)
    exchange.end_date = today + timedelta(days=5)
    db.session.commit()
    _send()
    _send()
    (start,) = smtp_server.to(coordinator.email)
    assert "zaczyna się za 3 dni" in start["Subject"]
    assert "Bezzgody" in mail_text(start)


def test_registration_opened_goes_only_to_those_who_asked(app_context, smtp_server, coordinator):
    secondary = factories.institution(levels=["secondary"])
    keen = factories.user(role="school", institution=secondary)
    quiet = factories.user(role="school", institution=secondary)
    services.save_settings(
        keen, language="pl", wanted={NotificationKind.REGISTRATION_OPENED: True}, by=keen
    )
    exchange = factories.exchange(status="planned")
    exchange_services.transition(exchange, "open_registration", by=coordinator)
    _send()
    assert [m["To"] for m in smtp_server.messages] == [keen.email]
    assert _kinds(quiet.email) == []


def test_the_messages_naming_a_pupil_are_in_their_access_export_and_erased_with_them(
    client, smtp_server, coordinator
):
    from exchange.notifications.models import DeliveryState

    school = factories.user(role="school")
    pupil = factories.participant(school.institution, last_name="Eksportowa")
    other = factories.participant(school.institution, last_name="Inna")
    exchange = factories.exchange(title="Halmstad 2026")
    registrations.register_many(exchange, [pupil, other], by=school)
    _send()
    login_as(client, coordinator)
    export = client.get(f"/participants/{pupil.id}/export.json").get_json()
    (email,) = export["emails"]
    assert email["kind"] == "registration_summary"
    assert email["to"] == school.email
    assert email["exchange"] == "Halmstad 2026"
    assert email["state"] == "sent"
    assert "Inna" not in str(export)  # another pupil named in the same message

    post_form(client, f"/participants/{pupil.id}/erase")
    stored = db.session.scalar(sa.select(Notification))
    assert stored.data == {}
    assert stored.state is DeliveryState.SENT
