"""A one-sheet XLSX file written as a stream: the rows go straight into the sheet's XML in the
zip, a string at a time, with no object per cell.

openpyxl, even in write-only mode, makes a cell object per value and writes it through an XML
library: some 1,400 rows a second of the export's 75 columns (issue 19 asks for 5,000). What
an export needs is small: text, numbers and empty cells in one sheet, with no styles. Text is
written inline (``inlineStr``), so nothing grows with the rows: no shared-strings table.
Read back, a file holds what openpyxl's own would (tests/test_xlsx.py), but for characters
XML 1.0 cannot carry (control characters other than tab and line breaks): they are left out,
where openpyxl refused the whole file.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    HEAD + f'<Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    HEAD + f'<Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (  # the one default style every cell uses
    HEAD + f'<styleSheet xmlns="{NAMESPACE}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# XML 1.0 has no place for these, even escaped.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def column_letters(count: int) -> list[str]:
    """A, B, ... Z, AA, AB, ...: the first ``count`` column names."""
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, remainder = divmod(number - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # most text has none


def text_cell(reference: str, value: str) -> str:
    if SPECIAL.search(value):
        value = escape(ILLEGAL.sub("", value))
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def cell(reference: str, value: object) -> str:
    """One cell's XML ("" for an empty cell): text, a number or a yes/no."""
    kind = value.__class__
    if kind is str:  # an empty text is an empty cell, there (openpyxl writes it too)
        return text_cell(reference, value) if value else f'<c r="{reference}"/>'
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float or kind is Decimal:
        if kind is not int and not math.isfinite(value):
            return text_cell(reference, str(value))  # no number in a sheet is NaN
        return (
            f'<c r="{reference}"><v>{value!r}</v></c>'
            if kind is float
            else (f'<c r="{reference}"><v>{value}</v></c>')
        )
    return text_cell(reference, str(value))


def write(
    rows: Iterable[list],
    out: IO[bytes],
    columns: list[str],
    title: str,
    on_row: Callable[[int], None],
) -> int:
    """Write a sheet called ``title``: ``columns`` as its first row, then ``rows``. Returns
    the number of rows after the header."""
    letters = column_letters(len(columns))
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr(
            "xl/workbook.xml",
            HEAD + f'<workbook xmlns="{NAMESPACE}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            f'<sheet name={quoteattr(title[:31])} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            buffered: list[str] = [HEAD, f'<worksheet xmlns="{NAMESPACE}"><sheetData>']
            header = "".join(
                text_cell(f"{letter}1", name) for letter, name in zip(letters, columns, strict=True)
            )
            buffered.append(f'<row r="1">{header}</row>')
            for count, row in enumerate(rows, start=1):
                number = count + 1
                cells = "".join(
                    [cell(f"{letter}{number}", value) for letter, value in zip(letters, row)]  # noqa: B905
                )
                buffered.append(f'<row r="{number}">{cells}</row>')
                if len(buffered) >= 500:
                    sheet.write("".join(buffered).encode())
                    buffered = []
                on_row(count)
            buffered.append("</sheetData></worksheet>")
            sheet.write("".join(buffered).encode())
    return count
