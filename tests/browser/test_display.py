"""The high-contrast and large-text switches in the header: remembered, on every page, no JS."""

from __future__ import annotations

import re

from tests.browser.helpers import check_accessibility, expect, log_in


def _cookies(page) -> dict[str, str]:
    return {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}


def test_high_contrast_is_remembered_and_applies_on_other_pages(page):
    page.goto("/partners/")
    switch = page.get_by_role("button", name="High contrast")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()

    expect(page).to_have_url(re.compile(r"/partners/$"))  # back where the visitor was
    assert _cookies(page)["contrast"] == "high"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upcoming events").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bcontrast-high\b"))
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    check_accessibility(page, both_modes=False)

    switch.click()
    assert _cookies(page)["contrast"] == "normal"
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bcontrast-high\b"))
    expect(switch).to_have_attribute("aria-pressed", "false")


def test_large_text_scales_every_page(page):
    page.goto("/events")
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    page.get_by_role("button", name="Large text").click()
    assert _cookies(page)["text_size"] == "large"
    page.goto("/partners/")
    expect(page.locator("body")).to_have_class(re.compile(r"\btext-large\b"))
    expect(page.get_by_role("button", name="Large text")).to_have_attribute("aria-pressed", "true")
    root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    large = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert root == 20
    assert large == normal * 1.25
    check_accessibility(page)


def test_the_switches_work_without_javascript(new_page, make_account):
    page = new_page(java_script_enabled=False)
    account = make_account("coordinator", "Nora Noscript")
    log_in(page, account.email, account.password)
    page.get_by_role("button", name="High contrast").click()
    page.get_by_role("button", name="Large text").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("body")).to_have_class("contrast-high text-large")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exchanges").click()
    expect(page.locator("body")).to_have_class("contrast-high text-large")
