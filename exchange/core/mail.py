"""Outgoing e-mail through SMTP, set up by the MAIL_* settings.

Without ``MAIL_SERVER`` nothing is sent: in development the message is written to the log
(links included, so a developer can follow them), while testing it goes to ``outbox``, and
in production an error is logged without the message, which may hold a secret link.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage

from flask import Response, after_this_request, current_app

log = logging.getLogger(__name__)

#: messages "sent" by an app with TESTING and no MAIL_SERVER, oldest first; tests clear it
outbox: list[EmailMessage] = []


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message now; return whether it left (in development: was logged)."""
    return _delivery(to, subject, body)()


def send_mail_after_response(to: str | None, subject: str, body: str) -> None:
    """Send the message once the response has gone out to the browser.

    The answer then takes as long whether a message is sent or not, so its timing does not
    tell whether an e-mail address has an account. With ``to=None`` the message is prepared
    the same way and dropped: the caller does the same work for an address without account.
    """
    deliver = _delivery(to or "nobody@invalid", subject, body)
    if to is None:
        deliver = _dropped

    @after_this_request
    def send_when_closed(response: Response) -> Response:
        response.call_on_close(deliver)
        return response


def _dropped() -> bool:
    return False


def _delivery(to: str, subject: str, body: str) -> Callable[[], bool]:
    """A function that sends the message; it needs no app context, the settings are read now."""
    config = dict(current_app.config)
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    def deliver() -> bool:
        if not config.get("MAIL_SERVER"):
            if config.get("TESTING"):
                outbox.append(message)
                return True
            if config.get("ENV_NAME") == "production":
                log.error("MAIL_SERVER is not set: the e-mail %r was not sent", subject)
                return False
            # development only: the body may hold a one-time link; the address is left out
            log.warning("MAIL_SERVER is not set; the e-mail is not sent. %s\n\n%s", subject, body)
            return True
        try:
            _smtp_send(config, message)
        except (OSError, smtplib.SMTPException) as error:
            log.error("the e-mail %r was not sent: %s", subject, type(error).__name__)
            return False
        return True

    return deliver


def _smtp_send(config: dict, message: EmailMessage) -> None:
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if port == 465:  # SMTPS: TLS from the first byte
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            server, port, timeout=10, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(server, port, timeout=10)
    with smtp:
        if port != 465 and config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
