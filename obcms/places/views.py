"""The map, its markers, and the place profiles (regions, provinces, cities and
municipalities). Every page reads communities, so every page needs that permission."""

from __future__ import annotations

import gzip
import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from obcms.geography.models import Municipality, Province, Region
from obcms.places import charts, markers, profiles, records
from obcms.places.filters import MapFilter, PlaceFilter
from obcms.places.lookup import PSGC_CODE, find_place
from obcms.records.figures import figure, query_key

read_communities = permission_required("communities.view_community", raise_exception=True)


@login_required
@read_communities
def map_page(request: HttpRequest) -> HttpResponse:
    filters = MapFilter(request.GET)
    return render(
        request,
        "places/map.html",
        {"filters": filters, "query_string": urlencode(filters.as_query())},
    )


@login_required
@read_communities
@never_cache
def markers_json(request: HttpRequest) -> HttpResponse:
    """The markers of the map's filter (see markers.py for the shape), gzipped at level 1:
    3 MB of JSON for 50,000 communities shrink to about 1.2 MB in a quarter of the time
    level 6 takes (Django's gzip_page), and time is what the person waiting sees. The body
    echoes nothing from the request, so compression reveals no secret (BREACH)."""
    filters = MapFilter(request.GET)
    data = markers.payload(filters.applied_to(records.communities()))
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    response = HttpResponse(content_type="application/json")
    patch_vary_headers(response, ["Accept-Encoding"])
    if re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
        body = gzip.compress(body, compresslevel=1, mtime=0)
        response["Content-Encoding"] = "gzip"
    response.content = body
    return response


@login_required
@read_communities
def place_index(request: HttpRequest) -> HttpResponse:
    """The regions loaded, with their provinces and independent cities, and their counts."""
    towns = (
        records.communities()
        .order_by()
        .values("municipality__region_id", "municipality__province_id", "municipality_id")
        .annotate(n=Count("pk"), people=Sum("population"))
    )
    regions: dict[int, int] = {}
    places: dict[tuple[str, int], list[int]] = {}  # ("province" | "city", pk) -> [n, people]
    for town in towns:
        regions[town["municipality__region_id"]] = (
            regions.get(town["municipality__region_id"], 0) + town["n"]
        )
        if town["municipality__province_id"]:
            key = ("province", town["municipality__province_id"])
        else:
            key = ("city", town["municipality_id"])
        total = places.setdefault(key, [0, 0])
        total[0] += town["n"]
        total[1] += town["people"] or 0
    provinces = list(Province.objects.order_by("name"))
    cities = list(Municipality.objects.filter(province=None).order_by("name"))
    listing = [
        (
            region,
            regions.get(region.pk, 0),
            [
                (p, *places.get(("province", p.pk), [0, 0]))
                for p in provinces
                if p.region_id == region.pk
            ]
            + [
                (c, *places.get(("city", c.pk), [0, 0])) for c in cities if c.region_id == region.pk
            ],
        )
        for region in Region.objects.all()
    ]
    return render(request, "places/index.html", {"regions": listing})


@login_required
@read_communities
def place_profile(request: HttpRequest, psgc: str) -> HttpResponse:
    if not PSGC_CODE.fullmatch(psgc):
        return render(request, "400.html", status=400)
    place = find_place(psgc)
    if place is None:
        raise Http404("No region, province, city or municipality has this PSGC code.")
    filters = PlaceFilter(request.GET)
    # Remembered until a record changes (obcms/records/figures.py): a region's profile
    # aggregates tens of thousands of communities and their assessments; its figures drawn
    # as HTML with it (their hundreds of localised numbers cost more than the page's queries).
    profile, figures_html = figure(
        # Its trends and active partners count back from today.
        query_key(
            f"place profile drawn {place.psgc_code} {timezone.localdate()}",
            profiles.place_communities(place, filters),
        ),
        lambda: _drawn(profiles.compute(place, filters)),
    )
    query = filters.as_query()
    return render(
        request,
        "places/profile.html",
        {
            "place": place,
            "profile": profile,
            "filters": filters,
            "query": query,
            "map_query": urlencode({"place": place.psgc_code, **query}),
            "figures_html": mark_safe(figures_html),  # noqa: S308 (rendered by the template)
        },
    )


def _drawn(profile: profiles.Profile) -> tuple[profiles.Profile, str]:
    """The profile, and its figures as HTML (templates/places/_profile_figures.html)."""
    html = render_to_string(
        "places/_profile_figures.html",
        {"profile": profile, "charts_drawn": charts.drawn(profile.trends, "place")},
    )
    return profile, str(html)
