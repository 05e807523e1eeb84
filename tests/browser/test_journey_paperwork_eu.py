"""A school representative produces the parents' consent forms and the EU list of travellers
of its pupils for an outgoing trip to Gelsenkirchen."""

from __future__ import annotations

import uuid
from datetime import date

from exchange.registrations.models import ResidenceDocumentKind
from tests import factories
from tests.browser.conftest import Account
from tests.browser.helpers import check_accessibility, expect, log_in


def _seed(live_server) -> tuple[Account, int, str]:
    from exchange.partners.services import get_partner_by_slug

    def add() -> tuple[Account, int, str]:
        number = uuid.uuid4().hex[:6]
        user = factories.user(role="school", full_name=f"Zoe Zgoda {number}")
        exchange = factories.exchange(
            partners=[get_partner_by_slug("gelsenkirchen")],
            title=f"Science camp in Gelsenkirchen {number}",
            city="Gelsenkirchen",
        )
        pupil = factories.participant(
            user.institution,
            first_name="Olena",
            last_name="Shevchenko",
            citizenship="UA",
            place_of_birth="Kharkiv",
            residence_document_kind=ResidenceDocumentKind.TEMPORARY_PROTECTION,
            residence_document_number="UKR1234567",
            residence_document_expires_on=date(2030, 1, 31),
        )
        factories.registration(exchange, pupil)
        factories.registration(exchange, factories.participant(user.institution, citizenship="PL"))
        return Account(user.email, factories.PASSWORD, user.full_name), exchange.id, exchange.title

    return live_server.run(add)


def test_a_school_downloads_the_consent_forms_and_the_eu_list(live_server, new_page):
    account, exchange_id, title = _seed(live_server)
    page = new_page()
    log_in(page, account.email, account.password)
    page.goto(f"/exchanges/{exchange_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("link", name="EU list of travellers and consent forms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "EU list of travellers and consent forms"
    )
    expect(page.get_by_role("table")).to_contain_text("Shevchenko")
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Consent forms of all pupils (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert download.path().read_bytes().startswith(b"%PDF")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="EU list of travellers (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert download.path().read_bytes().startswith(b"%PDF")
