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

from django.db import connections
from django.db.models import CharField, F, Func, QuerySet, Value

from obcms.assessments.models import Need
from obcms.communities.forms import SECTIONS
from obcms.communities.models import Community
from obcms.reports import xlsx

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


def _plain(value: object) -> object:
    """Unknown as an empty cell, text neutralised (the cell of most columns)."""
    if value is None:
        return ""
    if value.__class__ is str and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _converter(name: str) -> Callable[[object], object]:
    """How a profile value becomes a cell: labels for choices, numbers as numbers."""
    field = Community._meta.get_field(name)
    if field.choices:
        labels = {value: neutralise(str(label)) for value, label in field.flatchoices}
        labels.update({None: "", "": ""})
        return lambda value: labels[value] if value in labels else neutralise(value)
    if field.get_internal_type() == "DecimalField":
        return lambda value: "" if value is None else float(value)
    return _plain


# Plain values from the database (``values_list``), not model instances: building five model
# instances per community (itself, its barangay, municipality, province and region) cost more
# than writing the row. Region and province are the community's own copies (issue 19).
VALUE_COLUMNS = (
    "pk",
    "name",
    "region__short_name",
    "province__name",
    "municipality__name",
    "barangay__name",
    "barangay__psgc_code",
    *PROFILE_COLUMNS,
)


def _terms(relation: str, first: int, last: int) -> dict[int, str]:
    """Community id -> its terms of ``relation``, comma-separated, in name order, for the
    communities with ids from ``first`` to ``last`` (a chunk's; those of the range the list
    left out cost a few rows more, fewer than one array parameter of 2,000 ids)."""
    field = Community._meta.get_field(relation)
    term = field.remote_field.model._meta.model_name
    links = field.remote_field.through.objects.filter(
        community_id__gte=first, community_id__lte=last
    )
    if connections[links.db].vendor == "postgresql":
        # Joined by the database, in the order the list would sort them. Imported here: it
        # loads psycopg, which a process on SQLite has no use for (obcms/settings.py).
        from django.contrib.postgres.aggregates import StringAgg

        joined = (
            links.values("community_id")
            .annotate(names=StringAgg(f"{term}__name", ", ", order_by=f"{term}__name"))
            .values_list("community_id", "names")
            .order_by()
        )
        return {pk: neutralise(names) for pk, names in joined}
    names: dict[int, list[str]] = {}
    for community_id, name in links.values_list("community_id", f"{term}__name").order_by(
        f"{term}__name"
    ):
        names.setdefault(community_id, []).append(name)
    return {pk: neutralise(", ".join(terms)) for pk, terms in names.items()}


def _cells() -> tuple[list[int], list[int], list[int], list[tuple[int, dict]]]:
    """The value columns (VALUE_COLUMNS) by how a value becomes a cell, as _converter says:
    text neutralised, counts as numbers, decimals as floats, choices as their labels;
    unknown (None) as an empty cell."""
    texts, counts, decimals, choices = [1, 2, 3, 4, 5, 6], [], [], []
    for index, name in enumerate(PROFILE_COLUMNS, start=7):
        field = Community._meta.get_field(name)
        if field.choices:
            labels = {value: neutralise(str(label)) for value, label in field.flatchoices}
            labels.update({None: "", "": ""})
            choices.append((index, labels))
        elif field.get_internal_type() == "DecimalField":
            decimals.append(index)
        elif field.get_internal_type() in ("CharField", "TextField"):
            texts.append(index)
        else:
            counts.append(index)
    return texts, counts, decimals, choices


