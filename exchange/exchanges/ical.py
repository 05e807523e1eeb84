"""iCalendar (RFC 5545) feeds of exchanges.

An exchange is an all-day event: DTSTART is its first day and DTEND the day after its last
(DTEND is exclusive). The UID depends on the exchange's id only, so a calendar that subscribed
to the feed updates the event instead of adding a copy. Nothing personal goes into a feed: no
coordinator, no contact, no free-text description (it might name people), only the title,
the place, the kind, the direction and the partner cities.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from flask import Response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from werkzeug.http import is_resource_modified

from exchange import clock
from exchange.auth.models import User, Viewer
from exchange.core import fragments
from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.exchanges.queries import Feed, feed_since

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


class _Recent:
    """The last ``size`` calendars built, by what they depend on (the worker's memory)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: tuple[str, ...], body: bytes) -> None:
        with self.lock:
            self.items[key] = body
            while len(self.items) > self.size:
                self.items.popitem(last=False)


#: calendar apps fetch a feed every hour, most often unchanged, each user with their own ETag
_BODIES = _Recent(32)


def _http_date(moment: datetime) -> datetime:
    """``moment`` to the whole second (HTTP dates have no fractions), aware, in UTC."""
    return moment.astimezone(UTC).replace(microsecond=0)


def response(
    exchanges: Callable[[], Iterable[Exchange]],
    version: Iterable[object],
    modified: datetime | None,
    name: str,
    filename: str,
    *,
    attachment: bool = False,
    private: bool = True,
    scope: str,
    shared: bool = False,
    links: Callable[[Exchange], str] | None = None,
) -> Response:
    """The feed as a response that a calendar may cache and ask again for.

    ``version`` is what the feed's text depends on besides its language — the rows it
    selects and their last change (``queries.Feed.stamp``) — and, with ``scope`` (who reads
    it: every reader has an ``ETag`` of their own), makes its ``ETag``; ``modified`` is its
    ``Last-Modified``. A conditional request (``If-None-Match``, ``If-Modified-Since``) for the
    same ``ETag`` answers ``304`` without loading the ``exchanges()`` or building the
    calendar. A ``shared`` text (``version`` names all it depends on) is kept (``_BODIES``)
    and served again to whoever asks for the same version. Each event links to
    ``links(exchange)`` when given.
    """
    material = "\x1f".join(map(str, (str(get_locale()), name, filename, *version)))
    etag = hashlib.sha256(f"{material}\x1f{scope}".encode()).hexdigest()[:32]
    last_modified = _http_date(modified) if modified else None
    if is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        key = (material, request.host_url)
        body = _BODIES.get(key) if shared else None
        if body is None:
            body = build_calendar(exchanges(), name, links)
            if shared:
                _BODIES.put(key, body)
        result = Response(body, mimetype="text/calendar")
        disposition = "attachment" if attachment else "inline"
        result.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    else:
        result = Response(status=304)
    result.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age=300"
    result.set_etag(etag)
    result.last_modified = last_modified
    return result


def scope(viewer: Viewer) -> str:
    """Whose feed it is, for its ``ETag``: the same for every visitor, one per user (a feed
    differs with who reads it; a private cache keeps one user's copy only)."""
    if not isinstance(viewer, User) or not viewer.is_authenticated:
        return "public"
    return f"user {viewer.id} {viewer.role}"


def feed_response(
    feed: Feed,
    scope: str,
    name: str,
    filename: str,
    *,
    private: bool = True,
    links: Callable[[Exchange], str] | None = None,
) -> Response:
    """``response`` for ``feed``, its version from one query (``Feed.stamp``); the text is
    shared by the readers of the same scope (``Feed.contents``)."""
    window = feed_since(clock.today()) if feed.year is None else None
    # a calendar app asks every hour: the stamp is read again only once the data has changed
    count, modified, renamed = fragments.kept("feed.stamp", (feed.contents(), window), feed.stamp)
    moments = [moment for moment in (modified, renamed) if moment is not None]
    if feed.year is None:
        # exchanges leave the window as the days pass: a feed is new every day
        moments.append(clock.start_of_day(clock.today()))
    return response(
        feed.exchanges,
        (feed.contents(), window, count, modified, renamed),
        max(moments, default=None),
        name,
        filename,
        private=private,
        scope=scope,
        shared=True,
        links=links,
    )


def exchange_response(exchange: Exchange, scope: str) -> Response:
    """One exchange (loaded with its partners) as a calendar file to download."""
    modified = max(exchange.updated_at, *(partner.updated_at for partner in exchange.partners))
    return response(
        lambda: [exchange],
        (exchange.id, modified),
        modified,
        exchange.title,
        f"exchange-{exchange.id}.ics",
        attachment=True,
        scope=scope,
        links=exchange_link,
    )
