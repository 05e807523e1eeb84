"""The report reads top-down: summary figures first, contents that jump to every section, charts
beside their tables; and its PDF and workbook open with the same figures, the PDF dated by the
clock, with every chart label whole and trend years only where there is data."""

from __future__ import annotations

import html
import io
import re
import shutil
from datetime import UTC, date, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from exchange import clock
from exchange.exchanges.models import ExchangeKind, ExchangeStatus
from exchange.extensions import db
from exchange.reports import charts
from exchange.reports.types import SECTIONS, TABLE_KEYS
from tests import factories
from tests.helpers import login_as, pdf_text, post_form
from tests.test_reports_data import build

PERIOD = "date_from=2025-01-01&date_to=2025-12-31"
#: a partner city whose name is longer than the charts used to print
LONG_NAME = "Stowarzyszenie Gmin Partnerskich Regionu Warmii i Mazur"

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext")


@pytest.fixture
def data(app_context):
    return build()


def _page(client, query: str = PERIOD, **headers) -> str:
    response = client.get(f"/reports/?{query}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _card(html: str, key: str) -> str:
    match = re.search(
        rf'<li class="card highlight highlight-{key}" id="highlight-{key}">(.*?)</li>', html, re.S
    )
    assert match, key
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


# --- the page -------------------------------------------------------------------------------


def test_page_opens_with_summary_cards_of_the_period(client, data, coordinator):
    login_as(client, coordinator)
    html = _page(client)
    assert _card(html, "exchanges") == "Exchanges held 3"
    assert _card(html, "participants") == "Participants 6"
    assert _card(html, "persons") == "Different people 5"
    # Łucja and the boy on E1, the Ukrainian pupil on E3; teachers and doctors are not pupils
    assert _card(html, "pupils") == "Pupils 3"
    assert _card(html, "partners") == "Partner cities active 2"
    assert _card(html, "person_days") == "Person-days 39"
    # spent per currency, never added across them, with the plan
    budget = _card(html, "budget").replace("\xa0", " ")
    assert budget == "Budget spent PLN 1,200.50 planned: PLN 1,200.00 €4,000.00 planned: €5,000.00"
    # the summary with its period comes before the contents and the first table
    overview = html.index('id="overview"')
    assert overview < html.index('id="contents"') < html.index('id="exchanges_by_kind"')
    assert "From Jan 1, 2025 to Dec 31, 2025." in html


def test_cards_follow_the_filters(client, data, coordinator):
    login_as(client, coordinator)
    html = _page(client, f"{PERIOD}&partner={data.alpha.id}")
    assert _card(html, "exchanges") == "Exchanges held 2"
    assert _card(html, "partners") == "Partner cities active 1"
    assert _card(html, "pupils") == "Pupils 2"


def test_cards_of_an_empty_period_are_zero(client, data, coordinator):
    login_as(client, coordinator)
    html = _page(client, "date_from=2030-01-01&date_to=2030-12-31")
    assert _card(html, "exchanges") == "Exchanges held 0"
    assert _card(html, "budget").replace("\xa0", " ") == "Budget spent PLN 0.00"


def test_every_section_has_a_heading_and_the_contents_link_to_each(client, data, admin):
    login_as(client, admin)
    html = _page(client)
    every_id = re.findall(r'\sid="([^"]+)"', html)
    assert len(every_id) == len(set(every_id))
    ids = set(every_id)
    nav = re.search(r'<nav id="contents".*?</nav>', html, re.S)
    assert nav
    targets = re.findall(r'href="#([^"]+)"', nav.group(0))
    parts = [part for part, _title, _keys in SECTIONS]
    tables = [key for _part, _title, keys in SECTIONS for key in keys]
    assert targets == ["overview", *[t for p in SECTIONS for t in (p[0], *p[2])], "grant-packs"]
    assert set(tables) | {"summary"} == set(TABLE_KEYS)
    # every link on the page that jumps within it lands on an element
    assert set(re.findall(r'href="#([^"]+)"', html)) <= ids
    for part in parts:
        assert f'<h2 id="{part}-heading">' in html
    for key in tables:
        assert re.search(rf'<section class="report-section" id="{key}" [^>]*>\s*<h3', html), key
    assert '<h2 id="grant-packs-heading">' in html


def test_charts_stand_beside_their_tables(client, data, coordinator):
    login_as(client, coordinator)
    html = _page(client)
    for key, chart in [
        ("exchanges_by_kind", "chart-kind"),
        ("exchanges_by_partner", "chart-partner"),
        ("trend_exchanges", "chart-trend"),
    ]:
        section = html[
            html.index(f'id="{key}"') : html.index("</section>", html.index(f'id="{key}"'))
        ]
        assert f'id="{chart}-title"' in section
        assert "with-chart" in section
        assert '<div class="table-wrap"' in section
    assert "chart-beside" in html
    assert "<script" not in html


def test_trend_on_the_page_starts_with_the_first_year_with_data(client, data, coordinator):
    login_as(client, coordinator)
    html = _page(client)
    trend = html[html.index('id="trend_exchanges"') :]
    assert '<th scope="col" class="num">2024</th>' in trend
    assert '<th scope="col" class="num">2023</th>' not in trend
    assert ">2016<" not in html


def test_summary_and_sections_in_polish(client, data, coordinator):
    login_as(client, coordinator)
    post_form(client, "/language", {"language": "pl", "next": "/"})
    html = _page(client)
    assert _card(html, "exchanges") == "Zrealizowane wymiany 3"
    assert ">Spis treści<" in html
    assert ">W skrócie<" in html


# --- the PDF --------------------------------------------------------------------------------


def _pdf_creation_date(pdf: bytes) -> datetime:
    match = re.search(rb"/CreationDate \(D:(\d{14})(Z|[+-]\d\d'\d\d')\)", pdf)
    assert match, "no creation date"
    moment = datetime.strptime(match.group(1).decode(), "%Y%m%d%H%M%S")
    assert match.group(2) == b"Z"
    return moment.replace(tzinfo=UTC)


@pytest.mark.parametrize("url", ["/reports/export/report.pdf?" + PERIOD, "grant-pack"])
def test_pdf_creation_date_is_the_clock(client, data, admin, url):
    login_as(client, admin)
    if url == "grant-pack":
        url = f"/reports/exchanges/{data.e1.id}/grant-pack.pdf"
    with time_machine.travel(clock.now(), tick=False):
        response = client.get(url)
        now = clock.now()
    assert response.status_code == 200
    assert _pdf_creation_date(response.data) == now.replace(microsecond=0)
    assert now.year == 2026  # the pinned instant, not 2000-01-01


@needs_pdftotext
@pytest.mark.parametrize("language", ["en", "pl"])
def test_pdf_chart_labels_are_whole(client, app_context, coordinator, tmp_path, language):
    """Every kind's label and a long partner name print whole in the charts (the tables may
    wrap them; the bar chart and the legend keep each on one line)."""
    partner = factories.partner(name=LONG_NAME, country="PL")
    for number, kind in enumerate(ExchangeKind):
        factories.exchange(
            [partner],
            kind=kind,
            status=ExchangeStatus.COMPLETED,
            start=date(2025, 3, 1 + number),
            commit=False,
        )
    db.session.commit()
    login_as(client, coordinator)
    post_form(client, "/language", {"language": language, "next": "/"})
    response = client.get(f"/reports/export/report.pdf?{PERIOD}")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    with client.application.test_request_context(headers={"Accept-Language": language}):
        labels = [str(kind.label) for kind in ExchangeKind]
    assert "Craftsmen and producers at a trade fair" in labels or language == "pl"
    missing = [label for label in [*labels, LONG_NAME] if label not in text]
    assert missing == []


@needs_pdftotext
def test_pdf_opens_with_the_summary(client, data, coordinator, tmp_path):
    login_as(client, coordinator)
    response = client.get(f"/reports/export/report.pdf?{PERIOD}")
    first_page = " ".join(pdf_text(response.data, tmp_path, "-l", "1").split())
    assert "At a glance" in first_page
    assert "Exchanges held 3" in first_page
    assert "Pupils 3" in first_page
    assert "Partner cities active 2" in first_page
    assert "PLN 1,200.50 (planned PLN 1,200.00); €4,000.00 (planned €5,000.00)" in first_page


# --- the workbook ---------------------------------------------------------------------------


def test_workbook_opens_with_the_summary_figures(client, data, coordinator):
    login_as(client, coordinator)
    response = client.get(f"/reports/export/report.xlsx?{PERIOD}")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert sheet.title == "At a glance"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Figure", "Number", "Currency", "Planned", "Actual"]
    assert rows[1][0] == "From Jan 1, 2025 to Dec 31, 2025"
    counts = {row[0]: row[1] for row in rows[2:] if row[1] is not None}
    assert counts == {
        "Exchanges held": 3,
        "Participants": 6,
        "Different people": 5,
        "Pupils": 3,
        "Partner cities active": 2,
        "Person-days": 39,
    }
    budget = [row for row in rows if row[0] == "Budget spent"]
    assert [(row[2], row[3], row[4]) for row in budget] == [
        ("PLN", 1200, pytest.approx(1200.5)),
        ("EUR", 5000, 4000),
    ]
    assert sheet["E3"].number_format == "#,##0.00"


# --- the page's charts ----------------------------------------------------------------------


def _texts(svg: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_svg_bar_labels_are_whole_and_long_ones_wrap(app_context):
    long_label = f"{LONG_NAME} & Ostróda {LONG_NAME}"
    svg = charts.bar_chart("chart-test", "Title", [("Short", 1), (long_label, 12)])
    texts = _texts(svg)
    assert "Short" in texts
    assert "…" not in "".join(texts)
    lines = texts[texts.index("1") + 1 : texts.index("12")]
    assert len(lines) == 3
    assert " ".join(lines) == long_label
    assert all(len(line) <= charts.LABEL_CHARS for line in lines)


def test_svg_trend_legend_names_partners_whole(app_context):
    markup = charts.line_chart("chart-test", "Trend", [2024, 2025], {LONG_NAME: {2025: 2}})
    legend = markup[markup.index('<ul class="chart-legend"') :]
    assert f"</svg> {LONG_NAME}</li>" in legend
