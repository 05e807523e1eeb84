"""The public page of a public exchange: what it is, when, where, its programme, where
registration stands and whom to ask, for everyone; drafts and internal exchanges are not found;
no personal data."""

from __future__ import annotations

from datetime import date

import pytest
from icalendar import Calendar

from exchange.exchanges.models import ExchangeStatus
from exchange.extensions import db
from exchange.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.helpers import as_seen, login_as

S = ExchangeStatus


@pytest.fixture
def regatta(app_context, partners):
    coordinator = factories.user(
        role="coordinator", full_name="Prywatna Osoba", email="prywatna.osoba@example.org"
    )
    exchange = factories.exchange(
        [partners["lutsk"]],
        title="Regaty na Ukielu",
        is_public=True,
        status=S.REGISTRATION_OPEN,
        venue="Przystań",
        city="Olsztyn",
        registration_closes=date(2026, 6, 30),
        min_age=12,
        max_age=16,
        coordinator=coordinator,
        description="Contact Prywatna Osoba for details.",
    )
    factories.programme_item(exchange, activity="Powitanie na przystani", place="Przystań")
    pupil = factories.participant(last_name="Uczestnikowska")
    db.session.add(
        Registration(
            exchange_id=exchange.id,
            participant_id=pupil.id,
            institution_id=pupil.institution_id,
            status=RegistrationStatus.CONFIRMED,
            registered_by_id=coordinator.id,
            status_changed_by_id=coordinator.id,
        )
    )
    db.session.commit()
    return exchange


def test_a_visitor_reads_a_public_exchange(client, regatta):
    response = client.get(f"/events/{regatta.id}")
    assert response.status_code == 200
    page = as_seen(response.get_data(as_text=True))
    for text in (
        "Regaty na Ukielu",
        "School youth exchange",
        "Przystań, Olsztyn",
        "Lutsk",
        "Powitanie na przystani",
        "open until 30 Jun",
        "from 12",
        "to 16",
        "Whom to ask",
    ):
        assert text in page, text


def test_the_public_page_shows_no_personal_data(client, regatta):
    page = client.get(f"/events/{regatta.id}").get_data(as_text=True)
    for secret in ("Prywatna", "prywatna.osoba", "Uczestnikowska", "places taken"):
        assert secret not in page, secret


def test_the_public_page_names_the_city_offices_contact(app, client, regatta):
    app.config.update(CONTACT_EMAIL="partnerstwa@example.org", CONTACT_PHONE="+48 89 527 31 11")
    try:
        page = client.get(f"/events/{regatta.id}").get_data(as_text=True)
    finally:
        app.config.update(CONTACT_EMAIL=None, CONTACT_PHONE=None)
    assert 'href="mailto:partnerstwa@example.org"' in page
    assert 'href="tel:+48895273111"' in page


@pytest.mark.parametrize(
    "values",
    [
        {"status": S.DRAFT, "is_public": True},
        {"status": S.REGISTRATION_OPEN, "is_public": False},
    ],
    ids=["draft", "internal"],
)
@pytest.mark.parametrize("role", ["visitor", "school", "coordinator"])
def test_drafts_and_internal_exchanges_are_not_found(client, partners, values, role):
    exchange = factories.exchange([partners["lutsk"]], title="Hidden", **values)
    if role != "visitor":
        login_as(client, factories.user(role=role))
    assert client.get(f"/events/{exchange.id}").status_code == 404


def test_past_and_cancelled_public_exchanges_keep_their_page(client, partners):
    cancelled = factories.exchange(
        [partners["lutsk"]], is_public=True, status=S.CANCELLED, cancel_reason="Storm"
    )
    response = client.get(f"/events/{cancelled.id}")
    assert response.status_code == 200
    assert "Cancelled" in response.get_data(as_text=True)
    assert "Storm" not in response.get_data(as_text=True)


def test_unknown_exchange_is_not_found(client):
    assert client.get("/events/999999").status_code == 404


def test_upcoming_events_and_the_partner_page_link_to_it(client, regatta):
    link = f'href="/events/{regatta.id}"'
    assert link in client.get("/events").get_data(as_text=True)
    assert link in client.get("/partners/lutsk").get_data(as_text=True)


def test_the_exchange_page_links_to_its_public_page(client, regatta, school_user):
    login_as(client, school_user)
    page = client.get(f"/exchanges/{regatta.id}").get_data(as_text=True)
    assert f'href="/events/{regatta.id}"' in page
    public_page = client.get(f"/events/{regatta.id}").get_data(as_text=True)
    assert f'href="/exchanges/{regatta.id}"' in public_page


def test_the_public_feed_links_each_event_to_its_public_page(client, regatta):
    calendar = Calendar.from_ical(client.get("/events.ics").data)
    urls = [str(event["URL"]) for event in calendar.walk("VEVENT")]
    assert urls == [f"http://localhost/events/{regatta.id}"]
    partner = Calendar.from_ical(client.get("/partners/lutsk/calendar.ics").data)
    assert [str(e["URL"]) for e in partner.walk("VEVENT")] == urls


def test_the_public_page_is_in_polish_too(client, regatta):
    client.set_cookie("lang", "pl")
    page = client.get(f"/events/{regatta.id}").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Łuck" in page
    assert "Program" in page
