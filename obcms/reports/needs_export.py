"""The needs register as CSV or XLSX, through the existing background exports.

An ``Export`` row whose filters carry ``kind: needs`` holds the needs list's filters; the
exports' own task (``build_export``) writes it under the same job rules (obcms/reports/jobs.py),
with the needs' columns (``spreadsheets.need_rows``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from obcms.assessments.filters import NeedFilter
from obcms.reports.views import queue_export

KIND = "needs"


@require_POST
@login_required
@permission_required("reports.add_export", raise_exception=True)
def create(request: HttpRequest) -> HttpResponse:
    """POST from the needs list, with its query string: the same filters, exported."""
    response = queue_export(
        request, NeedFilter(request.GET), request.GET, reverse("needs:list"), {"kind": KIND}
    )
    if response.status_code == 302:
        messages.success(request, "The needs export is being built.")
    return response
