"""Dashboard, exports (built in the background, downloaded when ready) and CSV imports."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, slugify
from django.views.decorators.http import require_POST

from obcms.communities.filters import CommunityFilter
from obcms.places import charts
from obcms.records.figures import figure
from obcms.records.listing import RecordFilterSet
from obcms.reports import chain_figures, jobs, statistics
from obcms.reports.forms import ManaSummaryForm, PlaceReportForm
from obcms.reports.imports import MAX_IMPORT_BYTES
from obcms.reports.models import Export, Import, Report, StatisticsSnapshot
from obcms.reports.tasks import build_export, build_report, process_import


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # Its figures drawn once per snapshot and per change of record (the chain figures are
    # live: obcms/records/figures.py): their hundreds of numbers, each localised by the
    # template, cost the page more than its queries (issue 19). Nothing in them depends on
    # who reads them; the snapshot's data is read only to draw them.
    snapshot = StatisticsSnapshot.objects.only("pk", "computed_at").first()
    if snapshot is None:  # before beat's first refresh
        snapshot = StatisticsSnapshot.objects.create(data=statistics.compute())
    chain, figures_html = figure(
        f"dashboard {snapshot.pk} {snapshot.computed_at.isoformat()}", lambda: _drawn(snapshot)
    )
    return render(
        request,
        "reports/dashboard.html",
        {"chain": chain, "figures_html": mark_safe(figures_html)},  # noqa: S308
    )


def _drawn(snapshot: StatisticsSnapshot) -> tuple[dict, str]:
    """The chain figures, and the dashboard's figures as HTML."""
    data = snapshot.data
    for chart in ("by_region", "by_province", "top_needs"):
        key = "needs" if chart == "top_needs" else "communities"
        top = max((row[key] for row in data[chart]), default=0) or 1
        for row in data[chart]:
            row["width"] = round(100 * row[key] / top, 1)
    chain = chain_figures.compute()
    over_time = charts.charts(data.get("trends", {}), "dashboard")  # older snapshots lack it
    html = render_to_string(
        "reports/_dashboard_figures.html",
        {
            "data": data,
            "snapshot": snapshot,
            "charts": over_time,
            "charts_drawn": charts.drawn(data.get("trends", {}), "dashboard"),
            "chain": chain,
        },
    )
    return chain, str(html)


def _own(request: HttpRequest, queryset):
    """Staff see their own jobs; superusers see everyone's."""
    return queryset if request.user.is_superuser else queryset.filter(user=request.user)


@login_required
@permission_required("reports.view_export", raise_exception=True)
def export_list(request: HttpRequest) -> HttpResponse:
    exports = _own(request, Export.objects.all())[:50]
    return render(request, "reports/export_list.html", {"exports": exports})


@require_POST
@login_required
@permission_required("reports.add_export", raise_exception=True)
def export_create(request: HttpRequest) -> HttpResponse:
    """POST from the community list: its filters as hidden fields (or in the query string)."""
    given = request.GET.copy()
    for name in request.POST:
        given.setlist(name, request.POST.getlist(name))  # the form's fields over the address's
    return queue_export(request, CommunityFilter(given), given, reverse("communities:list"))


# What an export request may carry besides the list's filters.
EXPORT_PARAMETERS = {"format", "csrfmiddlewaretoken", "page"}


def export_problems(request: HttpRequest, filters: RecordFilterSet, given: QueryDict) -> list[str]:
    """Why an export cannot be made as asked, one line each: an unknown format, a parameter
    that is no filter of the list, a filter's invalid value. An export never leaves out what
    it was asked to filter by (the whole registry instead of a region)."""
    problems = []
    if request.POST.get("format", Export.Format.CSV) not in Export.Format.values:
        problems.append(f"Format: choose {' or '.join(Export.Format.labels)}.")
    for name in given:
        if name not in filters.filters and name not in EXPORT_PARAMETERS:
            problems.append(f"“{Truncator(name).chars(40)}” is not a filter of this list.")
    fields = filters.form.fields
    for name, errors in filters.errors.items():
        label = fields[name].label if name in fields and fields[name].label else name
        problems.extend(f"{label}: {error}" for error in errors)
    return problems


