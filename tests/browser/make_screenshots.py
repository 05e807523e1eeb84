"""Screenshots of the main pages, in English and Polish, for the README (docs/screenshots/).

Not part of the test suite (the file name keeps pytest from collecting it): ``make screenshots``
runs it on purpose, since the pictures change with the date and the demo data. The viewport is
1280×800, not the full page, and the PNGs are reduced to 256 colours, which keeps each one small
enough to commit. Each page is taken twice: at 1280×800 (``home-en.png``) and as a phone shows
it, 390×844 (``phone/home-en.png``).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from exchange import clock
from tests.browser.helpers import log_in, main_nav

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


SIZES = {"desk": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _save(page, name: str) -> None:
    page.wait_for_load_state()
    png = page.screenshot()  # the viewport only
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    phone = page.viewport_size["width"] < SIZES["desk"]["width"]
    folder = SCREENSHOTS / "phone" if phone else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    small.save(folder / f"{name}.png", optimize=True)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "pl"])
def test_screenshots(demo_page, demo_server, language, size):
    _, data = demo_server
    locale = {"en": "en-GB", "pl": "pl-PL"}[language]
    year = clock.today().year

    def demo_page_sized(**options):
        return demo_page(viewport=SIZES[size], **options)

    visitor = demo_page_sized(locale=locale)
    for name, url in [("home", "/"), ("partners", "/partners/"), ("events", "/events")]:
        visitor.goto(url)
        _save(visitor, f"{name}-{language}")
    visitor.goto("/partners/")
    high_contrast = {"en": "High contrast", "pl": "Wysoki kontrast"}[language]
    main_nav(visitor)  # on a phone the display switches are in the menu
    visitor.get_by_role("button", name=high_contrast).click()
    _save(visitor, f"high-contrast-{language}")

    coordinator = demo_page_sized(locale=locale)
    coordinator.goto("/login")
    _save(coordinator, f"login-{language}")
    _log_in(coordinator, data.admin, language)
    for name, url in [
        ("exchanges", "/exchanges/"),
        ("exchange", f"/exchanges/{data.open_exchange_id}"),
        ("calendar", "/exchanges/calendar"),
        ("roster", f"/exchanges/{data.open_exchange_id}/roster"),
        ("report", f"/reports/?date_from={year - 1}-01-01&date_to={year}-12-31"),
    ]:
        coordinator.goto(url)
        _save(coordinator, f"{name}-{language}")

    school = demo_page_sized(locale=locale)
    _log_in(school, data.school, language)
    school.goto(f"/exchanges/{data.open_exchange_id}/register")
    _save(school, f"register-{language}")
    school.goto("/registrations/")
    _save(school, f"registrations-{language}")


def _log_in(page, account, language: str) -> None:
    if language == "en":
        log_in(page, account.email, account.password)
        return
    page.goto("/login")
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Hasło").fill(account.password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/dashboard")
