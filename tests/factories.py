"""Small builders for registry objects (no factory library needed for this much)."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from obcms.communities.models import Community
from obcms.geography.models import Barangay, Municipality, Province, Region

_codes = itertools.count(1)


def code(prefix: str = "09") -> str:
    return f"{prefix}{next(_codes):08d}"


def place(region_short: str = "IX") -> Barangay:
    """A barangay in a new municipality in a (new or existing) region."""
    prefix = {"IX": "09", "X": "10", "XI": "11", "XII": "12"}[region_short]
    region, _ = Region.objects.get_or_create(
        psgc_code=f"{prefix}00000000",
        defaults={"name": f"Region {region_short}", "short_name": region_short},
    )
    province = Province.objects.create(
        psgc_code=code(prefix), name=f"Province {code()}", region=region
    )
    municipality = Municipality.objects.create(
        psgc_code=code(prefix),
        name=f"Town {code()}",
        kind="municipality",
        region=region,
        province=province,
    )
    return Barangay.objects.create(
        psgc_code=code(prefix), name=f"Barangay {code()}", municipality=municipality
    )


def community(name: str | None = None, barangay: Barangay | None = None, **fields) -> Community:
    barangay = barangay or place()
    return Community.objects.create(
        name=name or f"Sitio {code()}",
        barangay=barangay,
        municipality=barangay.municipality,
        **fields,
    )


def user(role: str, username: str | None = None):
    account = get_user_model().objects.create_user(
        username=username or f"{role}-{code()}",
        password="a-long-test-password",
        email=f"{role}@example.org",
        is_staff=role == "administrator",
    )
    account.groups.add(Group.objects.get(name=role))
    return account
