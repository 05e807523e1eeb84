"""Calendar feeds over the years: only the last 12 months and later in a feed, the older
exchanges in yearly archives, and answers that a calendar app may cache (``ETag``,
``Last-Modified``, ``304``) without the server building the calendar again."""

from __future__ import annotations

from datetime import date, timedelta

import ics
import pytest
import time_machine
from icalendar import Calendar

from exchange.exchanges import subscriptions
from exchange.exchanges.models import ExchangeStatus
from exchange.exchanges.queries import feed_since
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, sent_statements

# the tests run on 14 May 2026 (tests/conftest.py): the feeds reach back to 14 May 2025
SINCE = date(2025, 5, 14)


def _titles(body: bytes) -> set[str]:
    """The events' titles, as icalendar parses them; the ``ics`` parser must agree."""
    events = Calendar.from_ical(body).walk("VEVENT")
    assert len(ics.Calendar(body.decode()).events) == len(events)
    return {str(event["SUMMARY"]) for event in events}


@pytest.fixture
def years(app_context):
    """Public exchanges that ended just before and on the feeds' first day, one long ago and
    one to come, and an internal one of last year."""
    partner = factories.partner()

    def made(title: str, last_day: date, days: int = 3, **values):
        start = last_day - timedelta(days=days - 1)
        values.setdefault("is_public", True)
        return factories.exchange([partner], title=title, start=start, days=days, **values)

    return {
        "partner": partner,
        "just out": made("Just out", SINCE - timedelta(days=1)),
        "just in": made("Just in", SINCE),
        "long ago": made("Long ago", date(2003, 9, 20)),
        "to come": made("To come", date(2026, 9, 3)),
        "internal": made("Internal 2025", date(2025, 3, 1), is_public=False),
    }


def test_the_window_starts_twelve_months_ago():
    assert feed_since(date(2026, 5, 14)) == date(2025, 5, 14)
    assert feed_since(date(2026, 1, 31)) == date(2025, 1, 31)
    assert feed_since(date(2024, 2, 29)) == date(2023, 2, 28)


def test_feeds_hold_the_last_twelve_months_and_later(client, school_user, years):
    token = subscriptions.make_subscription(school_user)
    db.session.commit()
    slug = years["partner"].slug
    assert _titles(client.get("/events.ics").data) == {"Just in", "To come"}
    assert _titles(client.get(f"/partners/{slug}/calendar.ics").data) == {"Just in", "To come"}
    assert _titles(client.get(f"/calendar/{token}.ics").data) == {"Just in", "To come"}
    login_as(client, school_user)
    assert _titles(client.get("/calendar.ics").data) == {"Just in", "To come"}
    # a day later, the exchange that ended on the first day of the window is out too
    with time_machine.travel(date(2026, 5, 15), tick=True):
        assert _titles(client.get(f"/calendar/{token}.ics").data) == {"To come"}


def test_yearly_archives_hold_the_exchanges_that_started_in_the_year(client, school_user, years):
    assert _titles(client.get("/events/2025.ics").data) == {"Just out", "Just in"}
    assert _titles(client.get("/events/2003.ics").data) == {"Long ago"}
    assert _titles(client.get("/events/1999.ics").data) == set()
    assert client.get("/events/1800.ics").status_code == 404
    assert client.get("/calendar/2025.ics").status_code == 302  # to the log-in page
    login_as(client, school_user)
    archive = client.get("/calendar/2025.ics")
    assert archive.headers["Cache-Control"].startswith("private")
    assert 'filename="olsztyn-exchanges-2025.ics"' in archive.headers["Content-Disposition"]
    assert _titles(archive.data) == {"Just out", "Just in", "Internal 2025"}
    page = client.get("/exchanges/calendar").get_data(as_text=True)
    # from the first exchange to the year the window starts in, the latest first
    assert page.index('href="/calendar/2025.ics"') < page.index('href="/calendar/2003.ics"')
    assert 'href="/calendar/2002.ics"' not in page
    assert 'href="/calendar/2026.ics"' not in page


