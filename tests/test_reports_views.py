"""The report page, its exports, the grant pack and who may see them."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from datetime import date, time

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from exchange import clock
from exchange.extensions import db
from exchange.reports import exports
from exchange.reports.figures import build_report
from exchange.reports.types import TABLE_KEYS, ReportFilter
from tests import factories
from tests.helpers import login_as, pdf_text, post_form
from tests.test_reports_data import build

PERIOD = "date_from=2025-01-01&date_to=2025-12-31"


@pytest.fixture
def data(app_context):
    return build()


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        f"/reports/?{PERIOD}",
        "/reports/export/summary.csv",
        "/reports/export/report.xlsx",
        "/reports/export/report.pdf",
        "/reports/exchanges/1/grant-pack.pdf",
        "/reports/exchanges/1/grant-pack.xlsx",
    ],
)
def test_reports_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_school_may_not_download_a_grant_pack(client, data, suffix):
    user = factories.user(role="school", institution=data.school1)
    login_as(client, user)
    response = client.get(f"/reports/exchanges/{data.e1.id}/grant-pack.{suffix}")
    assert response.status_code == 403


def test_grant_pack_of_a_missing_exchange_is_404(client, coordinator):
    login_as(client, coordinator)
    assert client.get("/reports/exchanges/999/grant-pack.pdf").status_code == 404


def test_nav_links_to_reports_for_logged_in_users(client, coordinator):
    login_as(client, coordinator)
    assert 'href="/reports/"' in _text(client.get("/reports/"))


# --- the page -------------------------------------------------------------------------------


def test_page_shows_every_table_with_caption_header_scopes_and_charts(client, data, coordinator):
    login_as(client, coordinator)
    response = client.get(f"/reports/?{PERIOD}&partner=&kind=&direction=")
    assert response.status_code == 200
    html = _text(response)
    # the summary table's figures are the cards at the top; every other table, and the grant
    # packs, has a caption
    assert html.count("<caption") == len(TABLE_KEYS)
    assert '<th scope="col"' in html
    assert '<th scope="row">' in html
    assert html.count('role="img"') == 3
    assert '<title id="chart-partner-title">Exchanges by partner city</title>' in html
    assert '<desc id="chart-partner-desc">Alpha: 2; Beta: 2</desc>' in html
    # money formatted in the user's language, with its currency
    assert "PLN" in html
    assert "1,200.50" in html
    assert "€5,000.00" in html
    # the Content-Security-Policy allows no inline scripts or styles
    assert "<script" not in html
    assert "<style" not in html
    assert " style=" not in html
    # grant packs of the counted exchanges only
    assert f"/reports/exchanges/{data.e1.id}/grant-pack.pdf" in html
    assert f"/reports/exchanges/{data.e4.id}/grant-pack.pdf" not in html


def test_page_formats_numbers_in_polish(client, data, coordinator):
    login_as(client, coordinator)
    html = _text(client.get(f"/reports/?{PERIOD}", headers={"Accept-Language": "pl"}))
    assert "1200,50" in html.replace("\xa0", "").replace("\u202f", "")


def test_page_defaults_to_the_current_year(client, coordinator):
    login_as(client, coordinator)
    html = _text(client.get("/reports/"))
    year = clock.today().year
    assert f'value="{year}-01-01"' in html
    assert f'value="{year}-12-31"' in html


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2025-13-01&date_to=2025-12-31",
        "date_from=yesterday",
        "date_from=2025-12-31&date_to=2025-01-01",
        "date_from=0001-01-01&date_to=0002-01-01",
        "date_from=2025-01-01&date_to=9999-12-31",
        "partner=abc",
        "partner=99999",
        "kind=nonsense",
        "direction=sideways",
    ],
)
def test_invalid_filters_are_field_errors_not_a_crash(client, coordinator, query):
    login_as(client, coordinator)
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 400
    html = _text(response)
    assert 'class="error"' in html
    assert 'aria-invalid="true"' in html
    assert client.get(f"/reports/export/summary.csv?{query}").status_code == 400


def test_filters_reach_the_figures(client, data, coordinator):
    login_as(client, coordinator)
    html = _text(client.get(f"/reports/?{PERIOD}&partner={data.alpha.id}&kind=youth"))
    assert '<desc id="chart-partner-desc">Alpha: 1</desc>' in html


def test_staff_may_narrow_the_report_to_one_institution(client, data, coordinator):
    login_as(client, coordinator)
    query = f"{PERIOD}&institution={data.school2.id}&partner={data.alpha.id}"
    rows = list(csv.reader(io.StringIO(_text(client.get(f"/reports/export/summary.csv?{query}")))))
    # SP 2's teacher on E1 and E2
    assert [row[1] for row in rows[1:]] == ["2", "2", "1", "14"]
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/export/report.xlsx?{query}").data))
    settings = {row[0].value: row[1].value for row in workbook["Filter"].iter_rows(min_row=2)}
    assert settings["Partner city"] == "Alpha"
    assert settings["Institution"] == "SP 2 Olsztyn"


def test_school_sees_only_their_institution(client, data):
    user = factories.user(role="school", institution=data.school1)
    login_as(client, user)
    html = _text(client.get(f"/reports/?{PERIOD}&institution={data.school2.id}"))
    assert "SP 1 Olsztyn" in html
    assert "SP 2 Olsztyn" not in html
    assert "Klinikum Alpha" not in html
    assert 'name="institution"' not in html
    assert "grant-pack" not in html
    assert '<desc id="chart-kind-desc">School youth exchange: 2</desc>' in html
    rows = list(csv.reader(io.StringIO(_text(client.get(f"/reports/export/summary.csv?{PERIOD}")))))
    assert rows[1:] == [
        ["Exchanges", "2"],
        ["Participants (confirmed or attended)", "3"],
        ["Different people", "3"],
        ["Person-days", "18"],
    ]


def _count_queries(client, url: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_data(client, app_context, coordinator):
    build("-0")
    login_as(client, coordinator)
    url = f"/reports/?{PERIOD}"
    small = _count_queries(client, url)
    for number in range(1, 10):
        build(f"-{number}")
    large = _count_queries(client, url)
    assert small == large
    assert small < 40, small
    # and the larger data set is really ten times the figures
    html = _text(client.get(url))
    assert "Alpha-9" in html


# --- exports --------------------------------------------------------------------------------


def test_csv_per_table(client, data, coordinator):
    login_as(client, coordinator)
    response = client.get(f"/reports/export/budget_by_kind.csv?{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        "report-2025-01-01-2025-12-31-budget_by_kind.csv" in response.headers["Content-Disposition"]
    )
    text = _text(response)
    assert text.startswith("\ufeff")  # the BOM: Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Kind", "Currency", "Exchanges", "Planned", "Actual", "Actual − planned"]
    assert rows[1] == ["School youth exchange", "PLN", "2", "1200.00", "1200.50", "0.50"]


def test_csv_in_polish_is_for_a_polish_excel(client, data, coordinator):
    login_as(client, coordinator)
    post_form(client, "/language", {"language": "pl", "next": "/"})
    text = _text(client.get(f"/reports/export/budget_by_kind.csv?{PERIOD}"))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Rodzaj", "Waluta", "Wymiany"]
    assert rows[1][1:] == ["PLN", "2", "1200,00", "1200,50", "0,50"]


def test_csv_of_an_unknown_table_is_404(client, coordinator):
    login_as(client, coordinator)
    assert client.get(f"/reports/export/secrets.csv?{PERIOD}").status_code == 404


def test_xlsx_has_a_sheet_per_table_with_real_numbers(client, data, coordinator):
    login_as(client, coordinator)
    response = client.get(f"/reports/export/report.xlsx?{PERIOD}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) == len(TABLE_KEYS) + 2  # the summary figures, the filter
    assert workbook.sheetnames[:3] == ["At a glance", "Filter", "Summary"]
    assert workbook["Filter"]["B2"].value.date() == date(2025, 1, 1)
    summary = workbook["Summary"]
    assert summary.freeze_panes == "A2"
    assert [[cell.value for cell in row] for row in summary.iter_rows(min_row=2)] == [
        ["Exchanges", 3],
        ["Participants (confirmed or attended)", 6],
        ["Different people", 5],
        ["Person-days", 39],
    ]
    budget = workbook["Budget by kind"]
    assert budget["D2"].value == 1200
    assert budget["E2"].value == pytest.approx(1200.5)
    assert budget["E2"].number_format == "#,##0.00"
    assert budget.column_dimensions["A"].width > 10
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    assert "Participants by age" in workbook.sheetnames
    trend = workbook["Trend of exchanges"]
    assert trend["A1"].value == "Partner city"
    assert [cell.value for cell in trend[1]] == ["Partner city", "2024", "2025"]
    assert isinstance(trend["C2"].value, int)


def test_pdf_report_is_a_pdf_that_renders(client, data, coordinator, tmp_path):
    login_as(client, coordinator)
    response = client.get(f"/reports/export/report.pdf?{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    _renders(response.data, tmp_path)
    if shutil.which("pdftotext"):
        text = pdf_text(response.data, tmp_path)
        assert "Exchanges by partner city" in text
        assert "Person-days" in text


def _renders(pdf: bytes, tmp_path) -> None:
    if not shutil.which("pdftoppm"):
        return
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")],  # noqa: S607
        check=True,
        capture_output=True,
    )
    assert list(tmp_path.glob("page*.png"))


# --- grant pack -----------------------------------------------------------------------------


def test_grant_pack_xlsx_lists_participants_per_town_countries_and_programme(
    client, data, coordinator
):
    login_as(client, coordinator)
    response = client.get(f"/reports/exchanges/{data.e2.id}/grant-pack.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Olsztyn", "Alpha", "Countries", "Programme"]
    local = [[cell.value for cell in row] for row in workbook["Olsztyn"].iter_rows(min_row=2)]
    assert len(local) == 1
    assert local[0][2:5] == ["SP 2 Olsztyn", "Olsztyn", "Poland"]
    alpha = [[cell.value for cell in row] for row in workbook["Alpha"].iter_rows(min_row=2)]
    # the no-show doctor is not on the list
    assert [row[2:5] for row in alpha] == [["Klinikum Alpha", "Alpha", "Germany"]]
    assert workbook["Alpha"]["F1"].value == "Signature"
    countries = [[c.value for c in row] for row in workbook["Countries"].iter_rows(min_row=2)]
    assert countries == [["Germany", 1], ["Poland", 1]]
    programme = load_workbook(
        io.BytesIO(client.get(f"/reports/exchanges/{data.e1.id}/grant-pack.xlsx").data)
    )["Programme"]
    assert programme["A2"].value.date() == date(2025, 3, 10)
    assert programme["A2"].number_format == "yyyy-mm-dd"
    assert [cell.value for cell in programme[2]][1:] == [
        time(9, 30),
        None,
        "Powitanie w ratuszu",
        "Ratusz, Alpha",
    ]
    assert programme["B2"].number_format == "hh:mm"


def test_grant_pack_pdf_has_polish_letters_and_the_programme(client, data, admin, tmp_path):
    login_as(client, admin)
    response = client.get(f"/reports/exchanges/{data.e1.id}/grant-pack.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    _renders(response.data, tmp_path)
    if shutil.which("pdftotext"):
        text = pdf_text(response.data, tmp_path)
        assert "Łucja" in text
        assert "Żeglarze" in text
        assert "Powitanie w ratuszu" in text
        assert "Ratusz, Alpha" in text
        assert "09:30" in text
        assert "Signature" in text


def test_csv_zip_holds_every_table(data):
    report = build_report(ReportFilter.for_year(2025))
    with zipfile.ZipFile(io.BytesIO(exports.report_csv_zip(report))) as archive:
        assert sorted(archive.namelist()) == sorted(f"{key}.csv" for key in TABLE_KEYS)
        assert archive.read("summary.csv").decode().splitlines()[1] == "Exchanges,3"
