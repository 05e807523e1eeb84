"""The texts of the e-mails, written when a message is delivered, in its recipient's language.

Each kind turns the row's ``data`` into a ``Letter`` — a subject and blocks (paragraphs and
bullet lists) — which one plain-text and one HTML template lay out, so both parts always say
the same. ``data`` holds names, exchanges and dates, never dates of birth, medical or dietary
notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import force_locale, format_date, gettext, ngettext

from exchange.notifications.models import Notification, NotificationKind

Block = str | list[str]


@dataclass
class Letter:
    subject: str
    blocks: list[Block] = field(default_factory=list)
    #: (text, address) of the one button, if any
    link: tuple[str, str] | None = None


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def render(notification: Notification, recipient_name: str) -> Rendered:
    """The message in the recipient's language: subject, plain text and HTML."""
    with force_locale(notification.language):
        letter = WRITERS[notification.kind](notification.data)
        context = {"letter": letter, "name": recipient_name}
        return Rendered(
            subject=letter.subject,
            text=render_template("notifications/email.txt", **context),
            html=render_template("notifications/email.html", **context),
        )


def subject_of(notification: Notification) -> str:
    """The subject of a message, in its language; its kind's name when its data is gone
    (erased with a pupil's personal data)."""
    with force_locale(notification.language):
        try:
            return WRITERS[notification.kind](notification.data).subject
        except (KeyError, TypeError, ValueError):
            return str(notification.kind.label)


def day(value: str | None) -> str:
    """An ISO date from ``data``, as the recipient's language writes it."""
    return format_date(date.fromisoformat(value), "long") if value else "—"


def _title(data: dict) -> str:
    return data["exchange"]["title"]


def _when(data: dict) -> str:
    exchange = data["exchange"]
    return gettext(
        "%(title)s, %(start)s – %(end)s, %(city)s",
        title=exchange["title"],
        start=day(exchange["start_date"]),
        end=day(exchange["end_date"]),
        city=exchange["city"] or "—",
    )


def _exchange_link(data: dict) -> tuple[str, str] | None:
    url = data.get("url")
    return (gettext("Open the exchange"), url) if url else None


def invitation(data: dict) -> Letter:
    return Letter(
        subject=gettext("Your account in the Olsztyn partner-city exchanges"),
        blocks=[
            gettext(
                "City hall has made you an account in the Olsztyn partner-city exchange "
                "manager. To start, choose your password with this link:"
            ),
            gettext(
                "The link works once, within %(days)d days. If it has expired, ask the "
                "coordinator for a new one.",
                days=data["valid_days"],
            ),
        ],
        link=(gettext("Choose your password"), data.get("secret_link", "")),
    )


def password_reset(data: dict) -> Letter:
    return Letter(
        subject=gettext("Choose a new password"),
        blocks=[
            gettext(
                "someone, probably you, asked to choose a new password for your account in "
                "the Olsztyn partner-city exchange manager. To choose one, open this link:"
            ),
            gettext(
                "The link works once, within %(minutes)d minutes.", minutes=data["valid_minutes"]
            )
            + " "
            + gettext(
                "If you did not ask for it, ignore this message: your password stays as it is."
            ),
        ],
        link=(gettext("Choose a new password"), data.get("secret_link", "")),
    )


def registration_summary(data: dict) -> Letter:
    blocks: list[Block] = [
        gettext(
            "You registered participants of %(institution)s for:", institution=data["institution"]
        ),
        _when(data),
    ]
    if data["confirmed"]:
        blocks.append(
            ngettext("%(num)d has a place:", "%(num)d have a place:", len(data["confirmed"]))
        )
        blocks.append(list(data["confirmed"]))
    if data["waiting"]:
        blocks.append(
            ngettext(
                "%(num)d is on the waiting list:",
                "%(num)d are on the waiting list:",
                len(data["waiting"]),
            )
        )
        blocks.append(
            [
                gettext("%(name)s — position %(position)d", name=name, position=position)
                for name, position in data["waiting"]
            ]
        )
        blocks.append(
            gettext("When a place becomes free, the first one waiting gets it and you are told.")
        )
    return Letter(
        subject=gettext("Registered for %(title)s", title=_title(data)),
        blocks=blocks,
        link=_exchange_link(data),
    )


def moved_up(data: dict) -> Letter:
    return Letter(
        subject=gettext("A place in %(title)s", title=_title(data)),
        blocks=[
            gettext(
                "A place became free, and these participants of yours moved up from the "
                "waiting list:"
            ),
            list(data["names"]),
            _when(data),
        ],
        link=_exchange_link(data),
    )


