"""The language switch and the page language: a chosen language wins over the browser's."""

from __future__ import annotations

import re

import pytest

from tests.helpers import login_as, post_form


def _page_language(response) -> str:
    match = re.search(r'<html lang="([^"]*)">', response.get_data(as_text=True))
    assert match, "the page declares its language"
    return match.group(1)


def test_language_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = post_form(client, "/language", {"language": "pl", "next": "/partners/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/partners/"
    cookie = client.get_cookie("lang")
    assert cookie is not None
    assert cookie.value == "pl"
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.expires is not None  # remembered across browser restarts


def test_chosen_language_is_used_on_the_next_pages(client):
    post_form(client, "/language", {"language": "pl", "next": "/partners/"})
    assert _page_language(client.get("/partners/")) == "pl"
    assert _page_language(client.get("/login")) == "pl"

    post_form(client, "/language", {"language": "en", "next": "/partners/"})
    assert _page_language(client.get("/partners/")) == "en"


def test_language_switch_keeps_the_query_of_the_page(client):
    response = post_form(client, "/language", {"language": "pl", "next": "/login?next=/dashboard"})
    assert response.headers["Location"] == "/login?next=/dashboard"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/partners/",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_language_switch_never_sends_to_another_site(client, target):
    response = post_form(client, "/language", {"language": "pl", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie("lang").value == "pl"


def test_unknown_language_is_ignored(client):
    response = post_form(client, "/language", {"language": "de", "next": "/partners/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/partners/"
    assert client.get_cookie("lang") is None
    assert _page_language(client.get("/partners/")) == "en"


def test_language_switch_works_for_a_logged_in_user_too(client, coordinator):
    login_as(client, coordinator)
    response = post_form(client, "/language", {"language": "pl", "next": "/dashboard"})
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200  # still logged in
    assert _page_language(dashboard) == "pl"


def test_browser_preference_sets_the_page_language(client):
    response = client.get("/partners/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert _page_language(response) == "pl"


def test_default_language_is_english(client):
    assert _page_language(client.get("/partners/")) == "en"
    response = client.get("/partners/", headers={"Accept-Language": "de-DE,fr;q=0.8"})
    assert _page_language(response) == "en"


def test_chosen_language_wins_over_the_browser_preference(client):
    client.set_cookie("lang", "en")
    response = client.get("/partners/", headers={"Accept-Language": "pl"})
    assert _page_language(response) == "en"


def test_unsupported_language_in_the_cookie_falls_back_to_the_browser(client):
    client.set_cookie("lang", "xx")
    response = client.get("/partners/", headers={"Accept-Language": "pl"})
    assert _page_language(response) == "pl"


def test_switch_marks_the_current_language(client):
    page = client.get("/partners/", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert re.search(r'value="pl"[^>]*aria-current="true"', page)
    assert not re.search(r'value="en"[^>]*aria-current="true"', page)


@pytest.mark.parametrize(
    ("language", "amount", "currency", "written"),
    [
        ("en", "12500.50", "PLN", "PLN\xa012,500.50"),
        ("pl", "12500.50", "PLN", "12\xa0500,50\xa0zł"),
        ("en", "-300", "PLN", "-PLN\xa0300.00"),
        ("en", "5000", "EUR", "€5,000.00"),
        ("pl", "5000", "EUR", "5\xa0000,00\xa0€"),
    ],
)
def test_money_is_written_as_the_language_writes_it(app, language, amount, currency, written):
    from decimal import Decimal

    from flask_babel import force_locale

    from exchange.core.locale import format_money

    with app.test_request_context(), force_locale(language):
        assert format_money(Decimal(amount), currency) == written
