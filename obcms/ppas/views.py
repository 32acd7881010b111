"""Requests and PPAs: the list with its totals, the page with the timeline of updates, entry,
status moves, progress updates and linking needs (the needs follow: ``chain``)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from obcms.assessments.models import Need
from obcms.ppas import chain
from obcms.ppas.filters import PPAFilter
from obcms.ppas.forms import LinkNeedForm, PPAForm, ProgressUpdateForm
from obcms.ppas.models import PPA
from obcms.records.archive import archive_views, refuse_archived
from obcms.records.decisions import decided
from obcms.records.history import entries_of
from obcms.records.listing import is_id, page_of


def totals_of(ppas: QuerySet[PPA]) -> dict:
    """Count and budgets of ``ppas``, overall and by fiscal year, sector and region, in SQL."""
    sums = {
        "count": Count("pk"),
        "allocated": Sum("budget_allocated"),
        "spent": Sum("budget_spent"),
    }
    plain = ppas.order_by()
    overall = plain.aggregate(**sums)
    sectors = dict(Need.Sector.choices)
    return {
        "count": overall["count"],
        "allocated": overall["allocated"] or Decimal("0"),
        "spent": overall["spent"] or Decimal("0"),
        "by_year": list(plain.values("fiscal_year").annotate(**sums).order_by("-fiscal_year")),
        "by_sector": [
            {**row, "label": sectors.get(row["sector"], row["sector"])}
            for row in plain.values("sector").annotate(**sums).order_by("sector")
        ],
        "by_region": list(
            plain.values("region__short_name").annotate(**sums).order_by("region__psgc_code")
        ),
    }


@login_required
@permission_required("ppas.view_ppa", raise_exception=True)
def ppa_list(request: HttpRequest) -> HttpResponse:
    filters = PPAFilter(request.GET, queryset=PPA.objects.all())
    ppas = filters.qs.select_related("region", "implementing_partner")
    totals = totals_of(filters.qs)
    page = page_of(request, ppas, count=totals["count"])
    query = filters.as_query()
    return render(
        request,
        "ppas/list.html",
        {
            "filters": filters,
            "page": page,
            "totals": totals,
            "filtered": any(k != "sort" for k in query),
        },
    )


@login_required
@permission_required("ppas.view_ppa", raise_exception=True)
def ppa_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ppa = get_object_or_404(
        PPA.objects.select_related(
            "region", "implementing_partner", "requesting_community", "created_by", "archived_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "ppas/detail.html",
        {
            "ppa": ppa,
            "moves": ppa.moves_for(request.user),
            "needs": ppa.needs.select_related("assessment__community"),
            "communities": ppa.communities.select_related("municipality"),
            "updates": ppa.updates.select_related("created_by"),
            "update_form": ProgressUpdateForm(),
            "link_form": LinkNeedForm(),
            "history": entries_of(ppa),
        },
    )


@login_required
@permission_required("ppas.add_ppa", raise_exception=True)
def ppa_create(request: HttpRequest) -> HttpResponse:
    need = None
    if is_id(request.GET.get("need", "")):
        need = (
            Need.objects.select_related("assessment__community__municipality")
            .filter(pk=request.GET["need"])
            .first()
        )
    initial = {}
    if need:
        community = need.assessment.community
        initial = {
            "kind": PPA.Kind.OOBC_PPA,
            "title": need.description[:250],
            "sector": need.sector,
            "region": community.municipality.region_id,
            "communities": [community.pk],
            "budget_allocated": need.estimated_cost or 0,
            "target_beneficiaries": need.beneficiaries,
        }
    form = PPAForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                ppa = form.save(commit=False)
                ppa.created_by = request.user
                ppa.save()
                form.save_m2m()
                if need:
                    chain.link(ppa, need)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{ppa.get_kind_display()} saved.")
            return redirect(ppa)
    return render(request, "ppas/form.html", {"form": form, "need": need})


@login_required
@permission_required("ppas.change_ppa", raise_exception=True)
def ppa_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ppa = get_object_or_404(PPA, pk=pk)
    refused = refuse_archived(request, ppa)
    if refused:
        return refused
    form = PPAForm(request.POST or None, instance=ppa)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect(ppa)
    return render(request, "ppas/form.html", {"form": form, "ppa": ppa})


@require_POST
@login_required
@permission_required("ppas.change_ppa", raise_exception=True)
def ppa_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A status move. Refused moves save nothing: 403 for the wrong role, a message for a
    move the machine does not have."""
    ppa = get_object_or_404(PPA, pk=pk)
    refused = refuse_archived(request, ppa)
    if refused:
        return refused
    return decided(
        request,
        ppa,
        lambda: chain.move(ppa, request.user, request.POST.get("status", "")),
        lambda: f"Now {ppa.get_status_display().lower()}.",
    )


@require_POST
@login_required
@permission_required("ppas.add_progressupdate", raise_exception=True)
def ppa_update(request: HttpRequest, pk: int) -> HttpResponse:
    ppa = get_object_or_404(PPA, pk=pk)
    refused = refuse_archived(request, ppa)
    if refused:
        return refused
    if ppa.status in PPA.CLOSED:
        messages.error(request, f"A {ppa.get_status_display().lower()} PPA takes no updates.")
        return redirect(ppa)
    form = ProgressUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Update not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
        return redirect(ppa)
    with transaction.atomic():
        update = form.save(commit=False)
        update.ppa, update.created_by = ppa, request.user
        update.save()
        chain.record_progress(ppa, update)
    messages.success(request, f"Update saved ({update.percent} %).")
    return redirect(ppa)


@require_POST
@login_required
@permission_required("ppas.change_ppa", raise_exception=True)
def ppa_link(request: HttpRequest, pk: int) -> HttpResponse:
    ppa = get_object_or_404(PPA, pk=pk)
    refused = refuse_archived(request, ppa)
    if refused:
        return refused
    form = LinkNeedForm(request.POST)
    need = Need.objects.filter(pk=form.data.get("need") or 0).first() if form.is_valid() else None
    if need is None:
        messages.error(request, "No need has this number.")
        return redirect(ppa)
    try:
        with transaction.atomic():
            chain.link(ppa, need)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Linked; the need is now {need.get_status_display().lower()}.")
    return redirect(ppa)


@require_POST
@login_required
@permission_required("ppas.change_ppa", raise_exception=True)
def ppa_unlink(request: HttpRequest, pk: int, need_pk: int) -> HttpResponse:
    ppa = get_object_or_404(PPA, pk=pk)
    need = get_object_or_404(ppa.needs, pk=need_pk)
    with transaction.atomic():
        chain.unlink(ppa, need)
    messages.success(request, f"Unlinked; the need is now {need.get_status_display().lower()}.")
    return redirect(ppa)


ppa_archive, ppa_restore = archive_views(PPA)
