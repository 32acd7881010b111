"""The needs register as CSV or XLSX, through the existing background exports.

An ``Export`` row whose filters carry ``kind: needs`` holds the needs list's filters; this
task fills it (the community exports' task stays as it is). Rows stream from the database in
chunks, cells that a spreadsheet would run as formulas are neutralised as in every export."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Iterator

from celery import shared_task
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from obcms.assessments.filters import NeedFilter
from obcms.assessments.models import Need
from obcms.reports.models import Export
from obcms.reports.spreadsheets import neutralise

logger = logging.getLogger(__name__)
KIND = "needs"
COLUMNS = [
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


def is_needs_export(export: Export) -> bool:
    return export.filters.get("kind") == KIND


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


@shared_task
def build_needs_export(export_id: int) -> None:
    export = Export.objects.get(pk=export_id)
    if export.finished or not is_needs_export(export):
        return
    needs = NeedFilter(export.filters, queryset=Need.objects.all()).qs
    export.status, export.total, export.processed = Export.Status.RUNNING, needs.count(), 0
    export.save(update_fields=["status", "total", "processed"])
    written = 0
    try:
        with tempfile.TemporaryFile() as spool:
            if export.format == Export.Format.XLSX:
                from openpyxl import Workbook

                workbook = Workbook(write_only=True)
                sheet = workbook.create_sheet("Needs")
                sheet.append(COLUMNS)
                for written, row in enumerate(need_rows(needs), start=1):  # noqa: B007
                    sheet.append(row)
                workbook.save(spool)
            else:
                text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(COLUMNS)
                for written, row in enumerate(need_rows(needs), start=1):  # noqa: B007
                    writer.writerow(row)
                text.flush()
                text.detach()
            spool.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            export.file.save(f"needs-{stamp}-{export.pk}.{export.format}", File(spool), save=False)
        export.status, export.processed = Export.Status.DONE, written
    except Exception as exc:
        logger.exception("needs export %s failed", export.pk)
        export.status, export.message = Export.Status.FAILED, type(exc).__name__
        raise
    finally:
        export.finished_at = timezone.now()
        export.save()


@require_POST
@login_required
@permission_required("reports.add_export", raise_exception=True)
def create(request: HttpRequest) -> HttpResponse:
    """POST from the needs list, with its query string: the same filters, exported."""
    filters = NeedFilter(request.GET)
    export_format = request.POST.get("format", Export.Format.CSV)
    if export_format not in Export.Format.values:
        export_format = Export.Format.CSV
    export = Export.objects.create(
        user=request.user, format=export_format, filters={**filters.as_query(), "kind": KIND}
    )
    transaction.on_commit(lambda: build_needs_export.delay(export.pk))
    messages.success(request, "The needs export is being built.")
    return redirect(export)
