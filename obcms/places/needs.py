"""How far a community's needs have come, and needs counted by sector: the definitions the map
colours and the place profiles use, in one module.

Today a need has a sector and a priority but no status of its own, so a community's needs
status comes from its assessments (never assessed; needs identified in a draft or submitted
assessment; needs validated). When needs carry their own lifecycle, ``NEEDS_STATUSES``,
:func:`needs_status` and :func:`needs_by_sector` are the three things to change."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.places import records
from obcms.places.fetch import plain_rows

# Index = the code the marker endpoint sends; label = what the legend says.
NEEDS_STATUSES = ("Never assessed", "Needs identified", "Needs validated")


def needs_status(communities: QuerySet[Community]) -> dict[int, int]:
    """Community id -> its index in ``NEEDS_STATUSES``, for the assessed ones among
    ``communities`` (a community absent from the answer was never assessed). One grouped
    query: per-row EXISTS subqueries cost PostgreSQL a 1.6 s JIT compilation at 50,000."""
    rows = plain_rows(
        records.assessments()
        .filter(community__in=communities)
        .order_by()
        .values("community_id")
        .annotate(
            status=Max(
                Case(
                    When(status=Assessment.Status.VALIDATED, then=Value(2)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
        )
        .values_list("community_id", "status")
    )
    return dict(rows)


@dataclass(frozen=True)
class SectorNeeds:
    sector: str
    high: int
    medium: int
    low: int
    beneficiaries: int

    @property
    def total(self) -> int:
        return self.high + self.medium + self.low


def needs_by_sector(needs: QuerySet[Need]) -> list[SectorNeeds]:
    """Needs per sector and priority, most high-priority needs first, in one query."""
    rows = (
        needs.order_by()
        .values("sector")
        .annotate(
            high=Count("pk", filter=Q(priority=Need.Priority.HIGH)),
            medium=Count("pk", filter=Q(priority=Need.Priority.MEDIUM)),
            low=Count("pk", filter=Q(priority=Need.Priority.LOW)),
            beneficiaries=Sum("beneficiaries"),
        )
    )
    labels = dict(Need.Sector.choices)
    table = [
        SectorNeeds(
            sector=labels.get(row["sector"], row["sector"]),
            high=row["high"],
            medium=row["medium"],
            low=row["low"],
            beneficiaries=row["beneficiaries"] or 0,
        )
        for row in rows
    ]
    return sorted(table, key=lambda row: (-row.high, -row.total, row.sector))
