"""iCalendar feeds: parsed with icalendar and with the independent ``ics`` parser."""

from __future__ import annotations

import re
from datetime import date, timedelta

import ics
import pytest
from icalendar import Calendar

from exchange.exchanges.models import ExchangeKind, ExchangeStatus
from exchange.extensions import db
from tests import factories
from tests import factories as make
from tests.helpers import login_as

S = ExchangeStatus
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture
def feed_exchanges(app_context, partners):
    """Exchanges in every status; the coordinator's name and e-mail must never reach a feed."""
    boss = factories.user(
        role="coordinator", email="private.person@example.org", full_name="Private Person"
    )
    offenburg, lutsk = partners["offenburg"], partners["lutsk"]
    made = {}
    for number, status in enumerate(S):
        made[status] = make.exchange(
            [offenburg] if number % 2 else [offenburg, lutsk],
            title=f"{status.label} exchange",
            status=status,
            start=date(2026, 6, 1) + timedelta(days=10 * number),
            days=3,
            coordinator=boss,
            is_public=status is not S.REGISTRATION_CLOSED,
            venue="Oken-Gymnasium",
            description="Contact private.person@example.org for details.",
            cancel_reason="Storm" if status is S.CANCELLED else "",
        )
    made["other partner"] = make.exchange(
        [partners["halmstad"]],
        title="Halmstad regatta",
        kind=ExchangeKind.SPORTS,
        status=S.PLANNED,
        is_public=True,
    )
    return made


def _events(body: str) -> dict[str, object]:
    """VEVENTs by UID, as icalendar parses them; the ``ics`` parser must agree on the UIDs."""
    calendar = Calendar.from_ical(body)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    other = ics.Calendar(body)
    assert {event.uid for event in other.events} == set(events)
    assert len(other.events) == len(events)
    return events


def _uid(exchange) -> str:
    return f"exchange-{exchange.id}@exchange.olsztyn"


def test_calendar_feed_needs_login(client):
    response = client.get("/calendar.ics")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_calendar_feed_has_one_event_per_non_draft_exchange(client, admin, feed_exchanges):
    login_as(client, admin)
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.content_type == "text/calendar; charset=utf-8"
    body = response.get_data(as_text=True)
    events = _events(body)
    expected = {_uid(e) for e in feed_exchanges.values() if e.status is not S.DRAFT}
    assert set(events) == expected
    assert body.count("BEGIN:VEVENT") == len(expected)

    cancelled = events[_uid(feed_exchanges[S.CANCELLED])]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    others = [e for uid, e in events.items() if uid != _uid(feed_exchanges[S.CANCELLED])]
    assert all(str(event["STATUS"]) != "CANCELLED" for event in others)
    assert [e.status for e in ics.Calendar(body).events if e.status == "CANCELLED"] == ["CANCELLED"]


def test_feed_events_are_all_day_with_exclusive_end(client, admin, feed_exchanges):
    login_as(client, admin)
    body = client.get("/calendar.ics").get_data(as_text=True)
    exchange = feed_exchanges[S.REGISTRATION_OPEN]  # with two partner cities
    event = _events(body)[_uid(exchange)]
    assert event.decoded("DTSTART") == exchange.start_date
    assert event.decoded("DTEND") == exchange.end_date + timedelta(days=1)
    assert "DTSTART;VALUE=DATE:" in body
    assert str(event["SUMMARY"]) == exchange.title
    assert str(event["LOCATION"]) == "Oken-Gymnasium, Offenburg"
    description = str(event["DESCRIPTION"])
    assert "School youth exchange" in description
    assert "Lutsk" in description
    assert "Offenburg" in description
    assert event.get("LAST-MODIFIED") is not None
    assert event.get("DTSTAMP") is not None
    parsed = next(e for e in ics.Calendar(body).events if e.uid == _uid(exchange))
    assert parsed.all_day
    assert parsed.begin.date() == exchange.start_date


def test_feeds_hold_no_personal_data(client, admin, feed_exchanges):
    login_as(client, admin)
    for url in ("/calendar.ics", "/events.ics", "/partners/offenburg/calendar.ics"):
        body = client.get(url).get_data(as_text=True)
        assert "Private Person" not in body
        unfolded = body.replace("\r\n ", "")
        lines = [line for line in unfolded.splitlines() if not line.startswith("UID:")]
        assert not [line for line in lines if EMAIL.search(line)], url


def test_uids_are_stable_across_edits(client, admin, feed_exchanges):
    login_as(client, admin)
    exchange = feed_exchanges[S.PLANNED]
    before = _events(client.get("/calendar.ics").get_data(as_text=True))[_uid(exchange)]
    exchange.title = "Renamed exchange"
    db.session.commit()
    after = _events(client.get("/calendar.ics").get_data(as_text=True))[_uid(exchange)]
    assert str(after["SUMMARY"]) == "Renamed exchange"
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_public_events_feed_is_open_and_public_only(client, feed_exchanges):
    response = client.get("/events.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    events = _events(response.get_data(as_text=True))
    expected = {_uid(e) for e in feed_exchanges.values() if e.status is not S.DRAFT and e.is_public}
    assert set(events) == expected
    assert _uid(feed_exchanges[S.REGISTRATION_CLOSED]) not in events  # not public
    assert _uid(feed_exchanges[S.DRAFT]) not in events


def test_partner_feed_holds_that_partners_exchanges(client, school_user, feed_exchanges):
    visitor = _events(client.get("/partners/halmstad/calendar.ics").get_data(as_text=True))
    assert set(visitor) == {_uid(feed_exchanges["other partner"])}
    offenburg = _events(client.get("/partners/offenburg/calendar.ics").get_data(as_text=True))
    assert _uid(feed_exchanges["other partner"]) not in offenburg
    assert _uid(feed_exchanges[S.REGISTRATION_CLOSED]) not in offenburg  # not public
    login_as(client, school_user)
    offenburg = _events(client.get("/partners/offenburg/calendar.ics").get_data(as_text=True))
    assert _uid(feed_exchanges[S.REGISTRATION_CLOSED]) in offenburg
    assert _uid(feed_exchanges[S.DRAFT]) not in offenburg
    assert client.get("/partners/atlantis/calendar.ics").status_code == 404


def test_one_exchange_downloads_as_an_attachment(client, school_user, feed_exchanges):
    exchange = feed_exchanges[S.REGISTRATION_OPEN]
    login_as(client, school_user)
    response = client.get(f"/exchanges/{exchange.id}/calendar.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert set(_events(response.get_data(as_text=True))) == {_uid(exchange)}
    draft = feed_exchanges[S.DRAFT]
    assert client.get(f"/exchanges/{draft.id}/calendar.ics").status_code == 404


def test_feed_answers_304_when_unchanged(client, feed_exchanges):
    first = client.get("/events.ics")
    again = client.get("/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_empty_feed_is_a_valid_calendar(client):
    response = client.get("/events.ics")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _events(body) == {}
    assert body.startswith("BEGIN:VCALENDAR")
    assert "PRODID:" in body
    assert "VERSION:2.0" in body
