"""Rows of the community list, and the CSV and XLSX files built from them.

Built for size: rows come from the database in chunks (``iterator``) and go straight to the
file, so memory stays flat however many communities there are. Every text cell that a
spreadsheet would read as a formula (=, +, -, @, tab, carriage return) is prefixed with an
apostrophe: an export must never run code on the reader's machine.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import IO

from django.db.models import QuerySet

from obcms.communities.models import Community

COLUMNS = [
    "id",
    "name",
    "region",
    "province",
    "city_or_municipality",
    "barangay",
    "barangay_psgc",
    "population",
    "households",
    "ethnolinguistic_groups",
    "verification",
    "updated_at",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def community_rows(communities: QuerySet[Community], chunk_size: int = 2000) -> Iterator[list]:
    queryset = (
        communities.select_related("barangay", "municipality__province", "municipality__region")
        .prefetch_related("ethnolinguistic_groups")
        .order_by("pk")
    )
    for c in queryset.iterator(chunk_size=chunk_size):
        yield [
            neutralise(value)
            for value in (
                c.pk,
                c.name,
                c.municipality.region.short_name,
                c.municipality.province.name if c.municipality.province_id else "",
                c.municipality.name,
                c.barangay.name,
                c.barangay.psgc_code,
                c.population,
                c.households,
                ", ".join(g.name for g in c.ethnolinguistic_groups.all()),
                c.get_verification_display(),
                c.updated_at.isoformat(timespec="seconds"),
            )
        ]


def write_csv(rows: Iterator[list], out: IO[str], on_row: Callable[[int], None]) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        on_row(count)
    return count


def write_xlsx(rows: Iterator[list], out: IO[bytes], on_row: Callable[[int], None]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # streams rows to disk, not into memory
    sheet = workbook.create_sheet("Communities")
    sheet.append(COLUMNS)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.append(row)
        on_row(count)
    workbook.save(out)
    return count
