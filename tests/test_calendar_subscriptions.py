"""Personal calendar subscription links: a calendar app fetches the user's feed without logging
in; only a hash of the token is stored; a new link replaces the old, revoking ends it, and a
deactivated account's link stops working."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from exchange.audit.models import AuditEvent
from exchange.exchanges.models import CalendarSubscription, ExchangeStatus
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, post_form

LINK = re.compile(r'id="subscription-link"[^>]*value="http://localhost(/calendar/([^"/]+)\.ics)"')


def _make_link(client) -> tuple[str, str]:
    """Press the button on the calendar page: the path of the link shown, and its token."""
    response = post_form(client, "/exchanges/calendar-subscription")
    assert response.status_code == 200
    match = LINK.search(response.get_data(as_text=True))
    assert match, "the page shows the link"
    return match.group(1), match.group(2)


def _titles(body: bytes) -> set[str]:
    return {str(event["SUMMARY"]) for event in Calendar.from_ical(body).walk("VEVENT")}


@pytest.fixture
def exchanges(app_context):
    partner = factories.partner()
    return {
        "public": factories.exchange([partner], title="Public regatta", is_public=True),
        "internal": factories.exchange([partner], title="Internal visit", is_public=False),
        "draft": factories.exchange([partner], title="Draft plan", status=ExchangeStatus.DRAFT),
    }


def test_the_link_works_without_a_session_and_holds_what_the_user_reads(
    app, client, school_user, exchanges
):
    login_as(client, school_user)
    path, token = _make_link(client)
    calendar_app = app.test_client()  # no cookie at all
    response = calendar_app.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"].startswith("private")
    # a school reads every exchange but drafts, internal ones included
    assert _titles(response.data) == {"Public regatta", "Internal visit"}
    assert "Set-Cookie" not in response.headers


def test_staff_get_drafts_and_nobody_gets_another_users_scope(app, client, coordinator, exchanges):
    login_as(client, coordinator)
    path, _ = _make_link(client)
    staff_titles = _titles(app.test_client().get(path).data)
    # drafts are left out of every feed, as in the logged-in feed
    assert staff_titles == {"Public regatta", "Internal visit"}
    assert staff_titles == _titles(client.get("/calendar.ics").data)


def test_the_feed_follows_the_users_scope_at_each_fetch(app, client, exchanges):
    school = factories.user(role="school")
    login_as(client, school)
    path, _ = _make_link(client)
    calendar_app = app.test_client()
    assert "Draft plan" not in _titles(calendar_app.get(path).data)
    exchanges["draft"].status = ExchangeStatus.PLANNED
    db.session.commit()
    assert "Draft plan" in _titles(calendar_app.get(path).data)


def test_only_a_hash_of_the_token_is_stored(client, school_user):
    login_as(client, school_user)
    _, token = _make_link(client)
    stored = db.session.scalars(sa.select(CalendarSubscription)).all()
    assert len(stored) == 1
    assert stored[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    values = [str(v) for row in db.session.execute(sa.text("SELECT * FROM calendar_subscription"))
              for v in row]  # fmt: skip
    assert not any(token in value for value in values)
    # and the calendar page does not show it again
    assert token not in client.get("/exchanges/calendar").get_data(as_text=True)


def test_a_new_link_replaces_the_old_one(app, client, school_user):
    login_as(client, school_user)
    old_path, _ = _make_link(client)
    page = client.get("/exchanges/calendar").get_data(as_text=True)
    assert "Make a new subscription link" in page
    new_path, _ = _make_link(client)
    assert new_path != old_path
    calendar_app = app.test_client()
    assert calendar_app.get(old_path).status_code == 404
    assert calendar_app.get(new_path).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSubscription)) == 1


def test_revoking_ends_the_link(app, client, school_user):
    login_as(client, school_user)
    path, _ = _make_link(client)
    response = post_form(client, "/exchanges/calendar-subscription/revoke")
    assert response.status_code == 302
    assert app.test_client().get(path).status_code == 404
    assert "Create a subscription link" in client.get("/exchanges/calendar").get_data(as_text=True)
    # revoking twice says so, and changes nothing
    again = post_form(client, "/exchanges/calendar-subscription/revoke", follow_redirects=True)
    assert "You have no subscription link." in again.get_data(as_text=True)


def test_a_deactivated_users_link_stops_working(app, client, school_user):
    login_as(client, school_user)
    path, _ = _make_link(client)
    school_user.active = False
    db.session.commit()
    assert app.test_client().get(path).status_code == 404
    school_user.active = True
    db.session.commit()
    assert app.test_client().get(path).status_code == 200


@pytest.mark.parametrize(
    "path", ["/calendar/nonsense.ics", "/calendar/" + "x" * 43 + ".ics", "/calendar/.ics"]
)
def test_unknown_tokens_are_not_found(client, school_user, path):
    assert client.get(path).status_code == 404


def test_making_and_revoking_a_link_is_audited_without_the_token(client, school_user):
    login_as(client, school_user)
    _, token = _make_link(client)
    _make_link(client)
    post_form(client, "/exchanges/calendar-subscription/revoke")
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "calendar_subscription")
        .order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == ["create", "update", "delete"]
    assert all(event.actor_id == school_user.id for event in events)
    assert not any(token in (event.detail + " ".join(event.changes)) for event in events)


def test_the_buttons_need_a_login_and_a_csrf_token(app, client, school_user):
    anonymous = app.test_client()
    response = post_form(anonymous, "/exchanges/calendar-subscription")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    login_as(client, school_user)
    assert client.post("/exchanges/calendar-subscription").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarSubscription)) == 0


def test_the_calendar_page_offers_the_personal_link_and_the_public_feed(client, school_user):
    login_as(client, school_user)
    page = client.get("/exchanges/calendar").get_data(as_text=True)
    assert 'action="/exchanges/calendar-subscription"' in page
    assert 'href="/events.ics"' in page


def test_the_feed_is_written_in_the_users_language(app, client, exchanges):
    polish = factories.user(role="school", language="pl")
    login_as(client, polish)
    path, _ = _make_link(client)
    body = app.test_client().get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Miasta partnerskie" in body
