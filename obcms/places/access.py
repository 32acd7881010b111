"""Access to services, as the place profiles and the PDF reports count it: in ONE module.

Each profile rates nine services (``SERVICES`` in communities/models.py) excellent, good, fair,
poor or none, or "available, not rated" (a yes carried over from the old yes/no answers); empty
means nobody has said. A community "has access" to a service when it has any rating but none:
a poor road is still a road, and a carried-over yes said the service exists. "Known" is any
rating, so the share with access is among the communities whose answer is known, as before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q

from obcms.communities.models import SERVICES, Community, Rating

# The order the pages and the PDF show the ratings in, best first, "none" last.
RATINGS = (
    Rating.EXCELLENT,
    Rating.GOOD,
    Rating.FAIR,
    Rating.POOR,
    Rating.AVAILABLE,
    Rating.NONE,
)
RATING_LABELS = tuple(rating.label for rating in RATINGS)  # the distribution's headings


@dataclass(frozen=True)
class ServiceAccess:
    service: str
    ratings: tuple[int, ...]  # communities per rating, in RATINGS' order
    unknown: int

    @property
    def with_access(self) -> int:
        return sum(
            n for rating, n in zip(RATINGS, self.ratings, strict=True) if rating != Rating.NONE
        )

    @property
    def without_access(self) -> int:
        return self.ratings[RATINGS.index(Rating.NONE)]

    @property
    def percent(self) -> int | None:
        """Share with access among the communities whose answer is known."""
        known = self.with_access + self.without_access
        return round(100 * self.with_access / known) if known else None


def service_counts() -> dict[str, Count]:
    """The aggregates ``access_from`` reads: communities per service and rating."""
    return {
        f"{field}_{rating}": Count("pk", filter=Q(**{field: rating}))
        for field in SERVICES
        for rating in RATINGS
    }


def access_from(counts: Mapping[str, int], total: int) -> list[ServiceAccess]:
    """One row per service from the ``service_counts`` of ``total`` communities (a place
    profile sums them over its child places, counted in the same query)."""
    rows = []
    for field in SERVICES:
        ratings = tuple(counts[f"{field}_{rating}"] for rating in RATINGS)
        label = str(Community._meta.get_field(field).verbose_name)
        rows.append(
            ServiceAccess(
                service=label[:1].upper() + label[1:],
                ratings=ratings,
                unknown=total - sum(ratings),
            )
        )
    return rows
