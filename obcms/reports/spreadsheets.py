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

from obcms.communities.forms import SECTIONS
from obcms.communities.models import Community

# The profile's own columns, named after its fields, in the order of its sections; the import
# reads the same names, so an export re-imports as it is.
PLACE_FIELDS = ("name", "municipality", "barangay")
RELATIONS = ("ethnolinguistic_groups", "livelihoods", "languages")
PROFILE_COLUMNS = [
    name
    for _, names in SECTIONS
    for name in names
    if name not in PLACE_FIELDS + RELATIONS + ("verification",)
]
COLUMNS = [
    "id",
    "name",
    "region",
    "province",
    "city_or_municipality",
    "barangay",
    "barangay_psgc",
    *PROFILE_COLUMNS,
    *RELATIONS,
    "verification",
    "updated_at",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(community: Community, name: str) -> object:
    """A profile value as a spreadsheet shows it: labels for choices, numbers as numbers."""
    field = Community._meta.get_field(name)
    value = getattr(community, name)
    if field.choices:
        return getattr(community, f"get_{name}_display")() if value else ""
    if value is None:
        return ""
    return float(value) if field.get_internal_type() == "DecimalField" else value


def community_rows(communities: QuerySet[Community], chunk_size: int = 2000) -> Iterator[list]:
    queryset = (
        communities.select_related("barangay", "municipality__province", "municipality__region")
        .prefetch_related(*RELATIONS)
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
                *(_cell(c, name) for name in PROFILE_COLUMNS),
                *(", ".join(term.name for term in getattr(c, name).all()) for name in RELATIONS),
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
