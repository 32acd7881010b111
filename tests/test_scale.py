"""What keeps the registry fast at national scale (issue 19): each community's region and
province stored on it and kept right, lists that count without joining the places, and a
fixed number of queries per page whatever the data volume. Never milliseconds."""

from __future__ import annotations

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obcms.communities.models import Community
from obcms.geography import loading
from obcms.geography.models import Municipality, Province
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_the_region_and_province_follow_the_community_when_it_moves():
    community = factories.community(barangay=factories.place("IX"))
    town = community.municipality
    assert (community.region_id, community.province_id) == (town.region_id, town.province_id)

    elsewhere = factories.place("XII")
    community.barangay = elsewhere
    community.municipality = elsewhere.municipality
    community.save(update_fields=["barangay", "municipality"])
    community.refresh_from_db()
    assert community.region.short_name == "XII"
    assert community.province_id == elsewhere.municipality.province_id

    # Changed by id only, as a form or an import may do it.
    back = Community.objects.get(pk=community.pk)
    back.municipality_id, back.barangay_id = town.pk, factories.place("IX").pk
    back.save()
    back.refresh_from_db()
    assert (back.region_id, back.province_id) == (town.region_id, town.province_id)


def fixture(tmp_path, province_of_town: str):
    rows = [
        ["0900000000", "", "region", "Region IX (Zamboanga Peninsula)"],
        ["0970000000", "0900000000", "province", "Province A"],
        ["0980000000", "0900000000", "province", "Province B"],
        ["0970100000", province_of_town, "municipality", "Town"],
        ["0970100001", "0970100000", "barangay", "Barangay"],
    ]
    path = tmp_path / f"psgc-{province_of_town}.json.gz"
    path.write_bytes(gzip.compress(json.dumps(rows).encode()))
    return path


def test_the_places_loader_moves_communities_with_their_municipality(tmp_path):
    loading.load(["IX"], path=fixture(tmp_path, "0970000000"))
    town = Municipality.objects.get(psgc_code="0970100000")
    community = factories.community(barangay=town.barangays.get())
    assert community.province.name == "Province A"

    loading.load(["IX"], path=fixture(tmp_path, "0980000000"))
    community.refresh_from_db()
    assert community.province.name == "Province B"

    # A municipality moved to another region by hand, then the loader's refresh.
    other = factories.place("X").municipality.region
    Municipality.objects.filter(pk=town.pk).update(region=other, province=None)
    assert Community.refresh_places() == 1
    community.refresh_from_db()
    assert (community.region, community.province) == (other, None)
    assert Community.refresh_places() == 0  # nothing stale left


def list_queries(client, url: str, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("name", ["communities:list", "assessments:list"])
def test_a_region_page_counts_without_joining_the_places_and_in_fixed_queries(client, name):
    client.force_login(factories.user("administrator"))
    url = reverse(name)
    barangay = factories.place("XII")
    region = barangay.municipality.region
    Province.objects.create(psgc_code=factories.code("12"), name="Another", region=region)

    def grow(n: int) -> None:
        for _ in range(n):
            factories.assessment(of=factories.community(barangay=barangay))

    grow(3)
    params = {"region": region.pk}
    client.get(url, params)  # session and caches warm, as on any later request
    few = list_queries(client, url, params)
    grow(60)  # more than a page
    many = list_queries(client, url, params)
    assert len(few) == len(many)
    counts = [sql for sql in many if sql.startswith("SELECT COUNT(*)")]
    assert counts, many
    assert not any("geography_municipality" in sql for sql in counts), counts
    assert not any("assessments_need" in sql for sql in counts), counts
