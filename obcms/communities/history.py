"""Record what a save changed in a community profile (the history staff see)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from obcms.communities.models import Community, CommunityChange

TRACKED = (
    "name",
    "municipality",
    "barangay",
    "population",
    "households",
    "has_school",
    "has_madrasah",
    "has_health_facility",
    "has_potable_water",
    "has_electricity",
    "verification",
    "notes",
)
TRACKED_MANY = ("ethnolinguistic_groups", "livelihoods", "languages")


def snapshot(community: Community) -> dict[str, object]:
    """The tracked values of ``community`` as display strings (empty for a new one)."""
    if not community.pk:
        return {}
    values: dict[str, object] = {}
    for name in TRACKED:
        field = community._meta.get_field(name)
        value = getattr(community, name)
        if field.choices and value is not None:
            value = getattr(community, f"get_{name}_display")()  # "Verified", not "verified"
        values[name] = "" if value is None else str(value)
    for name in TRACKED_MANY:
        values[name] = ", ".join(sorted(str(term) for term in getattr(community, name).all()))
    return values


def record_changes(
    community: Community, before: dict[str, object], user: AbstractBaseUser | None
) -> CommunityChange | None:
    after = snapshot(community)
    changes = {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }
    if not changes:
        return None
    return CommunityChange.objects.create(
        community=community, changes=changes, changed_by=user if user and user.pk else None
    )
