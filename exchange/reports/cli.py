"""``flask --app exchange report``: the activity report as files, without the browser.

The command sees everything (as a coordinator does). ``--format csv`` writes one CSV file per
table into the ``--output`` directory, or a ZIP of them when the output name ends in ``.zip``.
"""

from __future__ import annotations

from pathlib import Path

import click

from exchange.core.commands import database_errors_as_messages
from exchange.exchanges.models import Direction, ExchangeKind
from exchange.reports import exports
from exchange.reports.figures import build_report
from exchange.reports.types import ReportFilter

FORMATS = ("xlsx", "csv", "pdf")


@click.command("report")
@click.option(
    "--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day."
)
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="File (xlsx, pdf, csv as .zip) or directory (csv); default report-FROM-TO.FORMAT.",
)
@click.option("--partner", "partner_id", type=int, help="Only exchanges with this partner (id).")
@click.option("--kind", type=click.Choice([kind.value for kind in ExchangeKind]))
@click.option("--direction", type=click.Choice([d.value for d in Direction]))
@click.option("--institution", "institution_id", type=int, help="Only this institution (id).")
def report_command(date_from, date_to, fmt, output, partner_id, kind, direction, institution_id):
    """Write the activity report for a period as XLSX, CSV or PDF."""
    if date_to < date_from:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    report_filter = ReportFilter(
        date_from.date(),
        date_to.date(),
        partner_id=partner_id,
        kind=ExchangeKind(kind) if kind else None,
        direction=Direction(direction) if direction else None,
        institution_id=institution_id,
    )
    if output is None:
        stem = f"report-{report_filter.date_from}-{report_filter.date_to}"
        output = Path(stem if fmt == "csv" else f"{stem}.{fmt}")
    written = database_errors_as_messages(_write)(report_filter, fmt, output)
    click.echo(f"Wrote {written}.")


def _write(report_filter: ReportFilter, fmt: str, output: Path) -> str:
    report = build_report(report_filter)
    if fmt == "xlsx":
        output.write_bytes(exports.report_xlsx(report))
    elif fmt == "pdf":
        output.write_bytes(exports.report_pdf(report))
    elif output.suffix.lower() == ".zip":
        output.write_bytes(exports.report_csv_zip(report))
    else:
        output.mkdir(parents=True, exist_ok=True)
        files = exports.report_csv_files(report)
        for name, text in files.items():
            (output / name).write_text(text, encoding="utf-8", newline="")
        return f"{len(files)} CSV files to {output}"
    return str(output)
