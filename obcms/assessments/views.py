"""Assessment entry and its workflow: draft -> submitted -> validated."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from obcms.assessments.forms import AssessmentForm, NeedFormSet
from obcms.assessments.models import Assessment
from obcms.communities.models import Community


@login_required
@permission_required("assessments.view_assessment", raise_exception=True)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.select_related("community", "created_by", "validated_by"), pk=pk
    )
    return render(
        request,
        "assessments/detail.html",
        {"assessment": assessment, "needs": assessment.needs.all()},
    )


@login_required
@permission_required("assessments.add_assessment", raise_exception=True)
def assessment_create(request: HttpRequest, community_pk: int) -> HttpResponse:
    community = get_object_or_404(Community, pk=community_pk)
    return _edit(request, Assessment(community=community, created_by=request.user))


@login_required
@permission_required("assessments.change_assessment", raise_exception=True)
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("community"), pk=pk)
    if assessment.status != Assessment.Status.DRAFT:
        messages.error(request, "Only a draft can be edited.")
        return redirect(assessment)
    return _edit(request, assessment)


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
