"""The map's markers: every community of a filter, where it is, in a compact JSON shape.

Built for 50,000 communities in one response, in three queries: the communities (coordinates
as whole numbers, degrees x 100,000, about a metre, rounded by the database), the status of
their needs, and the names of their barangays. The answer is by column (one list per field,
a community's values at the same index), which Python builds at C speed and gzip compresses
well. Texts repeated across markers (the barangay, its town and the town's PSGC code, for a
link to its profile) are sent once, in ``places``, and referred to by index. A community
without coordinates of its own is placed at its barangay's (coalesced in the query); one
without either has null coordinates."""

from __future__ import annotations

from django.db.models import IntegerField, QuerySet
from django.db.models.functions import Cast, Coalesce, Round

from obcms.communities.models import Community
from obcms.geography.models import Barangay
from obcms.places.fetch import plain_rows
from obcms.places.needs import NEEDS_STATUSES, needs_status

SCALE = 100_000  # coordinates are sent as whole numbers of 1/100,000 degree
VERIFICATION = tuple(Community.Verification)  # the code sent is the index in this tuple


def placed(communities: QuerySet[Community]) -> QuerySet[Community]:
    """``communities`` with ``lat`` and ``lng`` (x SCALE): their own, else their barangay's."""

    def scaled(own: str, barangay: str) -> Cast:
        return Cast(Round(Coalesce(own, barangay) * SCALE), IntegerField())

    return communities.annotate(
        lat=scaled("latitude", "barangay__latitude"),
        lng=scaled("longitude", "barangay__longitude"),
    )


def payload(communities: QuerySet[Community]) -> dict:
    rows = plain_rows(
        placed(communities)
        .order_by()
        .values_list("pk", "lat", "lng", "name", "barangay_id", "population", "verification")
    )
    ids, lat, lng, names, barangays, population, verification = (
        map(list, zip(*rows, strict=True)) if rows else ([] for _ in range(7))
    )
    codes = {status.value: index for index, status in enumerate(VERIFICATION)}
    needs = needs_status(communities)
    index: dict[int, int] = {}
    places = [index.setdefault(barangay, len(index)) for barangay in barangays]
    labels = {
        pk: [name, town, code]
        for pk, name, town, code in Barangay.objects.filter(
            pk__in=communities.values("barangay_id")
        ).values_list("pk", "name", "municipality__name", "municipality__psgc_code")
    }
    return {
        "scale": SCALE,
        "verification_labels": [status.label for status in VERIFICATION],
        "needs_labels": NEEDS_STATUSES,
        "places": [labels[pk] for pk in index],
        "unplaced": lat.count(None),
        "id": ids,
        "lat": lat,
        "lng": lng,
        "name": names,
        "place": places,
        "population": population,
        "verification": [codes[status] for status in verification],
        "needs": [needs.get(pk, 0) for pk in ids],
    }
