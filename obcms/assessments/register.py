"""The needs register (/needs/): every need across communities, its lifecycle decisions and
the prioritisation of a region's and sector's validated needs.

Encoders record and edit needs; administrators (``assessments.validate_need``) validate,
prioritise, defer and reject. Planned, in progress and completed follow the PPAs that address
a need (``obcms.ppas.chain``)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from obcms.assessments.filters import NeedFilter
from obcms.assessments.forms import NeedDecisionForm, NeedForm
from obcms.assessments.models import Need
from obcms.geography.models import Region
from obcms.records.decisions import decided
from obcms.records.figures import figure, query_key
from obcms.records.history import entries_of
from obcms.records.listing import html_rows, is_id, page_of

LIST_RELATIONS = (
    "assessment__community__municipality__region",
    "assessment__community__municipality__province",
)
LIST_COLUMNS = (
    "sector",
    "description",
    "status",
    "urgency",
    "priority",
    "rank",
    "beneficiaries",
    "estimated_cost",
)


def totals_of(needs: QuerySet[Need]) -> dict:
    """Count, people affected and estimated cost of ``needs``, overall and by sector: one
    GROUP BY query (the overall figures are the sum of the sectors'), whatever the number of
    rows, remembered until a record changes (obcms/records/figures.py): a region's totals
    read some 150,000 needs at national scale."""
    return figure(query_key("needs totals", needs), lambda: _totals_of(needs))


def _totals_of(needs: QuerySet[Need]) -> dict:
    labels = dict(Need.Sector.choices)
    by_sector = [
        {**row, "label": labels.get(row["sector"], row["sector"])}
        for row in needs.order_by()
        .values("sector")
        .annotate(count=Count("pk"), people=Sum("beneficiaries"), cost=Sum("estimated_cost"))
        .order_by("sector")
    ]
    return {
        "count": sum(row["count"] for row in by_sector),
        "people": sum(row["people"] or 0 for row in by_sector),
        "cost": sum((row["cost"] or Decimal("0") for row in by_sector), Decimal("0")),
        "by_sector": by_sector,
    }


NEED_ROW = (
    '<tr><td>{}</td><td>{}</td><td>{}</td><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td>'
    '<td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>'
)


def list_rows(needs: Iterable[tuple]) -> list[tuple]:
    """The register's rows as the page prints them, formatted here: the template's variable
    lookups, filters and ``get_..._display`` calls cost more than the page's queries for 50
    rows (issue 19). ``needs``: plain rows of ``ROW_FIELDS`` (four model instances a row
    cost as much again)."""
    sectors, statuses = dict(Need.Sector.choices), dict(Need.Status.choices)
    urgencies, priorities = dict(Need.Urgency.choices), dict(Need.Priority.choices)
    return [
        (
            pk,
            community,
            region or "",
            sectors.get(sector, sector),
            Truncator(description).chars(80),
            statuses.get(status, status),
            urgencies.get(urgency, urgency),
            priorities.get(priority, priority),
            "—" if rank is None else rank,
            "—" if beneficiaries is None else beneficiaries,
            "—" if estimated_cost is None else f"{estimated_cost:,.2f}",
        )
        for (
            pk,
            community,
            region,
            sector,
            description,
            status,
            urgency,
            priority,
            rank,
            beneficiaries,
            estimated_cost,
        ) in needs
    ]


ROW_FIELDS = (
    "pk",
    "assessment__community__name",
    "assessment__community__region__short_name",
    *LIST_COLUMNS,
)


@login_required
@permission_required("assessments.view_need", raise_exception=True)
def need_list(request: HttpRequest) -> HttpResponse:
    filters = NeedFilter(request.GET, queryset=Need.objects.all())
    needs = filters.qs
    if not filters.sorted:
        needs = needs.order_by("status", "rank", "priority", "-pk")
    totals = totals_of(filters.qs)
    # The columns the rows show, not the seventy of each community.
    rows = needs.values_list(*ROW_FIELDS)
    page = page_of(request, rows, count=totals["count"])
    rows, list_url = list_rows(page.object_list), reverse("needs:list")
    query = filters.as_query()
    return render(
        request,
        "needs/list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "rows_html": html_rows(
                NEED_ROW,
                ((*row[1:4], list_url, row[0], *row[4:]) for row in rows),
            ),
            "totals": totals,
            "filtered": any(k != "sort" for k in query),
            "query": query,
        },
    )


@login_required
@permission_required("assessments.view_need", raise_exception=True)
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(
        Need.objects.select_related(
            *LIST_RELATIONS, "assessment__community__barangay", "validated_by", "forwarded_to"
        ),
        pk=pk,
    )
    return render(
        request,
        "needs/detail.html",
        {
            "need": need,
            "ppas": need.ppas.select_related("implementing_partner").order_by("-fiscal_year"),
            "decision_form": NeedDecisionForm(),
            "history": entries_of(need),
            "archived": not Need.objects.filter(pk=pk).active().exists(),
        },
    )


@login_required
@permission_required("assessments.change_need", raise_exception=True)
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need.objects.select_related("assessment__community"), pk=pk)
    if not Need.objects.filter(pk=pk).active().exists():
        messages.error(request, "This need's assessment or community is archived.")
        return redirect(need)
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Need saved.")
        return redirect(need)
    return render(request, "needs/form.html", {"need": need, "form": form})


@require_POST
@login_required
@permission_required("assessments.validate_need", raise_exception=True)
def need_decide(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need, pk=pk)
    form = NeedDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose validate, defer or reject.")
        return redirect(need)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]

    def change() -> None:
        if decision == "validate":
            need.validate_by(request.user)
        elif decision == "defer":
            need.defer_by(request.user, reason)
        else:
            need.reject_by(request.user, reason)

    return decided(request, need, change, lambda: f"Need {need.get_status_display().lower()}.")


@login_required
@permission_required("assessments.validate_need", raise_exception=True)
def need_prioritize(request: HttpRequest) -> HttpResponse:
    """Administrators rank the validated (and already prioritized) needs of one region and
    sector; a rank left empty keeps a need validated and unranked."""
    asked = request.GET.get("region", "")
    region = Region.objects.filter(pk=asked).first() if is_id(asked) else None
    sector = request.GET.get("sector", "")
    needs: list[Need] = []
    if region and sector in Need.Sector.values:
        needs = list(
            Need.objects.active()
            .filter(
                assessment__community__municipality__region=region,
                sector=sector,
                status__in=Need.ACTIONABLE,
            )
            .select_related("assessment__community__municipality")
            .order_by("rank", "priority", "-beneficiaries", "pk")
        )
    errors: list[str] = []
    if request.method == "POST" and needs:
        ranks: dict[Need, int] = {}
        for need in needs:
            value = request.POST.get(f"rank-{need.pk}", "").strip()
            if not value:
                continue
            if not is_id(value) or int(value) < 1:
                errors.append(f"{need}: a rank is a whole number from 1.")
                continue
            try:  # the model's own limits (what the column holds), before any need is saved
                Need._meta.get_field("rank").run_validators(int(value))
            except ValidationError as error:
                errors.append(f"{need}: {' '.join(error.messages)}")
            else:
                ranks[need] = int(value)
        if len(set(ranks.values())) != len(ranks):
            errors.append("Two needs share a rank: give each its own place.")
        if not errors:
            with transaction.atomic():
                for need, rank in ranks.items():
                    need.prioritize_by(request.user, rank)
            messages.success(request, f"{len(ranks)} need{'s' if len(ranks) != 1 else ''} ranked.")
            return redirect(request.get_full_path())
    return render(
        request,
        "needs/prioritize.html",
        {
            "regions": Region.objects.all(),
            "sectors": Need.Sector.choices,
            "region": region,
            "sector": sector,
            "needs": needs,
            "errors": errors,
        },
    )
