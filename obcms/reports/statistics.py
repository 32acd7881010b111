"""The figures the dashboard shows, computed in a handful of aggregate queries. Archived
records (and what belongs to them) are left out of every figure."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.coordination.models import Engagement


def compute() -> dict:
    today = timezone.localdate()
    communities = Community.objects.active()
    by_region = list(
        communities.values("municipality__region__short_name")
        .annotate(communities=Count("id"), population=Sum("population"))
        .order_by("municipality__region__psgc_code")
    )
    by_province = list(
        communities.values("municipality__province__name")
        .annotate(communities=Count("id"), population=Sum("population"))
        .order_by("-communities")[:12]
    )
    assessments = dict(
        Assessment.objects.active().values_list("status").annotate(n=Count("id")).order_by()
    )
    top_needs = list(
        Need.objects.active()
        .values("sector")
        .annotate(
            needs=Count("id"),
            high=Count("id", filter=Q(priority=Need.Priority.HIGH)),
            beneficiaries=Sum("beneficiaries"),
        )
        .order_by("-high", "-needs")
    )
    sectors = dict(Need.Sector.choices)
    return {
        "totals": {
            "communities": communities.count(),
            "population": communities.aggregate(n=Sum("population"))["n"] or 0,
            "households": communities.aggregate(n=Sum("households"))["n"] or 0,
            "verified": communities.filter(verification=Community.Verification.VERIFIED).count(),
            "incomplete": communities.exclude(missing_fields=[]).count(),
        },
        "by_region": [
            {
                "label": r["municipality__region__short_name"] or "?",
                "communities": r["communities"],
                "population": r["population"] or 0,
            }
            for r in by_region
        ],
        "by_province": [
            {
                "label": r["municipality__province__name"] or "Independent cities",
                "communities": r["communities"],
                "population": r["population"] or 0,
            }
            for r in by_province
        ],
        "assessments": {status: assessments.get(status, 0) for status in Assessment.Status.values},
        "top_needs": [
            {
                "label": sectors.get(n["sector"], n["sector"]),
                "needs": n["needs"],
                "high": n["high"],
                "beneficiaries": n["beneficiaries"] or 0,
            }
            for n in top_needs
        ],
        "follow_ups_due": Engagement.objects.active()
        .exclude(status=Engagement.Status.COMPLETED)
        .filter(follow_up_on__lte=today + timedelta(days=7))
        .count(),
    }
