"""The PDF page of the activity report and the grant pack: DejaVu Sans, headings, tables and
the charts drawn with the same colours as the page's SVG.

The font is shipped in ``fonts/`` (cut down to Latin, Greek and Cyrillic), so Polish and other
names print as they are on any machine. Chart labels are never cut: they wrap.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from flask_babel import format_decimal
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from exchange import clock
from exchange.reports import charts

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
#: the height of a line of the line chart's legend, in mm
LEGEND_LINE = 5.0


class ReportPDF(FPDF):
    def __init__(self, title: str, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, format="A4")
        self.report_title = title
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author(_("City of Olsztyn"))
        self.set_creation_date(clock.now())
        self.set_auto_page_break(auto=True, margin=15)
        self.set_font(FONT, size=9)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.cell(0, 6, f"{self.report_title} · {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: int = 12) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9)
        self.ln(1)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 4.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def data_table(
        self,
        header: list[str],
        rows: list[list[str]],
        numeric: list[bool],
        col_widths: list[float] | None = None,
        caption: str = "",
        row_height: float | None = None,
    ) -> None:
        if caption:
            self.heading(caption, 10)
        if not rows:
            self.paragraph(_("Nothing in this period."))
            return
        aligns = tuple("RIGHT" if is_number else "LEFT" for is_number in numeric)
        with self.table(
            col_widths=col_widths,
            text_align=aligns,
            line_height=4.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            width=self.epw,
            min_row_height=row_height,
        ) as table:
            table.row(header)
            for row in rows:
                table.row(row)
        self.ln(3)

    def bar_chart(self, title: str, items: list[tuple[str, int]]) -> None:
        """Bars with their labels whole: the label column is as wide as the longest label (up
        to 60 % of the page), and a longer label wraps onto more lines."""
        if not items:
            return
        self.heading(title, 10)
        self.set_font(FONT, size=8)
        bar_height, gap, padding = 5.0, 1.5, 2.0
        # the cell keeps a margin on each side of its text, and a little room against rounding
        longest = max(self.get_string_width(label) for label, _value in items)
        label_width = min(max(longest + 2 * self.c_margin + padding + 0.5, 30.0), self.epw * 0.6)
        room = self.epw - label_width - 15
        largest = max(value for _, value in items) or 1
        lines = [self._line_count(label_width - padding, 4, label) for label, _value in items]
        if self.will_page_break(sum(max(bar_height, 4 * n) + gap for n in lines) + 4):
            self.add_page()
        y = self.get_y()
        self.set_fill_color(31, 95, 153)
        for (label, value), count in zip(items, lines, strict=True):
            row_height = max(bar_height, 4.0 * count)
            self.set_xy(self.l_margin, y + (row_height - 4.0 * count) / 2)
            self.multi_cell(label_width - padding, 4, label, align="R")
            width = room * value / largest
            if width:
                self.rect(self.l_margin + label_width, y, width, bar_height, style="F")
            self.set_xy(self.l_margin + label_width + width + 1, y)
            self.cell(12, bar_height, format_decimal(value))
            y += row_height + gap
        self.set_fill_color(255, 255, 255)
        self.set_font(FONT, size=9)
        self.set_xy(self.l_margin, y + 3)

    def line_chart(self, title: str, years: list[int], series: dict[str, dict[int, int]]) -> None:
        if not series:
            return
        height = 60.0
        self.set_font(FONT, size=7)
        columns, rows = self._legend_layout(list(series))
        legend = sum(rows)
        if self.will_page_break(height + legend + 20):
            self.add_page()
        self.heading(title, 10)
        left, top = self.l_margin + 10, self.get_y() + 2
        width = self.epw - 12
        tick = charts.axis_tick(
            max((v for counts in series.values() for v in counts.values()), default=0)
        )
        largest = tick * 4
        self.set_draw_color(200, 200, 200)
        self.set_font(FONT, size=7)
        for step in range(5):
            y = top + height - height * step / 4
            self.line(left, y, left + width, y)
            self.set_xy(self.l_margin, y - 2)
            self.cell(9, 4, format_decimal(tick * step), align="R")
        count = max(len(years) - 1, 1)
        for index, year in enumerate(years):
            self.set_xy(left + width * index / count - 6, top + height + 1)
            self.cell(12, 4, str(year), align="C")
        colours = [charts.rgb(colour) for colour in charts.PALETTE]
        self.set_line_width(0.6)
        for number, (name, counts) in enumerate(series.items()):
            colour = colours[number % len(colours)]
            self.set_draw_color(*colour)
            self.set_fill_color(*colour)
            points = [
                (left + width * i / count, top + height - height * counts.get(year, 0) / largest)
                for i, year in enumerate(years)
            ]
            self.polyline(points)
            legend_x = self.l_margin + (number % columns) * (self.epw / columns)
            legend_y = top + height + 7 + sum(rows[: number // columns])
            self.rect(legend_x, legend_y + 1, 3, 3, style="F")
            self.set_xy(legend_x + 4, legend_y)
            self.multi_cell(self.epw / columns - 5, LEGEND_LINE, name)
        self.set_line_width(0.2)
        self.set_draw_color(0, 0, 0)
        self.set_fill_color(255, 255, 255)
        self.set_font(FONT, size=9)
        self.set_xy(self.l_margin, top + height + 9 + legend)

    def _line_count(self, width: float, line_height: float, text: str) -> int:
        """How many lines ``text`` takes in a cell ``width`` wide, in the current font."""
        lines = self.multi_cell(width, line_height, text, dry_run=True, output="LINES")
        return len(cast(list[str], lines))

    def _legend_layout(self, names: list[str]) -> tuple[int, list[float]]:
        """How many legend entries go side by side (three, two or one: as many as keep every
        name on one line) and the height of each legend row (a name longer than the page is
        wide wraps)."""
        longest = max(self.get_string_width(name) for name in names)
        columns = next((n for n in (3, 2) if longest <= self.epw / n - 6 and len(names) >= n), 1)
        width = self.epw / columns - 5
        heights = [LEGEND_LINE * self._line_count(width, LEGEND_LINE, name) for name in names]
        rows = [max(heights[i : i + columns]) for i in range(0, len(names), columns)]
        return columns, rows
