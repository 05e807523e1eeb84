"""A forgotten password: an e-mailed one-time link, valid for an hour, that reveals nothing."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from exchange import clock
from exchange.auth.models import PasswordReset, UserSession
from exchange.core import mail
from exchange.extensions import db
from exchange.notifications.models import DeliveryState, Notification, NotificationKind
from exchange.notifications.worker import deliver_due
from tests import factories
from tests.helpers import as_seen, csrf_token, login_as, mail_text, post_form, reset_limits

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"http://localhost/password/reset/([\w-]+)")


@pytest.fixture(autouse=True)
def _clean_outbox_and_limits(app):
    mail.outbox.clear()
    reset_limits()
    yield
    mail.outbox.clear()
    reset_limits()


def _ask(client, email):
    response = post_form(client, "/password/forgot", {"email": email})
    deliver_due()  # the worker (flask send-mail) sends what the answer queued
    return response


def _link_in_mail() -> str:
    (message,) = mail.outbox
    return LINK.search(mail_text(message)).group(0).removeprefix("http://localhost")


def _set(client, path, password=NEW_PASSWORD):
    return post_form(client, path, {"password": password, "confirm": password})


def test_login_page_links_to_the_forgotten_password_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page
    assert client.get("/password/forgot").status_code == 200


def test_a_known_address_gets_a_link_by_email(client, coordinator):
    response = _ask(client, coordinator.email)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message["To"] == coordinator.email
    assert LINK.search(mail_text(message))
    assert "przez 60 minut" in mail_text(message)  # city hall reads its e-mail in Polish


def test_the_mail_is_queued_and_the_worker_sends_it(client, coordinator):
    response = post_form(client, "/password/forgot", {"email": coordinator.email})
    assert response.status_code == 302
    assert mail.outbox == []  # the answer is out; the (slow) mail server is not asked by it
    (queued,) = db.session.scalars(sa.select(Notification))
    assert (queued.kind, queued.user_id) == (NotificationKind.PASSWORD_RESET, coordinator.id)
    deliver_due()
    assert len(mail.outbox) == 1
    db.session.refresh(queued)
    assert queued.state is DeliveryState.SENT
    assert "secret_link" not in queued.data  # the link is not kept once it has left


def test_the_answer_is_the_same_for_unknown_and_known_addresses(client, coordinator):
    unknown = _ask(client, "nobody@example.org")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert mail.outbox == []
    known = _ask(client, coordinator.email)
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert len(mail.outbox) == 1
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    flash = "we have sent it a link to choose a new password"
    assert flash in unknown_page
    assert flash in known_page
    assert "csrf" in unknown_page
    assert as_seen(unknown_page).replace("nobody@example.org", "") == as_seen(known_page).replace(
        coordinator.email, ""
    )


def _work_of_asking(client, email, monkeypatch) -> dict[str, list]:
    """What answering a reset request does: SQL statements, hashing, templates, mail."""
    from flask import template_rendered

    from exchange.auth import passwords, services

    work: dict[str, list] = {"sql": [], "hashing": [], "templates": []}
    token = csrf_token(client)

    def spy(name, function):
        def counted(*args, **kwargs):
            work["hashing"].append(name)
            return function(*args, **kwargs)

        return counted

    for module, name in [
        (services, "_token_hash"),
        (services, "hash_password"),
        (services, "verify_password"),
        (passwords, "hash_password"),
        (passwords, "verify_password"),
    ]:
        monkeypatch.setattr(module, name, spy(name, getattr(module, name)))

    def count(conn, cursor, statement, parameters, context, executemany):
        work["sql"].append(statement)

    def rendered(sender, template, context, **extra):
        work["templates"].append(template.name)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    template_rendered.connect(rendered)
    try:
        response = client.post("/password/forgot", data={"csrf_token": token, "email": email})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
        template_rendered.disconnect(rendered)
        monkeypatch.undo()
    work["answer"] = [response.status_code, response.headers["Location"]]
    deliver_due()
    return work


def test_known_and_unknown_addresses_cost_the_same_work(client, coordinator, monkeypatch):
    """The same statements (writes included), hashing and templates, so the answer takes as
    long: only the e-mail, queued by an INSERT … SELECT that finds no account for an unknown
    address and sent by the worker, differs."""
    unknown = _work_of_asking(client, "nobody@example.org", monkeypatch)
    assert mail.outbox == []
    known = _work_of_asking(client, coordinator.email, monkeypatch)
    assert len(mail.outbox) == 1
    assert unknown == known
    assert any(statement.startswith("INSERT INTO password_reset") for statement in known["sql"])
    assert any(statement.startswith("INSERT INTO audit_event") for statement in known["sql"])
    assert known["hashing"] == ["_token_hash"]
    assert any(statement.startswith("INSERT INTO notification") for statement in known["sql"])
    assert known["templates"] == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 1


def test_deactivated_accounts_get_no_link(client):
    user = factories.user(active=False)
    assert _ask(client, user.email).status_code == 302
    assert mail.outbox == []


def test_the_link_sets_a_new_password_and_logs_in_once(client, app, coordinator):
    _ask(client, coordinator.email)
    path = _link_in_mail()
    page = client.get(path).get_data(as_text=True)
    assert "<h1>Choose a new password</h1>" in page
    response = _set(client, path)
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    login_as(app.test_client(), coordinator, password=NEW_PASSWORD)
    assert client.get(path).status_code == 404
    assert _set(app.test_client(), path, "another brand new one").status_code == 404


def test_the_link_ends_every_open_session(client, app, coordinator):
    elsewhere = app.test_client()
    login_as(elsewhere, coordinator)
    _ask(client, coordinator.email)
    _set(client, _link_in_mail())
    assert elsewhere.get("/dashboard").status_code == 302


def test_the_link_is_valid_for_one_hour(client, coordinator):
    _ask(client, coordinator.email)
    path = _link_in_mail()
    reset = db.session.scalar(sa.select(PasswordReset))
    assert reset.expires_at - reset.created_at == timedelta(hours=1)
    reset.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 404
    assert "no longer valid" in client.get(path).get_data(as_text=True)


def test_a_newer_link_replaces_the_older_one(client, coordinator):
    _ask(client, coordinator.email)
    first = _link_in_mail()
    mail.outbox.clear()
    _ask(client, coordinator.email)
    second = _link_in_mail()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_only_a_hash_of_the_token_is_stored(client, coordinator):
    _ask(client, coordinator.email)
    token = _link_in_mail().rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(PasswordReset.token_hash))
    assert token not in stored
    assert len(stored) == 64


def test_the_new_password_follows_the_rules(client, app, coordinator):
    login_as(app.test_client(), coordinator)  # a session elsewhere, which a refusal keeps
    _ask(client, coordinator.email)
    path = _link_in_mail()
    response = _set(client, path, "qwerty123456")
    assert response.status_code == 422
    assert "most common passwords" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200  # the link still works after a refusal
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1


def test_links_use_public_url_when_set(client, app, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://exchange.example/")
    _ask(client, coordinator.email)
    (message,) = mail.outbox
    assert "https://exchange.example/password/reset/" in mail_text(message)


def test_production_without_public_url_sends_no_link(client, app, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    assert _ask(client, coordinator.email).status_code == 302
    assert mail.outbox == []


# --- sending ---------------------------------------------------------------------------------


@pytest.fixture
def mail_log(caplog):
    """The app's loggers do not propagate to the root logger, so listen on them directly."""
    logger = logging.getLogger("exchange.core.mail")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_development_without_mail_server_writes_the_message_to_the_log(
    app, app_context, monkeypatch, mail_log
):
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    assert mail.send_mail("ola@example.org", "Subject", "the link http://localhost/x")
    assert "the link http://localhost/x" in mail_log.text
    assert "ola@example.org" not in mail_log.text
    assert mail.outbox == []


