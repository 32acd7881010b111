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
