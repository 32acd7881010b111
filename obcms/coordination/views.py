"""Partners and their engagements with communities."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from obcms.communities.models import Community
from obcms.coordination.forms import EngagementForm, PartnerForm
from obcms.coordination.models import Partner


@login_required
@permission_required("coordination.view_partner", raise_exception=True)
def partner_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    partners = Partner.objects.annotate(engagement_count=Count("engagements"))
    if kind in Partner.Kind.values:
        partners = partners.filter(kind=kind)
    page = Paginator(partners, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/partner_list.html",
        {"page": page, "kinds": Partner.Kind.choices, "kind": kind},
    )


@login_required
@permission_required("coordination.view_partner", raise_exception=True)
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    engagements = partner.engagements.select_related("community")
    return render(
        request,
        "coordination/partner_detail.html",
        {"partner": partner, "engagements": engagements},
    )


@login_required
@permission_required("coordination.add_partner", raise_exception=True)
def partner_create(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        partner = form.save()
        messages.success(request, f"Added {partner}.")
        return redirect("coordination:partner", pk=partner.pk)
    return render(request, "coordination/partner_form.html", {"form": form})


@login_required
@permission_required("coordination.add_engagement", raise_exception=True)
def engagement_create(request: HttpRequest, community_pk: int) -> HttpResponse:
    community = get_object_or_404(Community, pk=community_pk)
    form = EngagementForm(request.POST or None)
    form.instance.community, form.instance.created_by = community, request.user
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Engagement recorded.")
        return redirect(community)
    return render(
        request, "coordination/engagement_form.html", {"form": form, "community": community}
    )