def test_production_without_mail_server_logs_an_error_without_the_message(
    app, app_context, monkeypatch, mail_log
):
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    assert not mail.send_mail("ola@example.org", "Subject", "the link http://localhost/x")
    assert "MAIL_SERVER is not set" in mail_log.text
    assert "http://localhost/x" not in mail_log.text
    assert {record.levelname for record in mail_log.records} == {"ERROR"}


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.calls = [("connect", host, port)]
        FakeSMTP.instance = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["From"]))


def test_with_mail_server_the_message_goes_over_smtp_with_tls(app, app_context, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    for name, value in {
        "MAIL_SERVER": "smtp.example",
        "MAIL_PORT": 587,
        "MAIL_USERNAME": "exchange",
        "MAIL_PASSWORD": "s3cret",
        "MAIL_USE_TLS": True,
        "MAIL_FROM": "wymiany@olsztyn.example",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    assert mail.send_mail("ola@example.org", "Subject", "Body")
    assert FakeSMTP.instance.calls == [
        ("connect", "smtp.example", 587),
        ("starttls",),
        ("login", "exchange", "s3cret"),
        ("send", "ola@example.org", "wymiany@olsztyn.example"),
    ]
    assert mail.outbox == []


def test_a_failing_mail_server_is_logged_not_raised(app, app_context, monkeypatch, mail_log):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example")
    assert not mail.send_mail("ola@example.org", "Subject", "Body")
    assert "ConnectionRefusedError" in mail_log.text


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    from exchange.config import load_config

    monkeypatch.setenv("MAIL_SERVER", "smtp.example")
    monkeypatch.setenv("MAIL_PORT", "465")
    monkeypatch.setenv("MAIL_USERNAME", "exchange")
    monkeypatch.setenv("MAIL_PASSWORD", "s3cret")
    monkeypatch.setenv("MAIL_USE_TLS", "false")
    monkeypatch.setenv("MAIL_FROM", "wymiany@olsztyn.example")
    config = load_config(tmp_path, "development")
    assert (config.MAIL_SERVER, config.MAIL_PORT, config.MAIL_USE_TLS) == (
        "smtp.example",
        465,
        False,
    )
    assert (config.MAIL_USERNAME, config.MAIL_PASSWORD, config.MAIL_FROM) == (
        "exchange",
        "s3cret",
        "wymiany@olsztyn.example",
    )
    assert load_config(tmp_path, "testing").MAIL_SERVER is None
