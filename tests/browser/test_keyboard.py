"""Logging in and registering participants with the keyboard alone: Tab, Enter and Space.

Every step asserts where the focus is, so a control that cannot be reached, or a focus that
jumps somewhere unexpected, fails the test.
"""

from __future__ import annotations

import re

from tests.browser.helpers import check_accessibility, expect

#: more Tab presses than any page here needs to reach its main action
MAX_TABS = 60


def _is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator) -> None:
    """Press Tab until ``locator`` has the focus; fail if it never gets it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _is_focused(locator):
            return
    raise AssertionError(f"{locator} is not reachable with Tab on {page.url}")


def skip_to_content(page) -> None:
    """The first Tab reaches the skip link; Enter moves the focus to the main content."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def keyboard_log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    skip_to_content(page)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard(#main)?$"))


def test_log_in_with_the_keyboard_alone(page, make_account):
    account = make_account("coordinator", "Kim Keyboard")
    keyboard_log_in(page, account.email, account.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Kim Keyboard")


def test_a_wrong_password_by_keyboard_keeps_the_focus_on_the_form(page, make_account):
    account = make_account("coordinator", "Kit Keyboard")
    page.goto("/login")
    skip_to_content(page)
    page.keyboard.press("Tab")
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    page.keyboard.type("not the password at all")
    page.keyboard.press("Enter")  # Enter in a field submits the form
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login(#main)?$"))
    check_accessibility(page)


def test_register_participants_with_the_keyboard_alone(page, school_with_open_exchange):
    school = school_with_open_exchange
    keyboard_log_in(page, school.account.email, school.account.password)

    page.goto(f"/exchanges/{school.exchange_id}")
    register_link = page.get_by_role("link", name="Register participants")
    tab_to(page, register_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Register for {school.exchange_title}"
    )

    skip_to_content(page)
    group = page.get_by_role("group", name="Choose the participants to register")
    first, second = (group.get_by_label(name) for name in school.participants)
    page.keyboard.press("Tab")
    expect(first).to_be_focused()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    page.keyboard.press("Tab")
    expect(second).to_be_focused()
    page.keyboard.press("Space")
    expect(second).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Register")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/registrations/(#main)?$"))
    expect(page.get_by_role("status")).to_contain_text("2 confirmed, 0 on the waiting list.")
    rows = page.get_by_role("row").filter(has_text=school.exchange_title)
    expect(rows).to_have_count(2)
    check_accessibility(page)
