"""axe-core over the pages the journeys do not reach, on a database full of demo data.

Every page is checked in both contrast modes, with its forms' error states where a form can be
sent empty.
"""

from __future__ import annotations

import re

from exchange import clock
from tests.browser.helpers import check_accessibility, expect, log_in


def _check_all(page, urls: list[str]) -> None:
    failures = []
    for url in urls:
        response = page.goto(url)
        assert response is not None
        assert response.status in (200, 400, 404), f"{url}: {response.status}"
        try:
            check_accessibility(page)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


def _submit_empty(page, url: str, button: str) -> None:
    """Send a form with its fields cleared: the page comes back with the errors marked."""
    page.goto(url)
    form = page.locator("main form[method=post]", has=page.get_by_role("button", name=button))
    for field in form.locator("input[type=text], input[type=email], input[type=date]").all():
        if field.is_visible():  # the exchange form hides the sections of the other kinds
            field.fill("")
    form.get_by_role("button", name=button).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_accessibility(page)


def test_visitor_pages(demo_page):
    page = demo_page()
    _check_all(
        page,
        [
            "/",
            "/partners/",
            "/partners/rovaniemi",
            "/events",
            "/events/1",  # a public exchange, or a page not found: both are checked
            "/login",
            "/password/forgot",
            "/invitation/no-such-token",
            "/password/reset/no-such-token",
            "/no-such-page",
        ],
    )


def test_admin_pages(demo_page, demo_server):
    _, data = demo_server
    page = demo_page()
    log_in(page, data.admin.email, data.admin.password)
    year = clock.today().year
    exchange = f"/exchanges/{data.open_exchange_id}"
    _check_all(
        page,
        [
            "/dashboard",
            "/partners/",
            "/partners/new",
            "/partners/gelsenkirchen",
            "/partners/gelsenkirchen/edit",
            "/events",
            "/exchanges/",
            "/exchanges/?kind=youth&direction=incoming",
            "/exchanges/?show=past",
            "/exchanges/?show=all&page=2",
            "/exchanges/calendar",
            exchange,
            f"{exchange}/edit",
            f"{exchange}/copy",
            f"{exchange}/delete",
            f"{exchange}/programme/{data.programme_item_id}/edit",
            f"{exchange}/roster",
            f"/registrations/{data.waiting_registration_id}/promote",
            f"{exchange}/travel",
            f"{exchange}/rooms",
            f"{exchange}/legs/new",
            "/institutions/",
            f"/institutions/{data.institution_id}/edit",
            "/users/",
            f"/users/{data.user_id}/edit",
            "/school-accounts/",
            "/participants/",
            "/participants/new",
            f"/participants/{data.participant_id}",
            f"/participants/{data.participant_id}/edit",
            f"/participants/{data.participant_id}/identity-document",
            "/registrations/",
            f"/reports/?date_from={year}-01-01&date_to={year}-12-31",
            "/reports/?date_from=2030-01-01&date_to=2020-01-01",  # an error in the filter
            "/audit/",
            "/host-families/",
            f"/host-families/{data.family_id}",
            f"/host-families/{data.family_id}/edit",
            f"/exchanges/{data.hosting_exchange_id}/hosting",
            "/account/password",
            "/account/sessions",
            "/account/data",
        ],
    )
    # the subscription link, shown once after the button on the calendar page
    page.goto("/exchanges/calendar")
    page.get_by_role("button", name="Create a subscription link").click()
    expect(page.get_by_label("Subscription link")).to_have_value(re.compile(r"/calendar/.+\.ics$"))
    check_accessibility(page)
    page.goto("/exchanges/calendar")
    expect(page.get_by_role("button", name="Revoke the subscription link")).to_be_visible()
    check_accessibility(page)
    _submit_empty(page, "/exchanges/new", "Save")
    _submit_empty(page, f"{exchange}/copy", "Copy as a new draft")
    _submit_empty(page, "/institutions/new", "Save")
    _submit_empty(page, "/users/new", "Save")
    _submit_empty(page, "/host-families/new", "Save")
    _submit_empty(page, "/school-accounts/new", "Create the account and the invitation link")
    _submit_empty(page, f"/participants/{data.participant_id}", "Record consent")
    _submit_empty(page, f"/registrations/{data.waiting_registration_id}/promote", "Give the place")
    _submit_empty(page, f"{exchange}/legs/new", "Save")
    _submit_empty(page, f"/participants/{data.participant_id}/identity-document", "Save document")


def test_school_pages(demo_page, demo_server, tmp_path):
    _, data = demo_server
    page = demo_page()
    log_in(page, data.school.email, data.school.password)
    _check_all(
        page,
        [
            "/dashboard",
            "/exchanges/",
            f"/exchanges/{data.open_exchange_id}",
            f"/exchanges/{data.open_exchange_id}/register",
            f"/exchanges/{data.open_exchange_id}/travel",
            f"/participants/{data.participant_id}/identity-document",
            "/participants/",
            "/participants/import",
            "/registrations/",
            "/reports/",
            "/account/data",
            "/host-families/",
        ],
    )
    _submit_empty(page, "/participants/new", "Save")
    _submit_empty(page, "/host-families/new", "Save")

    # a spreadsheet with a wrong row: the errors come back as a table
    wrong = tmp_path / "participants.csv"
    wrong.write_text("first_name,last_name,date_of_birth\nOla,,someday\n", encoding="utf-8")
    page.goto("/participants/import")
    page.get_by_label("Spreadsheet (XLSX or CSV)").set_input_files(wrong)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("table", name="Errors in the file")).to_be_visible()
    check_accessibility(page)