def withdrawal_confirmed(data: dict) -> Letter:
    return Letter(
        subject=gettext("Withdrawn from %(title)s", title=_title(data)),
        blocks=[
            gettext("%(name)s is withdrawn from this exchange:", name=data["name"]),
            _when(data),
        ],
        link=_exchange_link(data),
    )


def registration_cancelled(data: dict) -> Letter:
    return Letter(
        subject=gettext("Cancelled: %(title)s", title=_title(data)),
        blocks=[
            gettext(
                "This exchange is cancelled, and with it the registrations of your participants:"
            ),
            _when(data),
            list(data["names"]),
            gettext("The reason: %(reason)s", reason=data["reason"]),
        ],
        link=_exchange_link(data),
    )


def _change(change: list[str]) -> str:
    name, old, new = change
    labels = {
        "start_date": gettext("First day"),
        "end_date": gettext("Last day"),
        "venue": gettext("Venue"),
        "city": gettext("City"),
    }
    if name == "programme":
        return gettext("The programme has changed.")
    if name.endswith("_date"):
        old, new = day(old or None), day(new or None)
    return gettext(
        "%(what)s: %(new)s (was: %(old)s)", what=labels[name], new=new or "—", old=old or "—"
    )


def exchange_changed(data: dict) -> Letter:
    return Letter(
        subject=gettext("Changed: %(title)s", title=_title(data)),
        blocks=[
            gettext("An exchange your participants are registered for has changed:"),
            _when(data),
            [_change(change) for change in data["changes"]],
        ],
        link=_exchange_link(data),
    )


def consent_reminder(data: dict) -> Letter:
    return Letter(
        subject=gettext("Consents missing for %(title)s", title=_title(data)),
        blocks=[
            gettext(
                "Registration for this exchange closes on %(closes)s, and these minors of "
                "yours still have no parent's or guardian's consent on record:",
                closes=day(data["closes"]),
            ),
            list(data["names"]),
            _when(data),
            gettext("Record each consent on the participant's page before that day."),
        ],
        link=_exchange_link(data),
    )


def start_reminder(data: dict) -> Letter:
    blocks: list[Block] = [
        gettext("This exchange starts on %(start)s:", start=day(data["exchange"]["start_date"])),
        _when(data),
    ]
    if data["missing_consents"]:
        blocks.append(gettext("Minors without a consent on record:"))
        blocks.append(
            [
                f"{institution}: {', '.join(names)}"
                for institution, names in data["missing_consents"]
            ]
        )
    if data["ratio_warnings"]:
        blocks.append(gettext("Accompanying adults still needed:"))
        blocks.append(
            [f"{institution}: {needed}" for institution, needed in data["ratio_warnings"]]
        )
    if not data["missing_consents"] and not data["ratio_warnings"]:
        blocks.append(gettext("Every minor has a consent and every group enough adults."))
    return Letter(
        subject=gettext("%(title)s starts in 3 days", title=_title(data)),
        blocks=blocks,
        link=_exchange_link(data),
    )


def registration_opened(data: dict) -> Letter:
    closes = data.get("closes")
    blocks: list[Block] = [gettext("Registration is open for:"), _when(data)]
    if closes:
        blocks.append(gettext("It closes on %(closes)s.", closes=day(closes)))
    return Letter(
        subject=gettext("Registration is open: %(title)s", title=_title(data)),
        blocks=blocks,
        link=_exchange_link(data),
    )


def consent_withdrawn(data: dict) -> Letter:
    return Letter(
        subject=gettext("Consent withdrawn: %(title)s", title=_title(data)),
        blocks=[
            gettext(
                "The parent's or guardian's consent for %(name)s was withdrawn, so their "
                "registration for this exchange is withdrawn too:",
                name=data["name"],
            ),
            _when(data),
            gettext("If a place became free, the first one waiting has it now."),
        ],
        link=_exchange_link(data),
    )


WRITERS: dict[NotificationKind, Callable[[dict[str, Any]], Letter]] = {
    NotificationKind.INVITATION: invitation,
    NotificationKind.PASSWORD_RESET: password_reset,
    NotificationKind.REGISTRATION_SUMMARY: registration_summary,
    NotificationKind.MOVED_UP: moved_up,
    NotificationKind.WITHDRAWAL_CONFIRMED: withdrawal_confirmed,
    NotificationKind.REGISTRATION_CANCELLED: registration_cancelled,
    NotificationKind.EXCHANGE_CHANGED: exchange_changed,
    NotificationKind.CONSENT_REMINDER: consent_reminder,
    NotificationKind.START_REMINDER: start_reminder,
    NotificationKind.REGISTRATION_OPENED: registration_opened,
    NotificationKind.CONSENT_WITHDRAWN: consent_withdrawn,
}
