"""The needs register as CSV or XLSX, through the existing background exports.

An ``Export`` row whose filters carry ``kind: needs`` holds the needs list's filters; the
exports' own task (``build_export``) writes it under the same job rules (obcms/reports/jobs.py),
with the needs' columns (``spreadsheets.need_rows``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from obcms.assessments.filters import NeedFilter
from obcms.reports import jobs
from obcms.reports.models import Export
from obcms.reports.tasks import build_export

KIND = "needs"


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
    jobs.publish(export, build_export)
    messages.success(request, "The needs export is being built.")
    return redirect(export)