def test_a_conditional_request_answers_304_without_a_body(client, years):
    first = client.get("/events.ics")
    assert first.status_code == 200
    assert first.headers["ETag"]
    assert first.last_modified is not None
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    since = client.get("/events.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get("/events.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert _titles(other.data) == {"Just in", "To come"}


def test_a_304_sends_one_query_and_builds_nothing(client, school_user, years):
    token = subscriptions.make_subscription(school_user)
    db.session.commit()
    for url, queries in (("/events.ics", 1), (f"/calendar/{token}.ics", 2)):
        etag = client.get(url).headers["ETag"]
        with sent_statements() as sent:
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        selects = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == queries, sent
        # the stamp counts the rows: no exchange, partner or programme is loaded
        assert "exchange_partner.exchange_id AS" not in " ".join(selects)


def _etag(client, url: str = "/events.ics") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["ETag"]


def test_the_etag_changes_with_the_feed(client, years):
    etags = [_etag(client)]
    years["to come"].title = "Regatta to come"
    db.session.commit()
    etags.append(_etag(client))
    factories.exchange([years["partner"]], title="New", is_public=True)
    etags.append(_etag(client))
    years["just in"].status = ExchangeStatus.CANCELLED
    db.session.commit()
    etags.append(_etag(client))
    years["partner"].name_pl = "Przemianowane"
    db.session.commit()
    etags.append(_etag(client))
    with time_machine.travel(date(2026, 5, 15), tick=True):  # "Just in" leaves the window
        etags.append(_etag(client))
    assert len(set(etags)) == len(etags)
    # a change outside the feed leaves it as it was
    years["long ago"].title = "Very long ago"
    db.session.commit()
    assert _etag(client) == etags[-2]


def test_each_viewer_has_an_etag_of_their_own(client, app, years):
    slug = years["partner"].slug
    visitor = _etag(client, f"/partners/{slug}/calendar.ics")
    first, second = factories.user(role="school"), factories.user(role="school")
    login_as(client, first)
    mine = client.get("/calendar.ics")
    assert mine.headers["Cache-Control"] == "private, max-age=300"
    assert _etag(client, f"/partners/{slug}/calendar.ics") != visitor
    other = app.test_client()
    login_as(other, second)
    # the first user's ETag is no good to the second: the whole feed, with their own ETag
    theirs = other.get("/calendar.ics", headers={"If-None-Match": mine.headers["ETag"]})
    assert theirs.status_code == 200
    assert theirs.headers["ETag"] != mine.headers["ETag"]
    assert _titles(theirs.data) == {"Just in", "To come"}


def test_a_replaced_or_revoked_link_gets_no_304(client, school_user, years):
    old = subscriptions.make_subscription(school_user)
    db.session.commit()
    etag = _etag(client, f"/calendar/{old}.ics")
    new = subscriptions.make_subscription(school_user)
    db.session.commit()
    assert client.get(f"/calendar/{old}.ics", headers={"If-None-Match": etag}).status_code == 404
    fresh = client.get(f"/calendar/{new}.ics", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert _titles(fresh.data) == {"Just in", "To come"}
    subscriptions.revoke_subscription(school_user)
    db.session.commit()
    fetched = client.get(f"/calendar/{new}.ics", headers={"If-None-Match": fresh.headers["ETag"]})
    assert fetched.status_code == 404


def test_one_exchange_file_is_conditional_too(client, school_user, years):
    login_as(client, school_user)
    url = f"/exchanges/{years['to come'].id}/calendar.ics"
    etag = _etag(client, url)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    years["to come"].venue = "Harbour"
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_new_partner_alone_changes_the_etag(client, coordinator, years):
    """The events name the partner cities: a change of the partners alone is a new version."""
    from exchange.exchanges import services

    another = factories.partner()
    before = _etag(client)
    exchange = years["to come"]
    values = {name: getattr(exchange, name) for name in services.EXCHANGE_FIELDS}
    values["partners"] = [*exchange.partners, another]
    services.update_exchange(exchange, services.ExchangeValues(**values), by=coordinator)
    db.session.commit()
    assert _etag(client) != before
