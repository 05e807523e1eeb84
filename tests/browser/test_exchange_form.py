"""The exchange form in a browser: only the chosen kind's section is shown (a same-origin
script, allowed by the Content-Security-Policy); without JavaScript every section stays."""

from __future__ import annotations

from tests.browser.helpers import check_accessibility, expect, log_in

KINDS = ("youth", "professional", "councillors", "artistic", "sports", "trade_fair")


def _section(page, kind: str):
    return page.locator(f"fieldset#details-{kind}")


def test_choosing_a_kind_shows_its_section_and_hides_the_others(new_page, make_account):
    account = make_account("coordinator", "Kira Kinds")
    page = new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "favicon" not in (message.location or {}).get("url", "")
            else None
        ),
    )
    log_in(page, account.email, account.password)
    page.goto("/exchanges/new")
    # the first kind is chosen when the form opens: its section alone is shown
    expect(page.get_by_label("Kind", exact=True)).to_have_value("youth")
    expect(page.get_by_label("School level")).to_be_visible()
    for kind in KINDS[1:]:
        expect(_section(page, kind)).to_be_hidden()

    page.get_by_label("Kind", exact=True).select_option(label="Sports team trip")
    expect(page.get_by_label("Discipline")).to_be_visible()
    expect(page.get_by_label("Event", exact=True)).to_be_visible()
    for kind in KINDS:
        if kind != "sports":
            expect(_section(page, kind)).to_be_hidden()
    check_accessibility(page, both_modes=False)
    assert errors == []  # nothing refused by the Content-Security-Policy, no script error


def test_without_javascript_every_kind_section_stays(new_page, make_account):
    account = make_account("coordinator", "Noah Noscript")
    page = new_page(java_script_enabled=False)
    log_in(page, account.email, account.password)
    page.goto("/exchanges/new")
    for kind in KINDS:
        expect(_section(page, kind)).to_be_visible()
    expect(page.get_by_text("Fill in the details of the chosen kind only")).to_be_visible()
