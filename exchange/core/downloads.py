"""A produced paper (PDF or XLSX) as a download: an attachment the browser does not keep."""

from __future__ import annotations

from flask import Response

from exchange.core import spreadsheets

PDF_MIMETYPE = "application/pdf"


def attachment(body: bytes, fmt: str, filename: str) -> Response:
    """``body`` as ``filename.fmt`` ("pdf" or "xlsx"), never cached."""
    mimetype = PDF_MIMETYPE if fmt == "pdf" else spreadsheets.XLSX_MIMETYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename={filename}.{fmt}",
            "Cache-Control": "no-store",
        },
    )
