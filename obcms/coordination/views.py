"""Partners and their engagements with communities: lists, pages, edits, closing an
engagement with its outcome, archive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from obcms.communities.models import Community
from obcms.coordination.filters import EngagementFilter, PartnerFilter
from obcms.coordination.forms import CloseForm, EngagementForm, PartnerForm
from obcms.coordination.models import Engagement, Partner
from obcms.records.archive import archive_views, refuse_archived
from obcms.records.history import entries_of
from obcms.records.listing import page_of


def _filtered(filters) -> bool:
    return any(key != "sort" for key in filters.as_query())


@login_required
@permission_required("coordination.view_partner", raise_exception=True)
def partner_list(request: HttpRequest) -> HttpResponse:
    partners = Partner.objects.annotate(
        engagement_count=Count("engagements", filter=Q(engagements__archived_at__isnull=True))
    ).order_by("name", "pk")  # a GROUP BY query ignores Meta.ordering
    filters = PartnerFilter(request.GET, queryset=partners)
    page = page_of(request, filters.qs)
    return render(
        request,
        "coordination/partner_list.html",
        {"filters": filters, "page": page, "filtered": _filtered(filters)},
    )


@login_required
@permission_required("coordination.view_partner", raise_exception=True)
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.select_related("archived_by"), pk=pk)
    engagements = partner.engagements.filter(archived_at__isnull=True).select_related("community")
    return render(
        request,
        "coordination/partner_detail.html",
        {
            "partner": partner,
            "engagements": engagements,
            "meetings": partner.meetings.filter(archived_at__isnull=True).annotate(
                open_actions=Count("action_items", filter=Q(action_items__done=False))
            ),
            "history": entries_of(partner),
        },
    )


@login_required
@permission_required("coordination.add_partner", raise_exception=True)
def partner_create(request: HttpRequest) -> HttpResponse:
    return _edit_partner(request, Partner())


@login_required
@permission_required("coordination.change_partner", raise_exception=True)
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    return refuse_archived(request, partner) or _edit_partner(request, partner)


def _edit_partner(request: HttpRequest, partner: Partner) -> HttpResponse:
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        partner = form.save()
        messages.success(request, f"Saved {partner}.")
        return redirect(partner)
    return render(request, "coordination/partner_form.html", {"form": form, "partner": partner})


partner_archive, partner_restore = archive_views(Partner)


@login_required
@permission_required("coordination.view_engagement", raise_exception=True)
def engagement_list(request: HttpRequest) -> HttpResponse:
    filters = EngagementFilter(
        request.GET, queryset=Engagement.objects.select_related("partner", "community")
    )
    page = page_of(request, filters.qs)
    return render(
        request,
        "coordination/engagement_list.html",
        {"filters": filters, "page": page, "filtered": _filtered(filters)},
    )


@login_required
@permission_required("coordination.view_engagement", raise_exception=True)
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(
        Engagement.objects.select_related("partner", "community", "created_by", "archived_by"),
        pk=pk,
    )
    return render(
        request,
        "coordination/engagement_detail.html",
        {"engagement": engagement, "history": entries_of(engagement), "close_form": CloseForm()},
    )


@login_required
@permission_required("coordination.add_engagement", raise_exception=True)
def engagement_create(request: HttpRequest, community_pk: int) -> HttpResponse:
    community = get_object_or_404(Community, pk=community_pk)
    refused = refuse_archived(request, community)
    return refused or _edit_engagement(
        request, Engagement(community=community, created_by=request.user)
    )


@login_required
@permission_required("coordination.change_engagement", raise_exception=True)
def engagement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("community"), pk=pk)
    return refuse_archived(request, engagement) or _edit_engagement(request, engagement)


def _edit_engagement(request: HttpRequest, engagement: Engagement) -> HttpResponse:
    form = EngagementForm(request.POST or None, instance=engagement)
    if request.method == "POST" and form.is_valid():
        engagement = form.save()
        messages.success(request, "Engagement saved.")
        return redirect(engagement)
    return render(
        request,
        "coordination/engagement_form.html",
        {"form": form, "engagement": engagement, "community": engagement.community},
    )


@require_POST
@login_required
@permission_required("coordination.change_engagement", raise_exception=True)
def engagement_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Completed, with its outcome: the daily reminders stop naming it."""
    engagement = get_object_or_404(Engagement, pk=pk)
    refused = refuse_archived(request, engagement)
    if refused:
        return refused
    form = CloseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say what came of it: the outcome is required to close it.")
        engagement.close(form.cleaned_data["outcome"])
        messages.success(request, "Engagement closed; its follow-up reminders stop.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(engagement)


engagement_archive, engagement_restore = archive_views(Engagement)
