"""The PSGC geography: loading it, and loading it again."""

import pytest
from django.core.management import call_command

from obcms.geography.models import Barangay, Municipality, Region

pytestmark = pytest.mark.django_db


def test_geography_load_is_idempotent_and_keeps_the_hierarchy():
    call_command("load_geography", "--regions", "IX", verbosity=0)
    counts = (Region.objects.count(), Municipality.objects.count(), Barangay.objects.count())
    call_command("load_geography", "--regions", "IX", verbosity=0)
    assert (
        Region.objects.count(),
        Municipality.objects.count(),
        Barangay.objects.count(),
    ) == counts
    zamboanga = Municipality.objects.get(name="City of Zamboanga")
    assert zamboanga.province is None and zamboanga.region.short_name == "IX"
    assert Barangay.objects.filter(municipality__province__name="Zamboanga del Sur").exists()
    assert counts[2] > 1500


def test_unknown_region_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown region 'XXX'; known:"):
        call_command("load_geography", "--regions", "XXX", verbosity=0)


def test_the_loader_places_every_place_of_regions_ix_to_xii_and_no_community_is_unplaced(
    settings,
):
    from obcms.communities.models import PHILIPPINES_LATITUDE as SOUTH_NORTH
    from obcms.communities.models import PHILIPPINES_LONGITUDE as WEST_EAST
    from obcms.communities.models import Community
    from obcms.geography.models import Province
    from obcms.places import markers, records

    call_command("load_geography", verbosity=0)  # Regions IX-XII
    assert Barangay.objects.count() > 6500
    for model in (Region, Province, Municipality, Barangay):
        places = model.objects.all()
        assert not places.filter(latitude=None).exists(), model
        assert not places.filter(longitude=None).exists(), model
        assert not places.filter(population=None).exists(), model
        assert not places.exclude(latitude__range=SOUTH_NORTH).exists(), model
        assert not places.exclude(longitude__range=WEST_EAST).exists(), model
    zamboanga = Municipality.objects.get(name="City of Zamboanga")
    assert (round(zamboanga.latitude), round(zamboanga.longitude)) == (7, 122)
    assert zamboanga.population > 900_000 and zamboanga.area_km2 > 1000

    settings.DEBUG = True
    call_command("seed_demo", "--communities", "300", verbosity=0)
    assert Community.objects.filter(latitude=None).count() > 100  # placed at their barangay
    data = markers.payload(records.communities())
    assert data["unplaced"] == 0
    assert None not in data["lat"] and None not in data["lng"]
    # Every current community has a marker; seed_demo's few archived ones are off the map.
    assert len(data["id"]) == Community.objects.active().count()
    assert Community.objects.count() == 300 and Community.objects.archived().exists()


def test_loading_again_updates_coordinates_and_census_of_existing_places():
    call_command("load_geography", "--regions", "XII", verbosity=0)
    place = Barangay.objects.filter(municipality__region__short_name="XII").first()
    right = (place.latitude, place.longitude, place.population, place.name)
    Barangay.objects.filter(pk=place.pk).update(
        latitude=None, longitude="120.000000", population=1, name="Wrong"
    )
    call_command("load_geography", "--regions", "XII", verbosity=0)
    place.refresh_from_db()
    assert (place.latitude, place.longitude, place.population, place.name) == right
