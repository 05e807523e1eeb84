"""Personal calendar subscriptions: the feed behind a user's secret link, and making, replacing
and revoking that link (the calendar page offers them).

``/calendar/<token>.ics`` needs no log-in: the token is the secret (its path is redacted from
every log, see ``exchange.core.logs``). It answers 404 for a token that is unknown, replaced or
revoked, or whose account is deactivated, and holds what the user may read at that moment.

The feeds hold the last 12 months and later; ``/calendar/<year>.ics`` (logged in) and
``/events/<year>.ics`` (public) hold the exchanges that started in one year, for the archive.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user

from exchange.core.permissions import public
from exchange.exchanges import ical, queries, subscriptions
from exchange.exchanges.views import CALENDAR_YEARS
from exchange.extensions import db, limiter

bp = Blueprint("subscriptions", __name__)


def feed_url(token: str) -> str:
    """The link to give a calendar app: on PUBLIC_URL when it is set (never on the request's
    Host header, which the sender chooses), else on the request's host (development)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(".feed", token=token)
    return url_for(".feed", token=token, _external=True)


@bp.post("/exchanges/calendar-subscription")
def create():
    """Make the user's link, or a new one in place of the old: shown once, on this page, and
    never stored, so no redirect here."""
    replaced = subscriptions.subscription_of(current_user) is not None
    token = subscriptions.make_subscription(current_user)
    db.session.commit()
    return render_template(
        "exchanges/subscription_link.html", url=feed_url(token), replaced=replaced
    )


@bp.post("/exchanges/calendar-subscription/revoke")
def revoke():
    if subscriptions.revoke_subscription(current_user):
        db.session.commit()
        flash(_("Your subscription link is revoked: calendar apps get nothing from it."), "success")
    else:
        flash(_("You have no subscription link."), "info")
    return redirect(url_for("exchanges.month") + "#subscribe")


@bp.get("/calendar/<token>.ics")
@public
@limiter.limit(lambda: current_app.config["CALENDAR_FEED_RATE_LIMIT"])
def feed(token: str):
    """What the link's owner may read now (all but drafts, the last 12 months and later), in the
    owner's language. Its version names the link: a new link is a new feed."""
    user = subscriptions.subscriber(token)
    if user is None:
        abort(404)
    with force_locale(user.language):
        return ical.feed_response(
            queries.Feed(user),
            f"{ical.scope(user)} {subscriptions.token_digest(token)}",
            _("Olsztyn partner-city exchanges"),
            "olsztyn-exchanges.ics",
            links=ical.exchange_link,
        )


# --- yearly archives: the exchanges that start in a year, however long ago -----------------


def _archive_year(year: int) -> int:
    if year not in CALENDAR_YEARS:
        abort(404)
    return year


@bp.get("/calendar/<int:year>.ics")
def archive(year: int):
    """The exchanges (but drafts) that started in ``year``, for those who log in."""
    return ical.feed_response(
        queries.Feed(current_user, year=_archive_year(year)),
        ical.scope(current_user),
        _("Olsztyn partner-city exchanges %(year)s", year=year),
        f"olsztyn-exchanges-{year}.ics",
        links=ical.exchange_link,
    )


@bp.get("/events/<int:year>.ics")
@public
def events_archive(year: int):
    """The public exchanges (but drafts) that started in ``year``, for everyone."""
    return ical.feed_response(
        queries.Feed(AnonymousUserMixin(), year=_archive_year(year)),
        "public",
        _("Olsztyn partner-city events %(year)s", year=year),
        f"olsztyn-events-{year}.ics",
        private=False,
        links=ical.event_link,
    )
