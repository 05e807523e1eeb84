"""Whole journeys through the real pages, by visible labels and roles, with axe on every page.

An admin adds a coordinator; the coordinator adds an institution, an exchange with its programme,
opens registration and invites a school representative; the representative accepts the
invitation, adds and imports participants and registers them (one lands on the waiting list);
the coordinator reads the roster, exports it and opens the activity report; a visitor reads the
public pages.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import uuid
from datetime import timedelta

import pytest
from openpyxl import Workbook

from exchange import clock
from exchange.registrations.importer import COLUMNS
from tests.browser.helpers import check_accessibility, expect, log_in, log_out, main_nav

NEW_PASSWORD = "plum orchard lantern 42"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


def _participants_xlsx(path, today) -> None:
    """Two pupils of 14 with their parents' consent, in the import template's columns."""
    born = today.replace(year=today.year - 14, month=3, day=14).isoformat()
    rows = [
        {
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": born,
            "gender": gender,
            "country": "PL",
            "role": "pupil",
            "emergency_contact_name": f"{parent} {last_name}",
            "emergency_contact_phone": "+48 600 100 200",
            "guardian_name": f"{parent} {last_name}",
            "consent_given_on": today.isoformat(),
            "consent_method": "paper",
            "consent_text_version": "2026-01",
        }
        for first_name, last_name, gender, parent in (
            ("Ola", "Kowalska", "female", "Anna"),
            ("Jan", "Nowak", "male", "Piotr"),
        )
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(column, "") for column in COLUMNS])
    workbook.save(path)


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390px", "1280px"])
def test_from_a_new_coordinator_to_the_waiting_list_and_the_report(
    new_page, admin_account, tmp_path, viewport
):
    new_page = functools.partial(new_page, viewport=viewport)
    today = clock.today()
    start = today + timedelta(days=60)
    tag = uuid.uuid4().hex[:6]
    coordinator_email = f"coordinator-{tag}@example.org"
    school_email = f"school-{tag}@example.org"
    title = f"Youth exchange with Offenburg {tag}"
    institution = f"Primary School no. 7 ({tag})"

    # --- the admin adds a coordinator -------------------------------------------------------
    admin = new_page()
    log_in(admin, admin_account.email, admin_account.password, check=True)
    check_accessibility(admin)
    main_nav(admin).get_by_role("link", name="Users").click()
    check_accessibility(admin)
    admin.get_by_role("link", name="Add a user").click()
    expect(admin).to_have_url(re.compile(r"/users/new$"))
    check_accessibility(admin)
    admin.get_by_label("Full name").fill(f"Cora Journey {tag}")
    admin.get_by_label("Email").fill(coordinator_email)
    admin.get_by_label("Role").select_option(label="Coordinator")
    admin.get_by_label("Password").fill("a very long coordinator password")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status")).to_contain_text(
        f"The account for Cora Journey {tag} is created."
    )
    expect(admin.get_by_role("row", name=f"Cora Journey {tag}")).to_be_visible()
    check_accessibility(admin)
    log_out(admin)
    check_accessibility(admin)

    # --- the coordinator adds an institution and an exchange --------------------------------
    coordinator = new_page()
    log_in(coordinator, coordinator_email, "a very long coordinator password")
    main_nav(coordinator).get_by_role("link", name="Institutions").click()
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name="Add an institution").click()
    check_accessibility(coordinator)
    coordinator.get_by_label("Name").fill(institution)
    coordinator.get_by_label("Kind").select_option(label="School")
    coordinator.get_by_label("City").select_option(label="Olsztyn")
    coordinator.get_by_label("Contact e-mail").fill(f"office-{tag}@example.org")
    coordinator.get_by_role("button", name="Save").click()
    expect(coordinator.get_by_role("row", name=institution)).to_be_visible()

    main_nav(coordinator).get_by_role("link", name="Exchanges").click()
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name="New exchange").click()
    check_accessibility(coordinator)
    coordinator.get_by_label("Title").fill(title)
    coordinator.get_by_label("Kind").select_option(label="School youth exchange")
    coordinator.get_by_label("Direction").select_option(label="Outgoing (Olsztyn sends)")
    coordinator.get_by_label("First day").fill(start.isoformat())
    coordinator.get_by_label("Last day").fill((start + timedelta(days=6)).isoformat())
    coordinator.get_by_label("Venue").fill("Oken-Gymnasium")
    coordinator.get_by_label("City", exact=True).fill("Offenburg")
    coordinator.get_by_role("group", name="Partner cities").get_by_label("Offenburg").check()
    coordinator.get_by_label("Institution in Olsztyn").select_option(label=institution)
    coordinator.get_by_label("Public", exact=True).check()
    coordinator.get_by_label("Places", exact=True).fill("2")
    coordinator.get_by_label("Registration opens").fill(today.isoformat())
    coordinator.get_by_label("Registration closes").fill((start - timedelta(days=7)).isoformat())
    coordinator.get_by_label("Minimum age").fill("12")
    coordinator.get_by_label("Maximum age").fill("18")
    coordinator.get_by_label("Planned budget").fill("12500.50")
    coordinator.get_by_label("School level").select_option(label="Primary school")
    coordinator.get_by_role("button", name="Save").click()
    expect(coordinator.get_by_role("status")).to_contain_text(f"{title} is saved as a draft.")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(title)
    check_accessibility(coordinator)

    # the programme, then the status: planned, registration open
    programme = coordinator.locator("form", has=coordinator.get_by_role("button", name="Add"))
    programme.get_by_label("From").fill("09:00")
    programme.get_by_label("To").fill("12:30")
    programme.get_by_label("Place").fill("Town hall")
    programme.get_by_label("Activity").fill("Welcome at the town hall")
    programme.get_by_role("button", name="Add").click()
    expect(coordinator.get_by_role("status")).to_contain_text("The programme item is added.")
    expect(coordinator.get_by_role("row", name="Welcome at the town hall")).to_be_visible()
    coordinator.get_by_role("button", name="Plan (show to schools)").click()
    expect(coordinator.get_by_role("status")).to_contain_text("Planned")
    coordinator.get_by_role("button", name="Open registration").click()
    expect(coordinator.get_by_role("status")).to_contain_text("Registration open")
    check_accessibility(coordinator)
    exchange_url = coordinator.url

    # --- the coordinator invites a school representative ------------------------------------
    main_nav(coordinator).get_by_role("link", name="School accounts").click()
    check_accessibility(coordinator)
    coordinator.get_by_role("link", name="Invite a school representative").click()
    check_accessibility(coordinator)
    coordinator.get_by_label("Full name").fill("Sam Teacher")
    coordinator.get_by_label("Email").fill(school_email)
    coordinator.get_by_label("Institution").select_option(label=institution)
    coordinator.get_by_role("button", name="Create the account and the invitation link").click()
    link = coordinator.get_by_label("Invitation link").input_value()
    assert "/invitation/" in link
    check_accessibility(coordinator)

    # --- the school representative accepts and registers participants ----------------------
    school = new_page()
    school.goto(link)
    expect(school.get_by_role("heading", level=1)).to_have_text("Set your password")
    check_accessibility(school)
    school.get_by_label("New password").fill(NEW_PASSWORD)
    school.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    school.get_by_role("button", name="Set my password").click()
    expect(school.get_by_role("status")).to_contain_text("Your password is set.")
    check_accessibility(school)

    main_nav(school).get_by_role("link", name="Participants").click()
    check_accessibility(school)
    school.get_by_role("link", name="Add a participant").click()
    check_accessibility(school)
    school.get_by_label("First name").fill("Ewa")
    school.get_by_label("Last name").fill("Zielińska")
    school.get_by_label("Date of birth").fill("1984-05-05")
    school.get_by_label("Gender").select_option(label="Female")
    school.get_by_label("Country of residence").select_option(label="Poland")
    school.get_by_label("Role").select_option(label="Teacher or chaperone")
    school.get_by_label("E-mail").fill(f"ewa-{tag}@example.org")
    school.get_by_role("button", name="Save").click()
    expect(school.get_by_role("status")).to_contain_text("Ewa Zielińska is added.")
    check_accessibility(school)

    main_nav(school).get_by_role("link", name="Participants").click()
    school.get_by_role("link", name="Import from a spreadsheet").click()
    check_accessibility(school)
    spreadsheet = tmp_path / "participants.xlsx"
    _participants_xlsx(spreadsheet, today)
    school.get_by_label("Spreadsheet (XLSX or CSV)").set_input_files(spreadsheet)
    school.get_by_role("button", name="Import").click()
    expect(school.get_by_role("status")).to_contain_text("2 participants are imported.")
    expect(school.get_by_role("table")).to_contain_text("Kowalska Ola")
    check_accessibility(school)

    school.goto(exchange_url)
    check_accessibility(school)
    school.get_by_role("link", name="Register participants").click()
    check_accessibility(school)
    choose = school.get_by_role("group", name="Choose the participants to register")
    for name in ("Zielińska Ewa", "Kowalska Ola", "Nowak Jan"):
        choose.get_by_label(name).check()
    school.get_by_role("button", name="Register").click()
    expect(school).to_have_url(re.compile(r"/registrations/$"))
    expect(school.get_by_role("status")).to_contain_text("2 confirmed, 1 on the waiting list.")
    waiting = school.get_by_role("row").filter(has_text="On the waiting list")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("1")  # first on the waiting list
    check_accessibility(school)

    # --- the coordinator reads the roster, exports it, opens the report ---------------------
    coordinator.goto(exchange_url)
    coordinator.get_by_role("link", name="Roster").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Roster: {title}")
    expect(coordinator.get_by_role("heading", name=institution)).to_be_visible()
    check_accessibility(coordinator)
    with coordinator.expect_download() as download_info:
        coordinator.get_by_role("button", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    names = {row[0] + " " + row[1] for row in csv.reader(io.StringIO(text)) if len(row) > 1}
    assert any("Kowalska" in name for name in names), text[:500]
    assert any("Zielińska" in name for name in names), text[:500]

    main_nav(coordinator).get_by_role("link", name="Reports").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Activity report")
    check_accessibility(coordinator)
    filters = coordinator.get_by_role("search", name="Report period and filters")
    filters.get_by_label("From").fill(today.isoformat())
    filters.get_by_label("To").fill((start + timedelta(days=30)).isoformat())
    filters.get_by_role("button", name="Show").click()
    expect(coordinator.get_by_role("table", name="Grant packs")).to_contain_text(title)
    check_accessibility(coordinator)

    # --- a visitor reads the public pages ----------------------------------------------------
    visitor = new_page()
    visitor.goto("/")
    check_accessibility(visitor)
    main_nav(visitor).get_by_role("link", name="Partner cities").click()
    expect(visitor.get_by_role("table")).to_contain_text("Offenburg")
    check_accessibility(visitor)
    visitor.get_by_role("link", name="Offenburg").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Offenburg")
    expect(
        visitor.get_by_role("table", name="Exchanges with Offenburg, newest first")
    ).to_contain_text(title)
    check_accessibility(visitor)
    main_nav(visitor).get_by_role("link", name="Upcoming events").click()
    expect(visitor.get_by_role("table")).to_contain_text(title)
    check_accessibility(visitor)
    visitor.get_by_role("link", name=title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.get_by_role("heading", name="Whom to ask")).to_be_visible()
    check_accessibility(visitor)


def _incoming_exchange_with_guests(tag: str) -> dict:
    """An incoming youth exchange with Gelsenkirchen: three pupils of a partner school and their
    teacher registered; an Olsztyn school with a representative."""
    from exchange.exchanges.models import Direction
    from exchange.extensions import db
    from exchange.partners.services import get_partner_by_slug
    from exchange.registrations.models import Gender, Registration, RegistrationStatus
    from tests import factories

    partner = get_partner_by_slug("gelsenkirchen")
    guest_school = factories.institution(name=f"Gesamtschule {tag}", partner_city=partner)
    exchange = factories.exchange(
        [partner], direction=Direction.INCOMING, title=f"Guests from Gelsenkirchen {tag}",
        city="Olsztyn",
    )  # fmt: skip
    people = [
        factories.participant(
            guest_school, first_name=first, last_name=last, gender=gender, languages="de,en"
        )  # fmt: skip
        for first, last, gender in (
            ("Lena", "Schulz", Gender.FEMALE),
            ("Mia", "Wolf", Gender.FEMALE),
            ("Paul", "Braun", Gender.MALE),
        )
    ]
    people.append(factories.participant(guest_school, minor=False, last_name="Lehrer"))
    for person in people:
        db.session.add(
            Registration(
                exchange_id=exchange.id,
                participant_id=person.id,
                institution_id=guest_school.id,
                status=RegistrationStatus.CONFIRMED,
            )  # fmt: skip
        )
    db.session.commit()
    school = factories.user(role="school", full_name=f"Hanna Host {tag}")
    return {"exchange_id": exchange.id, "title": exchange.title, "school": school.email}


def test_a_school_adds_host_families_and_the_coordinator_matches_pins_and_downloads(
    new_page, live_server, make_account, tmp_path
):
    from openpyxl import load_workbook

    from tests import factories

    tag = uuid.uuid4().hex[:6]
    world = live_server.run(functools.partial(_incoming_exchange_with_guests, tag))
    coordinator_account = make_account("coordinator", f"Cora Hosting {tag}")
    today = clock.today()

    # --- the school adds two families of its community -------------------------------------
    school = new_page()
    log_in(school, world["school"], factories.PASSWORD)
    for name, beds, pets in ((f"Kowalscy {tag}", "2", False), (f"Nowakowie {tag}", "1", True)):
        main_nav(school).get_by_role("link", name="Host families").click()
        check_accessibility(school)
        school.get_by_role("link", name="Add a family").click()
        school.get_by_label("Family name").fill(name)
        school.get_by_label("Address").fill("ul. Kopernika 5, 10-001 Olsztyn")
        school.get_by_label("Phone").fill("+48 89 527 00 00")
        school.get_by_label("Guest beds").fill(beds)
        school.get_by_label("Guests accepted").select_option(label="Girls or boys")
        school.get_by_label("Languages spoken").fill("pl, de")
        school.get_by_role("group", name="Diets the family can cook").get_by_label(
            "Vegetarian"
        ).check()
        if pets:
            school.get_by_label("Pets in the household").check()
        school.get_by_label("The family consents to the processing of its data").check()
        school.get_by_label("Consent given on").fill(today.isoformat())
        check_accessibility(school)
        school.get_by_role("button", name="Save").click()
        expect(school.get_by_role("status")).to_contain_text(f"The {name} family is added.")
        check_accessibility(school)
    main_nav(school).get_by_role("link", name="Host families").click()
    expect(school.get_by_role("table")).to_contain_text(f"Kowalscy {tag}")

    # --- the coordinator runs the matching, pins a pair, runs it again -----------------------
    coordinator = new_page()
    log_in(coordinator, coordinator_account.email, coordinator_account.password)
    coordinator.goto(f"/exchanges/{world['exchange_id']}")
    coordinator.get_by_role("link", name="Host families").last.click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        f"Host families: {world['title']}"
    )
    check_accessibility(coordinator)
    coordinator.get_by_role("button", name="Suggest a matching").click()
    expect(coordinator.get_by_role("status")).to_contain_text(
        "Suggested: 3 guests placed, 0 without a family."
    )
    check_accessibility(coordinator)
    lena = coordinator.get_by_role("row").filter(has_text="Lena Schulz")
    family = f"Nowakowie {tag}" if f"Nowakowie {tag}" in lena.inner_text() else f"Kowalscy {tag}"
    lena.get_by_role("button", name="Pin").click()
    expect(coordinator.get_by_role("status")).to_contain_text("The pair is pinned.")
    lena = coordinator.get_by_role("row").filter(has_text="Lena Schulz")
    expect(lena).to_contain_text("Pinned")
    coordinator.get_by_role("button", name="Suggest a matching").click()
    expect(coordinator.get_by_role("status")).to_contain_text("Suggested: 3 guests placed")
    lena = coordinator.get_by_role("row").filter(has_text="Lena Schulz")
    expect(lena).to_contain_text(family)
    expect(lena).to_contain_text("Pinned")

    # --- and downloads the family list -------------------------------------------------------
    with coordinator.expect_download() as download_info:
        coordinator.get_by_role("link", name="Family list (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    guests = {row[4] for row in rows[1:]}
    assert guests == {"Lena Schulz", "Mia Wolf", "Paul Braun"}
    with coordinator.expect_download() as download_info:
        coordinator.get_by_role("link", name="Family list (PDF)").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")
