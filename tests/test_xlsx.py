"""The XLSX files of the exports, streamed by obcms/reports/xlsx.py (issue 19): read back by
openpyxl, every cell is what openpyxl's own writer would have given for the same rows."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from obcms.reports import xlsx

COLUMNS = ["id", "name", "population", "latitude", "notes", "flag", "empty"]
ROWS = [
    [1, "Sitio Uno", 120, 7.8251, "plain", True, ""],
    [2, "'=cmd|' /C calc'!A0", 0, -0.5, "a & b < c > d \"quoted\" 'single'", False, None],
    [3, "Ñoño, Marawi — ٱلْعَرَبِيَّة 漢字 🙂", None, 1e-7, "line\nbreak\ttab\r\nwindows", None, ""],
    [4, "  spaces around  ", 2_147_483_647, 123.437, "x" * 10_000, "", "last"],
    [5, "]]> <![CDATA[ &amp; &#13;", 10**15, 1.0, "_x000D_ escaped by Excel", 0, 0.0],
]


def read(content: bytes, read_only: bool) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=read_only)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def streamed(rows: list[list], columns: list[str] = COLUMNS, title: str = "Communities") -> bytes:
    out = io.BytesIO()
    counted = []
    assert xlsx.write(iter(rows), out, columns, title, counted.append) == len(rows)
    assert counted == list(range(1, len(rows) + 1))
    return out.getvalue()


def openpyxl_wrote(rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Communities")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "full"])
def test_the_streamed_sheet_reads_back_as_openpyxls_own(read_only):
    ours, theirs = read(streamed(ROWS), read_only), read(openpyxl_wrote(ROWS), read_only)
    assert ours == theirs
    assert ours[0] == tuple(COLUMNS) and ours[3][4] == "line\nbreak\ttab\nwindows"
    assert ours[4][1] == "  spaces around  " and ours[2][1] == "'=cmd|' /C calc'!A0"


def test_the_sheet_has_its_title_and_no_shared_strings():
    content = streamed(ROWS, title="Needs")
    assert load_workbook(io.BytesIO(content), read_only=True).sheetnames == ["Needs"]
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "xl/sharedStrings.xml" not in names  # nothing kept per distinct text


def test_characters_xml_cannot_carry_are_left_out_not_a_failed_export():
    content = streamed([[1, "bell\x07 and nul\x00 and \x1b escape", 2, 0.0, "", None, ""]])
    assert read(content, True)[1][1] == "bell and nul and  escape"


def test_an_empty_export_is_its_header_row():
    assert read(streamed([]), True) == [tuple(COLUMNS)]


def test_column_letters_run_past_z():
    letters = xlsx.column_letters(80)
    assert letters[:3] == ["A", "B", "C"] and letters[25:28] == ["Z", "AA", "AB"]
    assert xlsx.column_letters(703)[-1] == "AAA"


@pytest.mark.django_db
def test_the_xlsx_export_holds_the_csv_exports_cells(tmp_path, settings):
    """Both files of the same list, from the same rows: every cell alike (text as text,
    numbers as numbers, empty as empty), the full profile with its terms."""
    import csv
    from decimal import Decimal

    from obcms.communities.models import EthnolinguisticGroup, Language
    from obcms.reports.models import Export
    from obcms.reports.spreadsheets import COLUMNS as EXPORTED
    from obcms.reports.tasks import build_export
    from tests.support import factories

    settings.MEDIA_ROOT = tmp_path
    full = factories.community(
        name="@Sitio Salam",
        other_names="Kampung & <Salam>",
        population=900,
        households=120,
        latitude=Decimal("7.825100"),
        longitude=Decimal("123.437000"),
        settlement_type="coastal",
        access_sanitation="available",
        challenges="Flooding\nno road",
        verification="verified",
    )
    groups = EthnolinguisticGroup.objects.filter(name__in=["Sama", "Tausug"])
    full.ethnolinguistic_groups.add(*groups)
    full.languages.add(Language.objects.first())
    factories.communities_in_one_barangay(3)
    user = factories.user("viewer")
    files = {}
    for kind in ("csv", "xlsx"):
        export = Export.objects.create(user=user, format=kind, filters={})
        build_export(export.pk)
        export.refresh_from_db()
        files[kind] = export.file.read()
    text = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    sheet = read(files["xlsx"], read_only=True)
    assert text[0] == EXPORTED and len(sheet) == len(text) == 5
    assert [["" if v is None else str(v) for v in row] for row in sheet] == text
    salam = dict(zip(EXPORTED, next(r for r in sheet if r[1] == "'@Sitio Salam"), strict=True))
    assert (salam["population"], salam["latitude"]) == (900, 7.8251)
    assert salam["ethnolinguistic_groups"] == "Sama, Tausug"
