"""A coordinator prepares the journey of guests from Kaliningrad: adds a leg, puts the
travellers on it, issues an invitation letter for their visas and downloads the group leader's
emergency sheet; axe on every page."""

from __future__ import annotations

import functools
import uuid

from tests.browser.helpers import check_accessibility, expect, log_in


def _guests_from_kaliningrad(tag: str) -> dict:
    """An incoming exchange with Kaliningrad: two pupils of a partner school (one with a
    passport) and their teacher registered."""
    from exchange.exchanges.models import Direction
    from exchange.extensions import db
    from exchange.partners.services import get_partner_by_slug
    from exchange.registrations.models import Registration, RegistrationStatus
    from tests import factories

    partner = get_partner_by_slug("kaliningrad")
    school = factories.institution(name=f"Gimnazjum {tag}", partner_city=partner)
    exchange = factories.exchange(
        [partner], direction=Direction.INCOMING, title=f"Guests from Kaliningrad {tag}",
        city="Olsztyn",
    )  # fmt: skip
    people = [
        factories.participant(school, first_name="Irina", last_name=f"Sokolova{tag}"),
        factories.participant(school, first_name="Pavel", last_name=f"Orlov{tag}"),
        factories.participant(school, minor=False, first_name="Olga", last_name=f"Uchitel{tag}"),
    ]
    factories.identity_document(people[0], number="753214896", issuing_country="RU")
    for person in people:
        db.session.add(
            Registration(
                exchange_id=exchange.id,
                participant_id=person.id,
                institution_id=school.id,
                status=RegistrationStatus.CONFIRMED,
            )
        )
    db.session.commit()
    return {"exchange_id": exchange.id, "title": exchange.title}


def test_a_coordinator_adds_a_leg_issues_a_letter_and_downloads_the_emergency_sheet(
    new_page, live_server, make_account
):
    tag = uuid.uuid4().hex[:6]
    world = live_server.run(functools.partial(_guests_from_kaliningrad, tag))
    account = make_account("coordinator", f"Cora Travel {tag}")
    page = new_page()
    log_in(page, account.email, account.password)
    page.goto(f"/exchanges/{world['exchange_id']}")
    page.get_by_role("link", name="Travel", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Travel")
    check_accessibility(page)

    # --- a leg, and who travels on it ----------------------------------------------------
    page.get_by_role("link", name="Add a leg").click()
    page.get_by_label("Direction").select_option(label="Outward journey")
    page.get_by_label("By", exact=True).select_option(label="Train")
    page.get_by_label("Carrier").fill("PKP Intercity")
    page.get_by_label("From").fill("Kaliningrad")
    page.get_by_label("To", exact=True).fill("Olsztyn")
    page.get_by_label("Departure date").fill("2030-07-01")
    page.get_by_label("Arrival date").fill("2030-07-01")
    page.get_by_label("Departure time (local)").fill("07:10")
    page.get_by_label("Arrival time (local)").fill("12:40")
    check_accessibility(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The leg is added.")
    check_accessibility(page)
    for name in (f"Irina Sokolova{tag}", f"Pavel Orlov{tag}", f"Olga Uchitel{tag}"):
        page.get_by_label(name, exact=False).check()
    page.get_by_role("button", name="Save travellers").click()
    expect(page.get_by_role("status")).to_contain_text("The travellers are saved.")
    expect(page.get_by_role("main")).to_contain_text(f"Irina Sokolova{tag}")

    # --- the invitation letter -----------------------------------------------------------
    page.get_by_role("link", name="Issue an invitation letter").click()
    check_accessibility(page)
    page.get_by_label(f"Irina Sokolova{tag}", exact=False).check()
    page.get_by_label(f"Pavel Orlov{tag}", exact=False).check()
    page.get_by_label("Language of the letter").select_option(label="English")
    page.get_by_label("Who pays for what").fill(
        "The City of Olsztyn covers accommodation and board; travel is paid by the guests."
    )
    page.get_by_role("button", name="Issue the letter").click()
    expect(page.get_by_role("status")).to_contain_text("is issued.")
    letters = page.get_by_role("table").filter(has_text="Letters issued for this exchange")
    expect(letters).to_contain_text(f"Sokolova{tag}")
    expect(letters).to_contain_text(f"Cora Travel {tag}")
    check_accessibility(page)
    with page.expect_download() as download_info:
        letters.get_by_role("link", name="Download").first.click()
    letter = download_info.value
    assert letter.suggested_filename.startswith("invitation-letter-")
    assert letter.path().read_bytes().startswith(b"%PDF")

    # --- the group leader's emergency sheet ----------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Emergency sheet: Gimnazjum {tag} (PDF)").click()
    sheet = download_info.value
    assert sheet.suggested_filename.startswith("emergency-sheet-exchange-")
    assert sheet.path().read_bytes().startswith(b"%PDF")