def queue_export(
    request: HttpRequest,
    filters: RecordFilterSet,
    given: QueryDict,
    back: str,
    kind: dict[str, str] | None = None,
) -> HttpResponse:
    """Queue the export of a list through ``filters`` (the parameters ``given``), or answer 400
    with what to change and a link ``back`` to the list."""
    problems = export_problems(request, filters, given)
    if problems:
        query = urlencode(filters.as_query())
        return render(
            request,
            "reports/export_refused.html",
            {"problems": problems, "back": f"{back}?{query}" if query else back},
            status=400,
        )
    export = Export.objects.create(
        user=request.user,
        format=request.POST.get("format", Export.Format.CSV),
        filters={**filters.as_query(), **(kind or {})},
    )
    jobs.publish(export, build_export)
    return redirect(export)


@login_required
@permission_required("reports.view_export", raise_exception=True)
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(_own(request, Export.objects.all()), pk=pk)
    return render(request, "reports/export_detail.html", {"export": export})


@login_required
@permission_required("reports.view_export", raise_exception=True)
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(_own(request, Export.objects.all()), pk=pk)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404("This export is not ready.")
    filename = export.file.name.rsplit("/", 1)[-1]
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV file (UTF-8) with a header row: name and barangay_psgc, then any "
        "column of the profile, named as in a CSV export. Export, correct the cells in a "
        "spreadsheet, import back: each row's id updates its community; a row without an id "
        "is a new community."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                "Upload a .csv file (in a spreadsheet: Save as, CSV UTF-8)."
            )
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB: split it.")
        # Stored under a short name of our making: a long name full of dots would otherwise
        # overflow the file column or the storage's name rules (a 400 instead of the form).
        upload.name = f"{slugify(Path(upload.name).stem)[:60] or 'import'}.csv"
        return upload


@login_required
@permission_required("reports.add_import", raise_exception=True)
def import_create(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = Import.objects.create(user=request.user, file=form.cleaned_data["file"])
        jobs.publish(job, process_import)
        messages.info(request, "Import queued.")
        return redirect(job)
    return render(request, "reports/import_form.html", {"form": form})


@login_required
@permission_required("reports.view_import", raise_exception=True)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_own(request, Import.objects.all()), pk=pk)
    return render(request, "reports/import_detail.html", {"job": job})


@login_required
@permission_required("reports.view_report", raise_exception=True)
def pdf_list(request: HttpRequest) -> HttpResponse:
    reports = _own(request, Report.objects.all())[:50]
    return render(request, "reports/pdf_list.html", {"reports": reports})


@login_required
@permission_required("reports.add_report", raise_exception=True)
def pdf_create(request: HttpRequest) -> HttpResponse:
    """GET: the MANA summary's form. POST: a MANA summary, or a place profile (posted from the
    place's page); the row first, the task once the row is committed."""
    kind = request.POST.get("kind") if request.method == "POST" else None
    form_class = PlaceReportForm if kind == Report.Kind.PLACE_PROFILE else ManaSummaryForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        report = Report.objects.create(user=request.user, **form.report())
        jobs.publish(report, build_report)
        return redirect(report)
    if kind == Report.Kind.PLACE_PROFILE:  # only a tampered or stale page gets here
        return render(request, "400.html", status=400)
    return render(request, "reports/pdf_form.html", {"form": form})


@login_required
@permission_required("reports.view_report", raise_exception=True)
def pdf_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(_own(request, Report.objects.all()), pk=pk)
    return render(request, "reports/pdf_detail.html", {"report": report})


@login_required
@permission_required("reports.view_report", raise_exception=True)
def pdf_download(request: HttpRequest, pk: int) -> FileResponse:
    report = get_object_or_404(_own(request, Report.objects.all()), pk=pk)
    if report.status != Report.Status.DONE or not report.file:
        raise Http404("This report is not ready.")
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"obcms-report-{report.pk}.pdf",
        content_type="application/pdf",
    )
