"""Activity reports: the page, its exports (CSV, XLSX, PDF) and the grant pack of an exchange."""

from __future__ import annotations

import functools

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from exchange import clock
from exchange.audit import services as audit
from exchange.core import spreadsheets
from exchange.core.permissions import Role, role_required, staff_required
from exchange.exchanges.access import get_exchange_or_404
from exchange.extensions import db
from exchange.reports import charts, exports, figures, html
from exchange.reports.forms import ReportFilterForm
from exchange.reports.grant_pack import exchanges_in_period, grant_pack
from exchange.reports.types import (
    SECTIONS,
    TABLE_KEYS,
    Column,
    Report,
    ReportFilter,
    format_cell,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)


def _filter_form() -> ReportFilterForm:
    return ReportFilterForm(
        request.args,
        today=clock.today(),
        partners=figures.partner_choices(),
        institutions=figures.institution_choices() if current_user.is_staff else None,
    )


def _report_or_400() -> tuple[ReportFilterForm, Report | None]:
    form = _filter_form()
    report_filter = form.report_filter()
    if report_filter is None:
        return form, None
    return form, figures.build_report(report_filter, current_user)


def _charts(report: Report) -> dict:
    def items(key: str) -> list[tuple[str, int]]:
        return [(row["label"], row["count"]) for row in report[key].rows]

    def series(key: str) -> dict[str, dict[int, int]]:
        return {
            row["label"]: {year: row[str(year)] for year in report.trend_years}
            for row in report[key].rows
        }

    return {
        "exchanges_by_partner": charts.bar_chart(
            "chart-partner",
            str(report["exchanges_by_partner"].title),
            items("exchanges_by_partner"),
        ),
        "exchanges_by_kind": charts.bar_chart(
            "chart-kind", str(report["exchanges_by_kind"].title), items("exchanges_by_kind")
        ),
        "trend_exchanges": charts.line_chart(
            "chart-trend",
            str(report["trend_exchanges"].title),
            report.trend_years,
            series("trend_exchanges"),
        ),
    }


@bp.get("/")
@everyone_logged_in
def index():
    form, report = _report_or_400()
    if report is None:
        return render_template("reports/index.html", form=form, report=None), 400
    locale = str(get_locale())
    return render_template(
        "reports/index.html",
        form=form,
        report=report,
        charts=_charts(report),
        # the language looked up once, not for each of the page's thousands of cells
        format_cell=functools.partial(format_cell, locale=locale),
        table_rows=functools.partial(html.table_rows, locale=locale),
        grant_pack_rows=functools.partial(
            html.grant_pack_rows, day=current_app.jinja_env.filters["day"]
        ),
        sections=SECTIONS,
        count_column=Column("count", "", "int"),
        exchanges=exchanges_in_period(report.filter) if current_user.is_staff else [],
    )


def _download(data: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _report_or_abort() -> Report:
    form, report = _report_or_400()
    if report is None:
        abort(400)
    return report


def _stem(report_filter: ReportFilter) -> str:
    return f"report-{report_filter.date_from.isoformat()}-{report_filter.date_to.isoformat()}"


@bp.get("/export/<table>.csv")
@everyone_logged_in
def export_csv(table: str):
    if table not in TABLE_KEYS:
        abort(404)
    report = _report_or_abort()
    return _download(
        exports.table_csv(report[table]),
        f"{spreadsheets.CSV_MIMETYPE}; charset=utf-8",
        f"{_stem(report.filter)}-{table}.csv",
    )


@bp.get("/export/report.xlsx")
@everyone_logged_in
def export_xlsx():
    report = _report_or_abort()
    return _download(
        exports.report_xlsx(report), spreadsheets.XLSX_MIMETYPE, f"{_stem(report.filter)}.xlsx"
    )


@bp.get("/export/report.pdf")
@everyone_logged_in
def export_pdf():
    report = _report_or_abort()
    return _download(exports.report_pdf(report), "application/pdf", f"{_stem(report.filter)}.pdf")


# --- grant pack: personal data, so city hall only --------------------------------------------


@bp.get("/exchanges/<int:exchange_id>/grant-pack.pdf")
@staff_required
def grant_pack_pdf(exchange_id: int):
    pack = grant_pack(get_exchange_or_404(exchange_id, current_user))
    body = exports.grant_pack_pdf(pack)
    _record_personal_export(exchange_id, "grant-pack.pdf")
    return _download(body, "application/pdf", f"grant-pack-{exchange_id}.pdf")


@bp.get("/exchanges/<int:exchange_id>/grant-pack.xlsx")
@staff_required
def grant_pack_xlsx(exchange_id: int):
    pack = grant_pack(get_exchange_or_404(exchange_id, current_user))
    body = exports.grant_pack_xlsx(pack)
    _record_personal_export(exchange_id, "grant-pack.xlsx")
    return _download(body, spreadsheets.XLSX_MIMETYPE, f"grant-pack-{exchange_id}.xlsx")


def _record_personal_export(exchange_id: int, what: str) -> None:
    """The grant pack names participants: every download goes into the audit log."""
    audit.record("export", "exchange", exchange_id, detail=what)
    db.session.commit()
