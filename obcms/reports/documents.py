"""What the PDF reports say: a place profile (the figures of its page, and every community) and
a MANA summary (needs by sector and priority for a region and a period, and every assessment).

The report's filters are read back through the forms that took them on the page
(obcms/reports/forms.py), so the page and the worker accept exactly the same input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.geography.models import Region
from obcms.places import profiles, records
from obcms.places.needs import needs_by_sector
from obcms.reports.forms import ManaSummaryForm, PlaceReportForm
from obcms.reports.models import Report
from obcms.reports.pdf import Column, ReportPDF

Progress = Callable[[int, int], None]


class ReportRefused(Exception):
    """The report cannot be built as asked; the message tells the user what to do."""


def build(report: Report, progress: Progress) -> bytes:
    """The PDF of ``report``; ``progress(done, total)`` as its rows are drawn."""
    if report.kind == Report.Kind.MANA_SUMMARY:
        return mana_summary(report, progress)
    return place_profile(report, progress)


def _valid(form: forms.Form) -> forms.Form:
    if not form.is_valid():
        raise ReportRefused(
            "The place or the filters of this report are no longer valid; start a new report."
        )
    return form


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value}%"


def place_profile(report: Report, progress: Progress) -> bytes:
    form = _valid(PlaceReportForm(report.filters))
    place = form.place_ref
    profile = profiles.compute(place, form)
    communities = profiles.place_communities(place, form)
    total = profile.communities
    progress(0, total)
    pdf = ReportPDF(
        report.title,
        [f"{place.kind}: {place.name} (PSGC {place.psgc_code})", *profile.filters],
        timezone.localtime(),
    )
    pdf.heading("Key figures")
    census = profile.census_population
    pdf.table(
        [Column("Figure", 3), Column("Value", 2, "R")],
        [
            ("Communities", number(profile.communities)),
            ("People in the communities", number(profile.population)),
            ("Households", number(profile.households)),
            ("2024 census population of the place", number(census)),
            ("Share of the census population", percent(profile.share)),
            ("Communities verified", number(profile.verified)),
            ("Communities assessed at least once", number(profile.assessed_communities)),
            ("Communities never assessed", number(profile.never_assessed_count)),
        ],
    )
    pdf.heading("Ethnolinguistic groups")
    pdf.table([Column("Group", 4), Column("Communities", 1, "R")], profile.groups)
    pdf.heading("Access to services")
    pdf.table(
        [
            Column("Service", 2.8),
            *(Column(label, 1.3, "R") for label in profile.rating_labels),  # "Available," fits
            Column("Not known", 1.2, "R"),
            Column("Share with access", 1.3, "R"),
        ],
        [
            (
                row.service,
                *(number(count) for count in row.ratings),
                number(row.unknown),
                "—" if row.percent is None else f"{row.percent}%",
            )
            for row in profile.services
        ],
    )
    pdf.paragraph(
        "Communities per rating. Share with access: any rating but none, among the "
        "communities whose rating is known."
    )
    pdf.heading("Assessments")
    pdf.table([Column("Status", 4), Column("Assessments", 1, "R")], profile.assessments)
    pdf.heading("Needs by sector and priority")
    _needs_table(pdf, profile.needs)
    pdf.heading("Partners active (engagements open or held in the last twelve months)")
    pdf.table(
        [Column("Partner", 5), Column("Engagements", 1, "R"), Column("Open", 1, "R")],
        [(row.name, row.engagements, row.open) for row in profile.partners],
    )
    pdf.heading(profile.children_label)
    pdf.table(
        [
            Column("Name", 4),
            Column("Communities", 1.4, "R"),
            Column("People", 1.4, "R"),
            Column("2024 census", 1.6, "R"),
            Column("Share", 1.1, "R"),
            Column("Assessed", 1.3, "R"),
        ],
        [
            (
                row.name,
                number(row.communities),
                number(row.population),
                number(row.census),
                percent(row.share),
                number(row.assessed),
            )
            for row in profile.children
            if row.communities or place.level != "municipality"  # barangays: only with OBCs
        ],
    )
    for chart in profile.trends.values():
        if chart["series"]:
            pdf.heading(chart["title"])
            names = [series["name"] for series in chart["series"]]
            pdf.table(
                [Column("Period", 2), *(Column(name, 1, "R") for name in names)],
                [
                    (label, *(series["values"][i] for series in chart["series"]))
                    for i, label in enumerate(chart["labels"])
                ],
            )
    pdf.heading(f"Communities ({total:,})")
    pdf.table(
        [
            Column("Community", 3.2),
            Column("Barangay", 2.2),
            Column("City / municipality", 2.2),
            Column("Population", 1.3, "R"),
            Column("Ethnolinguistic groups", 2.4),
            Column("Verification", 1.6),
            Column("Last assessed", 1.6),
        ],
        (
            (
                row.name,
                row.barangay,
                row.municipality,
                number(row.population),
                row.groups,
                row.verification,
                row.last_assessed,
            )
            for row in profiles.community_rows(communities)
        ),
        on_row=lambda done: progress(done, total),
    )
    return bytes(pdf.output())


def _needs_table(pdf: ReportPDF, rows: list) -> None:
    pdf.table(
        [
            Column("Sector", 3),
            Column("High", 1, "R"),
            Column("Medium", 1, "R"),
            Column("Low", 1, "R"),
            Column("All", 1, "R"),
            Column("Beneficiaries", 1.4, "R"),
        ],
        [
            (
                row.sector,
                number(row.high),
                number(row.medium),
                number(row.low),
                number(row.total),
                number(row.beneficiaries),
            )
            for row in rows
        ],
    )


def mana_summary(report: Report, progress: Progress) -> bytes:
    form = _valid(ManaSummaryForm(report.filters))
    region: Region = form.cleaned_data["region"]
    start: date = form.cleaned_data["date_from"]
    end: date = form.cleaned_data["date_to"]
    assessments = records.assessments().filter(
        community__in=records.communities().filter(municipality__region=region),
        assessed_on__range=(start, end),
    )
    total = assessments.count()
    progress(0, total)
    needs = records.needs().filter(assessment__in=assessments)
    pdf = ReportPDF(
        report.title,
        [f"Region: {region.name}", f"Period: {start:%d %b %Y} to {end:%d %b %Y}"],
        timezone.localtime(),
    )
    by_status = dict(
        assessments.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    pdf.heading("Key figures")
    pdf.table(
        [Column("Figure", 3), Column("Value", 2, "R")],
        [
            ("Assessments in the period", number(total)),
            *(
                (f"  {label}", number(by_status.get(value, 0)))
                for value, label in Assessment.Status.choices
            ),
            ("Communities assessed", number(assessments.values("community").distinct().count())),
            ("Needs recorded", number(needs.count())),
        ],
    )
    pdf.heading("Needs by sector and priority")
    _needs_table(pdf, needs_by_sector(needs))
    pdf.heading("By province")
    pdf.table(
        [
            Column("Province or independent city", 4),
            Column("Assessments", 1.3, "R"),
            Column("Communities", 1.3, "R"),
            Column("Needs", 1.3, "R"),
            Column("High priority", 1.3, "R"),
        ],
        _by_province(assessments, needs),
    )
    pdf.heading(f"Assessments ({total:,})")
    pdf.table(
        [
            Column("Date", 1.6),
            Column("Community", 3),
            Column("Barangay", 2),
            Column("City / municipality", 2.2),
            Column("Status", 1.4),
            Column("Needs (sectors)", 3.4),
        ],
        _assessment_rows(assessments),
        on_row=lambda done: progress(done, total),
    )
    return bytes(pdf.output())


def _by_province(assessments: QuerySet[Assessment], needs: QuerySet[Need]) -> list[tuple]:
    """Per province (an independent city for itself): assessments, communities, needs."""
    rows = (
        assessments.order_by()
        .values("community__municipality__province__name", "community__municipality__name")
        .annotate(n=Count("pk"), communities=Count("community", distinct=True))
    )
    need_rows = (
        needs.order_by()
        .values(
            "assessment__community__municipality__province__name",
            "assessment__community__municipality__name",
        )
        .annotate(n=Count("pk"), high=Count("pk", filter=Q(priority=Need.Priority.HIGH)))
    )
    table: dict[str, list[int]] = {}
    for row in rows:
        name = (
            row["community__municipality__province__name"] or row["community__municipality__name"]
        )
        figures = table.setdefault(name, [0, 0, 0, 0])
        figures[0] += row["n"]
        figures[1] += row["communities"]
    for row in need_rows:
        name = (
            row["assessment__community__municipality__province__name"]
            or row["assessment__community__municipality__name"]
        )
        figures = table.setdefault(name, [0, 0, 0, 0])
        figures[2] += row["n"]
        figures[3] += row["high"]
    return [(name, *(number(v) for v in figures)) for name, figures in sorted(table.items())]


def _assessment_rows(assessments: QuerySet[Assessment]) -> Iterator[tuple]:
    statuses = dict(Assessment.Status.choices)
    rows = assessments.order_by(
        "community__municipality__name", "community__name", "assessed_on", "pk"
    ).values_list(
        "pk",
        "assessed_on",
        "community__name",
        "community__barangay__name",
        "community__municipality__name",
        "status",
    )
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=1000):
        chunk.append(row)
        if len(chunk) == 1000:
            yield from _with_sectors(chunk, statuses)
            chunk = []
    yield from _with_sectors(chunk, statuses)


def _with_sectors(chunk: list[tuple], statuses: dict[str, str]) -> Iterator[tuple]:
    labels = dict(Need.Sector.choices)
    sectors: dict[int, list[str]] = {}
    for assessment_id, sector in (
        records.needs()
        .filter(assessment_id__in=[row[0] for row in chunk])
        .order_by("priority", "sector")
        .values_list("assessment_id", "sector")
    ):
        sectors.setdefault(assessment_id, []).append(labels.get(sector, sector))
    for pk, assessed_on, community, barangay, town, status in chunk:
        yield (
            f"{assessed_on:%d %b %Y}",
            community,
            barangay,
            town,
            statuses.get(status, status),
            ", ".join(sectors.get(pk, ())) or "—",
        )
