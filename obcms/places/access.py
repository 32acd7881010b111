"""Access to services, as the place profiles and the PDF reports count it: in ONE function.

Today a profile answers yes/no per service (``has_school`` ...). When the profile rates each
service (excellent / good / fair / poor / none), only :func:`access_to_services` changes: count
"with access" as the ratings that mean access (say excellent, good, fair), "known" as any
rating, and list the new services in ``SERVICES``; the pages and the PDF read its rows as they
are."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from obcms.communities.models import Community

SERVICES = (
    ("has_school", "School within reach"),
    ("has_madrasah", "Madrasah within reach"),
    ("has_health_facility", "Health facility within reach"),
    ("has_potable_water", "Potable water"),
    ("has_electricity", "Electricity"),
)


@dataclass(frozen=True)
class ServiceAccess:
    service: str
    with_access: int
    without_access: int
    unknown: int

    @property
    def percent(self) -> int | None:
        """Share with access among the communities whose answer is known."""
        known = self.with_access + self.without_access
        return round(100 * self.with_access / known) if known else None


def access_to_services(communities: QuerySet[Community]) -> list[ServiceAccess]:
    """One row per service for ``communities``, in one aggregate query."""
    counts = communities.order_by().aggregate(
        total=Count("pk"),
        **{f"{field}_yes": Count("pk", filter=Q(**{field: True})) for field, _ in SERVICES},
        **{f"{field}_no": Count("pk", filter=Q(**{field: False})) for field, _ in SERVICES},
    )
    return [
        ServiceAccess(
            service=label,
            with_access=counts[f"{field}_yes"],
            without_access=counts[f"{field}_no"],
            unknown=counts["total"] - counts[f"{field}_yes"] - counts[f"{field}_no"],
        )
        for field, label in SERVICES
    ]
