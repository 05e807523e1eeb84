"""A school representative's trip papers in a real browser: from the exchange's page to the
paperwork page, where they pick the trip leader and a chaperone and download the trip card,
which names the leader and the school's pupil (and no other school's)."""

from __future__ import annotations

from exchange.partners.services import get_partner_by_slug
from tests import factories
from tests.browser.helpers import check_accessibility, expect, log_in
from tests.helpers import pdf_text


def _seed() -> dict:
    user = factories.user(role="school", full_name="Tessa Trip")
    other_school = factories.institution(name="Another Olsztyn school")
    exchange = factories.exchange(
        [get_partner_by_slug("offenburg")], title="Trip to Offenburg (paperwork)", city="Offenburg"
    )
    pupil = factories.participant(user.institution, first_name="Ola", last_name="Wycieczkowa")
    leader = factories.participant(
        user.institution, minor=False, first_name="Leon", last_name="Kierowniczy"
    )
    chaperone = factories.participant(
        user.institution, minor=False, first_name="Olga", last_name="Opiekuńcza"
    )
    stranger = factories.participant(other_school, last_name="Obcoszkolna")
    for person in (pupil, leader, chaperone, stranger):
        factories.registration(exchange, person)
    return {"email": user.email, "exchange_id": exchange.id}


def test_a_school_picks_its_leader_and_downloads_the_trip_card(new_page, live_server, tmp_path):
    seeded = live_server.run(_seed)
    page = new_page()
    log_in(page, seeded["email"], factories.PASSWORD)
    page.goto(f"/exchanges/{seeded['exchange_id']}")
    page.get_by_role("link", name="Trip paperwork").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trip paperwork")
    check_accessibility(page)

    page.get_by_label("Trip leader (kierownik)").select_option(label="Leon Kierowniczy")
    page.get_by_label("Olga Opiekuńcza").check()
    page.get_by_role("button", name="Save the leader and chaperones").click()
    expect(page.get_by_role("status")).to_contain_text("The leader and the chaperones are saved.")
    expect(page.locator("select[name=leader_id] option:checked")).to_have_text("Leon Kierowniczy")
    expect(page.get_by_label("Olga Opiekuńcza")).to_be_checked()
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Trip card (PDF, Polish)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / "card.pdf"
    download.save_as(path)
    text = pdf_text(path.read_bytes(), tmp_path)
    assert "KARTA WYCIECZKI" in text
    assert "Leon Kierowniczy" in text
    assert "Olga Opiekuńcza" in text
    assert "Wycieczkowa" in text
    assert "Obcoszkolna" not in text
