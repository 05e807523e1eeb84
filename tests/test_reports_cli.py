"""``flask report``: the same files as the downloads, written by the command line."""

from __future__ import annotations

import csv
import zipfile

import pytest
from openpyxl import load_workbook

from exchange.reports.types import TABLE_KEYS
from tests.test_reports_data import build

PERIOD = ["--from", "2025-01-01", "--to", "2025-12-31"]


@pytest.fixture
def cli(app, app_context):
    build()
    return app.test_cli_runner()


def test_report_writes_an_xlsx(cli, tmp_path):
    output = tmp_path / "report.xlsx"
    result = cli.invoke(args=["report", *PERIOD, "--format", "xlsx", "--output", str(output)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(output)
    assert workbook["Summary"]["B2"].value == 3


def test_report_writes_a_pdf(cli, tmp_path):
    output = tmp_path / "report.pdf"
    result = cli.invoke(args=["report", *PERIOD, "--format", "pdf", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF")


def test_report_writes_csv_files_into_a_directory(cli, tmp_path):
    output = tmp_path / "csv"
    result = cli.invoke(args=["report", *PERIOD, "--format", "csv", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in output.iterdir()) == sorted(
        f"{key}.csv" for key in TABLE_KEYS
    )
    with (output / "exchanges_by_partner.csv").open(newline="", encoding="utf-8") as file:
        assert list(csv.reader(file))[1:] == [["Alpha", "2"], ["Beta", "2"]]


def test_report_writes_csv_files_into_a_zip(cli, tmp_path):
    output = tmp_path / "report.zip"
    result = cli.invoke(
        args=["report", *PERIOD, "--format", "csv", "--output", str(output), "--kind", "youth"]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        assert archive.read("summary.csv").decode().splitlines()[1] == "Exchanges,2"


def test_report_refuses_a_period_that_ends_before_it_starts(cli, tmp_path):
    result = cli.invoke(args=["report", "--from", "2025-12-31", "--to", "2025-01-01"])
    assert result.exit_code != 0
    assert "must not be before --from" in result.output
