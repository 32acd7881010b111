"""The dashboard's figures of the chain from need to PPA to policy: needs by status, PPA
budget by sector and fiscal year, policies by status.

Computed live, not from the 15-minute snapshot: a need completed a minute ago shows completed
at once. Remembered until a record changes (obcms/records/figures.py): the needs by status
read every need, 500,000 at national scale."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from obcms.assessments.models import Need
from obcms.policies.models import Policy
from obcms.ppas.models import PPA
from obcms.records.figures import figure


def compute() -> dict:
    return figure("chain", _compute)


def _compute() -> dict:
    need_counts = dict(
        Need.objects.active().order_by().values_list("status").annotate(n=Count("pk"))
    )
    policy_counts = dict(
        Policy.objects.active().order_by().values_list("status").annotate(n=Count("pk"))
    )
    sectors = dict(Need.Sector.choices)
    budget = [
        {**row, "label": sectors.get(row["sector"], row["sector"])}
        for row in PPA.objects.active()
        .exclude(status__in=PPA.CLOSED)
        .order_by()
        .values("fiscal_year", "sector")
        .annotate(count=Count("pk"), allocated=Sum("budget_allocated"), spent=Sum("budget_spent"))
        .order_by("-fiscal_year", "sector")
    ]
    return {
        "needs_by_status": [
            {"status": value, "label": label, "count": need_counts.get(value, 0)}
            for value, label in Need.Status.choices
        ],
        "ppa_budget": budget,
        "ppa_total": sum((row["allocated"] for row in budget), Decimal("0")),
        "policies_by_status": [
            {"status": value, "label": label, "count": policy_counts.get(value, 0)}
            for value, label in Policy.Status.choices
        ],
    }
