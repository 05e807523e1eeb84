"""The display switches (high contrast, large text): cookies, classes and a safe redirect."""

from __future__ import annotations

import re

import pytest

from tests.helpers import post_form


def _body_class(response) -> str:
    match = re.search(r"<body(?: class=\"([^\"]*)\")?>", response.get_data(as_text=True))
    assert match, "the page has a body"
    return match.group(1) or ""


def test_high_contrast_sets_a_cookie_and_returns_to_the_page(client):
    response = post_form(client, "/display", {"contrast": "high", "next": "/events"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/events"
    cookie = client.get_cookie("contrast")
    assert cookie is not None
    assert cookie.value == "high"
    assert cookie.http_only
    assert _body_class(client.get("/partners/")) == "contrast-high"


def test_both_preferences_show_as_classes_and_pressed_buttons(client):
    post_form(client, "/display", {"contrast": "high", "next": "/"})
    post_form(client, "/display", {"text_size": "large", "next": "/"})
    page = client.get("/partners/")
    assert _body_class(page) == "contrast-high text-large"
    html = page.get_data(as_text=True)
    assert re.search(r'name="contrast" value="normal"[^>]*aria-pressed="true"', html)
    assert re.search(r'name="text_size" value="normal"[^>]*aria-pressed="true"', html)


def test_switching_back_to_normal(client):
    post_form(client, "/display", {"contrast": "high"})
    post_form(client, "/display", {"contrast": "normal"})
    assert _body_class(client.get("/partners/")) == ""


@pytest.mark.parametrize("value", ["dark", "", "high; Path=/"])
def test_unknown_values_are_ignored(client, value):
    response = post_form(client, "/display", {"contrast": value, "next": "/partners/"})
    assert response.status_code == 302
    assert client.get_cookie("contrast") is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil", ""])
def test_only_local_next_is_followed(client, target):
    response = post_form(client, "/display", {"contrast": "high", "next": target})
    assert response.headers["Location"] == "/"


def test_unknown_cookie_values_mean_the_defaults(client):
    client.set_cookie("contrast", "neon")
    client.set_cookie("text_size", "huge")
    assert _body_class(client.get("/partners/")) == ""
