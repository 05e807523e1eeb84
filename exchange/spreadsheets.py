"""What the XLSX exports and the import template share."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet


def new_workbook() -> tuple[Workbook, Worksheet]:
    """A new workbook and the one worksheet it starts with."""
    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook starts with a worksheet")
    return workbook, sheet
