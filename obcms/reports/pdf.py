"""The page every PDF report is printed on: the office's name, the title, the date, the filters,
page numbers, and tables that continue across pages under their headings.

fpdf2 is pure Python (the nixpacks image and the Heroku slug have no Pango or Cairo); its
built-in fonts are Latin-1 only, so DejaVu Sans, shipped in obcms/reports/fonts/, is embedded
(only the glyphs used) and Filipino names such as "Dumingag Ñ" print as written.

Tables are drawn here rather than with fpdf2's ``table()``: that one measures every cell
through its text-layout engine and took about 5.7 s for 2,000 rows; measuring with cached
glyph widths and writing each line with ``text()`` takes a fifth of that."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

OFFICE = "Office for Other Bangsamoro Communities (OOBC)"
FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
SIZE = 8  # points, body text and tables
LINE = 3.6  # mm per line of table text
PAD = 1.0  # mm around a cell's text


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # mm
    align: str = "L"  # "L" or "R"


class ReportPDF(FPDF):
    def __init__(self, title: str, filters: Sequence[str], printed: datetime) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report_title = title
        self.printed = printed
        self.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_title(title)
        self.set_author(OFFICE)
        self.set_creator("obcms")
        self.set_creation_date(printed)
        self.set_margins(14, 16, 14)
        self.set_auto_page_break(True, margin=16)
        self.alias_nb_pages()
        self._widths: dict[tuple[str, float, str], float] = {}
        self.add_page()
        self.set_font(FONT, "B", 15)
        self.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 9)
        self.multi_cell(
            0, 5, f"{OFFICE} · printed {printed:%d %B %Y, %H:%M}", new_x="LMARGIN", new_y="NEXT"
        )
        self.multi_cell(
            0,
            5,
            "Filters: " + ("; ".join(filters) if filters else "none"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.ln(2)

    @property
    def body_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", 7)
        self.set_text_color(90)
        self.cell(0, 4, f"{OFFICE} · {self.report_title}", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.set_text_color(90)
        self.cell(0, 4, f"Printed {self.printed:%d %b %Y}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):  # never a heading alone at the foot of a page
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", 11)
        self.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", SIZE)

    def paragraph(self, text: str) -> None:
        self.set_font(FONT, "", SIZE + 1)
        self.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", SIZE)

    def text_width(self, text: str) -> float:
        """Width of ``text`` in the current font, from cached per-glyph widths."""
        widths = self._widths
        style, size = self.font_style, self.font_size_pt
        total = 0.0
        for char in text:
            key = (style, size, char)
            if key not in widths:
                widths[key] = self.get_string_width(char)
            total += widths[key]
        return total

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` in lines no wider than ``width`` (words kept whole where they fit)."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.text_width(candidate) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self.text_width(word) > width and len(word) > 1:  # one over-long word
                    cut = len(word) - 1
                    while cut > 1 and self.text_width(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines

    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[object]],
        on_row: Callable[[int], None] | None = None,
    ) -> int:
        """Draw ``rows`` under ``columns``' headings, repeated at the top of each new page;
        ``on_row(count)`` after each row. Returns the number of rows drawn."""
        scale = self.body_width / sum(column.width for column in columns)
        widths = [column.width * scale for column in columns]
        if self.will_page_break(4 * LINE + 4 * PAD):  # headings with at least one row under them
            self.add_page()
        self._table_heading(columns, widths)
        count = 0
        for row in rows:
            cells = [
                self.wrap("" if value is None else str(value), width - 2 * PAD)
                for value, width in zip(row, widths, strict=True)
            ]
            height = max(len(lines) for lines in cells) * LINE + 2 * PAD
            if self.will_page_break(height):
                self.add_page()
                self._table_heading(columns, widths)
            top = self.y
            x = self.l_margin
            for lines, width, column in zip(cells, widths, columns, strict=True):
                for number, line in enumerate(lines):
                    left = (
                        x + width - PAD - self.text_width(line) if column.align == "R" else x + PAD
                    )
                    self.text(left, top + PAD + LINE * (number + 0.75), line)
                x += width
            self.set_draw_color(200)
            self.line(self.l_margin, top + height, self.l_margin + sum(widths), top + height)
            self.set_y(top + height)
            count += 1
            if on_row:
                on_row(count)
        self.set_draw_color(0)
        self.ln(1)
        return count

    def _table_heading(self, columns: Sequence[Column], widths: Sequence[float]) -> None:
        self.set_font(FONT, "B", SIZE)
        cells = [self.wrap(c.heading, w - 2 * PAD) for c, w in zip(columns, widths, strict=True)]
        height = max(len(lines) for lines in cells) * LINE + 2 * PAD
        top, x = self.y, self.l_margin
        self.set_fill_color(232, 238, 236)
        self.rect(self.l_margin, top, sum(widths), height, style="F")
        for lines, width, column in zip(cells, widths, columns, strict=True):
            for number, line in enumerate(lines):
                left = x + width - PAD - self.text_width(line) if column.align == "R" else x + PAD
                self.text(left, top + PAD + LINE * (number + 0.75), line)
            x += width
        self.set_y(top + height)
        self.set_font(FONT, "", SIZE)
