"""Assessments: the list (what waits for validation first, for administrators), entry, and the
workflow draft -> submitted -> validated, with "return to draft" and archive."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from obcms.assessments.filters import AssessmentFilter
from obcms.assessments.forms import AssessmentForm, NeedFormSet
from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.records.archive import archive_views, refuse_archived
from obcms.records.history import entries_of
from obcms.records.listing import ARCHIVED_BADGE, ARCHIVED_ROW, html_rows, page_of


@login_required
@permission_required("assessments.view_assessment", raise_exception=True)
def assessment_list(request: HttpRequest) -> HttpResponse:
    filters = AssessmentFilter(request.GET, queryset=Assessment.objects.all())
    # Counted as filtered, without the joins and need counts the rows show. The need count is a
    # subquery that PostgreSQL runs for the page's rows only, after the sort and the limit: a
    # join and GROUP BY counted the needs of every match (issue 19).
    counted = filters.qs
    needs = (
        Need.objects.filter(assessment=OuterRef("pk"))
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assessments = (
        counted.select_related("community__region", "created_by")
        .only(
            # The columns the rows show, not the seventy of each community.
            "assessed_on",
            "team",
            "method",
            "status",
            "returned_at",
            "archived_at",
            "community__name",
            "community__region__short_name",
            "created_by__username",
            "created_by__first_name",
            "created_by__last_name",
        )
        .annotate(need_count=Coalesce(Subquery(needs), 0))
    )
    validator = request.user.has_perm("assessments.validate_assessment")
    if not filters.sorted:
        order: list = ["-assessed_on", "-pk"]
        if validator:  # what waits for an administrator comes first
            order.insert(
                0,
                Case(
                    When(status=Assessment.Status.SUBMITTED, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
            )
        assessments = assessments.order_by(*order)
    page = page_of(request, assessments, count_from=counted)
    rows, list_url = list_rows(page.object_list), reverse("assessments:list")
    query = filters.as_query()
    return render(
        request,
        "assessments/list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "rows_html": html_rows(
                ASSESSMENT_ROW,
                (
                    (
                        ARCHIVED_ROW if archived else "",
                        list_url,
                        pk,
                        day,
                        community,
                        region,
                        team,
                        method,
                        need_count,
                        AWAITING if status == Assessment.Status.SUBMITTED else status_label,
                        RETURNED_BADGE if returned else "",
                        ARCHIVED_BADGE if archived else "",
                        author,
                    )
                    for (
                        pk,
                        day,
                        community,
                        region,
                        team,
                        method,
                        need_count,
                        status,
                        status_label,
                        returned,
                        archived,
                        author,
                    ) in rows
                ),
            ),
            "validator": validator,
            "filtered": any(k != "sort" for k in query),
        },
    )


ASSESSMENT_ROW = (
    '<tr{}><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    '<td class="num">{}</td><td>{}{}{}</td><td>{}</td></tr>'
)
AWAITING = mark_safe("<strong>Awaiting validation</strong>")
RETURNED_BADGE = mark_safe(' <span class="badge">returned for changes</span>')


def list_rows(assessments: Iterable[Assessment]) -> list[tuple]:
    """The list's rows as the page prints them, formatted here: the template's variable
    lookups, filters and ``get_..._display`` calls cost more than the page's queries for 50
    rows (issue 19)."""
    methods = dict(Assessment.Method.choices)
    statuses = dict(Assessment.Status.choices)
    rows = []
    for a in assessments:
        region = a.community.region
        author = a.created_by
        rows.append(
            (
                a.pk,
                date_format(a.assessed_on, "j M Y"),
                a.community.name,
                region.short_name if region else "",
                a.team,
                methods.get(a.method, a.method),
                a.need_count,
                a.status,
                statuses.get(a.status, a.status),
                a.status == Assessment.Status.DRAFT and a.returned_at is not None,
                a.archived_at is not None,
                (author.get_full_name() or author.get_username()) if author else "—",
            )
        )
    return rows


@login_required
@permission_required("assessments.view_assessment", raise_exception=True)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.select_related(
            "community", "created_by", "validated_by", "returned_by", "archived_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "needs": assessment.needs.all(),
            "history": entries_of(assessment),
            "return_form": ReturnForm(),
        },
    )


@login_required
@permission_required("assessments.add_assessment", raise_exception=True)
def assessment_create(request: HttpRequest, community_pk: int) -> HttpResponse:
    community = get_object_or_404(Community, pk=community_pk)
    return refuse_archived(request, community) or _edit(
        request, Assessment(community=community, created_by=request.user)
    )


@login_required
@permission_required("assessments.change_assessment", raise_exception=True)
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("community"), pk=pk)
    if assessment.status != Assessment.Status.DRAFT:
        messages.error(request, "Only a draft can be edited.")
        return redirect(assessment)
    return refuse_archived(request, assessment) or _edit(request, assessment)


def _edit(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    form = AssessmentForm(request.POST or None, instance=assessment)
    needs = NeedFormSet(request.POST or None, instance=assessment, prefix="needs")
    if request.method == "POST" and form.is_valid() and needs.is_valid():
        with transaction.atomic():
            assessment = form.save()
            needs.instance = assessment
            needs.save()
        messages.success(request, "Assessment saved as a draft.")
        return redirect(assessment)
    return render(
        request,
        "assessments/form.html",
        {"form": form, "needs": needs, "assessment": assessment, "community": assessment.community},
    )


@require_POST
@login_required
@permission_required("assessments.change_assessment", raise_exception=True)
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    refused = refuse_archived(request, assessment)
    if refused:
        return refused
    try:
        assessment.submit()
        messages.success(request, "Submitted for validation.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(assessment)


@require_POST
@login_required
@permission_required("assessments.validate_assessment", raise_exception=True)
def assessment_validate(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    try:
        assessment.validate_by(request.user)
        messages.success(request, "Assessment validated.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(assessment)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="What should the author change?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_POST
@login_required
@permission_required("assessments.validate_assessment", raise_exception=True)
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to draft with a reason its author sees on the assessment's page."""
    assessment = get_object_or_404(Assessment, pk=pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say what to change: the author sees the reason.")
        assessment.return_to_draft(request.user, form.cleaned_data["reason"])
        messages.success(request, "Returned to its author as a draft, with your reason.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(assessment)


assessment_archive, assessment_restore = archive_views(Assessment)
