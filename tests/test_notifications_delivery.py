"""The outbox and its worker against a real SMTP server: nothing queued without a commit,
nothing lost while the server is down, nothing sent twice by two workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from exchange import clock
from exchange.auth.models import User
from exchange.extensions import db
from exchange.notifications import services
from exchange.notifications.models import DeliveryState, Notification, NotificationKind
from exchange.notifications.worker import MAX_ATTEMPTS, deliver_due
from exchange.registrations import services as registrations
from tests import factories
from tests.helpers import mail_html, mail_text

RESET = {"secret_link": "http://localhost/password/reset/abc", "valid_minutes": 60}


def _queue(user: User, **data) -> Notification:
    notification = services.enqueue(user, NotificationKind.PASSWORD_RESET, {**RESET, **data})
    assert notification is not None
    db.session.commit()
    return notification


def _count(state: DeliveryState | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(Notification)
    if state is not None:
        query = query.where(Notification.state == state)
    return db.session.scalar(query) or 0


def test_a_queued_message_is_delivered_as_text_and_html(app_context, smtp_server, coordinator):
    _queue(coordinator)
    assert deliver_due() == 1
    (message,) = smtp_server.messages
    assert message["To"] == coordinator.email
    assert message["From"] == "wymiany@olsztyn.example"
    assert "http://localhost/password/reset/abc" in mail_text(message)
    assert 'href="http://localhost/password/reset/abc"' in mail_html(message)
    assert _count(DeliveryState.SENT) == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(app_context, smtp_server):
    exchange = factories.exchange(capacity=1)
    school = factories.user(role="school")
    pupils = [factories.participant(school.institution) for _ in range(2)]
    registrations.register_many(exchange, pupils, by=school)
    assert _count() == 1  # the summary is written in the registration's transaction…
    db.session.rollback()
    assert _count() == 0  # …and goes with it
    assert deliver_due() == 0
    assert smtp_server.messages == []


def test_a_message_waits_while_the_server_is_down_and_leaves_when_it_is_back(
    app_context, smtp_server, coordinator
):
    notification = _queue(coordinator)
    smtp_server.stop()
    assert deliver_due() == 0
    db.session.refresh(notification)
    assert notification.state is DeliveryState.PENDING
    assert notification.attempts == 1
    assert notification.next_attempt_at > clock.now()
    assert notification.last_error == "ConnectionRefusedError"

    smtp_server.start()
    assert deliver_due() == 0  # not due yet: the worker does not hammer a failing server
    assert smtp_server.messages == []
    with time_machine.travel(clock.now() + timedelta(minutes=2), tick=True):
        assert deliver_due() == 1
    db.session.refresh(notification)
    assert notification.state is DeliveryState.SENT
    assert len(smtp_server.to(coordinator.email)) == 1


def test_a_message_is_retried_for_more_than_a_day_then_marked_failed(
    app_context, smtp_server, coordinator
):
    notification = _queue(coordinator)
    first_try = clock.now()
    smtp_server.stop()
    when = first_try
    for _attempt in range(MAX_ATTEMPTS):
        with time_machine.travel(when, tick=False):
            deliver_due()
        db.session.refresh(notification)
        when = notification.next_attempt_at + timedelta(seconds=1)
    assert notification.state is DeliveryState.FAILED
    assert notification.attempts == MAX_ATTEMPTS
    assert when - first_try > timedelta(days=1)
    assert "secret_link" in notification.data  # kept: an admin may send it again


def test_two_workers_deliver_two_hundred_messages_exactly_once(app, app_context, smtp_server):
    users = [factories.user(email=f"person{number}@example.org") for number in range(4)]
    for number in range(200):
        services.enqueue(users[number % 4], NotificationKind.PASSWORD_RESET, {**RESET, "n": number})
    db.session.commit()
    db.session.remove()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work() -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                deliver_due()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert errors == []
    assert len(smtp_server.messages) == 200
    assert _count(DeliveryState.SENT) == 200
    attempts = db.session.scalars(sa.select(Notification.attempts).distinct()).all()
    assert attempts == [1]


def test_an_inactive_account_gets_nothing(app_context):
    user = factories.user(active=False)
    assert services.enqueue(user, NotificationKind.PASSWORD_RESET, RESET) is None


@pytest.mark.parametrize("essential", [True, False])
def test_a_switched_off_kind_is_not_queued_unless_essential(app_context, school_user, essential):
    services.save_settings(
        school_user,
        language="pl",
        wanted={kind: False for kind in NotificationKind},
        by=school_user,
    )
    kind = NotificationKind.REGISTRATION_CANCELLED if essential else NotificationKind.MOVED_UP
    queued = services.enqueue(school_user, kind, {})
    assert (queued is not None) is essential


def test_send_mail_once_delivers_what_is_due_and_exits_0(
    app, app_context, smtp_server, coordinator
):
    _queue(coordinator)
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 e-mails sent." in result.output
    assert len(smtp_server.messages) == 1


def test_send_mail_runs_until_sigterm_and_stops_cleanly(app, app_context, smtp_server, coordinator):
    import os
    import signal

    _queue(coordinator)
    db.session.remove()
    stopper = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    stopper.start()
    try:
        result = app.test_cli_runner().invoke(args=["send-mail", "--interval", "0.2"])
    finally:
        stopper.cancel()
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("Stopped.")
    assert len(smtp_server.messages) == 1
