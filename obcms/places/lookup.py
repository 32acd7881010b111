"""A place named by its PSGC code: a region, a province, or a city or municipality, and which
communities are in it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from obcms.geography.models import Municipality, Province, Region

PSGC_CODE = re.compile(r"[0-9]{10}")


@dataclass(frozen=True)
class PlaceRef:
    level: str  # "region", "province" or "municipality"
    place: Region | Province | Municipality

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def psgc_code(self) -> str:
        return self.place.psgc_code

    @property
    def kind(self) -> str:
        """What staff call it: Region, Province, City or Municipality."""
        if self.level == "municipality":
            return self.place.get_kind_display()
        return self.level.title()

    def get_absolute_url(self) -> str:
        return reverse("places:profile", args=[self.psgc_code])

    def communities_filter(self, prefix: str = "") -> Q:
        """The communities in this place (``prefix`` reaches them from a related record)."""
        field = {
            "region": "region",
            "province": "province",
            "municipality": "municipality",
        }[self.level]
        return Q(**{f"{prefix}{field}": self.place})

    def parents(self) -> list[PlaceRef]:
        """The places above this one, the region first (for breadcrumbs)."""
        if self.level == "region":
            return []
        above = [PlaceRef("region", self.place.region)]
        if self.level == "municipality" and self.place.province_id:
            above.append(PlaceRef("province", self.place.province))
        return above


def find_place(code: str) -> PlaceRef | None:
    """The region, province or city/municipality with PSGC ``code``; None when there is none
    (a barangay's code included: profiles stop at cities and municipalities)."""
    if not PSGC_CODE.fullmatch(code):
        return None
    if code.endswith("00000000"):
        region = Region.objects.filter(psgc_code=code).first()
        if region:
            return PlaceRef("region", region)
    province = Province.objects.select_related("region").filter(psgc_code=code).first()
    if province:
        return PlaceRef("province", province)
    municipality = (
        Municipality.objects.select_related("region", "province").filter(psgc_code=code).first()
    )
    return PlaceRef("municipality", municipality) if municipality else None
