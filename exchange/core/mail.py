"""Outgoing e-mail through SMTP, set up by the MAIL_* settings.

The notifications' worker (``flask send-mail``) is the one sender: it hands each message to
``transmit``. Without ``MAIL_SERVER`` nothing goes over SMTP: in development a note is written
to the log (with what the caller allows, e.g. a one-time link a developer needs to follow, never
the address), while testing the message goes to ``outbox``, and in production ``transmit``
raises ``MailNotConfigured``, so the message waits until the setting is fixed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)

#: messages "sent" by an app with TESTING and no MAIL_SERVER, oldest first; tests clear it
outbox: list[EmailMessage] = []


class MailNotConfigured(Exception):
    """Production without MAIL_SERVER: nothing can be sent."""


def compose(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """A message with a plain-text part and, if given, an HTML alternative."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def transmit(message: EmailMessage, *, log_note: str = "") -> None:
    """Deliver the message now, or raise (``OSError``, ``smtplib.SMTPException``,
    ``MailNotConfigured``). ``log_note`` is what development may write to the log instead."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if config.get("TESTING"):
            outbox.append(message)
            return
        if config.get("ENV_NAME") == "production":
            raise MailNotConfigured
        # development only: the address is left out
        log.warning(
            "MAIL_SERVER is not set; the e-mail %r is not sent. %s", message["Subject"], log_note
        )
        return
    _smtp_send(config, message)


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message now; return whether it left (in development: was logged)."""
    try:
        transmit(compose(to, subject, body), log_note=body)
    except MailNotConfigured:
        log.error("MAIL_SERVER is not set: the e-mail %r was not sent", subject)
        return False
    except (OSError, smtplib.SMTPException) as error:
        log.error("the e-mail %r was not sent: %s", subject, describe_error(error))
        return False
    return True


def describe_error(error: BaseException) -> str:
    """The exception's class and the SMTP codes, never the server's text (it may quote the
    message or the address)."""
    name = type(error).__name__
    codes: list[int] = []
    if isinstance(error, smtplib.SMTPResponseException):
        codes.append(error.smtp_code)
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        codes.extend(code for code, _text in error.recipients.values())
    return f"{name} {' '.join(str(code) for code in codes)}".strip()


def _smtp_send(config: Mapping, message: EmailMessage) -> None:
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
