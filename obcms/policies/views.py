"""Policy recommendations: list, page (evidence, status changes, milestones, documents),
entry, status moves and milestones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from obcms.policies.filters import PolicyFilter
from obcms.policies.forms import MilestoneForm, PolicyForm
from obcms.policies.models import Milestone, Policy
from obcms.records.archive import archive_views, refuse_archived
from obcms.records.decisions import decided
from obcms.records.history import entries_of
from obcms.records.listing import page_of


@login_required
@permission_required("policies.view_policy", raise_exception=True)
def policy_list(request: HttpRequest) -> HttpResponse:
    filters = PolicyFilter(request.GET, queryset=Policy.objects.all())
    policies = filters.qs.annotate(
        need_count=Count("needs", distinct=True), milestone_count=Count("milestones", distinct=True)
    )
    if not filters.sorted:
        policies = policies.order_by("-created_at", "-pk")
    page = page_of(request, policies, count_from=filters.qs)
    labels = dict(Policy.Status.choices)
    by_status = [
        {**row, "label": labels[row["status"]]}
        for row in filters.qs.order_by().values("status").annotate(count=Count("pk"))
    ]
    return render(
        request,
        "policies/list.html",
        {
            "filters": filters,
            "page": page,
            "by_status": by_status,
            "filtered": any(k != "sort" for k in filters.as_query()),
        },
    )


@login_required
@permission_required("policies.view_policy", raise_exception=True)
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(Policy.objects.select_related("created_by", "archived_by"), pk=pk)
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "moves": policy.moves_for(request.user),
            "needs": policy.needs.select_related("assessment__community"),
            "assessments": policy.assessments.select_related("community"),
            "regions": policy.regions.all(),
            "communities": policy.communities.all(),
            "changes": policy.changes.select_related("changed_by"),
            "milestones": policy.milestones.select_related("responsible"),
            "milestone_form": MilestoneForm(),
            "today": timezone.localdate(),
            "history": entries_of(policy),
        },
    )


@login_required
@permission_required("policies.add_policy", raise_exception=True)
def policy_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Policy(created_by=request.user))


@login_required
@permission_required("policies.change_policy", raise_exception=True)
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=pk)
    return refuse_archived(request, policy) or _edit(request, policy)


def _edit(request: HttpRequest, policy: Policy) -> HttpResponse:
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            policy = form.save()
        messages.success(request, "Recommendation saved.")
        return redirect(policy)
    return render(request, "policies/form.html", {"form": form, "policy": policy})


@require_POST
@login_required
@permission_required("policies.change_policy", raise_exception=True)
def policy_move(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=pk)
    refused = refuse_archived(request, policy)
    if refused:
        return refused
    return decided(
        request,
        policy,
        lambda: policy.move_to(
            request.user, request.POST.get("status", ""), request.POST.get("note", "")
        ),
        lambda: f"Now {policy.get_status_display().lower()}.",
    )


@require_POST
@login_required
@permission_required("policies.add_milestone", raise_exception=True)
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=pk)
    refused = refuse_archived(request, policy)
    if refused:
        return refused
    form = MilestoneForm(request.POST)
    if form.is_valid():
        milestone = form.save(commit=False)
        milestone.policy, milestone.created_by = policy, request.user
        milestone.save()
        messages.success(request, "Milestone added.")
    else:
        messages.error(request, "Milestone not saved: give a title and a due date.")
    return redirect(policy)


@require_POST
@login_required
@permission_required("policies.change_milestone", raise_exception=True)
def milestone_done(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone, pk=milestone_pk, policy_id=pk)
    milestone.done_on = None if milestone.done_on else timezone.localdate()
    milestone.save(update_fields=["done_on"])
    return redirect(milestone.policy)


policy_archive, policy_restore = archive_views(Policy)
