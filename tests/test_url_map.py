"""Every page needs a login unless it is on the list below, and every POST needs a CSRF token.

The rules are walked from the app's URL map, so a new view is covered without touching this file;
making a page public means adding it to ``PUBLIC_ENDPOINTS`` here, on purpose.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from exchange.core.permissions import is_public_endpoint

PUBLIC_ENDPOINTS = {
    "site.index",
    "site.healthz",
    "site.set_language",
    # the high-contrast and large-text switches in the header: a cookie, for every visitor
    "site.set_display",
    "partners.partners",
    "exchanges.partner",
    "auth.login",
    # a one-time link from the invitation sets the invited person's first password
    "auth.accept_invitation",
    # a forgotten password: asking for an e-mailed one-time link, and the link itself
    "auth.forgot_password",
    "auth.reset_password",
    # public events: the upcoming-events page and its calendar feeds (public exchanges only)
    "exchanges.events",
    "exchanges.event",
    "exchanges.events_feed",
    "exchanges.partner_feed",
    "subscriptions.events_archive",
    # a personal calendar link: its token is the secret (calendar apps cannot log in)
    "subscriptions.feed",
    "static",
}

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _example_url(rule) -> str:
    """The rule's path with 1 for each int argument and "x" for any other."""

    def fill(match: re.Match) -> str:
        return "1" if match.group("converter") == "int" else "x"

    return _ARGUMENT.sub(fill, rule.rule)


def _rules(app, method: str) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


def _sends_to_login(response, url: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/login" and parse_qs(location.query).get("next") == [url]


def test_example_urls_fill_every_argument(app):
    urls = {_example_url(rule) for rule in app.url_map.iter_rules()}
    assert "/institutions/1/edit" in urls
    assert "/partners/x/edit" in urls
    assert not any("<" in url for url in urls)


def test_public_endpoints_are_exactly_the_listed_ones(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    with app.test_request_context():
        public = {endpoint for endpoint in endpoints if is_public_endpoint(endpoint)}
    assert public == PUBLIC_ENDPOINTS, (
        f"newly public: {sorted(public - PUBLIC_ENDPOINTS)}; "
        f"no longer public: {sorted(PUBLIC_ENDPOINTS - public)}"
    )


def test_every_other_page_sends_anonymous_visitors_to_login(client):
    checked, wrong = [], []
    for rule in _rules(client.application, "GET"):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _example_url(rule)
        response = client.get(url)
        checked.append(rule.endpoint)
        if not _sends_to_login(response, url):
            wrong.append((url, response.status_code, response.headers.get("Location")))
    assert not wrong, "open without login: " + ", ".join(
        f"{url} ({status}, Location {location})" for url, status, location in wrong
    )
    assert {"site.dashboard", "auth.users", "partners.institutions"} <= set(checked)


def test_public_pages_open_without_login(client):
    for rule in _rules(client.application, "GET"):
        if rule.endpoint not in PUBLIC_ENDPOINTS:
            continue
        response = client.get(_example_url(rule))
        # 404 for the made-up partner "x" and static file "x": but never the login page
        assert response.status_code in (200, 404), rule.rule
        assert not response.headers.get("Location", "").startswith("/login"), rule.rule


def test_every_post_without_csrf_token_is_refused(client):
    checked, wrong = [], []
    for rule in _rules(client.application, "POST"):
        url = _example_url(rule)
        response = client.post(url, data={"name": "x", "active": "0", "language": "pl"})
        checked.append(rule.endpoint)
        if response.status_code != 400 and not _sends_to_login(response, url):
            wrong.append((url, response.status_code))
    assert not wrong, "POST accepted without a CSRF token: " + ", ".join(
        f"{url} ({status})" for url, status in wrong
    )
    assert {"auth.login", "auth.logout", "site.set_language"} <= set(checked)
