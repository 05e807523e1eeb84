"""Partner names in Polish where Polish has its own: "Łuck" for Lutsk, "Prowincja Perugia" for
the Province of Perugia, on every page, in the exports and in the PDF report."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest

from exchange.exchanges.models import ExchangeStatus
from exchange.extensions import db
from exchange.partners.models import PartnerCity
from exchange.partners.services import SEED_PARTNERS
from tests import factories
from tests.helpers import login_as, post_form

PERIOD = "date_from=2025-01-01&date_to=2025-12-31"
POLISH = {"lutsk": "Łuck", "perugia": "Prowincja Perugia"}


def _polish(client) -> None:
    client.set_cookie("lang", "pl")


def test_the_seed_gives_polish_names_only_where_polish_has_its_own(partners):
    assert {slug: p.name_pl for slug, p in partners.items() if p.name_pl} == POLISH
    # the others are written alike in both languages
    assert {seed.slug for seed in SEED_PARTNERS if seed.name_pl is None} == {
        "rovaniemi",
        "chateauroux",
        "gelsenkirchen",
        "kaliningrad",
        "richmond",
        "offenburg",
        "halmstad",
    }
    assert partners["lutsk"].name_in("pl") == "Łuck"
    assert partners["lutsk"].name_in("en") == "Lutsk"
    assert partners["kaliningrad"].name_in("pl") == "Kaliningrad"


@pytest.mark.parametrize("url", ["/", "/partners/", "/partners/lutsk", "/partners/perugia"])
def test_polish_pages_use_the_polish_names(client, partners, url):
    _polish(client)
    body = client.get(url).get_data(as_text=True)
    assert "Łuck" in body or "Prowincja Perugia" in body
    assert "Lutsk" not in body
    assert "Province of Perugia" not in body


def test_english_pages_keep_the_english_names(client, partners):
    body = client.get("/partners/").get_data(as_text=True)
    assert "Lutsk" in body
    assert "Province of Perugia" in body
    assert "Łuck" not in body


def test_exchange_pages_and_feeds_name_the_partners_in_polish(client, partners, school_user):
    factories.exchange([partners["lutsk"], partners["perugia"]], title="Wymiana", is_public=True)
    _polish(client)
    for url in ("/events", "/events.ics", "/partners/lutsk/calendar.ics"):
        body = client.get(url).get_data(as_text=True)
        assert "Łuck" in body, url
        assert "Lutsk" not in body, url
    login_as(client, school_user)
    for url in ("/exchanges/", "/exchanges/calendar?year=2026&month=7"):
        body = client.get(url).get_data(as_text=True)
        assert "Łuck" in body, url
        assert "Prowincja Perugia" in body, url
        assert "Lutsk" not in body, url


@pytest.fixture
def report_data(partners):
    for slug in ("lutsk", "perugia", "rovaniemi"):
        factories.exchange(
            [partners[slug]], start=date(2025, 5, 5), status=ExchangeStatus.COMPLETED
        )


def test_the_polish_csv_export_names_the_partners_in_polish(client, coordinator, report_data):
    login_as(client, coordinator)
    _polish(client)
    response = client.get(f"/reports/export/exchanges_by_partner.csv?{PERIOD}")
    assert response.status_code == 200
    # Polish spreadsheets read ";" between cells (a comma is the decimal point)
    rows = csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";")
    cells = {cell for row in rows for cell in row}
    assert {"Łuck", "Prowincja Perugia", "Rovaniemi"} <= cells
    assert "Lutsk" not in cells
    # the report page in Polish too, and the English CSV keeps the English names
    page = client.get(f"/reports/?{PERIOD}").get_data(as_text=True)
    assert "Prowincja Perugia" in page
    client.set_cookie("lang", "en")
    english = client.get(f"/reports/export/exchanges_by_partner.csv?{PERIOD}")
    assert "Province of Perugia" in english.get_data(as_text=True)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is missing")
def test_the_polish_pdf_report_names_the_partners_in_polish(
    client, coordinator, report_data, tmp_path
):
    login_as(client, coordinator)
    _polish(client)
    response = client.get(f"/reports/export/report.pdf?{PERIOD}")
    assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Łuck" in text
    assert "Prowincja Perugia" in text
    assert "Lutsk" not in text


def test_an_admin_gives_and_removes_a_polish_name(client, admin):
    partner = factories.partner(name="Vilnius", slug="vilnius", country="LT")
    login_as(client, admin)
    form = {
        "name": "Vilnius",
        "name_pl": " Wilno ",
        "country": "LT",
        "kind": "partnership",
        "year_signed": "2000",
        "status": "active",
    }
    assert post_form(client, "/partners/vilnius/edit", form).status_code == 302
    db.session.expire_all()
    assert db.session.get(PartnerCity, partner.id).name_pl == "Wilno"
    _polish(client)
    assert "Wilno" in client.get("/partners/").get_data(as_text=True)
    edit_page = client.get("/partners/vilnius/edit").get_data(as_text=True)
    assert 'name="name_pl"' in edit_page
    assert post_form(client, "/partners/vilnius/edit", {**form, "name_pl": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PartnerCity, partner.id).name_pl is None
