"""iCalendar (RFC 5545) feeds of exchanges.

An exchange is an all-day event: DTSTART is its first day and DTEND the day after its last
(DTEND is exclusive). The UID depends on the exchange's id only, so a calendar that subscribed
to the feed updates the event instead of adding a copy. Nothing personal goes into a feed: no
coordinator, no contact, no free-text description (it might name people), only the title,
the place, the kind, the direction and the partner cities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from flask import Response, request, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event

from exchange.exchanges.models import Exchange, ExchangeStatus

PRODID = "-//City of Olsztyn//Partner-city exchanges//EN"
UID_DOMAIN = "exchange.olsztyn"
MIMETYPE = "text/calendar; charset=utf-8"

_STATUS = {
    ExchangeStatus.CANCELLED: "CANCELLED",
    ExchangeStatus.PLANNED: "TENTATIVE",
}


def uid(exchange: Exchange) -> str:
    return f"exchange-{exchange.id}@{UID_DOMAIN}"


def _event(exchange: Exchange, url: str | None) -> Event:
    event = Event()
    event.add("uid", uid(exchange))
    modified = exchange.updated_at.astimezone(UTC)
    # without METHOD, DTSTAMP is the time the event last changed (RFC 5545, 3.8.7.2): a feed
    # fetched twice without a change is the same text
    event.add("dtstamp", modified)
    event.add("last-modified", modified)
    event.add("dtstart", exchange.start_date)
    if exchange.end_date < date.max:
        event.add("dtend", exchange.end_date + timedelta(days=1))
    else:
        # the day after the last day does not exist: the same length as a duration (the forms
        # refuse such dates, but a row may hold one and must not take the feed down)
        event.add("duration", timedelta(days=(exchange.end_date - exchange.start_date).days + 1))
    summary = exchange.title
    if exchange.status is ExchangeStatus.CANCELLED:
        summary = _("Cancelled: %(title)s", title=exchange.title)
    event.add("summary", summary)
    if place := location(exchange):
        event.add("location", place)
    lines = [
        exchange.kind.label,
        exchange.direction.label,
        _("Partner cities: %(names)s", names=partner_names(exchange)),
    ]
    event.add("description", "\n".join(lines))
    event.add("categories", [exchange.kind.label])
    event.add("status", _STATUS.get(exchange.status, "CONFIRMED"))
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    return event


def build_calendar(exchanges: Iterable[Exchange], name: str, url_for_exchange=None) -> bytes:
    """The feed of ``exchanges`` (their partners must be loaded) as iCalendar bytes.

    ``url_for_exchange(exchange)`` gives each event a link, when the feed's readers can open it.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Warsaw")
    for exchange in exchanges:
        url = url_for_exchange(exchange) if url_for_exchange else None
        calendar.add_component(_event(exchange, url))
    return calendar.to_ical()


def last_modified(exchanges: Iterable[Exchange]) -> datetime | None:
    return max((exchange.updated_at for exchange in exchanges), default=None)


def partner_names(exchange: Exchange) -> str:
    return ", ".join(partner.local_name for partner in exchange.partners)


def location(exchange: Exchange) -> str:
    return ", ".join(part for part in (exchange.venue, exchange.city) if part)


def exchange_link(exchange: Exchange) -> str:
    """The exchange's page for those who log in."""
    return url_for("exchanges.detail", exchange_id=exchange.id, _external=True)


def event_link(exchange: Exchange) -> str:
    """The public page of a public exchange, for everyone."""
    return url_for("exchanges.event", exchange_id=exchange.id, _external=True)


def response(
    exchanges: list[Exchange],
    name: str,
    filename: str,
    *,
    attachment: bool = False,
    private: bool = True,
    links: Callable[[Exchange], str] | None = None,
) -> Response:
    """The feed as a response that a calendar may cache and ask again for (ETag, Last-Modified);
    each event links to ``links(exchange)`` when given."""
    body = build_calendar(exchanges, name, links)
    result = Response(body, mimetype="text/calendar")
    disposition = "attachment" if attachment else "inline"
    result.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    result.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=300"
    result.last_modified = last_modified(exchanges)
    result.add_etag()
    result.make_conditional(request)
    return result
