"""The registry's pages: list with search and filters, detail, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from obcms.communities.forms import CommunityFilterForm, CommunityForm, ContactFormSet
from obcms.communities.history import record_changes, snapshot
from obcms.communities.models import Community
from obcms.geography.models import Barangay

PAGE_SIZE = 50


def listed_communities() -> QuerySet[Community]:
    """Communities with their places and groups joined or prefetched (the detail page)."""
    return Community.objects.select_related(
        "barangay", "municipality__province", "municipality__region"
    ).prefetch_related("ethnolinguistic_groups")


LIST_COLUMNS = (
    "pk",
    "name",
    "barangay__name",
    "municipality__name",
    "municipality__province__name",
    "municipality__region__short_name",
    "population",
    "verification",
    # Linked to their place profiles (/places/<psgc>/).
    "municipality__psgc_code",
    "municipality__province__psgc_code",
    "municipality__region__psgc_code",
)


@login_required
@permission_required("communities.view_community", raise_exception=True)
def community_list(request: HttpRequest) -> HttpResponse:
    """The busiest page: plain rows (``values_list``) instead of five model instances per
    community, and the groups of the whole page in one query."""
    filters = CommunityFilterForm(request.GET or None)
    communities = filters.filter(Community.objects.all()).values_list(*LIST_COLUMNS)
    page = Paginator(communities, PAGE_SIZE).get_page(request.GET.get("page"))
    groups: dict[int, list[str]] = {}
    links = (
        Community.ethnolinguistic_groups.through.objects.filter(
            community_id__in=[row[0] for row in page.object_list]
        )
        .values_list("community_id", "ethnolinguisticgroup__name")
        .order_by("ethnolinguisticgroup__name")
    )
    for community_id, name in links:
        groups.setdefault(community_id, []).append(name)
    verification = dict(Community.Verification.choices)
    rows = [
        (*row[:7], ", ".join(groups.get(row[0], ())), verification[row[7]], *row[8:])
        for row in page.object_list
    ]
    query = filters.as_query()
    return render(
        request,
        "communities/list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query,
            "query_string": "&".join(f"{k}={v}" for k, v in query.items()),
        },
    )


@login_required
@permission_required("communities.view_community", raise_exception=True)
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_object_or_404(
        listed_communities().prefetch_related("livelihoods", "languages", "contacts"), pk=pk
    )
    return render(
        request,
        "communities/detail.html",
        {
            "community": community,
            "assessments": community.assessments.prefetch_related("needs"),
            "engagements": community.engagements.select_related("partner"),
            "changes": community.changes.select_related("changed_by")[:20],
        },
    )


@login_required
@permission_required("communities.add_community", raise_exception=True)
def community_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Community(created_by=request.user))


@login_required
@permission_required("communities.change_community", raise_exception=True)
def community_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Community, pk=pk))


def _edit(request: HttpRequest, community: Community) -> HttpResponse:
    before = snapshot(community)
    form = CommunityForm(request.POST or None, instance=community)
    contacts = ContactFormSet(request.POST or None, instance=community, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        with transaction.atomic():
            community = form.save()
            contacts.instance = community
            contacts.save()
            record_changes(community, before, request.user)
        messages.success(request, f"Saved {community.name}.")
        return redirect(community)
    return render(
        request,
        "communities/form.html",
        {"form": form, "contacts": contacts, "community": community},
    )


@login_required
def barangays_json(request: HttpRequest) -> JsonResponse:
    """Barangays of one municipality, for the form's dependent select."""
    municipality = request.GET.get("municipality", "")
    if not municipality.isdigit():
        return JsonResponse({"barangays": []})
    rows = Barangay.objects.filter(municipality_id=int(municipality)).values_list("id", "name")
    return JsonResponse({"barangays": [{"id": pk, "name": name} for pk, name in rows]})
