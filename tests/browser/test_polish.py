"""A journey in Polish: the language switch in the header, Polish labels, dates and plurals.

On every page the visible text is also searched for English messages of the catalog that have a
different Polish translation: a string left untranslated, or shown without ``_()``, fails.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.pofile import read_po

from tests.browser.helpers import check_accessibility, expect

PO_FILE = Path(__file__).resolve().parents[2] / "translations/pl/LC_MESSAGES/messages.po"


@cache
def _english_phrases() -> list[str]:
    """Messages of three words or more, without placeholders, that Polish says differently."""
    with PO_FILE.open("rb") as po:
        catalog = read_po(po)
    return [
        message.id
        for message in catalog
        if isinstance(message.id, str)
        and message.id.count(" ") >= 2
        and "%(" not in message.id
        and message.string
        and message.string != message.id
    ]


def check_polish(page) -> None:
    """The page is in Polish, with no English message in sight, and passes axe."""
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    text = page.locator("body").inner_text()
    english = [phrase for phrase in _english_phrases() if phrase in text]
    assert not english, f"English on {page.url}: {english}"
    check_accessibility(page)


def test_a_school_registers_a_teacher_in_polish(page, school_with_open_exchange):
    school = school_with_open_exchange
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Polski").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Olsztyn i jego miasta partnerskie")
    expect(page.get_by_role("button", name="Polski")).to_have_attribute("aria-current", "true")
    check_polish(page)

    nav = page.get_by_role("navigation", name="Menu główne")
    nav.get_by_role("link", name="Miasta partnerskie").click()
    expect(page.get_by_role("table")).to_contain_text("Gelsenkirchen")
    check_polish(page)
    nav.get_by_role("link", name="Nadchodzące wydarzenia").click()
    expect(page.get_by_role("table")).to_contain_text(school.exchange_title)
    check_polish(page)

    page.get_by_role("link", name="Zaloguj się").click()
    check_polish(page)
    page.get_by_label("E-mail").fill(school.account.email)
    page.get_by_label("Hasło").fill(school.account.password)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Witamy, {school.account.full_name}")
    check_polish(page)

    nav.get_by_role("link", name="Uczestnicy").click()
    check_polish(page)
    page.get_by_role("link", name="Dodaj uczestnika").click()
    check_polish(page)
    page.get_by_label("Imię", exact=True).fill("Halina")
    page.get_by_label("Nazwisko").fill("Wiśniewska")
    page.get_by_label("Data urodzenia").fill("1979-09-21")
    page.get_by_label("Płeć").select_option(label="Kobieta")
    page.get_by_label("Kraj zamieszkania").select_option(label="Polska")
    page.get_by_label("Rola").select_option(label="Nauczyciel lub opiekun")
    page.get_by_label("E-mail").fill("halina.wisniewska@example.org")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("status")).to_contain_text("Dodano: Halina Wiśniewska.")
    born = format_date(date(1979, 9, 21), "long", locale="pl")  # 21 września 1979
    expect(page.get_by_role("main")).to_contain_text(born)
    check_polish(page)

    page.goto(f"/exchanges/{school.exchange_id}")
    check_polish(page)
    page.get_by_role("link", name="Zgłoś uczestników").click()
    check_polish(page)
    group = page.get_by_role("group", name="Wybierz uczestników do zgłoszenia")
    group.get_by_label("Wiśniewska Halina").check()
    group.get_by_label(school.participants[0]).check()
    page.get_by_role("button", name="Zgłoś", exact=True).click()
    expect(page).to_have_url(re.compile(r"/registrations/$"))
    expect(page.get_by_role("status")).to_have_text("Potwierdzone: 2, na liście rezerwowej: 0.")
    row = page.get_by_role("row").filter(has_text="Halina Wiśniewska")
    expect(row).to_contain_text("Potwierdzone")
    expect(row).to_contain_text(format_date(school.start_date, "medium", locale="pl"))
    check_polish(page)