def community_rows(communities: QuerySet[Community], chunk_size: int = 2000) -> Iterator[list]:
    texts, counts, decimals, choices = _cells()
    verification = {v: neutralise(str(label)) for v, label in Community.Verification.choices}
    queryset = communities.order_by("pk")
    connection = connections[queryset.db]
    if connection.vendor == "postgresql" and connection.timezone_name == "UTC":
        # The time as isoformat(timespec="seconds") writes it, made by the database: parsing
        # 100,000 timestamps only to print them again cost a tenth of the export.
        queryset = queryset.annotate(
            stamp=Func(
                F("updated_at"),
                Value('YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                template="to_char(%(expressions)s)",
                arg_joiner=" AT TIME ZONE 'UTC', ",
                output_field=CharField(),
            )
        )
    else:
        queryset = queryset.annotate(stamp=F("updated_at"))
    queryset = queryset.values_list(*VALUE_COLUMNS, "verification", "stamp")
    width = len(VALUE_COLUMNS)
    chunk: list[tuple] = []

    def rows_of(chunk: list[tuple]) -> Iterator[list]:
        terms = [_terms(relation, chunk[0][0], chunk[-1][0]) for relation in RELATIONS]
        for values in chunk:
            row = list(values[:width])
            for i in texts:
                value = row[i]
                if value is None:
                    row[i] = ""
                elif value.startswith(FORMULA_START):
                    row[i] = "'" + value
            for i in counts:
                if row[i] is None:
                    row[i] = ""
            for i in decimals:
                value = row[i]
                row[i] = "" if value is None else float(value)
            for i, labels in choices:
                value = row[i]
                row[i] = labels[value] if value in labels else neutralise(value)
            pk, verified = values[0], values[width]
            row += [of.get(pk, "") for of in terms]
            row.append(verification.get(verified, verified))
            stamp = values[width + 1]
            row.append(stamp if stamp.__class__ is str else stamp.isoformat(timespec="seconds"))
            yield row

    for row in queryset.iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield from rows_of(chunk)
            chunk = []
    if chunk:
        yield from rows_of(chunk)


NEED_COLUMNS = [
    "id",
    "community",
    "region",
    "province",
    "city_or_municipality",
    "barangay",
    "sector",
    "description",
    "status",
    "reason",
    "urgency",
    "priority",
    "rank",
    "people_affected",
    "households_affected",
    "estimated_cost",
    "validated_by",
    "validated_at",
    "forwarded_to",
    "assessed_on",
    "ppas",
]


def need_rows(needs: QuerySet[Need], chunk_size: int = 2000) -> Iterator[list]:
    queryset = (
        needs.select_related(
            "assessment__community__municipality__region",
            "assessment__community__municipality__province",
            "assessment__community__barangay",
            "validated_by",
            "forwarded_to",
        )
        .prefetch_related("ppas")
        .order_by("pk")
    )
    for n in queryset.iterator(chunk_size=chunk_size):
        community = n.assessment.community
        municipality = community.municipality
        yield [
            neutralise(value)
            for value in (
                n.pk,
                community.name,
                municipality.region.short_name,
                municipality.province.name if municipality.province_id else "",
                municipality.name,
                community.barangay.name,
                n.get_sector_display(),
                n.description,
                n.get_status_display(),
                n.status_reason,
                n.get_urgency_display(),
                n.get_priority_display(),
                n.rank if n.rank is not None else "",
                n.beneficiaries if n.beneficiaries is not None else "",
                n.households if n.households is not None else "",
                str(n.estimated_cost) if n.estimated_cost is not None else "",
                n.validated_by.get_username() if n.validated_by else "",
                n.validated_at.isoformat(timespec="seconds") if n.validated_at else "",
                n.forwarded_to.name if n.forwarded_to else "",
                n.assessment.assessed_on.isoformat(),
                "; ".join(p.title for p in n.ppas.all()),
            )
        ]


def write_csv(
    rows: Iterator[list],
    out: IO[str],
    on_row: Callable[[int], None],
    columns: list[str] = COLUMNS,
) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        on_row(count)
    return count


def write_xlsx(
    rows: Iterator[list],
    out: IO[bytes],
    on_row: Callable[[int], None],
    columns: list[str] = COLUMNS,
    title: str = "Communities",
) -> int:
    return xlsx.write(rows, out, columns, title, on_row)  # streamed, no object per cell
