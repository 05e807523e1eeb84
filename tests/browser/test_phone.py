"""Every page fits a phone: nothing wider than the screen at 390 px, in English and Polish, in
normal and high contrast and with large text; the header leaves room for the content."""

from __future__ import annotations

import pytest

from exchange import clock
from tests.browser.helpers import log_in

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
#: the most of a phone's height the header may take before any content
HEADER_MAX_PX = 120

VISITOR = ["/", "/partners/", "/partners/rovaniemi", "/events", "/login", "/password/forgot"]


def _staff_pages(data) -> list[str]:
    year = clock.today().year
    exchange = f"/exchanges/{data.open_exchange_id}"
    return [
        "/dashboard",
        "/partners/",
        "/partners/gelsenkirchen",
        "/partners/gelsenkirchen/edit",
        "/exchanges/",
        "/exchanges/calendar",
        exchange,
        f"{exchange}/edit",
        f"{exchange}/copy",
        f"{exchange}/delete",
        f"{exchange}/roster",
        f"/registrations/{data.waiting_registration_id}/promote",
        "/exchanges/new",
        "/institutions/",
        "/users/",
        "/school-accounts/",
        "/participants/",
        f"/participants/{data.participant_id}",
        f"/participants/{data.participant_id}/edit",
        "/registrations/",
        f"/reports/?date_from={year}-01-01&date_to={year}-12-31",
        "/audit/",
        "/host-families/",
        f"/host-families/{data.family_id}",
        f"/host-families/{data.family_id}/edit",
        f"/exchanges/{data.hosting_exchange_id}/hosting",
        f"{exchange}/travel",
        f"{exchange}/legs/new",
        f"{exchange}/rooms",
        f"/participants/{data.participant_id}/identity-document",
    ]


def _school_pages(data) -> list[str]:
    return [
        "/dashboard",
        "/exchanges/",
        f"/exchanges/{data.open_exchange_id}",
        f"/exchanges/{data.open_exchange_id}/register",
        f"/exchanges/{data.open_exchange_id}/travel",
        "/participants/",
        "/participants/import",
        "/registrations/",
        "/reports/",
        "/account/data",
        "/host-families/",
        "/host-families/new",
    ]


def _overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def assert_fits(page, urls: list[str], label: str) -> None:
    too_wide = []
    for url in urls:
        response = page.goto(url)
        assert response is not None
        assert response.status < 500, url
        for mode in ("normal", "contrast-high", "text-large"):
            if mode != "normal":
                page.evaluate(f"document.body.classList.add({mode!r})")
            overflow = _overflow(page)
            if overflow > 0:
                too_wide.append(f"{url} ({label}, {mode}): {overflow} px too wide")
            if mode != "normal":
                page.evaluate(f"document.body.classList.remove({mode!r})")
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390px", "1280px"])
@pytest.mark.parametrize("locale", ["en-GB", "pl-PL"])
def test_every_page_fits_the_screen(demo_page, demo_server, viewport, locale):
    _, data = demo_server
    label = f"{viewport['width']} px, {locale}"
    visitor = demo_page(locale=locale, viewport=viewport)
    assert_fits(visitor, [*VISITOR, f"/events/{data.public_exchange_id}"], label)
    admin = demo_page(locale=locale, viewport=viewport)
    log_in(admin, data.admin.email, data.admin.password)
    assert_fits(admin, _staff_pages(data), label)
    school = demo_page(locale=locale, viewport=viewport)
    log_in(school, data.school.email, data.school.password)
    assert_fits(school, _school_pages(data), label)


@pytest.mark.parametrize("locale", ["en-GB", "pl-PL"])
def test_the_header_leaves_the_phone_screen_to_the_content(demo_page, demo_server, locale):
    _, data = demo_server
    page = demo_page(locale=locale, viewport=PHONE)
    log_in(page, data.admin.email, data.admin.password)
    page.goto("/dashboard")
    header = page.locator("header.site-header").bounding_box()
    assert header is not None
    assert header["height"] <= HEADER_MAX_PX
    # the menu is one control that opens without JavaScript, and marks the current page
    menu = page.locator("header details.menu")
    menu.locator("summary").click()
    link = menu.get_by_role("link", name="Dashboard" if locale == "en-GB" else "Pulpit")
    assert link.get_attribute("aria-current") == "page"
